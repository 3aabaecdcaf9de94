"""git's output as a stream: for the readers that must not hold it whole (a history's
patch, a batch of blobs), where ``git.run.run_git`` captures it all.

Loaded on first use: a hook's scan never streams, and subprocess and threading stay
unloaded there.
"""

from __future__ import annotations

from secretsfile._fileio import lazy_contextmanager
from secretsfile.git.run import GitError, git_command, git_env

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Iterator
    from typing import IO

    from secretsfile._fileio import StrPath

__all__ = ["READ_SIZE", "git_output"]

#: git writes ahead this much before it waits for us (Linux; the default pipe holds 64 KiB):
#: fewer hand-overs between git and the parser, which a loaded machine makes slow.
_PIPE_SIZE = 1 << 20
#: Bytes read per call.
READ_SIZE = 1 << 16


@lazy_contextmanager
def git_output(root: StrPath, args: list[str], feed: bytes | None) -> Iterator[IO[bytes]]:
    """git's stdout as it comes; ``feed`` goes to its stdin from a thread (git answers
    while it reads: both pipes must flow). git's failure is raised once the reader is
    done; leaving early kills it."""
    import subprocess
    import threading

    proc = subprocess.Popen(git_command(*args), cwd=root, env=git_env(), stdout=subprocess.PIPE,
                            stdin=subprocess.PIPE if feed is not None else subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, bufsize=READ_SIZE)  # fmt: skip
    _widen_pipe(proc)
    writer = None
    if feed is not None:
        writer = threading.Thread(target=_feed, args=(proc, feed), daemon=True)
        writer.start()
    assert proc.stdout is not None
    try:
        yield proc.stdout
        if proc.wait() != 0:
            raise GitError(f"git {args[0]} failed (exit status {proc.returncode})")
    finally:
        proc.kill()
        proc.wait()
        if writer is not None:
            writer.join()


def _widen_pipe(proc: subprocess.Popen[bytes]) -> None:
    import contextlib

    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return
    setsize = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setsize is None or proc.stdout is None:
        return
    with contextlib.suppress(OSError):  # above /proc/sys/fs/pipe-max-size: keep the default
        fcntl.fcntl(proc.stdout.fileno(), setsize, _PIPE_SIZE)


def _feed(proc: subprocess.Popen[bytes], data: bytes) -> None:
    assert proc.stdin is not None
    try:
        proc.stdin.write(data)
        proc.stdin.close()
    except OSError:  # git exited early (it was killed): its error is raised by the reader
        pass
