"""The one way git runs (``git/run.py``): real git and real child processes, no mocks."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from secretsfile.git import run
from secretsfile.git.run import GitError, _spawn, run_git, run_git_status
from tests.git.conftest import Git


def test_run_git_returns_stdout_in_the_given_directory(repo: Path, git: Git, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "a.txt").write_text("one\n")
    git("add", "a.txt")
    monkeypatch.chdir(tmp_path)  # not the repository: cwd= must be what git runs in
    assert run_git(["ls-files"], repo) == b"a.txt\n"
    assert run_git(["ls-files"], str(repo)) == b"a.txt\n"  # str works as well as a Path


def test_large_input_and_output_flow_both_ways(repo: Path, git: Git) -> None:
    """cat-file --batch answers while it reads: 2 MB in, 2 MB out, no pipe stalls."""
    blob = (b"0123456789abcdef" * 4096 + b"\n") * 2  # 128 KiB, more than a pipe holds
    names = [f"f{n}.bin" for n in range(16)]
    for name in names:
        (repo / name).write_bytes(blob)
    git("add", *names)
    request = b"".join(b":" + n.encode() + b"\n" for n in names)
    out = run_git(["cat-file", "--batch"], repo, stdin=request)
    assert out.count(blob) == len(names)
    assert len(out) > len(names) * len(blob)


def test_git_failure_names_the_command_and_gits_first_line(tmp_path: Path) -> None:
    with pytest.raises(GitError, match=r"^git rev-parse failed: fatal: not a git repository"):
        run_git(["rev-parse", "HEAD"], tmp_path)


def test_git_missing_from_path(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo))  # a directory without a git binary
    with pytest.raises(GitError, match="git is not installed or not on PATH"):
        run_git(["status"], repo)


def test_spawn_separates_stdout_stderr_and_exit_code() -> None:
    code, out, err = _spawn(["sh", "-c", "printf out; printf err >&2; exit 3"], dict(os.environ),
                            None)  # fmt: skip
    assert (code, out, err) == (3, b"out", b"err")


def test_spawn_reports_the_signal_that_killed_the_child() -> None:
    code, _out, _err = _spawn(["sh", "-c", "kill -9 $$"], dict(os.environ), None)
    assert code == -9


def test_spawn_stops_feeding_a_child_that_stops_reading() -> None:
    """A child that exits without reading its input: no BrokenPipeError, no hang."""
    code, out, _err = _spawn(["sh", "-c", "head -c 3; echo"], dict(os.environ), b"x" * (1 << 22))
    assert (code, out) == (0, b"xxx\n")
    code, out, _err = _spawn(["true"], dict(os.environ), b"x" * (1 << 22))
    assert (code, out) == (0, b"")


def test_spawn_empty_input_is_an_end_of_file() -> None:
    assert _spawn(["cat"], dict(os.environ), b"") == (0, b"", b"")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="Linux /proc")
def test_spawn_restores_default_sigpipe_in_the_child() -> None:
    """Python ignores SIGPIPE; the child must not inherit that (as with subprocess)."""
    _code, out, _err = _spawn(["cat", "/proc/self/status"], dict(os.environ), None)
    ignored = next(line for line in out.decode().splitlines() if line.startswith("SigIgn:"))
    assert not int(ignored.split()[1], 16) & (1 << (13 - 1))  # SIGPIPE is 13 on Linux


def test_spawn_with_the_standard_descriptors_closed(tmp_path: Path) -> None:
    """Started with 0-2 closed, the pipes get those numbers (moved above 2 before the spawn)."""
    result = tmp_path / "result"
    code = (
        "from secretsfile.git.run import _spawn; import os; "
        "r = _spawn(['sh', '-c', 'cat; printf E >&2'], dict(os.environ), b'in'); "
        f"open({str(result)!r}, 'w').write(repr(r))"
    )
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": root}
    subprocess.run(["sh", "-c", 'exec "$0" -c "$1" <&- >&- 2>&-', sys.executable, code],
                   env=env, check=True)  # fmt: skip
    assert result.read_text() == repr((0, b"in", b"E"))


def test_run_git_status_passes_output_through(repo: Path, capfd: pytest.CaptureFixture[str]
                                              ) -> None:  # fmt: skip
    assert run_git_status(["rev-parse", "--is-inside-work-tree"], repo) == 0
    assert capfd.readouterr().out == "true\n"
    assert run_git_status(["rev-parse", "--verify", "--quiet", "no-such-ref"], repo) == 1


def test_spawn_kills_and_reaps_the_child_when_reading_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    pid_file = tmp_path / "pid"

    def failing_drain(fds: list[int], stdin: bytes | None) -> tuple[bytes, bytes]:
        while not pid_file.exists() or not pid_file.read_text().endswith("\n"):
            os.sched_yield()  # wait until the child has said who it is
        raise KeyboardInterrupt

    monkeypatch.setattr(run, "_drain", failing_drain)
    with pytest.raises(KeyboardInterrupt):
        _spawn(["sh", "-c", f"echo $$ > '{pid_file}'; exec sleep 600"], dict(os.environ), None)
    with pytest.raises(ProcessLookupError):  # killed and reaped: no such process any more
        os.kill(int(pid_file.read_text()), 0)


def _run_child(code: str, **options: object) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh Python that imports this checkout's secretsfile."""
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": root}
    done: subprocess.CompletedProcess[str] = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False,
        **options)  # type: ignore[call-overload]  # fmt: skip
    return done


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="Linux /proc")
def test_inherited_descriptors_do_not_reach_git(tmp_path: Path) -> None:
    """A descriptor our parent left us (a shell's ``97>file``) is closed in git's children
    as with subprocess's close_fds; 0, 1 and 2 are kept."""
    with (tmp_path / "held").open("w") as held:
        os.dup2(held.fileno(), 97)
    try:
        code = (
            "import os; from secretsfile.git.run import run_git; "
            "assert os.get_inheritable(97); "
            f"print(run_git(['-c', 'alias.fds=!ls /proc/self/fd', 'fds'], {str(tmp_path)!r}))"
        )
        done = _run_child(code, pass_fds=(97,))
    finally:
        os.close(97)
    assert done.returncode == 0, done.stderr
    listed = eval(done.stdout).decode().split()  # the repr of our own bytes
    assert {"0", "1", "2"} <= set(listed)
    assert "97" not in listed


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="Linux /proc")
def test_no_room_to_list_descriptors_is_an_error_not_a_leak(tmp_path: Path) -> None:
    """With 0, 1, 2... descriptors left, listing ours may fail: then git does not run
    (one line), rather than running with the inherited descriptor 50 open."""
    with (tmp_path / "held").open("w") as held:
        os.dup2(held.fileno(), 50)
    code = (
        "import os, resource\n"
        "from secretsfile.git.run import GitError, run_git\n"
        "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
        "for room in range(8):\n"
        "    resource.setrlimit(resource.RLIMIT_NOFILE, (64, hard))\n"
        "    held = []\n"
        "    try:\n"
        "        while True: held.append(os.open(os.devnull, os.O_RDONLY))\n"
        "    except OSError: pass\n"
        "    for fd in held[:room]: os.close(fd)\n"
        "    try:\n"
        f"        out = run_git(['-c', 'alias.fds=!ls /proc/$$/fd', 'fds'], {str(tmp_path)!r})\n"
        "        print('listed 50' if '50' in out.decode().split() else 'closed')\n"
        "    except GitError as error: print(error)\n"
        "    finally:\n"
        "        for fd in held[room:]: os.close(fd)\n"
        "        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))\n"
    )
    try:
        done = _run_child(code, pass_fds=(50,))
    finally:
        os.close(50)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "closed" in lines and "listed 50" not in lines, lines
    assert set(lines) <= {"closed", "cannot run git: Too many open files"}, lines


