"""Secrets into a process or a CI job: ``run`` (child environment only) and ``ci export``.

``run`` is the default way to use secrets in CI and locally: values exist only in the
child's environment (or in a FIFO it reads), and secretsfile itself writes nothing on
stdout. ``ci export`` is the opt-in for CI systems whose later steps need the values.
"""

from __future__ import annotations

import subprocess
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from secretsfile.cli import spec
from secretsfile.cli.boundary import write_stdout
from secretsfile.cli.common import say, write_output
from secretsfile.cli.spec_typer import info
from secretsfile.errors import KeyUnavailableError, UsageError
from secretsfile.ops.exporting import (
    FORMATS,
    EnvironmentSecrets,
    export_variables,
    github_masks,
    job_target,
)
from secretsfile.ops.running import FileKind

PANEL = "Run and CI"

EnvOpt = Annotated[
    str | None,
    typer.Option("--env", "-e", help="The environment (default: SECRETSFILE_ENV, the config's "
                 "default_env, or the only one).", show_default=False),
]
OnlyOpt = Annotated[
    list[str] | None,
    typer.Option("--only", metavar="NAME", help="Only this secret (db) or variable "
                 "(AWS_ACCESS_KEY_ID); globs work ('AWS_*'); repeatable.", show_default=False),
]
ExcludeOpt = Annotated[
    list[str] | None,
    typer.Option("--exclude", metavar="NAME", help="Leave out this secret or variable; globs "
                 "work ('AWS_*'); repeatable.", show_default=False),
]
AllowOpt = Annotated[list[str] | None, info(spec.ALLOW)]  # declared once, in cli/spec
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="The project config (default: nearest .secretsfile.yaml).",
                 envvar="SECRETSFILE_CONFIG", show_envvar=True, show_default=False),
]


def _notes(secrets: EnvironmentSecrets) -> None:
    for note in secrets.notes:
        say(f"note: {note}")


# -- run ---------------------------------------------------------------------------------------

RUN_HELP = (
    "Run a command with an environment's secrets as environment variables.\n\n"
    "db-password becomes DB_PASSWORD; a group db with keys user and password becomes "
    "DB_USER and DB_PASSWORD; the environment's exports: in .secretsfile.yaml add names "
    "(AWS_ACCESS_KEY_ID: '{{ aws-deploy.access_key_id }}'), and the only secret of a schema "
    "also gets the schema's names (aws: AWS_ACCESS_KEY_ID, postgres: PGHOST, ...). "
    "The exit code is the command's (127: not found, 128+N: killed "
    "by signal N); signals are passed on. secretsfile writes nothing on stdout. Key variables "
    "(every name starting with SECRETSFILE_AGE_KEY, SOPS_AGE_KEY, SOPS_AGE_SSH_PRIVATE_KEY or "
    "SECRETSFILE_FERNET_KEY, key file paths included) are not passed to the command, and "
    "secrets may not set variables that change how programs run (PATH, LD_PRELOAD, ...; "
    "--allow NAME to override).\n\n"
    "Example: secretsfile run --env prod -- ./deploy.sh --fast"
)


def run(
    command: Annotated[
        list[str],
        typer.Argument(help="The command and its arguments, after --.", metavar="-- CMD [ARGS]...",
                       show_default=False),
    ],
    env: EnvOpt = None,
    only: OnlyOpt = None,
    exclude: ExcludeOpt = None,
    file: Annotated[
        list[str] | None,
        typer.Option("--file", metavar="NAME=VAR",
                     help="Hand secret NAME (or NAME.KEY of a group) to the child as a file: VAR "
                     "holds the path of a FIFO (or, with --file-kind file, a 0600 file) in a "
                     "private tmpfs directory, removed when the child exits. The value is then "
                     "not also in the environment. Repeatable.", show_default=False),
    ] = None,
    file_kind: Annotated[
        FileKind, typer.Option("--file-kind", help="fifo: readable while the child runs, never "
                               "stored; file: a regular 0600 file, for programs that seek.")
    ] = FileKind.fifo,
    override: Annotated[
        bool, typer.Option("--override", help="Secrets replace variables already set in the "
                           "environment (default: an existing variable wins, with a warning).")
    ] = False,
    allow: AllowOpt = None,
    config: ConfigOpt = None,
) -> int:
    """Run a command with an environment's secrets in its environment (help: RUN_HELP)."""
    from secretsfile.loader import load
    from secretsfile.ops import running

    if not command:
        raise UsageError("no command given", hint="secretsfile run --env ENV -- CMD [ARGS]...")
    secrets = load(env, config=config)
    specs = running.parse_file_specs(file or [])
    variables, payload = running.child_variables(secrets, only or None, specs, allow or (),
                                                 exclude)
    _notes(secrets)
    with running.handoff(payload, file_kind) as paths:
        child_env, kept = running.child_environment({**variables, **paths}, override)
        if kept:
            say(f"warning: already set, kept (use --override to replace): {', '.join(kept)}")
        try:
            child = subprocess.Popen(command, env=child_env)
        except FileNotFoundError:
            say(f"error: command not found: {command[0]}")
            return 127
        except PermissionError:
            say(f"error: permission denied: {command[0]}")
            return 126
        except OSError as error:
            say(f"error: cannot run {command[0]}: {error.strerror}")
            return 126
        return running.wait_forwarding(child)


