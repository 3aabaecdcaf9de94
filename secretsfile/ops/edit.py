"""Edit an encrypted file in ``$EDITOR`` without leaving plaintext behind.

The plaintext goes to a private directory (mode 0700; on tmpfs when ``/dev/shm`` exists,
or in ``$SECRETSFILE_TMPDIR``) in a file of mode 0600 that is removed afterwards, whatever
happens:

- an error: the ``finally`` blocks remove it;
- SIGTERM, SIGHUP (a closed terminal, a dropped ssh session) and SIGINT: a handler unwinds
  the stack, which stops the editor and removes the copy, then the signal takes its usual
  course (the process ends by it, exit 128+N in a shell; SIGINT is KeyboardInterrupt);
- SIGKILL, which no handler sees: the directory carries the PID of its ``edit``
  (``secretsfile-edit-<pid>-XXXXXXXX``) and is locked while in use, so the next ``edit``
  removes the ones whose process is gone, and says so.

Nothing is written when nothing changed. When the edited text does not parse, the caller
decides whether to open the editor again (``retry``) instead of losing the edit.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import stat
import subprocess
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, TypeVar

from secretsfile._fileio import (
    left_by_dead_processes,
    locked,
    private_base,
    private_dir,
    read_text,
    write_atomic,
)
from secretsfile.core.values import encode_text
from secretsfile.errors import FormatError, UsageError, warn, without_frames
from secretsfile.ops.document import (
    OpenDocument,
    open_document,
    read_encrypted_file,
    read_plaintext,
    seal,
)
from secretsfile.ops.files import resolve_indent, seal_new
from secretsfile.ops.integrity import warn_ignored_mac
from secretsfile.ops.recipients import KeyOptions, plan_for
from secretsfile.stores import format_for_path, get_store

if TYPE_CHECKING:
    from secretsfile.config.project import ProjectConfig

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

EDIT_DIR_PREFIX = "secretsfile-edit-"
_EDIT_DIR = re.compile(r"secretsfile-edit-(?P<pid>[1-9][0-9]{0,9})-[a-z0-9_]{8}")
_CLEANUP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP", "SIGINT")
                         if hasattr(signal, name))
EDITOR_GRACE = 5.0  # seconds an editor gets to quit after SIGTERM before SIGKILL


T = TypeVar("T")


@dataclass(frozen=True)
class EditResult:
    changed: bool
    created: bool


def editor_command() -> list[str]:
    for var in ("SECRETSFILE_EDITOR", "SOPS_EDITOR", "VISUAL", "EDITOR"):
        value = os.environ.get(var)
        if value:
            return shlex.split(value)
    for fallback in ("vim", "nano", "vi"):
        if shutil.which(fallback):
            return [fallback]
    raise UsageError("no editor found", hint="set EDITOR, e.g. EDITOR=nano")


# -- signals -----------------------------------------------------------------------------


class _Signalled(BaseException):
    """Raised by the signal handler, so that unwinding runs every ``finally`` (the editor
    is stopped, the private copy removed) before the signal takes its course."""


class _SignalGuard:
    """Inside ``with guard:`` (in the main thread: only it can install handlers), the first
    SIGTERM, SIGHUP or SIGINT raises _Signalled; later ones, and any after ``quiet()``, are
    only recorded, so that cleanup is never cut short. On exit the previous handlers come
    back; ``redeliver()`` then gives the first signal received its usual outcome. A signal
    that was ignored (``nohup``) stays ignored."""

    def __init__(self) -> None:
        self.received: list[int] = []
        self._quiet = False
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _SignalGuard:
        if threading.current_thread() is threading.main_thread():
            for signum in _CLEANUP_SIGNALS:
                if signal.getsignal(signum) is not signal.SIG_IGN:
                    self._previous[signum] = signal.signal(signum, self._on_signal)
        return self

    def __exit__(self, *exc_info: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)
        self._previous.clear()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self.received.append(signum)
        if not self._quiet:
            self._quiet = True
            raise _Signalled(signum)

    def quiet(self) -> None:
        """From now on, signals are recorded but do not interrupt (cleanup is running)."""
        self._quiet = True

    def redeliver(self) -> None:
        """The first signal received, again, under the handlers restored: by default the
        process ends by it; a Python handler (SIGINT's KeyboardInterrupt) runs."""
        if self.received:
            signal.raise_signal(self.received[0])


# -- the private copy ---------------------------------------------------------------------


def remove_stale_copies() -> list[Path]:
    """Remove the private directories that killed ``edit`` runs left (SIGKILL, a crash):
    ours by name, owner and mode (0700), whose PID is gone and whose lock is free (the lock
    matters where PIDs are not shared: another container's live edit looks dead from
    here). Warns with the paths removed; returns them."""
    if fcntl is None:
        return []
    removed: list[Path] = []
    for entry, _, info in left_by_dead_processes(private_base(), _EDIT_DIR):
        if (stat.S_ISDIR(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o700
                and _remove_if_unlocked(entry.path)):
            removed.append(Path(entry.path))
    if removed:
        warn("removed the plaintext copies that killed 'secretsfile edit' runs left behind: "
             + ", ".join(map(str, removed)))
    return removed


def _remove_if_unlocked(directory: str) -> bool:
    """Remove ``directory`` unless a live ``edit`` holds its lock; whether it went."""
    lock = _lock_directory(directory)
    if lock is None:
        return False
    try:
        shutil.rmtree(directory, ignore_errors=True)
    finally:
        os.close(lock)
    return not os.path.lexists(directory)


def _lock_directory(directory: str | Path) -> int | None:
    """An open descriptor holding ``directory``'s lock (released when the process ends,
    however it ends), or None when someone else holds it or it is gone."""
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return None
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


@contextlib.contextmanager
def private_file(name: str, guard: _SignalGuard | None = None) -> Iterator[Path]:
    """A 0600 file in a fresh 0700 directory (see the module docstring), removed on exit.
    ``guard``: the signal guard to quieten while removing."""
    remove_stale_copies()
    directory = private_dir(prefix=f"{EDIT_DIR_PREFIX}{os.getpid()}-")
    lock = _lock_directory(directory)
    try:
        path = directory / name
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        yield path
    finally:
        if guard is not None:
            guard.quiet()
        shutil.rmtree(directory, ignore_errors=True)
        if lock is not None:
            os.close(lock)


# -- editing -----------------------------------------------------------------------------


def _run_editor(path: Path) -> None:
    command = [*editor_command(), str(path)]
    try:
        editor = subprocess.Popen(command)
    except FileNotFoundError:
        raise UsageError(f"editor {command[0]!r} not found", hint="set EDITOR") from None
    try:
        returncode = editor.wait()
    except BaseException:  # a signal: the editor must not outlive the file it edits
        _stop(editor)
        raise
    if returncode != 0:
        raise UsageError(f"the editor exited with status {returncode}; nothing saved")


def _stop(editor: subprocess.Popen[bytes]) -> None:
    """SIGTERM first (a terminal editor then restores the terminal), SIGKILL if ignored."""
    with contextlib.suppress(OSError):
        editor.terminate()
    try:
        editor.wait(timeout=EDITOR_GRACE)
    except subprocess.TimeoutExpired:
        editor.kill()
        editor.wait()


def edit_file(path: Path, keys: KeyOptions | None = None,
              retry: Callable[[FormatError], bool] = lambda error: False,
              input_type: str | None = None,
              config: ProjectConfig | None = None, ignore_mac: bool = False,
              indent: int | None = None) -> EditResult:
    """Decrypt to a private file, run the editor, re-encrypt if the content changed.
    ``config``: the caller's project (who a new file is for; whether a tag is required).
    ``ignore_mac``: open a file whose MAC no longer matches (after a reviewed hand merge;
    every value still authenticates on its own); saving writes a fresh MAC and tag.
    ``indent``: ``--indent`` (over the config's ``stores:`` and the file's own).

    Errors leave without the frames below this one (they hold the plaintext). SIGTERM,
    SIGHUP and SIGINT remove the private copy, then take their usual course."""
    fmt = format_for_path(path, input_type)
    guard = _SignalGuard()
    outcome: EditResult | BaseException
    try:
        with guard, locked(path):
            outcome = _edit(path, fmt, keys, retry, guard, config, ignore_mac, indent)
    except _Signalled:  # only reached when a handler of the caller's lets us go on
        outcome = UsageError("the edit was interrupted by a signal; nothing was saved",
                             path=str(path))
    except Exception as error:
        outcome = without_frames(error)
    guard.redeliver()  # outside any except block: nothing chained to what it raises
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def edit_text(original: str, suffix: str, parse: Callable[[str], T],
              retry: Callable[[FormatError], bool] = lambda error: False) -> T:
    """Let the user edit ``original`` (plaintext) in the private copy, as ``edit_file``
    does, and return ``parse(edited text)``; a FormatError from ``parse`` asks ``retry``
    whether to open the editor again. ``merge resolve --edit`` uses it."""
    guard = _SignalGuard()
    outcome: T | BaseException
    try:
        with guard, private_file(f"edit{suffix or '.txt'}", guard) as scratch:
            scratch.write_bytes(encode_text(original))
            outcome = _edit_until_parsed(scratch, parse, retry)
    except _Signalled:
        outcome = UsageError("the edit was interrupted by a signal; nothing was saved")
    except Exception as error:
        outcome = without_frames(error)
    guard.redeliver()
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _edit_until_parsed(scratch: Path, parse: Callable[[str], T],
                       retry: Callable[[FormatError], bool]) -> T:
    while True:
        _run_editor(scratch)
        try:
            return parse(read_text(scratch))
        except FormatError as error:
            if not retry(error):
                raise _not_saved(error) from None


def _not_saved(error: FormatError) -> FormatError:
    """``error`` saying that the edits are lost (the private copy is removed on the way out)."""
    note = "your edits were not saved"
    error.hint = f"{error.hint}; {note}" if error.hint else note
    return error


def _edit(path: Path, fmt: str, keys: KeyOptions | None,
          retry: Callable[[FormatError], bool], guard: _SignalGuard,
          config: ProjectConfig | None, ignore_mac: bool = False,
          indent: int | None = None) -> EditResult:
    opened: OpenDocument | None = None
    store = get_store(fmt)
    if path.exists():
        strict = config is not None and config.requires_tag(path)
        opened = open_document(read_encrypted_file(path, fmt), strict=strict,
                               verify_mac=not ignore_mac)
        if ignore_mac:
            warn_ignored_mac(path)
        original = store.write(opened.plain, None, opened.source.indent)
    else:
        original = store.new_file_template
    with private_file(f"edit{path.suffix or '.txt'}", guard) as scratch:
        scratch.write_bytes(encode_text(original))
        while True:
            _run_editor(scratch)
            edited = read_text(scratch)  # bytes that are not UTF-8: the reader's FormatError
            if edited == original and opened is not None:
                return EditResult(changed=False, created=False)
            try:
                docs = read_plaintext(edited, fmt, str(path))
                break
            except FormatError as error:
                if not retry(error):
                    raise _not_saved(error) from None
    if opened is None:
        plan = plan_for(path, keys or KeyOptions(), config=config)
        indent = resolve_indent(indent, config, fmt)
        write_atomic(path, seal_new(docs, fmt, plan, indent, str(path)))
        return EditResult(changed=True, created=True)
    opened.source.indent = resolve_indent(indent, config, fmt, opened.source.indent)
    write_atomic(path, seal(opened, docs))
    return EditResult(changed=True, created=False)
