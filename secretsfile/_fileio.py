"""Reading and writing files safely: atomic replace, kept mode, one writer at a time.

A writer killed inside the write window (SIGKILL, power loss) leaves its temp file behind;
temp names carry the writer's PID (``.<name>.secretsfile-<pid>-XXXXXXXX.tmp``, the
``TEMP_PATTERN`` that ``init`` gitignores) so the next writer in that folder can tell
which ones are orphaned and remove them.

Standard library only (and the error classes): every layer may use it."""

from __future__ import annotations

import errno
import functools
import os
import re
import stat
import time
from collections.abc import Iterator

from secretsfile.errors import InputNotFoundError, UsageError

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:  # pathlib (fnmatch, urllib.parse) loads only where a Path is made (issue 14)
    from collections.abc import Callable
    from contextlib import AbstractContextManager
    from pathlib import Path
    from typing import ParamSpec, TypeVar

    _P = ParamSpec("_P")
    _T = TypeVar("_T")

StrPath = str | os.PathLike[str]

TEMP_PATTERN = ".*.secretsfile-*.tmp"  # the gitignore line for our temp files
# compiled where a write looks for stale temp files (re caches it), not at import
_TEMP_NAME = r"\.(?P<target>.+)\.secretsfile-(?P<pid>[1-9][0-9]{0,9})-[a-z0-9_]{8}\.tmp"
STALE_AFTER = 30.0  # seconds; no write keeps its temp file open this long


def read_text(path: StrPath) -> str:
    """A file's text; a missing or unreadable file is one clear error."""
    path = os.fspath(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise InputNotFoundError(f"{path}: no such file", hint="check the path") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory, not a file") from None
    except PermissionError:
        raise UsageError(f"{path}: permission denied") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("utf-8", "surrogateescape")


def lazy_contextmanager(func: Callable[_P, Iterator[_T]]
                       ) -> Callable[_P, AbstractContextManager[_T]]:  # fmt: skip
    """``contextlib.contextmanager`` with contextlib imported on the first call: it costs
    ~0.7 ms to import, and decrypt never enters these blocks (issue 14)."""

    @functools.wraps(func)
    def manager(*args: _P.args, **kwargs: _P.kwargs) -> AbstractContextManager[_T]:
        import contextlib

        return contextlib.contextmanager(func)(*args, **kwargs)

    return manager


@lazy_contextmanager
def locked(path: StrPath) -> Iterator[None]:
    """Serialise writers of ``path`` (POSIX flock; other files are not blocked).

    The lock is taken on the file itself; since every write replaces the file (a new
    inode), a waiter that wakes up on the old inode takes the lock again on the new one.
    A file that does not exist yet is locked through its directory until it does.
    """
    try:
        import fcntl  # imported by the writes that lock, not by every command
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    target = os.path.realpath(path)
    directory = os.path.dirname(target)
    while True:
        on_file = True
        try:
            fd = os.open(target, os.O_RDONLY)
        except FileNotFoundError:
            on_file = False
            try:
                fd = os.open(directory, os.O_RDONLY)
            except OSError as error:
                raise UsageError(f"cannot write {path}: {error.strerror}",
                                 hint="check that the directory exists") from None
        fcntl.flock(fd, fcntl.LOCK_EX)
        if _still_current(target, fd, on_file):
            break
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
    try:
        remove_stale_temps(directory, locked_name=os.path.basename(target))
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _still_current(target: str, fd: int, on_file: bool) -> bool:
    """Is the locked object still the one writers lock (the current file, or the directory
    of a file that still does not exist)?"""
    if not on_file:
        return not os.path.exists(target)
    try:
        return os.stat(target).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def _write_through(path: str, text: str) -> None:
    """Write into an existing FIFO or device as it is (no temp file, no mode change)."""
    try:
        with open(path, "wb") as handle:
            handle.write(text.encode("utf-8", "surrogateescape"))
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}") from None


def write_atomic(path: StrPath, text: str, mode: int | None = None, private: bool = False) -> None:
    """Write to a temp file beside ``path``, fsync, then rename over it.

    An interrupt at any point leaves either the old file or the new one, never a torn one.
    The file keeps its permission bits; a new file gets ``mode`` (default: umask).
    ``private`` (plaintext outputs) forces 0600 whatever the old file had. A symlink is
    followed: its target is replaced, the link stays. An existing FIFO or device is
    written into, never replaced.
    """
    import contextlib  # writes only: decrypt does not import it (issue 14)

    given = os.fspath(path)
    if os.path.exists(given) and not os.path.isfile(given) and not os.path.isdir(given):
        # a FIFO or a device (/dev/null, /dev/stdout, >(cmd)): a rename would replace it;
        # tested before realpath, which turns /dev/stdout into /proc/…/pipe:[N]
        _write_through(given, text)
        return
    path = os.path.realpath(given)
    if os.path.isdir(path):
        raise UsageError(f"{path} is a directory, not a file", hint="name a file to write")
    directory = os.path.dirname(path)
    keep: int | None = mode
    if private:
        keep = 0o600
    else:
        with contextlib.suppress(FileNotFoundError):
            keep = stat.S_IMODE(os.stat(path).st_mode)
    # the PID: see remove_stale_temps
    prefix = f".{os.path.basename(path)}.secretsfile-{os.getpid()}-"
    try:
        fd, tmp = _new_temp(directory, prefix)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}",
                         hint="check that the directory exists and is writable") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8", "surrogateescape"))
            handle.flush()
            os.fsync(handle.fileno())
        if keep is not None:
            os.chmod(tmp, keep)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)
    remove_stale_temps(directory)


