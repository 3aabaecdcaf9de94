"""Writes are atomic and serialised: an interrupt leaves the old file, concurrent writers
both land."""

from __future__ import annotations

import fnmatch
import os
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest

from secretsfile._fileio import TEMP_PATTERN, locked, write_atomic
from secretsfile.ops import files
from secretsfile.ops.keygen import keygen


def test_interrupted_write_leaves_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "f.yaml"
    target.write_text("old\n")
    target.chmod(0o640)

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["f.yaml"]


def test_write_keeps_mode(tmp_path: Path) -> None:
    target = tmp_path / "f.yaml"
    target.write_text("old\n")
    target.chmod(0o640)
    write_atomic(target, "new\n")
    assert target.read_text() == "new\n" and (target.stat().st_mode & 0o777) == 0o640


def test_concurrent_setters_both_land(tmp_path: Path) -> None:
    keygen("age")
    target = tmp_path / "s.yaml"
    target.write_text("start: 0\n")
    files.encrypt_file(target, files.EncryptOptions(), in_place=True)
    errors: list[BaseException] = []

    def setter(index: int) -> None:
        try:
            for round_ in range(3):
                files.set_value(target, f"k{index}.r{round_}", f"v{index}")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=setter, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    data = files.load_file(target)
    assert all(data[f"k{i}"] == {f"r{r}": f"v{i}" for r in range(3)} for i in range(4))


def test_lock_on_one_file_does_not_block_another(tmp_path: Path) -> None:
    keygen("age")
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for path in (first, second):
        path.write_text("k: v\n")
        files.encrypt_file(path, files.EncryptOptions(), in_place=True)
    done = threading.Event()

    def write_second() -> None:
        files.set_value(second, "k", "w")
        done.set()

    with locked(first):
        thread = threading.Thread(target=write_second)
        thread.start()
        thread.join(timeout=60)
        assert done.is_set()
    assert files.load_file(second) == {"k": "w"}


def test_writes_through_a_symlink_keep_the_link(tmp_path: Path) -> None:
    target = tmp_path / "real.yaml"
    target.write_text("old\n")
    link = tmp_path / "link.yaml"
    link.symlink_to(target)
    write_atomic(link, "new\n")
    assert link.is_symlink() and target.read_text() == "new\n"


def test_private_output_is_0600_even_over_a_loose_file(tmp_path: Path) -> None:
    target = tmp_path / "plain.txt"
    target.write_text("x")
    target.chmod(0o644)
    write_atomic(target, "secret", private=True)
    assert (target.stat().st_mode & 0o777) == 0o600


# -- temp files of killed writers --------------------------------------------------------


def _dead_pid() -> int:
    """The PID of a process that has exited (and been reaped)."""
    child = subprocess.run(["sh", "-c", "echo $$"], capture_output=True, text=True, check=True)
    return int(child.stdout)


def _temp(directory: Path, target: str, pid: int, age: float = 0, tag: str = "ab_12cd3"
          ) -> Path:
    path = directory / f".{target}.secretsfile-{pid}-{tag}.tmp"
    path.write_text("ENC[partial")
    if age:
        then = time.time() - age
        os.utime(path, (then, then))
    return path


def test_temp_names_carry_the_writer_pid(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    seen: list[str] = []

    def record(src: str, dst: str) -> None:
        seen.append(Path(src).name)
        real_replace(src, dst)

    real_replace = os.replace
    monkeypatch.setattr(os, "replace", record)
    write_atomic(tmp_path / "f.yaml", "new\n")
    assert seen and seen[0].startswith(f".f.yaml.secretsfile-{os.getpid()}-")
    assert fnmatch.fnmatch(seen[0], TEMP_PATTERN)


def test_next_write_removes_temp_files_of_dead_writers(tmp_path: Path) -> None:
    target = tmp_path / "f.yaml"
    target.write_text("old\n")
    dead = _dead_pid()
    orphan = _temp(tmp_path, "f.yaml", dead)  # just now: the lock says nobody writes it
    with locked(target):
        write_atomic(target, "new\n")
    assert not orphan.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.yaml"]


def test_only_our_dead_writers_temp_files_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "f.yaml"
    target.write_text("old\n")
    dead = _dead_pid()
    with subprocess.Popen(["sleep", "60"]) as live:
        try:
            kept = [
                _temp(tmp_path, "f.yaml", live.pid, age=3600),  # its writer is still running
                _temp(tmp_path, "other.yaml", dead),  # not locked and too fresh to judge
                tmp_path / ".f.yaml.ab_12cd3.tmp",  # not our name (or from an old version)
                tmp_path / "notes.secretsfile-1-ab_12cd3.tmp",
            ]
            kept[2].write_text("x")
            kept[3].write_text("x")
            link = tmp_path / f".f.yaml.secretsfile-{dead}-zz_12cd3.tmp"
            link.symlink_to(target)  # not a file we wrote
            old_other = _temp(tmp_path, "other.yaml", dead, age=3600, tag="old12cd3")
            with locked(target):
                write_atomic(target, "new\n")
        finally:
            live.kill()
    assert all(path.exists() for path in kept) and link.is_symlink()
    assert not old_other.exists()  # another file's, but old: nobody writes that long


def test_a_lock_alone_cleans_up(tmp_path: Path) -> None:
    """A read-modify-write that ends up writing nothing still tidies its file."""
    target = tmp_path / "f.yaml"
    target.write_text("old\n")
    orphan = _temp(tmp_path, "f.yaml", _dead_pid())
    with locked(target):
        pass
    assert not orphan.exists()


def test_a_fifo_is_written_into_not_replaced(tmp_path: Path) -> None:
    # `scan -o /dev/full` as root replaced the device with a regular file (R1)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_atomic(fifo, "report\n", private=True)
    reader.join(timeout=10)
    assert got == [b"report\n"] and stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert not [p for p in tmp_path.iterdir() if p.name != "pipe"]  # no temp file left
