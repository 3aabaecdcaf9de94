"""edit leaves no plaintext copy behind when it is stopped: SIGTERM, SIGHUP and SIGINT
remove it (then end the process as the signal would); after SIGKILL the next edit removes
it and says so. Real ``secretsfile edit`` processes, an editor that blocks, real signals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from secretsfile.errors import FormatError, UsageError
from secretsfile.ops import edit, files
from secretsfile.ops.edit import EDIT_DIR_PREFIX, edit_file, remove_stale_copies
from secretsfile.ops.keygen import keygen
from tests.tracebacks import recorded_locals

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")

PLANTED = "edit-PLANTED-value"

# Announces itself on stdout (the test reads that line: no polling), then blocks, or
# sends a signal to secretsfile, or edits the file.
EDITOR = """\
import os, signal, sys, time
path = sys.argv[1]
print(os.getpid(), path, flush=True)
action = os.environ.get("EDIT_ACTION", "block")
if action == "block":
    while True:
        time.sleep(3600)
elif action.startswith("signal:"):
    os.kill(os.getppid(), getattr(signal, action[len("signal:"):]))
    while True:
        time.sleep(3600)
elif action.startswith("hangup-then:"):
    os.kill(os.getppid(), signal.SIGHUP)
    text = open(path).read()
    open(path, "w").write(text.replace(os.environ["EDIT_PLANTED"], action.split(":")[1]))
elif action == "fail":
    sys.exit(3)
elif action == "break":
    open(path, "w").write("token: [" + os.environ["EDIT_PLANTED"] + "\\n")
else:
    text = open(path).read()
    open(path, "w").write(text.replace(os.environ["EDIT_PLANTED"], action))
"""


@pytest.fixture
def private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The directory edit puts its private copies in (SECRETSFILE_TMPDIR)."""
    base = tmp_path / "private"
    base.mkdir(mode=0o700)
    monkeypatch.setenv("SECRETSFILE_TMPDIR", str(base))
    return base


@pytest.fixture
def secrets(tmp_path: Path, private: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    keygen("age")
    script = tmp_path / "editor.py"
    script.write_text(EDITOR)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.setenv("EDIT_PLANTED", PLANTED)
    path = tmp_path / "s.yaml"
    path.write_text(f"token: {PLANTED}\nother: kept\n")
    files.encrypt_file(path, files.EncryptOptions(), in_place=True)
    return path


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from secretsfile import errors

    seen: list[str] = []
    monkeypatch.setattr(errors, "_warning_sink", [seen.append])
    return seen


def _default_signals() -> None:  # the child starts as from a shell, whatever pytest ignores
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


Start = Callable[..., tuple["subprocess.Popen[str]", int, Path]]


@pytest.fixture
def start_edit(secrets: Path) -> Iterator[Start]:
    """Start ``secretsfile edit``; returns (process, editor pid, copy path) once the
    editor has the plaintext copy open."""
    started: list[subprocess.Popen[str]] = []

    def start(action: str = "block") -> tuple[subprocess.Popen[str], int, Path]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "secretsfile", "edit", str(secrets)],
            env={**os.environ, "EDIT_ACTION": action}, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=_default_signals)
        started.append(proc)
        assert proc.stdout is not None
        line = proc.stdout.readline()  # the editor's announcement
        assert line, proc.communicate()[1]
        pid, copy = line.split()
        return proc, int(pid), Path(copy)

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.parametrize(("signum", "returncode"), [
    (signal.SIGTERM, -signal.SIGTERM), (signal.SIGHUP, -signal.SIGHUP), (signal.SIGINT, 130)])
def test_signals_remove_the_copy_then_end_edit(
        start_edit: Start, secrets: Path, private: Path, signum: int, returncode: int) -> None:
    before = secrets.read_bytes()
    proc, editor_pid, copy = start_edit()
    assert copy.parent.parent == private and PLANTED in copy.read_text()
    assert copy.parent.name.startswith(f"{EDIT_DIR_PREFIX}{proc.pid}-")
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == returncode, stderr
    assert list(private.iterdir()) == []
    assert _gone(editor_pid)  # stopped and reaped by edit before it ended
    assert secrets.read_bytes() == before
    assert PLANTED not in stdout + stderr and "Traceback" not in stderr


