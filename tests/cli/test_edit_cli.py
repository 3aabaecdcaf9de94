"""edit through the CLI when the edited text does not parse and stdin is not a terminal:
one error line that says the edits were not saved, the file untouched, no plaintext left."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Runner

# writes BROKEN over the private copy, and logs where that copy was
EDITOR = """\
import os, sys
open(os.environ["EDIT_LOG"], "w").write(sys.argv[1])
open(sys.argv[1], "w").write(os.environ["BROKEN"])
"""


@pytest.mark.parametrize(("name", "plain", "broken"), [
    ("s.ini", "[db]\npassword = hunter2-PLANTED-SECRET\n",
     "[db]\npassword = hunter2-PLANTED-SECRET\nno equals sign here\n"),
    ("s.env", "PASSWORD=hunter2-PLANTED-SECRET\n",
     "PASSWORD=hunter2-PLANTED-SECRET\nno equals sign here\n"),
])
def test_failed_edit_says_once_that_nothing_was_saved(
        run: Runner, age_key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        name: str, plain: str, broken: str) -> None:
    path = tmp_path / name
    path.write_text(plain)
    assert run("encrypt", "--in-place", path).code == 0
    before = path.read_bytes()
    script = tmp_path / "editor.py"
    script.write_text(EDITOR)
    log = tmp_path / "edit.log"
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.setenv("EDIT_LOG", str(log))
    monkeypatch.setenv("BROKEN", broken)
    result = run("edit", path)
    assert result.code != 0 and "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert name in lines[0] and "not saved" in lines[0]
    assert "PLANTED" not in result.output
    assert path.read_bytes() == before
    assert not Path(log.read_text()).exists()  # the private copy is gone
