"""secretsfile._paths.nearest: the one walk up to the nearest config file or ``.git``."""

from __future__ import annotations

import os
from pathlib import Path

from secretsfile._paths import nearest


def test_nearest_walks_up_from_a_directory_or_a_file(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    (tmp_path / "a" / ".sops.yaml").write_text("creation_rules: []\n")
    (deep / "f.txt").write_text("x")
    found = str((tmp_path / "a" / ".sops.yaml").resolve())
    assert nearest(deep, (".sops.yaml",)) == found
    assert nearest(deep / "f.txt", (".sops.yaml",)) == found
    assert nearest(deep, ("nothing-here",)) is None


def test_nearest_takes_names_in_order_and_its_own_test(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".secretsfile.yml").write_text("")
    (tmp_path / ".secretsfile.yaml").write_text("")
    assert nearest(tmp_path, (".secretsfile.yaml", ".secretsfile.yml")) == str(
        tmp_path.resolve() / ".secretsfile.yaml")
    assert nearest(tmp_path, (".git",)) is None  # a directory: not a file
    assert nearest(tmp_path, (".git",), os.path.exists) == str(tmp_path.resolve() / ".git")


def test_nearest_stops_after_most_directories(tmp_path: Path) -> None:
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    (tmp_path / "marker").write_text("")
    assert nearest(deep, ("marker",), most=3) is None  # c, b, a: not tmp_path
    assert nearest(deep, ("marker",), most=4) == str(tmp_path.resolve() / "marker")
