"""Where secretsfile refuses or reinterprets odd input, it does what sops does."""

from __future__ import annotations

from pathlib import Path

import pytest

import secretsfile
from secretsfile.errors import FormatError
from tests.interop.conftest import AgeKey, Sops

ALIASES = ("base: &b\n    user: admin\n    pw: PLANTED-pw\nprod:\n    <<: *b\n    host: x\n"
           "list: [*b, *b]\n")  # fmt: skip


def test_plaintext_aliases_expand_as_in_sops(sops: Sops, age_key: AgeKey, tmp_path: Path) -> None:
    plain = tmp_path / "al.yaml"
    plain.write_text(ALIASES)
    ours = tmp_path / "ours.yaml"
    ours.write_text(secretsfile.encrypt_file(plain, age=[age_key.recipient]))
    theirs = tmp_path / "theirs.yaml"
    theirs.write_text(sops.encrypt(plain, recipient=age_key.recipient))
    assert sops.decrypt(ours) == secretsfile.decrypt_file(theirs) == sops.decrypt(theirs)
    assert secretsfile.load_file(ours) == secretsfile.load_file(theirs)


@pytest.mark.parametrize("text", ["", "# only a comment\n"], ids=["empty", "comment"])
def test_yaml_without_a_document_is_refused_like_sops(
        sops: Sops, age_key: AgeKey, tmp_path: Path, text: str) -> None:  # fmt: skip
    plain = tmp_path / "x.yaml"
    plain.write_text(text)
    assert sops.run("encrypt", "--age", age_key.recipient, plain, check=False).returncode != 0
    with pytest.raises(FormatError):
        secretsfile.encrypt_file(plain, age=[age_key.recipient])


def test_non_utf8_yaml_is_refused_like_sops(sops: Sops, age_key: AgeKey, tmp_path: Path) -> None:
    plain = tmp_path / "x.yaml"
    plain.write_bytes(b"a: h\xffllo\n")
    assert sops.run("encrypt", "--age", age_key.recipient, plain, check=False).returncode != 0
    with pytest.raises(FormatError, match="UTF-8"):
        secretsfile.encrypt_file(plain, age=[age_key.recipient])


def test_non_utf8_json_reads_as_sops_reads_it(sops: Sops, age_key: AgeKey,
                                              tmp_path: Path) -> None:  # fmt: skip
    """Go makes bad bytes and unpaired surrogate escapes U+FFFD: same values, same MAC."""
    plain = tmp_path / "x.json"
    plain.write_bytes(b'{"a": "h\xffllo", "b": "\\ud800"}')
    theirs = tmp_path / "theirs.json"
    theirs.write_text(sops.encrypt(plain, recipient=age_key.recipient))
    ours = tmp_path / "ours.json"
    ours.write_text(secretsfile.encrypt_file(plain, age=[age_key.recipient]))
    expected = {"a": "h\ufffdllo", "b": "\ufffd"}
    assert secretsfile.load_file(theirs) == secretsfile.load_file(ours) == expected
    assert sops.decrypt(ours) == sops.decrypt(theirs)


def test_yaml_numbers_beyond_float64_stay_text_as_in_sops(sops: Sops, age_key: AgeKey,
                                                          tmp_path: Path) -> None:  # fmt: skip
    plain = tmp_path / "n.yaml"
    plain.write_text("big: " + "9" * 5_000 + "\nexp: 1e400\n")
    theirs = tmp_path / "theirs.yaml"
    theirs.write_text(sops.encrypt(plain, recipient=age_key.recipient))
    assert secretsfile.load_file(theirs) == {"big": "9" * 5_000, "exp": "1e400"}
    ours = tmp_path / "ours.yaml"
    ours.write_text(secretsfile.encrypt_file(plain, age=[age_key.recipient]))
    assert sops.decrypt(ours) == sops.decrypt(theirs)
