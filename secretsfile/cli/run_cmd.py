"""Secrets into a process or a CI job: ``run`` (child environment only) and ``ci export``.

``run`` is the default way to use secrets in CI and locally: values exist only in the
child's environment (or in a FIFO it reads), and secretsfile itself writes nothing on
stdout. ``ci export`` is the opt-in for CI systems whose later steps need the values.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from enum import Enum
from pathlib import Path
from types import FrameType
from typing import Annotated, Any

import typer

from secretsfile.cli.common import say, write_output
from secretsfile.errors import KeyUnavailableError, UsageError
from secretsfile.ops.exporting import (
    ExportFormat,
    check_github,
    check_variables,
    export_variables,
    github_env_text,
    github_masks,
    is_key_variable,
    render,
)

PANEL = "Run and CI"

EnvOpt = Annotated[
    str | None,
    typer.Option("--env", "-e", help="The environment (default: SECRETSFILE_ENV, the config's "
                 "default_env, or the only one).", show_default=False),
]
OnlyOpt = Annotated[
    list[str] | None,
    typer.Option("--only", help="Only this secret (by name); repeatable.", show_default=False),
]
AllowOpt = Annotated[
    list[str] | None,
    typer.Option("--allow", metavar="NAME", help="Set this variable even though it is on the "
                 "deny-list of variables that change how programs load or run (PATH, LD_*, "
                 "BASH_ENV, PYTHON*, NODE_OPTIONS, GIT_SSH_COMMAND, GITHUB_*, ...); "
                 "repeatable.", show_default=False),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="The project config (default: nearest .secretsfile.yaml).",
                 envvar="SECRETSFILE_CONFIG", show_envvar=True, show_default=False),
]


class FileKind(str, Enum):
    fifo = "fifo"
    file = "file"


# -- run ---------------------------------------------------------------------------------------

RUN_HELP = (
    "Run a command with an environment's secrets as environment variables.\n\n"
    "db-password becomes DB_PASSWORD; a group db with keys user and password becomes "
    "DB_USER and DB_PASSWORD. The exit code is the command's (127: not found, 128+N: killed "
    "by signal N); signals are passed on. secretsfile writes nothing on stdout. Key variables "
    "(every name starting with SECRETSFILE_AGE_KEY, SOPS_AGE_KEY, SOPS_AGE_SSH_PRIVATE_KEY or "
    "SECRETSFILE_FERNET_KEY, key file paths included) are not passed to the command, and "
    "secrets may not set variables that change how programs run (PATH, LD_PRELOAD, ...; "
    "--allow NAME to override).\n\n"
    "Example: secretsfile run --env prod -- ./deploy.sh --fast"
)


def _child_environment(variables: Mapping[str, str], override: bool) -> dict[str, str]:
    base = {name: value for name, value in os.environ.items() if not is_key_variable(name)}
    kept = sorted(name for name in variables if name in base and not override)
    if kept:
        say(f"warning: already set, kept (use --override to replace): {', '.join(kept)}")
    base.update({name: value for name, value in variables.items()
                 if override or name not in base})
    return base


_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def _parse_file_specs(specs: list[str]) -> list[tuple[str, str | None, str]]:
    """``NAME=VAR`` / ``NAME.KEY=VAR`` -> (secret, key, variable)."""
    parsed = []
    for spec in specs:
        target, eq, var = spec.partition("=")
        if not eq or not target or not var:
            raise UsageError(f"--file {spec!r}: expected NAME=VAR or NAME.KEY=VAR",
                             hint="e.g. --file gcp-key=GOOGLE_APPLICATION_CREDENTIALS")
        if not _VARIABLE.match(var):
            raise UsageError(f"--file {spec!r}: {var!r} is not a variable name",
                             hint="letters, digits and '_', not starting with a digit")
        name, dot, key = target.partition(".")
        parsed.append((name, key if dot else None, var))
    return parsed


class _FifoServer:
    """Writes ``data`` to a FIFO each time a reader opens it, until stopped."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path = path
        self.data = data
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, name="secretsfile-fifo", daemon=True)

    def start(self) -> None:
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                fd = os.open(self.path, os.O_WRONLY)  # blocks until a reader opens it
            except OSError:
                return
            try:
                if self.stop.is_set():
                    return
                view = memoryview(self.data)
                while view:
                    view = view[os.write(fd, view):]
            except OSError:  # the reader went away early
                pass
            finally:
                os.close(fd)
            self.stop.wait(0.05)  # let the reader see end-of-file and close

    def close(self) -> None:
        self.stop.set()
        try:  # release a writer blocked in open()
            fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            fd = -1
        self.thread.join(timeout=2)
        if fd >= 0:
            os.close(fd)


@contextlib.contextmanager
def _handoff(files: list[tuple[str, bytes]], kind: FileKind) -> Iterator[dict[str, str]]:
    """variable -> path of a FIFO (or a 0600 file) holding the value; removed afterwards."""
    if not files:
        yield {}
        return
    from secretsfile._fileio import private_dir

    directory = private_dir()
    servers: list[_FifoServer] = []
    paths: dict[str, str] = {}
    try:
        for number, (var, data) in enumerate(files):
            path = directory / f"{number}-{var.lower()}"
            if kind is FileKind.fifo and hasattr(os, "mkfifo"):
                os.mkfifo(path, 0o600)
                server = _FifoServer(path, data)
                server.start()
                servers.append(server)
            else:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
            paths[var] = str(path)
        yield paths
    finally:
        for server in servers:
            server.close()
        shutil.rmtree(directory, ignore_errors=True)