def test_ctrl_c_lets_git_remove_its_lock_before_the_kill(tmp_path: Path) -> None:
    """Ctrl-C reaches git too (one process group): git gets a moment to remove its lock
    files before it is killed, as with subprocess. A stand-in git holds ``index.lock`` and
    removes it shortly after SIGINT."""
    lock = tmp_path / "index.lock"
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "git").write_text(
        f"#!{sys.executable}\n"
        "import os, signal, time\n"
        "def stop(*_):\n"
        "    time.sleep(0.02)  # cleaning up takes a moment\n"
        f"    os.remove({str(lock)!r})\n"
        "    os._exit(130)\n"
        "signal.signal(signal.SIGINT, stop)\n"
        f"open({str(lock)!r}, 'x').close()\n"
        # not signal.pause(): a SIGINT between the lock and the pause would be waited for
        # forever (the classic pause race); a sleep loop runs the handler within 10 ms
        "while True: time.sleep(0.01)\n"
    )
    (fake / "git").chmod(0o755)
    code = (
        "import signal; signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "from secretsfile.git.run import run_git\n"
        f"try: run_git(['add', 'x'], {str(tmp_path)!r})\n"
        "except KeyboardInterrupt: print('KeyboardInterrupt')\n"
    )
    root = str(Path(__file__).resolve().parents[2])
    env = {**os.environ, "PYTHONPATH": root, "PATH": f"{fake}:{os.environ['PATH']}"}
    child = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                             text=True, start_new_session=True)  # fmt: skip
    while not lock.exists():  # wait until the stand-in holds its lock
        assert child.poll() is None, "the child ended before git ran"
        os.sched_yield()
    os.killpg(child.pid, signal.SIGINT)  # Ctrl-C: the whole foreground process group
    out, _err = child.communicate()
    assert out == "KeyboardInterrupt\n"
    assert not lock.exists()


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="Linux /proc")
def test_running_out_of_descriptors_is_a_git_error_and_leaks_none(tmp_path: Path) -> None:
    """With the descriptor limit set so that 0, 1, 2... more can be opened, each pipe (or
    the spawn) in turn fails: a one-line GitError, no traceback, no descriptor left open."""
    code = (
        "import os, resource\n"
        "from secretsfile.git.run import GitError, run_git\n"
        "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
        "taken = {int(n) for n in os.listdir('/proc/self/fd')}\n"
        "free = [n for n in range(1 << 16) if n not in taken]\n"
        "for limit in free[:12]:  # 0, 1, 2... descriptors left to open\n"
        "    before = sorted(os.listdir('/proc/self/fd'))\n"
        "    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, hard))\n"
        "    try:\n"
        f"        run_git(['rev-parse', '--git-dir'], {str(tmp_path)!r}); print('ok')\n"
        "    except GitError as error: print(error)\n"
        "    finally: resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))\n"
        "    assert sorted(os.listdir('/proc/self/fd')) == before, limit\n"
    )
    done = _run_child(code)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "cannot run git: Too many open files" in lines  # the OSError, as one line
    assert all(line == "cannot run git: Too many open files" or line.startswith("git ")
               for line in lines), lines  # fmt: skip
