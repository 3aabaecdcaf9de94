"""Secret references: render a template, check references without a key."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from secretsfile.cli.common import emit_json, out, say
from secretsfile.cli.exit_codes import ExitCode
from secretsfile.config.project import load as load_config
from secretsfile.errors import UsageError

if TYPE_CHECKING:
    from secretsfile.config.project import Environment, ProjectConfig
    from secretsfile.ops.register import Needed

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


def check(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Files to check (default: the 'references:' patterns of "
                       ".secretsfile.yaml, the exports, recipients and schemas)."),
    ] = None,
    env: Annotated[
        str | None,
        typer.Option("--env", "-e", help="Check against this environment (default: "
                     "SECRETSFILE_ENV, else every environment)."),
    ] = None,
    level: Annotated[
        str | None,
        typer.Option("--level", envvar="SECRETSFILE_SECRET_VALIDATION_LEVEL",
                     metavar="NONE|SECRET_EXISTS|SECRET_AND_KEY_EXISTS",
                     help="NONE (syntax only), SECRET_EXISTS or SECRET_AND_KEY_EXISTS "
                          "(default)."),
    ] = None,
    recipients: Annotated[
        bool | None,
        typer.Option("--recipients/--no-recipients", help="Check that files are encrypted "
                     "for the config's recipients (default: when no FILES are named)."),
    ] = None,
    schemas: Annotated[
        bool | None,
        typer.Option("--schemas/--no-schemas", help="Check secrets against their schema "
                     "(default: when no FILES are named)."),
    ] = None,
    create_missing: Annotated[
        bool, typer.Option("--create-missing", help="Create the secrets references name "
                           "but the environment lacks (with -i: prompted; else listed).")
    ] = False,
    interactive: Annotated[bool, typer.Option("--interactive", "-i", help=(
        "With --create-missing: prompt for the values."))] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    config: ConfigOpt = None,
) -> int:
    """Validate secret references, recipients and schemas without decrypting (names,
    keys and recipients are in clear).

    Prints one line per problem, path:line:col: {{ref}}: what is wrong (did you mean …?),
    and exits 1 when there is any. With no FILES it checks the whole project: the
    'references:' files, the environments' exports, each file's recipients against the
    config (as 'updatekeys --check') and each secret's schema: the secretsfile-check hook.
    """
    from secretsfile.ops import project_check
    from secretsfile.ops.references import check_envs, check_files

    if interactive and not create_missing:
        raise UsageError("-i goes with --create-missing",
                         hint="secretsfile check --create-missing -i")
    project = load_config(override=config)
    whole = not files
    if create_missing:
        created = _create_missing(project, list(files or []), env, interactive)
        if created is not None:
            return created
    bare = whole and not project.environments and not env  # .sops.yaml rules, or nothing
    report = check_files(list(files or []), env=env, level="NONE" if bare else level,
                         config=project)
    findings = []
    if (schemas if schemas is not None else whole) and not bare:
        findings += project_check.schema_findings(project, check_envs(project, env))
    if recipients if recipients is not None else whole:
        findings += project_check.recipient_findings(project)
    ok = report.ok and not findings
    if as_json:
        emit_json({**report.as_dict(), "ok": ok,
                   "findings": [finding.as_dict() for finding in findings]})
        return int(ExitCode.OK if ok else ExitCode.FINDINGS)
    for line in report.lines() + [finding.line_text() for finding in findings]:
        out(line + "\n")
    for skipped in report.skipped:
        say(f"skipped {skipped}: not a text file")
    if ok:
        envs = ", ".join(report.envs) if report.envs else "syntax only"
        checked = "; recipients and schemas checked" if whole else ""
        say(f"{report.references} reference(s) in {len(report.files)} file(s): OK "
            f"({envs}; {report.level.value}{checked})")
        if whole and not report.files:
            say("no reference files: name FILES, or list patterns under 'references:' in "
                ".secretsfile.yaml")
    else:
        problems = len(report.problems) + len(findings)
        problem_files = {path for path, _ in report.problems} | {f.path for f in findings}
        say(f"{problems} problem(s) in {len(problem_files)} file(s)" + _drift_hint(findings))
    return int(ExitCode.OK if ok else ExitCode.FINDINGS)


def _drift_hint(findings: list[Any]) -> str:
    if any(finding.kind == "recipients" for finding in findings):
        return "; run 'secretsfile updatekeys' to encrypt files for the config's recipients"
    return ""


def _create_missing(project: ProjectConfig, files: list[Path], env: str | None,
                    interactive: bool) -> int | None:
    """Prompt for and create the missing secrets; an exit code when it stops there."""
    import sys

    from secretsfile.ops.register import needed_secrets

    needed = needed_secrets(project, files, env)
    for item in needed:
        if item.problem:
            say(f"cannot create {item.name} in {item.env}: {item.problem}")
    todo = [item for item in needed if not item.problem]
    if not todo:
        say("nothing to create: every referenced secret exists")
        return None
    if not interactive or not sys.stdin.isatty():
        for item in todo:
            out(f"{item.env}: would create {item.describe()}\n")
        say(f"{len(todo)} secret(s) to create; run 'secretsfile check --create-missing -i' "
            "in a terminal to type their values (or 'secretsfile secret create')")
        return int(ExitCode.FINDINGS)
    by_env: dict[str, list[Needed]] = {}
    for item in todo:
        by_env.setdefault(item.env, []).append(item)
    for env_name, items in by_env.items():
        _register_env(project, project.environment(env_name), items)
    return None


def _register_env(project: ProjectConfig, environment: Environment,
                  items: list[Needed]) -> None:
    from secretsfile.cli.common import prompt_pairs, prompt_values
    from secretsfile.ops.register import ensure_writable, new_secret, register_secrets
    from secretsfile.secrets.schemas import find_schema

    ensure_writable(project, environment)
    secrets = []
    for item in items:
        say(f"{item.env}: {item.describe()}")
        values: dict[str, str] | str
        if item.schema:
            values = prompt_pairs(find_schema(item.schema, project.raw))
        elif item.keys:
            answers = prompt_values([f"{item.name}.{key}" for key in item.keys])
            values = dict(zip(item.keys, answers, strict=True))
        else:
            values = prompt_values([item.name])[0]
        secrets.append(new_secret(project, item, values))
    register_secrets(project, environment, secrets)
    say(f"{environment.name}: created {', '.join(item.name for item in items)} "
        f"in {environment.file}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command("render", rich_help_panel=PANEL)(render)
    app.command("check", rich_help_panel=PANEL)(check)