def test_after_sigkill_the_next_edit_removes_the_copy_and_says_so(
        start_edit: Start, secrets: Path, private: Path) -> None:
    proc, editor_pid, copy = start_edit()
    proc.kill()
    proc.wait()
    os.kill(editor_pid, signal.SIGKILL)  # the orphaned editor (not our child: no wait)
    assert PLANTED in copy.read_text()  # what SIGKILL leaves behind
    again = subprocess.run([sys.executable, "-m", "secretsfile", "edit", str(secrets)],
                           env={**os.environ, "EDIT_ACTION": "edited"}, text=True,
                           capture_output=True, stdin=subprocess.DEVNULL, check=False)
    assert again.returncode == 0, again.stderr
    warnings = [line for line in again.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: removed the plaintext copies that killed 'secretsfile "
                        f"edit' runs left behind: {copy.parent}"]
    assert list(private.iterdir()) == []
    assert files.load_file(secrets) == {"token": "edited", "other": "kept"}
    assert PLANTED not in again.stdout + again.stderr


def test_only_dead_unlocked_private_directories_of_ours_are_removed(
        private: Path, warnings: list[str]) -> None:
    dead = subprocess.Popen([sys.executable, "-c", ""])
    dead.wait()  # its PID is free now

    def make(name: str, mode: int = 0o700) -> Path:
        path = private / name
        path.mkdir(mode=mode)
        path.chmod(mode)
        (path / "edit.yaml").write_text(PLANTED)
        return path

    stale = make(f"{EDIT_DIR_PREFIX}{dead.pid}-abcd1234")
    alive = make(f"{EDIT_DIR_PREFIX}{os.getppid()}-abcd1234")  # a live process
    loose = make(f"{EDIT_DIR_PREFIX}{dead.pid}-loose123", 0o755)  # not a private dir
    other = make(f"secretsfile-{dead.pid}-abcd1234")  # not an edit directory
    locked = make(f"{EDIT_DIR_PREFIX}{dead.pid}-locked12")
    fd = edit._lock_directory(locked)  # held here: a live edit in another PID namespace
    try:
        assert remove_stale_copies() == [stale]
    finally:
        assert fd is not None
        os.close(fd)
    assert sorted(private.iterdir()) == sorted([alive, loose, other, locked])
    assert warnings == ["removed the plaintext copies that killed 'secretsfile edit' runs "
                        f"left behind: {stale}"]


# -- in this process: the library call, previous handlers, traceback locals ----------------


def test_sigint_in_the_library_removes_the_copy_and_raises_keyboardinterrupt(
        secrets: Path, private: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert threading.current_thread() is threading.main_thread()
    monkeypatch.setenv("EDIT_ACTION", "signal:SIGINT")
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    before = secrets.read_bytes()
    with pytest.raises(KeyboardInterrupt) as caught:
        edit_file(secrets)
    assert list(private.iterdir()) == [] and secrets.read_bytes() == before
    assert {s: signal.getsignal(s) for s in handlers} == handlers
    assert PLANTED not in recorded_locals(caught.value)


def test_a_handler_of_the_caller_runs_after_the_copy_is_gone(
        secrets: Path, private: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDIT_ACTION", "signal:SIGTERM")
    seen: list[list[Path]] = []

    def handler(signum: int, frame: object) -> None:
        seen.append(list(private.iterdir()))

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        with pytest.raises(UsageError, match="interrupted by a signal; nothing was saved"):
            edit_file(secrets)
        assert signal.getsignal(signal.SIGTERM) is handler
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert seen == [[]]  # it ran once, after the copy was removed


def test_an_ignored_signal_stays_ignored(
        secrets: Path, private: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDIT_ACTION", "hangup-then:edited")  # SIGHUP to edit, then save
    previous = signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as under nohup
    try:
        assert edit_file(secrets).changed
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous)
    assert files.load_file(secrets) == {"token": "edited", "other": "kept"}
    assert list(private.iterdir()) == []


@pytest.mark.parametrize("action", ["fail", "break"])
def test_edit_errors_leave_no_plaintext_in_traceback_locals(
        secrets: Path, private: Path, monkeypatch: pytest.MonkeyPatch, action: str) -> None:
    monkeypatch.setenv("EDIT_ACTION", action)
    with pytest.raises((UsageError, FormatError)) as caught:
        edit_file(secrets)
    assert PLANTED not in recorded_locals(caught.value)
    assert list(private.iterdir()) == []
