"""ops/merging: which metadata and cipher a merge keeps, ciphertext reuse, conflicts."""

from __future__ import annotations

import re
from pathlib import Path

import pyrage
import pytest

from secretsfile.core.values import Branch
from secretsfile.errors import ConflictError, FormatError, KeyUnavailableError
from secretsfile.keysources.interface import Recipient
from secretsfile.ops import files, rekey
from secretsfile.ops.document import read_plaintext
from secretsfile.ops.merging import (
    METADATA_CONFLICT,
    Versions,
    marked_text,
    merge_versions,
    resolve_file,
)
from secretsfile.stores import get_store

BASE = "a: base-PLANTED-a\nb: base-PLANTED-b\n"
ENC = re.compile(r"ENC\[AES256_GCM,data:[^\]]*\]")


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    identities = [pyrage.x25519.Identity.generate() for _ in range(2)]
    key_file = tmp_path / "keys.txt"
    key_file.write_text("".join(f"{i}\n" for i in identities))
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_FILE", str(key_file))
    return [str(i.to_public()) for i in identities]


@pytest.fixture
def base(tmp_path: Path, keys: list[str]) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(files.encrypt_text(BASE, "s.yaml", files.EncryptOptions(
        key_groups=((Recipient("age", keys[0]),),))))
    return path


def variant(base: Path, name: str, key: str, value: str) -> Path:
    path = base.with_name(f"{name}.yaml")
    path.write_text(base.read_text())
    files.set_value(path, key, value)
    return path


def versions(base: Path, ours: Path, theirs: Path) -> Versions:
    return Versions(base.read_text(), ours.read_text(), theirs.read_text(), "s.yaml")


def values(text: str) -> list[str]:
    return ENC.findall(text.split("\nsops:")[0])


def test_values_from_theirs_keep_theirs_ciphertext(base: Path) -> None:
    ours = variant(base, "ours", "a", "ours-a")
    theirs = variant(base, "theirs", "b", "theirs-b")
    outcome = merge_versions(versions(base, ours, theirs))
    assert not outcome.conflicts
    assert values(outcome.text) == [values(ours.read_text())[0], values(theirs.read_text())[1]]
    merged = base.with_name("merged.yaml")
    merged.write_text(outcome.text)
    assert files.load_file(merged) == {"a": "ours-a", "b": "theirs-b"}
    assert "secretsfile_tag: v1:" in outcome.text


def test_theirs_rotation_is_kept(base: Path) -> None:
    ours = variant(base, "ours", "a", "ours-a")
    theirs = variant(base, "theirs", "b", "theirs-b")
    rekey.rotate(theirs)
    outcome = merge_versions(versions(base, ours, theirs))
    assert not outcome.conflicts
    merged = base.with_name("merged.yaml")
    merged.write_text(outcome.text)
    assert files.load_file(merged) == {"a": "ours-a", "b": "theirs-b"}
    theirs_key = files.open_file(theirs).cipher.data_key
    assert files.open_file(merged).cipher.data_key == theirs_key
    assert values(outcome.text)[1] == values(theirs.read_text())[1]


def test_recipients_changed_on_both_sides_conflict(base: Path, keys: list[str]) -> None:
    ours = variant(base, "ours", "a", "ours-a")
    theirs = variant(base, "theirs", "b", "theirs-b")
    rekey.updatekeys(ours, rekey.KeyChange(add=(Recipient("age", keys[1]),)))
    rekey.rotate(theirs)
    rekey.updatekeys(theirs, rekey.KeyChange(add=(Recipient("age", keys[1]),),
                                             remove=(Recipient("age", keys[0]),)))
    outcome = merge_versions(versions(base, ours, theirs))
    assert outcome.conflicts == [METADATA_CONFLICT]
    assert outcome.text == ours.read_text()
    target = base.with_name("resolved.yaml")
    resolve_file(target, versions(base, ours, theirs), "theirs")
    assert files.load_file(target) == {"a": "ours-a", "b": "theirs-b"}
    assert "age1" in target.read_text() and keys[0] not in target.read_text()


