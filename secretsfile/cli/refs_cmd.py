"""Secret references: render a template; ``check`` references, recipients and schemas
without a key (declared in ``cli/spec.py``, its body in ``cli/check.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from secretsfile.cli.common import out, say
from secretsfile.cli.spec import SPEC
from secretsfile.cli.spec_typer import annotate
from secretsfile.config.project import load as load_config
from secretsfile.errors import UsageError

PANEL = "References"
EnvOpt = Annotated[
    str | None,
    typer.Option("--env", "-e", help="The environment (default: SECRETSFILE_ENV, default_env, "
                 "or the only one)."),
]
ConfigOpt = Annotated[
    str | None,
    typer.Option("--config", metavar="FILE", envvar="SECRETSFILE_CONFIG", show_envvar=True,
                 help="The project config (default: nearest .secretsfile.yaml)."),
]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", "-f", metavar="yaml|json|toml|ini|dotenv|text",
                 help="yaml, json, toml, ini, dotenv or text: how values are escaped "
                      "(default: from the extension)."),
]


def render(
    template: Annotated[str, typer.Argument(help="The template file, or - for stdin.")],
    env: EnvOpt = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the rendered text here (mode 0600) "
                     "instead of stdout."),
    ] = None,
    fmt: FormatOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Print TEMPLATE with every {{ name }} / {{ name.key }} replaced by its value.

    The output holds plaintext secrets. Nothing is printed when a reference does not
    resolve. Write \\{{ name.key }} for a literal {{ name.key }}.
    """
    import sys

    from secretsfile._fileio import write_atomic
    from secretsfile.cli.plaintext_output import refuse_plaintext_target
    from secretsfile.ops.references import render_file, render_string

    if output is not None:  # before any decryption
        if not output.parent.is_dir():
            raise UsageError(f"{output.parent}: no such directory", hint="create it first")
        refuse_plaintext_target(output)
    if template == "-":
        text = render_string(sys.stdin.read(), env=env, fmt=fmt, source=None,
                             config=load_config(override=config))
    else:
        path = Path(template)
        if output is not None and output.exists() and path.exists() \
                and output.resolve() == path.resolve():
            raise UsageError("--output would overwrite the template", hint="pick another file")
        text = render_file(path, env=env, fmt=fmt, config=load_config(override=config))
    if output is None:
        out(text)
        return
    write_atomic(output, text, private=True)
    say(f"warning: wrote plaintext secrets to {output} (mode 0600): keep it out of git "
        "and delete it when done")


@annotate(SPEC[("check",)])  # declared once: the lean parser runs it too (the hook)
def check(**kwargs: Any) -> int:
    """Validate secret references, recipients and schemas without decrypting (names,
    keys and recipients are in clear).

    Prints one line per problem, path:line:col: {{ref}}: what is wrong (did you mean …?),
    and exits 1 when there is any. With no FILES it checks the whole project: the
    'references:' files, the environments' exports, each file's recipients against the
    config (as 'updatekeys --check') and each secret's schema: the secretsfile-check hook.
    """
    from secretsfile.cli.check import run_check

    return run_check(**kwargs)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("render", rich_help_panel=PANEL)(render)
    app.command("check", rich_help_panel=PANEL)(check)