# -- ci export ---------------------------------------------------------------------------------

CI_EXPORT_HELP = (
    "Export an environment's secrets as CI variables (db-password -> DB_PASSWORD, plus the "
    "environment's exports: and schema names, as for run).\n\n"
    "Key material: SECRETSFILE_AGE_KEY_<ENV> (e.g. SECRETSFILE_AGE_KEY_PROD) or "
    "SECRETSFILE_AGE_KEY, from a CI secret.\n\n"
    "Values in $GITHUB_ENV reach every later step of the job, third-party actions included: "
    "prefer 'secretsfile run -- CMD' when one step needs them. GitLab does not mask values "
    "decrypted in a job, and dotenv report artifacts are stored and downloadable."
)


FORMAT_HELP = " ".join(f"{fmt.name}: {fmt.summary}" for fmt in FORMATS.values())
# The registry's names as the str Enum that typer offers as choices.
FormatName = Enum("FormatName", {name: name for name in FORMATS}, type=str)  # type: ignore[misc]
DEFAULT_FORMAT = FormatName(next(iter(FORMATS)))  # the registry's first


def ci_export(
    env: EnvOpt = None,
    fmt: Annotated[
        FormatName,
        typer.Option("--format", "-f", help=FORMAT_HELP),
    ] = DEFAULT_FORMAT,
    only: OnlyOpt = None,
    exclude: ExcludeOpt = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write gitlab/dotenv/json output to this file "
                     "(mode 0600) instead of stdout.", show_default=False),
    ] = None,
    mask: Annotated[
        bool, typer.Option("--mask", help="With --output, first print ::add-mask:: for every "
                           "value on stdout, so that GitHub hides them if a later step prints "
                           "them.")
    ] = False,
    allow_missing_key: Annotated[
        bool, typer.Option("--allow-missing-key", help="Without a key that opens the "
                           "environment (e.g. a fork's pull request), warn and export nothing.")
    ] = False,
    allow: AllowOpt = None,
    config: ConfigOpt = None,
) -> int:
    """Export an environment's secrets as CI variables; --help shows CI_EXPORT_HELP."""
    from secretsfile.loader import load

    exporter = FORMATS[fmt.value]
    job = job_target(exporter, output)
    if job is None and mask and output is None:
        raise UsageError("--mask needs --output: masked values would still be printed",
                         hint="add --output FILE")
    if output is not None:
        from secretsfile.cli.plaintext_output import refuse_plaintext_target

        refuse_plaintext_target(output)  # before any decryption
    try:
        secrets = load(env, config=config)
    except KeyUnavailableError as error:
        if not allow_missing_key:
            raise
        say(f"warning: {error.message}; exporting nothing (--allow-missing-key)")
        return 0
    variables = export_variables(secrets, only, allow or (), exclude)
    _notes(secrets)
    if exporter.note:
        say(f"note: {exporter.note}")
    text = exporter.render(variables)  # refuses what the format cannot carry, before output
    if job is not None or mask:
        # flushed before anything else can print a value
        write_stdout(github_masks(variables))
    if job is not None:
        job.append(text, list(variables))
        say(f"exported {len(variables)} variable{'s' if len(variables) != 1 else ''} from "
            f"{secrets.env} to {job.job.variable} (masked)")
        return 0
    write_output(text, output)
    return 0


ci_app = typer.Typer(
    help="CI helpers: export an environment's secrets to a CI job.",
    no_args_is_help=True,
)
ci_app.command("export", help=CI_EXPORT_HELP)(ci_export)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the app."""
    app.command(
        "run",
        help=RUN_HELP,
        rich_help_panel=PANEL,
        context_settings={"allow_interspersed_args": False, "ignore_unknown_options": True},
    )(run)
    app.add_typer(ci_app, name="ci", rich_help_panel=PANEL)
