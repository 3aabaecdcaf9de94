"""The one runner for helper programs (gpg, *_AGE_KEY_CMD): caps while reading, one
deadline, the program killed and reaped on overrun."""

from __future__ import annotations

import os
import sys
import time

import pytest

from secretsfile.keysources import bounded_run
from secretsfile.keysources.bounded_run import TimedOut, TooMuchOutput

PY = sys.executable


def _py(code: str, **kwargs: object) -> bounded_run.Finished:
    options: dict = {"timeout": 10.0, "max_stdout": 1 << 20, "max_stderr": 1 << 10, **kwargs}
    return bounded_run.run([PY, "-c", code], **options)


def test_stdin_stdout_stderr_exit_code_and_env() -> None:
    data = os.urandom(600_000)  # more than a pipe buffer both ways: no deadlock
    done = _py("import os, sys; d = sys.stdin.buffer.read(); sys.stdout.buffer.write(d); "
               "sys.stderr.write(os.environ['PROBE']); sys.exit(3)",
               data=data, env={**os.environ, "PROBE": "seen"})
    assert (done.code, done.stdout, done.stderr) == (3, data, b"seen")
    assert _py("import sys; print(sys.stdin.read() == '')").stdout.strip() == b"True"


def test_endless_stdout_is_cut_at_the_cap_and_the_program_killed(tmp_path) -> None:
    pid_file = tmp_path / "pid"
    started = time.monotonic()
    with pytest.raises(TooMuchOutput) as caught:
        _py(f"import os, sys; open({str(pid_file)!r}, 'w').write(str(os.getpid())); "
            "sys.stdout.flush()\nwhile True: sys.stdout.buffer.write(bytes(65536))",
            max_stdout=4096)
    assert time.monotonic() - started < 5
    assert (caught.value.stream, caught.value.limit) == ("stdout", 4096)
    assert str(caught.value) == "printed more than 4 KiB on stdout"
    with pytest.raises(ProcessLookupError):  # killed and reaped, no zombie
        os.kill(int(pid_file.read_text()), 0)


def test_endless_stderr_is_cut_too() -> None:
    with pytest.raises(TooMuchOutput, match="more than 1 KiB on stderr"):
        _py("import sys\nwhile True: sys.stderr.write('x' * 4096)")


def test_deadline_covers_a_silent_program_and_a_child_holding_the_pipe() -> None:
    for code in ("import time; time.sleep(30)",
                 "import subprocess, sys; subprocess.Popen([sys.executable, '-c', "
                 "'import time; time.sleep(30)']); print('bye')"):
        started = time.monotonic()
        with pytest.raises(TimedOut, match=r"within 0\.5 s"):
            _py(code, timeout=0.5)
        assert time.monotonic() - started < 3


def test_missing_program_is_an_os_error() -> None:
    with pytest.raises(FileNotFoundError):
        bounded_run.run(["/nonexistent/program"], timeout=1, max_stdout=1, max_stderr=1)


def test_sizes_in_messages() -> None:
    assert [bounded_run.size_text(n) for n in (4096, 1 << 20, 64 << 10, 100)] == [
        "4 KiB", "1 MiB", "64 KiB", "100 bytes"]
