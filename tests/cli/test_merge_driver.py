"""The merge driver's body without Typer (``cli/merge_driver``): what it imports, and git's
line merge when there is no key-level merge, with %L and %P left out (the spec's defaults) or
given; the lean parser reads git's command line. Key-level merges through real git:
test_merge_cli.py."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from secretsfile.cli.merge_driver import driver


def test_the_driver_imports_no_cli_framework() -> None:
    code = ("import sys\n"
            "import secretsfile.cli.merge_driver, secretsfile.ops.merging\n"
            "print(' '.join(m for m in sys.modules if m.split('.')[0] in ('typer', 'click',\n"
            "      'rich') or m in ('dataclasses', 'difflib', 'secretsfile.cli.main')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)  # fmt: skip
    assert done.stdout.strip() == ""


@pytest.mark.parametrize(("marker_size", "path"), [(7, ""), (9, "app.yaml")])
def test_without_a_key_level_merge_git_merges_the_lines(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        marker_size: int, path: str) -> None:
    monkeypatch.chdir(tmp_path)
    base, ours, theirs = (tmp_path / f"{n}.yaml" for n in ("base", "ours", "theirs"))
    base.write_text("a: 1\n")
    ours.write_text("a: 2\n")
    theirs.write_text("a: 3\n")
    assert driver(base, ours, theirs, marker_size, path) == 1  # one conflict, git's count
    marker = "<" * marker_size
    assert ours.read_text().startswith(marker + " ours\n")
    assert not ours.read_text().startswith(marker + "<")
    said = capsys.readouterr().err
    assert f"secretsfile merge driver: {path or ours}: no key-level merge" in said


def test_the_lean_parser_reads_gits_command_line() -> None:
    from secretsfile.cli.lean import parse

    parsed = parse(["merge", "driver", "b", "a", "t"])
    assert parsed is not None and parsed[1] == {
        "base": "b", "ours": "a", "theirs": "t", "marker_size": 7, "path": "",  # str paths
        "quiet": False}
    parsed = parse(["merge", "driver", "b", "a", "t", "9", "app.yaml"])
    assert parsed is not None and (parsed[1]["marker_size"], parsed[1]["path"]) == (9, "app.yaml")
    # help, a missing %B, a bad %L: Typer's to report
    for argv in (["--help"], ["b", "a"], ["b", "a", "t", "x"], ["b", "a", "t", "7", "p", "q"]):
        assert parse(["merge", "driver", *argv]) is None