def _terminal_delivers_sigint() -> bool:
    """True when we (and so the child, in our process group) are the terminal's foreground
    group: Ctrl-C already reached the child, forwarding it would deliver it twice."""
    for fd in (0, 1, 2):
        try:
            if os.isatty(fd):
                return os.tcgetpgrp(fd) == os.getpgrp()
        except OSError:
            continue
    return False


_FORWARDED = tuple(getattr(signal, name) for name in
                   ("SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGINT")
                   if hasattr(signal, name))


def _wait_forwarding(child: subprocess.Popen[bytes]) -> int:
    """Wait for the child, passing on the signals we receive; its exit code (128+N when a
    signal N ended it, as shells report)."""
    previous: dict[int, Any] = {}

    def forward(signum: int, frame: FrameType | None) -> None:
        if signum == signal.SIGINT and _terminal_delivers_sigint():
            return
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signum)

    in_main = threading.current_thread() is threading.main_thread()
    if in_main:
        for signum in _FORWARDED:
            with contextlib.suppress(OSError, ValueError):
                previous[signum] = signal.signal(signum, forward)
    try:
        code = child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 - code if code < 0 else code


def run(
    command: Annotated[
        list[str],
        typer.Argument(help="The command and its arguments, after --.", metavar="-- CMD [ARGS]...",
                       show_default=False),
    ],
    env: EnvOpt = None,
    only: OnlyOpt = None,
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

    if not command:
        raise UsageError("no command given", hint="secretsfile run --env ENV -- CMD [ARGS]...")
    secrets = load(env, config=config)
    specs = _parse_file_specs(list(file or []))
    for name, key, _ in specs:
        entry = secrets[name]
        if key is None and isinstance(entry, Mapping):
            raise UsageError(f"secret {name!r} is a group; name a key: "
                             + ", ".join(f"{name}.{k}" for k in entry))
    from secretsfile.secrets.naming import env_var_name

    handed = {env_var_name(name, key) for name, key, _ in specs}
    variables = {var: value for var, value in
                 export_variables(secrets, only or None, allow or ()).items()
                 if var not in handed}
    file_origins = {var: f"--file {name}{'.' + key if key else ''}={var}"
                    for name, key, var in specs}  # a path in a private directory, no secret
    check_variables(dict.fromkeys(file_origins, ""), file_origins, allow or ())
    payload = [(var, _spec_value(secrets, name, key).encode("utf-8"))
               for name, key, var in specs]
    with _handoff(payload, file_kind) as paths:
        child_env = _child_environment({**variables, **paths}, override)
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
        return _wait_forwarding(child)


def _spec_value(secrets: Mapping[str, Any], name: str, key: str | None) -> str:
    entry = secrets[name]
    value = entry[key] if key is not None else entry
    return str(value.reveal())


# -- ci export ---------------------------------------------------------------------------------

CI_EXPORT_HELP = (
    "Export an environment's secrets as CI variables (db-password -> DB_PASSWORD).\n\n"
    "Key material: SECRETSFILE_AGE_KEY_<ENV> (e.g. SECRETSFILE_AGE_KEY_PROD) or "
    "SECRETSFILE_AGE_KEY, from a CI secret.\n\n"
    "Values in $GITHUB_ENV reach every later step of the job, third-party actions included: "
    "prefer 'secretsfile run -- CMD' when one step needs them. GitLab does not mask values "
    "decrypted in a job, and dotenv report artifacts are stored and downloadable."
)


def _append(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8", newline="") as handle:
        handle.write(text)


def ci_export(
    env: EnvOpt = None,
    fmt: Annotated[
        ExportFormat,
        typer.Option("--format", "-f", help="github: ::add-mask:: every value on stdout, then "
                     "append to $GITHUB_ENV. gitlab: KEY=value lines, for values that are the "
                     "same unquoted to GitLab and to a shell. dotenv: KEY='quoted' lines, safe "
                     "to source with 'set -a; . FILE'. json: {\"KEY\": \"value\"}."),
    ] = ExportFormat.github,
    only: OnlyOpt = None,
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

    github_env: Path | None = None
    if fmt is ExportFormat.github:
        if output is not None:
            raise UsageError("--output does not apply to --format github (it writes $GITHUB_ENV)")
        raw = os.environ.get("GITHUB_ENV")
        if not raw:
            raise UsageError("GITHUB_ENV is not set: --format github runs inside a GitHub "
                             "Actions step", hint="use --format dotenv or json elsewhere")
        github_env = Path(raw)
    elif mask and output is None:
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
    variables = export_variables(secrets, only, allow or ())
    if github_env is not None:
        check_github(variables)
        _print_masks(variables)
        _append(github_env, github_env_text(variables))
        names_out = os.environ.get("GITHUB_OUTPUT")
        if names_out:
            _append(Path(names_out), f"names={','.join(variables)}\n")
        say(f"exported {len(variables)} variable{'s' if len(variables) != 1 else ''} from "
            f"{secrets.env} to GITHUB_ENV (masked)")
        return 0
    if fmt is ExportFormat.gitlab:
        say("note: GitLab does not mask values decrypted in a job, and dotenv report "
            "artifacts are stored and downloadable; prefer 'secretsfile run'")
    text = render(variables, fmt)
    if mask:
        _print_masks(variables)
    write_output(text, output)
    return 0


def _print_masks(variables: Mapping[str, str]) -> None:
    """``::add-mask::`` lines, flushed before anything else can print a value."""
    sys.stdout.write(github_masks(variables))
    sys.stdout.flush()


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
