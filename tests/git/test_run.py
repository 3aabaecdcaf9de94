"""The one way git runs (``git/run.py``): real git and real child processes, no mocks."""

from __future__ import annotations

import os
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
