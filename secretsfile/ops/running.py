"""``run``'s machinery: which variables the child gets, secrets handed over as FIFOs or
private files, and waiting for the child while passing on the signals we receive.

No printing: the CLI reports (kept variables, a command that cannot start) and maps the
child's exit code.
"""

from __future__ import annotations

import contextlib  # execing's subprocess imports it anyway
import os
import signal
import threading
from collections.abc import Mapping
from enum import Enum

from secretsfile.core.record import Record
from secretsfile.errors import UsageError
from secretsfile.ops.exporting.denylist import check_variables, checked_values, is_key_variable

# typing and pathlib stay off exec-env's start-up (issue 14): imports for mypy only
TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Collection, Iterable, Iterator
    from pathlib import Path
    from types import FrameType
    from typing import Any

    from secretsfile.ops.exporting.denylist import EnvironmentSecrets


class FileKind(str, Enum):
    fifo = "fifo"
    file = "file"


class FileSpec(Record, frozen=True):
    """``--file NAME=VAR`` / ``NAME.KEY=VAR``: secret NAME (key KEY of a group) as a file
    whose path the child finds in VAR."""

    secret: str
    key: str | None
    variable: str

    @property
    def origin(self) -> str:
        """How messages name it (a path in a private directory, no secret)."""
        return f"--file {self.secret}{'.' + self.key if self.key else ''}={self.variable}"


def parse_file_specs(specs: Iterable[str]) -> list[FileSpec]:
    """``NAME=VAR`` / ``NAME.KEY=VAR`` -> FileSpec."""
    from secretsfile.secrets.naming import is_variable_name  # run only: not exec-env's path

    parsed = []
    for spec in specs:
        target, eq, var = spec.partition("=")
        if not eq or not target or not var:
            raise UsageError(f"--file {spec!r}: expected NAME=VAR or NAME.KEY=VAR",
                             hint="e.g. --file gcp-key=GOOGLE_APPLICATION_CREDENTIALS")
        if not is_variable_name(var):
            raise UsageError(f"--file {spec!r}: {var!r} is not a variable name",
                             hint="letters, digits and '_', not starting with a digit")
        name, dot, key = target.partition(".")
        parsed.append(FileSpec(name, key if dot else None, var))
    return parsed


def _spec_value(secrets: EnvironmentSecrets, spec: FileSpec) -> str:
    entry = secrets[spec.secret]
    value = entry[spec.key] if spec.key is not None else entry
    return str(value.reveal())


def child_variables(secrets: EnvironmentSecrets, only: Iterable[str] | None,
                    specs: list[FileSpec], allow: Collection[str] = (),
                    exclude: Iterable[str] | None = None
                    ) -> tuple[dict[str, str], list[tuple[str, bytes]]]:
    """(variables for the environment, (variable, value) pairs to hand over as files), both
    checked against the deny-list; a secret handed as a file is not also in the environment
    (under no name: default, ``exports:`` or schema)."""
    for spec in specs:
        entry = secrets[spec.secret]
        if spec.key is None and isinstance(entry, Mapping):
            raise UsageError(f"secret {spec.secret!r} is a group; name a key: "
                             + ", ".join(f"{spec.secret}.{k}" for k in entry))
    handed = {(spec.secret, spec.key) for spec in specs}
    variables = checked_values({var: variable for var, variable
                                in secrets.variables(only, exclude).items()
                                if (variable.secret, variable.key) not in handed}, allow)
    origins = {spec.variable: spec.origin for spec in specs}
    check_variables(dict.fromkeys(origins, ""), origins, allow)
    payload = [(spec.variable, _spec_value(secrets, spec).encode("utf-8")) for spec in specs]
    return variables, payload


def child_environment(variables: Mapping[str, str], override: bool,
                      environ: Mapping[str, str] | None = None
                      ) -> tuple[dict[str, str], list[str]]:
    """(the child's environment, names already set that were kept): ours without any key
    variable, plus ``variables`` (over ours only with ``override``)."""
    current = os.environ if environ is None else environ
    base = {name: value for name, value in current.items() if not is_key_variable(name)}
    kept = sorted(name for name in variables if name in base and not override)
    base.update({name: value for name, value in variables.items()
                 if override or name not in base})
    return base, kept


class FifoServer:
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
def handoff(files: list[tuple[str, bytes]], kind: FileKind,
            owner: tuple[int, int] | None = None) -> Iterator[dict[str, str]]:
    """variable -> path of a FIFO (or a 0600 file) holding the value; removed afterwards.
    ``owner`` (uid, gid): the directory and files are given to that account (``--user``)."""
    if not files:
        yield {}
        return
    import shutil  # only with files to hand over: not on exec-env's start-up

    from secretsfile._fileio import private_dir

    directory = private_dir()
    if owner is not None:
        os.chown(directory, *owner)
    servers: list[FifoServer] = []
    paths: dict[str, str] = {}
    try:
        for number, (var, data) in enumerate(files):
            path = directory / f"{number}-{var.lower()}"
            if kind is FileKind.fifo and hasattr(os, "mkfifo"):
                os.mkfifo(path, 0o600)
                server = FifoServer(path, data)
                server.start()
                servers.append(server)
            else:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
            if owner is not None:
                os.chown(path, *owner)
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


def wait_forwarding(child: subprocess.Popen[bytes]) -> int:
    """Wait for the child, passing on the signals we receive; its exit code (128+N when a
    signal N ended it, as shells report)."""
    previous: dict[int, Any] = {}

    def forward(signum: int, frame: FrameType | None) -> None:
        if signum == signal.SIGINT and _terminal_delivers_sigint():
            return
        with contextlib.suppress(ProcessLookupError):
            child.send_signal(signum)

    # Python only lets the main thread install handlers (an embedding caller may not be it).
    if threading.current_thread() is threading.main_thread():
        for signum in _FORWARDED:
            with contextlib.suppress(OSError, ValueError):
                previous[signum] = signal.signal(signum, forward)
    try:
        code = child.wait()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 - code if code < 0 else code
