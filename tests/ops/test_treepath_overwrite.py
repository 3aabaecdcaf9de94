"""set_at never drops data it was not asked to replace, unless forced (issue 7, item 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from secretsfile.core.values import Branch
from secretsfile.errors import ConflictError, UsageError
from secretsfile.ops import files
from secretsfile.ops.recipients import KeyOptions
from secretsfile.ops.treepath import lost_paths, parse_path, set_at

SECRET = "PLANTED-overwrite-4411"


def _doc() -> Branch:
    return {"a": SECRET, "m": {"x": SECRET, "y": {"z": 1}}, "l": [SECRET, {"k": SECRET}],
            "empty": "", "none": None}


@pytest.mark.parametrize(
    ("path", "lost"),
    [
        ("a.b", ['["a"]']),
        ("m", ['["m"]["x"]', '["m"]["y"]["z"]']),
        ("m.y", ['["m"]["y"]["z"]']),
        ("l.1", ['["l"][1]["k"]']),
        ("l.0.deeper", None),  # a scalar list item is not indexed: a usage error, as before
    ],
)
def test_replacing_other_data_is_refused_naming_paths_not_values(
    path: str, lost: list[str] | None
) -> None:
    doc = _doc()
    if lost is None:
        with pytest.raises(UsageError, match="cannot index a scalar"):
            set_at(doc, parse_path(path), "new")
        return
    with pytest.raises(ConflictError) as caught:
        set_at(doc, parse_path(path), "new")
    text = str(caught.value)
    assert all(p in text for p in lost) and "--force" in text
    assert SECRET not in text
    assert doc == _doc()  # nothing changed before the refusal
    set_at(doc, parse_path(path), "new", force=True)
    assert doc != _doc()


@pytest.mark.parametrize("path", ["a", "m.x", "empty.b", "none.b", "new.deep.key", "l.2", "l.0"])
def test_updates_that_lose_nothing_need_no_force(path: str) -> None:
    doc = _doc()
    set_at(doc, parse_path(path), "new")


def test_a_map_with_the_same_keys_loses_nothing() -> None:
    assert lost_paths({"x": 1, "y": {"z": 2}}, {"x": 3, "y": {"z": 4}, "w": 5}) == []
    assert lost_paths({"x": 1}, {"y": 1}) == [["x"]]
    assert lost_paths(None, {"y": 1}) == []


def test_many_lost_keys_are_counted_not_listed() -> None:
    doc: Branch = {"m": {f"k{i}": i for i in range(12)}}
    with pytest.raises(ConflictError, match=r'12 values: .*\["m"\]\["k4"\] and 7 more'):
        set_at(doc, ["m"], "flat")


def test_library_set_value_names_the_file_and_honours_force(tmp_path: Path) -> None:
    from secretsfile.keysources.age import generate_identity

    _, recipient = generate_identity()
    key_text, own = generate_identity()
    key_file = tmp_path / "keys.txt"
    key_file.write_text(key_text)
    key_file.chmod(0o600)
    plain = tmp_path / "f.yaml"
    plain.write_text(f"a: {SECRET}\n")
    options = files.EncryptOptions(keys=KeyOptions(age=(own, recipient)))
    files.encrypt_file(plain, options, in_place=True)
    before = plain.read_bytes()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SECRETSFILE_AGE_KEY_FILE", str(key_file))
        with pytest.raises(ConflictError) as caught:
            files.set_value(plain, "a.b", "v")
        assert caught.value.path == str(plain) and SECRET not in str(caught.value)
        assert plain.read_bytes() == before
        files.set_value(plain, "a.b", "v", force=True)
        assert files.get_value(plain, "a.b") == "v"
