"""Writes are atomic and serialised: an interrupt leaves the old file, concurrent writers
both land."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from secretsfile._fileio import write_atomic
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
    from secretsfile._fileio import locked

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
