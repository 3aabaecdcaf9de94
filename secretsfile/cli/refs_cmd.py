"""Secret references: render a template, check references without a key."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from secretsfile.cli.common import emit_json, out, say
from secretsfile.cli.exit_codes import ExitCode
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
    typer.Option("--config", help="The project config (default: nearest .secretsfile.yaml).",
                 envvar="SECRETSFILE_CONFIG", show_envvar=True),
]
FormatOpt = Annotated[
    str | None,
    typer.Option("--format", "-f",
                 help="yaml, json, toml, ini or text: how values are escaped "
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


def check(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Files to check (default: the 'references:' patterns of "
                       ".secretsfile.yaml)."),
    ] = None,
    env: Annotated[
        str | None,
        typer.Option("--env", "-e", help="Check against this environment (default: "
                     "SECRETSFILE_ENV, else every environment)."),
    ] = None,
    level: Annotated[
        str | None,
        typer.Option("--level", envvar="SECRETSFILE_SECRET_VALIDATION_LEVEL",
                     help="NONE (syntax only), SECRET_EXISTS or SECRET_AND_KEY_EXISTS "
                          "(default)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    config: ConfigOpt = None,
) -> int:
    """Validate every secret reference without decrypting (names and keys are in clear).

    Prints one line per problem, path:line:col: {{ref}}: what is wrong (did you mean …?),
    and exits 1 when there is any.
    """
    from secretsfile.ops.references import check_files

    report = check_files(list(files or []), env=env, level=level,
                         config=load_config(override=config))
    if as_json:
        emit_json(report.as_dict())
    else:
        for line in report.lines():
            out(line + "\n")
        for skipped in report.skipped:
            say(f"skipped {skipped}: not a text file")
        if not report.files and not report.skipped:
            say("nothing to check: name FILES, or list patterns under 'references:' in "
                ".secretsfile.yaml")
        elif report.ok:
            envs = ", ".join(report.envs) if report.envs else "syntax only"
            say(f"{report.references} reference(s) in {len(report.files)} file(s): OK "
                f"({envs}; {report.level.value})")
        else:
            say(f"{len(report.problems)} problem(s) in {len(report.files)} file(s)")
    return int(ExitCode.OK if report.ok else ExitCode.FINDINGS)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("render", rich_help_panel=PANEL)(render)
    app.command("check", rich_help_panel=PANEL)(check)