def test_added_on_both_sides_without_base(base: Path) -> None:
    ours = variant(base, "ours", "c", "ours-c")
    theirs = variant(base, "theirs", "d", "theirs-d")
    outcome = merge_versions(Versions("", ours.read_text(), theirs.read_text(), "s.yaml"))
    assert not outcome.conflicts  # a and b were added identically on both sides


def test_no_key_raises_for_the_fallback(base: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ours = variant(base, "ours", "a", "ours-a")
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_FILE", str(base.with_name("none.txt")))
    with pytest.raises(KeyUnavailableError) as caught:
        merge_versions(versions(base, ours, base))
    assert "PLANTED" not in str(caught.value)


def test_resolve_without_choice_refuses_conflicts(base: Path) -> None:
    ours = variant(base, "ours", "a", "ours-a")
    theirs = variant(base, "theirs", "a", "theirs-a")
    target = base.with_name("resolved.yaml")
    with pytest.raises(ConflictError, match=r'\["a"\]'):
        resolve_file(target, versions(base, ours, theirs), None)
    assert not target.exists()


def test_resolve_edit_marks_conflicts_and_refuses_leftover_markers(base: Path) -> None:
    ours = variant(base, "ours", "a", "ours-a")
    theirs = variant(base, "theirs", "a", "theirs-a")
    shown: list[str] = []

    def edit(text, parse):  # type: ignore[no-untyped-def]
        shown.append(text)
        with pytest.raises(FormatError, match="conflict markers"):
            parse(text)
        return parse(text.replace("<<<<<<< ours\na: ours-a\n=======\n", "")
                     .replace(">>>>>>> theirs\n", ""))

    target = base.with_name("resolved.yaml")
    assert resolve_file(target, versions(base, ours, theirs), "edit", edit) == ['["a"]']
    assert shown == ["<<<<<<< ours\na: ours-a\n=======\na: theirs-a\n>>>>>>> theirs\n"
                     "b: base-PLANTED-b\n"]
    assert files.load_file(target) == {"a": "theirs-a", "b": "base-PLANTED-b"}


def test_marked_text_without_differences_has_no_markers() -> None:
    docs = [{"a": "1"}]
    assert marked_text(docs, docs, "yaml", None) == "a: \"1\"\n"


def test_a_recipient_added_on_the_other_branch_needs_a_person(base: Path) -> None:
    """Anyone can write a branch that re-wraps the file for their own public key (no key
    needed: the data key is wrapped anew by `encrypt`); following it silently would hand
    them what this branch adds. It is a conflict naming the recipient."""
    attacker = str(pyrage.x25519.Identity.generate().to_public())
    ours = variant(base, "ours", "a", "ours-PLANTED-new")
    theirs = variant(base, "theirs", "b", "theirs-b")
    rekey.updatekeys(theirs, rekey.KeyChange(add=(Recipient("age", attacker),)))
    outcome = merge_versions(versions(base, ours, theirs))
    assert len(outcome.conflicts) == 1 and attacker in outcome.conflicts[0]
    assert outcome.text == ours.read_text()  # still only ours' recipients
    assert attacker not in outcome.text


@pytest.mark.parametrize("fmt", ["dotenv", "yaml", "json", "ini"])
@pytest.mark.parametrize("brk", ["\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85",
                                 "\u2028", "\u2029"])
def test_markers_split_at_newlines_only(fmt: str, brk: str) -> None:
    """A value holding a character str.splitlines breaks at stays one line: keeping ours
    reads as ours written without markers (a dotenv `K=ours<NEL>X=injected` once became
    two keys)."""
    def docs(value: str) -> list[Branch]:
        pairs: Branch = {"K": value, "B": "same"}
        section: Branch = {"s": pairs}
        return [section if fmt == "ini" else pairs]

    ours = docs(f"ours{brk}X=injected")
    marked = marked_text(ours, docs("theirs"), fmt, None)
    kept = re.sub(r"=======\n(.*\n)*?>>>>>>> theirs\n", "", marked).replace(
        "<<<<<<< ours\n", "")
    unmarked = get_store(fmt).write(ours, None, None)
    assert read_plaintext(kept, fmt, "s") == read_plaintext(unmarked, fmt, "s")
    if fmt == "dotenv":
        assert read_plaintext(kept, fmt, "s") == ours
