"""The one way secretsfile runs git: the ``git`` binary, one process per call, with an
environment and config overrides that make its output independent of the user's setup.

Environment: git sets ``GIT_INDEX_FILE`` (``git commit -a`` stages into a temporary
index), ``GIT_DIR`` and ``GIT_WORK_TREE`` for hooks, and those describe the repository we
must read, so they are kept. Variables that change diff output (external diff drivers,
diff options, pagers, tracing) are removed.
"""

from __future__ import annotations

import os
import select
import signal

from secretsfile.errors import UsageError

TYPE_CHECKING = False  # typing stays unloaded at run time (the hook's start-up)
if TYPE_CHECKING:
    from collections.abc import Sequence


class GitError(UsageError):
    """git failed or the directory is not a repository."""


_DROPPED_ENV = (
    "GIT_EXTERNAL_DIFF",
    "GIT_DIFF_OPTS",
    "GIT_DIFF_PATH_COUNTER",
    "GIT_DIFF_PATH_TOTAL",
    "GIT_PAGER",
    "GIT_TRACE",
    "GIT_TRACE2",
    "GIT_TRACE2_EVENT",
    "GIT_TRACE2_PERF",
    "GIT_TRACE_PACKET",
    "GIT_TRACE_PERFORMANCE",
    "GIT_TRACE_SETUP",
    "GIT_FLUSH",
    "GIT_ICASE_PATHSPECS",
    "GIT_GLOB_PATHSPECS",
    "GIT_NOGLOB_PATHSPECS",
)
_CONFIG = (
    "-c",
    "core.quotepath=off",
    "-c",
    "diff.noprefix=false",
    "-c",
    "diff.mnemonicprefix=false",
)


def git_command(*args: str) -> list[str]:
    """The argv of a git call with our config overrides."""
    return ["git", *_CONFIG, *args]


def git_env() -> dict[str, str]:
    """The environment for our git calls (see the module docstring)."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    env["GIT_LITERAL_PATHSPECS"] = "1"  # a file named '*.py' means that file
    env.setdefault("LC_ALL", "C")
    return env


def run_git(args: Sequence[str], cwd: str | os.PathLike[str], *, stdin: bytes | None = None
            ) -> bytes:  # fmt: skip
    """Run git with our environment and config overrides; its stdout, or a GitError."""
    try:  # -C: posix_spawn has no working-directory argument; git changes there first
        code, out, err = _spawn(git_command("-C", os.fspath(cwd), *args), git_env(), stdin)
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH", hint="use --no-git") from None
    if code != 0:
        message = err.decode("utf-8", "replace").strip().splitlines()
        first = message[0] if message else f"exit code {code}"
        raise GitError(f"git {args[0]} failed: {first}")
    return out


def run_git_status(args: Sequence[str], cwd: str | os.PathLike[str]) -> int:
    """Run git with our environment and config overrides, its output passed through, and
    return its exit code (``git merge-file`` says how many conflicts it left that way)."""
    try:
        return _spawn(git_command("-C", os.fspath(cwd), *args), git_env(), None, capture=False)[0]
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None


#: Bytes read or written per call (a pipe holds 64 KiB by default).
_READ_SIZE = 1 << 16


def _spawn(argv: list[str], env: dict[str, str], stdin: bytes | None, *, capture: bool = True
           ) -> tuple[int, bytes, bytes]:  # fmt: skip
    """Run ``argv`` (found on PATH): its exit code (-N when signal N killed it), stdout and
    stderr, both drained as they come while ``stdin`` is written (no pipe can fill up and
    stall the other). Without ``stdin`` the child shares ours, as with ``subprocess.run``;
    without ``capture`` its stdout and stderr too (both come back empty; no ``stdin`` then).

    Why not subprocess: importing it loads threading, selectors, locale and fcntl, ~4 ms of
    a commit hook's start-up. What ``subprocess.run`` does that matters here is kept:
    SIGPIPE and SIGXFSZ back to their defaults in the child (Python ignores SIGPIPE), and
    the child killed and reaped if reading fails or is interrupted."""
    assert capture or stdin is None, "uncaptured runs take no input"
    ours: list[int] = []  # our ends of the pipes, closed when done
    theirs: list[int] = []  # the child's ends, closed once it runs
    actions = []
    for target in ((1, 2, 0) if stdin is not None else (1, 2)) if capture else ():
        read, write = (_above_std(fd) for fd in os.pipe())
        child, parent = (read, write) if target == 0 else (write, read)
        ours.append(parent)
        theirs.append(child)
        actions.append((os.POSIX_SPAWN_DUP2, child, target))
    try:
        pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions,
                              setsigdef=(signal.SIGPIPE, signal.SIGXFSZ))  # fmt: skip
    except BaseException:
        for fd in ours:
            os.close(fd)
        raise
    finally:
        for fd in theirs:
            os.close(fd)
    try:
        out, err = _drain(ours, stdin) if capture else (b"", b"")
        code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    except BaseException:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except OSError:  # already reaped: interrupted as waitpid returned
            pass
        raise
    finally:
        for fd in ours:
            os.close(fd)
    return code, out, err


def _drain(fds: list[int], stdin: bytes | None) -> tuple[bytes, bytes]:
    """Read ``fds[0]`` (stdout) and ``fds[1]`` (stderr) to their end while writing ``stdin``
    to ``fds[2]``; that one is closed (and removed from ``fds``) once all is written or the
    child stops reading, so the child sees the end of its input."""
    chunks: dict[int, list[bytes]] = {fds[0]: [], fds[1]: []}
    poller = select.poll()
    for fd in chunks:
        poller.register(fd, select.POLLIN)
    feed, sent = memoryview(stdin or b""), 0
    if stdin is not None:
        os.set_blocking(fds[2], False)
        poller.register(fds[2], select.POLLOUT)
    reading = 2
    while reading:
        for fd, _event in poller.poll():
            if fd in chunks:
                data = os.read(fd, _READ_SIZE)
                chunks[fd].append(data)
                if not data:
                    poller.unregister(fd)
                    reading -= 1
                continue
            try:
                sent += os.write(fd, feed[sent : sent + _READ_SIZE])
            except BlockingIOError:
                continue
            except BrokenPipeError:  # the child exited or closed its input: stop feeding
                sent = len(feed)
            if sent >= len(feed):
                poller.unregister(fd)
                fds.remove(fd)
                os.close(fd)
    return b"".join(chunks[fds[0]]), b"".join(chunks[fds[1]])


def _above_std(fd: int) -> int:
    """``fd``, moved above 2 if it is 0, 1 or 2 (we were started with those closed): a pipe
    end dup2'ed onto its own number keeps close-on-exec on some systems (older C libraries),
    and the child would start without it."""
    low = []
    while fd <= 2:
        low.append(fd)
        fd = os.dup(fd)
    for old in low:
        os.close(old)
    return fd
