"""The baseline file: fingerprints only, sorted, atomic, clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from secretsfile.errors import FormatError
from secretsfile.scanner.baseline import Baseline, load_baseline, render_baseline, write_baseline
from secretsfile.scanner.engine import fingerprint
from secretsfile.scanner.model import Finding

SECRET = "AKIAZ2345672345672AB"


def finding(path: str = "a.py", line: int = 1) -> Finding:
    return Finding(path, line, 1, "aws", "d", SECRET, fingerprint("aws", path, SECRET))


def test_round_trip_and_filter(tmp_path: Path) -> None:
    path = tmp_path / ".secretsfile-baseline.json"
    write_baseline(path, [finding().fingerprint])
    baseline = load_baseline(path)
    assert finding(line=99) in baseline  # line numbers do not matter
    assert baseline.filter([finding(), finding("b.py")]) == [finding("b.py")]
    text = path.read_text()
    assert SECRET not in text and '"line' not in text
    assert json.loads(text)["fingerprints"] == [finding().fingerprint]


def test_rendering_is_sorted_and_deduplicated() -> None:
    text = render_baseline(["b" * 64, "a" * 64, "b" * 64])
    assert json.loads(text)["fingerprints"] == ["a" * 64, "b" * 64]
    assert text.count("\n") == 8  # one fingerprint per line: merges stay clean
    assert json.loads(render_baseline([]))["fingerprints"] == []


def test_missing_file_is_an_empty_baseline(tmp_path: Path) -> None:
    assert load_baseline(tmp_path / "nope.json") == Baseline()


@pytest.mark.parametrize(
    "content", ["{", '{"fingerprints": "x"}', '{"fingerprints": ["abc"]}', "[]"]
)
def test_malformed_baseline_is_a_format_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(content)
    with pytest.raises(FormatError, match="baseline"):
        load_baseline(path)


def test_write_keeps_the_mode_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    path.write_text("{}")
    path.chmod(0o640)
    write_baseline(path, ["c" * 64])
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["b.json"]
