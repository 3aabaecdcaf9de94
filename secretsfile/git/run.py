"""The one way secretsfile runs git: the ``git`` binary, one process per call, with an
environment and config overrides that make its output independent of the user's setup.

Environment: git sets ``GIT_INDEX_FILE`` (``git commit -a`` stages into a temporary
index), ``GIT_DIR`` and ``GIT_WORK_TREE`` for hooks, and those describe the repository we
must read, so they are kept. Variables that change diff output (external diff drivers,
diff options, pagers, tracing) are removed.
"""

from __future__ import annotations

import errno
import os
import select
import signal
import time

from secretsfile.errors import UsageError

TYPE_CHECKING = False  # typing stays unloaded at run time (the hook's start-up)
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence


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
    code, out, err = _run_git(args, cwd, stdin, capture=True, hint="use --no-git")
    if code != 0:
        message = err.decode("utf-8", "replace").strip().splitlines()
        first = message[0] if message else f"exit code {code}"
        raise GitError(f"git {args[0]} failed: {first}")
    return out


def run_git_status(args: Sequence[str], cwd: str | os.PathLike[str]) -> int:
    """Run git with our environment and config overrides, its output passed through, and
    return its exit code (``git merge-file`` says how many conflicts it left that way)."""
    return _run_git(args, cwd, None, capture=False, hint=None)[0]


def _run_git(args: Sequence[str], cwd: str | os.PathLike[str], stdin: bytes | None, *,
             capture: bool, hint: str | None) -> tuple[int, bytes, bytes]:  # fmt: skip
    """``_spawn`` for git in ``cwd``; failing to run it is a one-line GitError."""
    try:  # -C: posix_spawn has no working-directory argument; git changes there first
        argv = git_command("-C", os.fspath(cwd), *args)
        return _spawn(argv, git_env(), stdin, capture=capture)
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH", hint=hint) from None
    except OSError as error:  # out of file descriptors or processes, git not executable
        raise GitError(f"cannot run git: {error.strerror or error}") from None


#: Bytes read or written per call (a pipe holds 64 KiB by default).
_READ_SIZE = 1 << 16
#: Seconds a child gets to handle Ctrl-C before it is killed (as with subprocess).
_SIGINT_GRACE = 0.25


def _spawn(argv: list[str], env: dict[str, str], stdin: bytes | None, *, capture: bool = True
           ) -> tuple[int, bytes, bytes]:  # fmt: skip
    """Run ``argv`` (found on PATH): its exit code (-N when signal N killed it), stdout and
    stderr, both drained as they come while ``stdin`` is written (no pipe can fill up and
    stall the other). Without ``stdin`` the child shares ours, as with ``subprocess.run``;
    without ``capture`` its stdout and stderr too (both come back empty; no ``stdin`` then).

    Why not subprocess: importing it loads threading, selectors, locale and fcntl, ~4 ms of
    a commit hook's start-up. What ``subprocess.run`` does that matters here is kept:
    SIGPIPE and SIGXFSZ back to their defaults in the child (Python ignores SIGPIPE), no
    descriptor of ours above 2 reaches the child, and the child killed and reaped if
    reading fails or is interrupted (after Ctrl-C, once it had a moment to clean up)."""
    assert capture or stdin is None, "uncaptured runs take no input"
    ours: list[int] = []  # our ends of the pipes, closed when done
    theirs: list[int] = []  # the child's ends (and spare copies), closed once it runs
    try:
        actions: list[tuple[int, ...]] = []
        for target in ((1, 2, 0) if stdin is not None else (1, 2)) if capture else ():
            read, write = os.pipe()
            ours.append(write if target == 0 else read)
            theirs.append(read if target == 0 else write)
            _above_std(theirs, theirs)
            child = theirs[-1]
            _above_std(ours, theirs)
            actions.append((os.POSIX_SPAWN_DUP2, child, target))
        actions += ((os.POSIX_SPAWN_CLOSE, fd) for fd in _inherited())
        pid = os.posix_spawnp(argv[0], argv, env, file_actions=actions,
                              setsigdef=(signal.SIGPIPE, signal.SIGXFSZ))  # fmt: skip
    except BaseException:
        _close(theirs)
        _close(ours)
        raise
    try:  # from here on any exception (a Ctrl-C too) ends and reaps the child
        _close(theirs)
        out, err = _drain(ours, stdin) if capture else (b"", b"")
        code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    except BaseException as error:
        _end(pid, _SIGINT_GRACE if isinstance(error, KeyboardInterrupt) else 0.0)
        raise
    finally:
        _close(ours)
    return code, out, err


def _inherited() -> list[int]:
    """Our descriptors above 2 that a child would inherit, for it to close as with
    subprocess's ``close_fds`` (Python opens its own non-inheritable, PEP 446: these came
    from our parent, a shell's ``7>file``, a make jobserver). Listed, not every possible
    number: glibc ignores a close action's EBADF for numbers below the descriptor limit,
    so one closed meanwhile is harmless, but refuses numbers at or above it (skipped: one
    opened before the limit was lowered stays)."""
    limit = os.sysconf("SC_OPEN_MAX")
    numbers: Iterable[int] | None = None
    for directory in ("/proc/self/fd", "/dev/fd"):
        try:
            numbers = map(int, os.listdir(directory))
            break
        except OSError as error:
            if error.errno in (errno.EMFILE, errno.ENFILE):  # no room to look: say so
                raise  # (_run_git: "cannot run git: Too many open files")
    if numbers is None:  # neither lists (no /proc): try every number, as subprocess does
        numbers = range(3, min(limit, 1 << 16))
    found = []
    for fd in numbers:
        try:
            if 2 < fd < limit and os.get_inheritable(fd):
                found.append(fd)
        except OSError:  # not open (or listdir's own, gone already)
            pass
    return found


def _end(pid: int, grace: float) -> None:
    """Kill and reap the child, first waiting up to ``grace`` seconds for it to exit: a
    Ctrl-C reached it too (one process group), and git removes its lock files then."""
    reaped = False
    try:
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and not reaped:
            reaped = os.waitpid(pid, os.WNOHANG)[0] != 0
            if not reaped:
                time.sleep(0.005)
    except ChildProcessError:  # already reaped: interrupted as waitpid returned
        reaped = True
    finally:
        if not reaped:
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:  # already reaped: interrupted as waitpid returned
                pass


def _close(fds: list[int]) -> None:
    for fd in fds:
        os.close(fd)


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


def _above_std(fds: list[int], spare: list[int]) -> None:
    """Move the last of ``fds`` above 2 if it is 0, 1 or 2 (we were started with those
    closed): a pipe end dup2'ed onto its own number keeps close-on-exec on some systems
    (older C libraries), and the child would start without it. The low numbers go to
    ``spare``, to be closed after the spawn (open until then, so each copy gets a higher
    number; every descriptor is in a list if ``os.dup`` fails)."""
    while fds[-1] <= 2:
        spare.append(fds.pop())
        fds.append(os.dup(spare[-1]))
