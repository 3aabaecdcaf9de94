"""Writes are atomic and serialised: an interrupt leaves the old file, concurrent writers
both land."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from secretsfile.ops import files
from secretsfile.ops.fileio import write_atomic
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
