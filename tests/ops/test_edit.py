"""edit: the plaintext lives in a private file that is gone afterwards; unchanged edits
write nothing; a broken edit can be retried instead of lost."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest

from secretsfile.errors import FormatError
from secretsfile.ops import files
from secretsfile.ops.edit import edit_file
from secretsfile.ops.keygen import keygen

EDITOR = """\
import json, os, stat, sys
path = sys.argv[1]
log = os.environ["EDIT_LOG"]
records = json.load(open(log)) if os.path.exists(log) else []
mode = stat.S_IMODE(os.stat(path).st_mode)
dir_mode = stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode)
records.append({"path": path, "mode": mode, "dir_mode": dir_mode})
json.dump(records, open(log, "w"))
steps = os.environ["EDIT_STEPS"].split("|")
step = steps[min(len(records), len(steps)) - 1]
text = open(path).read()
if step == "break":
    text = "a: [unclosed\\n"
elif step.startswith("replace:"):
    old, new = step[len("replace:"):].split("=>")
    text = text.replace(old, new)
open(path, "w").write(text)
"""


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    script = tmp_path / "editor.py"
    script.write_text(EDITOR)
    log = tmp_path / "edit-log.json"
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.setenv("EDIT_LOG", str(log))
    return log


@pytest.fixture
def secrets(tmp_path: Path) -> Path:
    keygen("age")
    path = tmp_path / "s.yaml"
    path.write_text("# comment kept\na: one\nb: two\n")
    files.encrypt_file(path, files.EncryptOptions(), in_place=True)
    return path


def test_edit_changes_one_value_and_cleans_up(
    editor: Path, secrets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDIT_STEPS", "replace:one=>uno")
    before = secrets.read_text().splitlines()
    result = edit_file(secrets)
    assert result.changed
    after = secrets.read_text().splitlines()
    changed = [b.split(":")[0] for a, b in zip(before, after, strict=True) if a != b]
    assert [c.strip() for c in changed if "lastmodified" not in c] == [
        "a", "mac", "secretsfile_tag"]  # the tag changes with the content
    assert files.load_file(secrets) == {"a": "uno", "b": "two"}
    assert "# comment kept" in files.decrypt_file(secrets)
    record = json.loads(editor.read_text())[0]
    assert record["mode"] == 0o600 and record["dir_mode"] == 0o700
    assert not Path(record["path"]).exists() and not Path(record["path"]).parent.exists()


def test_unchanged_edit_writes_nothing(
    editor: Path, secrets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDIT_STEPS", "replace:nothing=>nothing")
    before = secrets.read_bytes()
    assert not edit_file(secrets).changed
    assert secrets.read_bytes() == before


def test_invalid_edit_can_be_retried(
    editor: Path, secrets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDIT_STEPS", "break|replace:[unclosed=>[fixed]")
    seen: list[FormatError] = []
    result = edit_file(secrets, retry=lambda error: seen.append(error) is None)
    assert result.changed and len(seen) == 1 and seen[0].line is not None
    assert files.load_file(secrets) == {"a": ["fixed"]}
    assert len(json.loads(editor.read_text())) == 2


def test_invalid_edit_without_retry_keeps_the_file(
    editor: Path, secrets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDIT_STEPS", "break")
    before = secrets.read_bytes()
    with pytest.raises(FormatError) as caught:
        edit_file(secrets)
    assert secrets.read_bytes() == before
    assert caught.value.hint is not None and "not saved" in caught.value.hint


def test_edit_creates_a_new_file(
    editor: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    keygen("age")
    monkeypatch.setenv("EDIT_STEPS", "replace:example_value=>created")
    target = tmp_path / "new.yaml"
    assert edit_file(target).created
    assert files.load_file(target) == {"example_key": "created"}
    assert stat.S_ISREG(target.stat().st_mode)