_TEMP_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789_"  # tempfile's, as _TEMP_NAME expects
_CREATE = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(
    os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _new_temp(directory: str, prefix: str) -> tuple[int, str]:
    """``tempfile.mkstemp(dir=directory, prefix=prefix, suffix=".tmp")`` (a new 0600 file,
    never an existing one) without tempfile: it imports shutil, bz2, lzma and fnmatch."""
    for _ in range(10000):  # tempfile's TMP_MAX
        name = "".join(_TEMP_CHARS[byte % 37] for byte in os.urandom(8))
        tmp = os.path.join(directory, f"{prefix}{name}.tmp")
        try:
            return os.open(tmp, _CREATE, 0o600), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary name found")


def remove_stale_temps(directory: StrPath, locked_name: str | None = None) -> int:
    """Delete the temp files that killed writers left in ``directory``; how many went.

    Only names ``write_atomic`` makes, owned by this user, whose writer process is gone.
    The PID test alone is not enough where PIDs are not shared (a container writing to
    the same folder looks dead from here), so a temp file must also be either for
    ``locked_name``, the file whose lock the caller holds (every writer of a secrets file
    holds it, so nobody is writing that one), or untouched for ``STALE_AFTER`` seconds.
    """
    import contextlib  # writes only (issue 14)

    removed = 0
    now = time.time()
    for entry, found, info in left_by_dead_processes(directory, re.compile(_TEMP_NAME)):
        if not stat.S_ISREG(info.st_mode):
            continue
        if found["target"] != locked_name and now - info.st_mtime < STALE_AFTER:
            continue
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
            removed += 1
    return removed


def left_by_dead_processes(directory: StrPath, name: re.Pattern[str]
                           ) -> Iterator[tuple[os.DirEntry[str], re.Match[str], os.stat_result]]:
    """Entries of ``directory`` whose name matches ``name`` (with a ``pid`` group), owned by
    this user, whose process is gone: what killed writers and editors leave behind. The
    caller still decides (file or directory, age, lock) before removing anything."""
    if os.name != "posix":  # os.kill(pid, 0) means something else on Windows
        return
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        found = name.fullmatch(entry.name)
        if found is None or not process_gone(int(found["pid"])):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if info.st_uid == os.getuid():
            yield entry, found, info


def process_gone(pid: int) -> bool:
    """Has process ``pid`` exited? (A reused PID reads as alive: the file just waits.)"""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except (PermissionError, OverflowError):  # alive but someone else's / not a PID
        return False
    return False


def _fsync_directory(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as error:  # some filesystems refuse directory fsync
        if error.errno not in (errno.EINVAL, errno.EBADF):
            raise
    finally:
        os.close(fd)


def write_new_private(path: StrPath, text: str) -> None:
    """Create a file readable only by its owner (0600); refuse to overwrite."""
    path = os.fspath(path)
    os.makedirs(os.path.dirname(os.path.abspath(path)), mode=0o700, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise UsageError(
            f"{path} already exists", hint="refusing to overwrite a key; choose --output"
        ) from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def private_base() -> Path:
    """Where private directories go: ``SECRETSFILE_TMPDIR`` when set, else ``/dev/shm``
    (tmpfs: the plaintext never reaches a disk) when writable, else the system temp dir."""
    from pathlib import Path

    chosen = os.environ.get("SECRETSFILE_TMPDIR")
    if chosen:
        return Path(chosen)
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK | os.X_OK):
        return shm
    import tempfile

    return Path(tempfile.gettempdir())


def private_dir(prefix: str = "secretsfile-") -> Path:
    """A fresh directory only its owner can enter (0700) in ``private_base()``, for
    plaintext that must exist as a file for a moment."""
    import tempfile
    from pathlib import Path

    base = private_base()
    try:
        directory = Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    except OSError as error:
        raise UsageError(f"cannot create a private directory in {base}: {error.strerror}",
                         hint="set SECRETSFILE_TMPDIR to a writable directory") from None
    os.chmod(directory, 0o700)
    return directory
