"""The strict shape check of one sops value, against what the cipher and sops write."""

from __future__ import annotations

import base64
import random

import pytest

from secretsfile.core import enc_value
from secretsfile.core.cipher import ValueCipher
from secretsfile.core.enc_value import enc_value_spans, is_enc_value
from secretsfile.core.integrity import TAG_FIELD
from secretsfile.core.metadata import KEY_KINDS, MasterKey, Metadata
from secretsfile.core.tree import SELECTOR_FIELDS
from secretsfile.core.values import Comment

TOKEN = "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d"
IV = base64.b64encode(bytes(range(32))).decode()
TAG = base64.b64encode(bytes(range(16))).decode()


def value(data: str = "yw4sWFN6lg==", iv: str = IV, tag: str = TAG, kind: str = "str") -> str:
    return f"ENC[AES256_GCM,data:{data},iv:{iv},tag:{tag},type:{kind}]"


def test_accepts_everything_the_cipher_writes() -> None:
    cipher = ValueCipher(bytes(range(32)))
    rng = random.Random(7)
    samples: list[object] = ["x", "é" * 50, 7, -3, 1.5, True, False, Comment(" note")]
    samples += ["".join(rng.choice("ab+/=\n") for _ in range(n)) for n in range(1, 80)]
    for plain in samples:
        text = cipher.encrypt(plain, "a:b:")  # type: ignore[arg-type]
        assert is_enc_value(text), text
        assert enc_value_spans(f"k: {text} # c") == [(3, 3 + len(text))]


def test_accepts_the_types_and_iv_sizes_sops_decrypts() -> None:
    for kind in enc_value.ENC_TYPES:
        assert is_enc_value(value(kind=kind))
    for size in (8, 12, 31, 32, 33, 128):
        assert is_enc_value(value(iv=base64.b64encode(bytes(size)).decode())), size
    assert is_enc_value(value(data="QR=="))  # unused bits: Go's decoder ignores them too


@pytest.mark.parametrize(
    "text",
    [
        "ENC[AES256_GCM,",
        f"ENC[AES256_GCM,{TOKEN}]",
        value(data=TOKEN),  # '_' is not standard base64
        value(data=""),  # sops' regex needs a character
        value(data="abc"),  # not a multiple of 4
        value(data="ab=c"),
        value(data="abc=="),
        value(data="a-b_"),  # URL alphabet
        value(iv=base64.b64encode(bytes(7)).decode()),
        value(iv=base64.b64encode(bytes(129)).decode()),
        value(iv=""),
        value(tag=base64.b64encode(bytes(15)).decode()),
        value(tag=base64.b64encode(bytes(17)).decode()),
        value(tag=TAG.rstrip("=")),
        value(kind="uint64"),
        value(kind="str " + TOKEN),
        value() + TOKEN,  # sops' regex is anchored at the start only: we are not
        value() + "]",
        " " + value(),
        TOKEN + value(),
        value().replace("AES256_GCM", "AES128_GCM"),
        value().replace(",iv:", ", iv:"),
        value()[:-1],
        value().lower(),
        "",
    ],
)
def test_refuses_anything_else(text: str) -> None:
    assert not is_enc_value(text)


def test_spans_find_only_well_formed_values() -> None:
    good = value()
    line = f'a = "ENC[AES256_GCM,"; b = "{TOKEN}"; c = "{good}"; d = "{value(kind="x")}"'
    start = line.index(good)
    assert enc_value_spans(line) == [(start, start + len(good))]
    assert enc_value_spans(f"{good}{good}") == [(0, len(good)), (len(good), 2 * len(good))]
    assert enc_value_spans(TOKEN) == []


def test_metadata_field_names_match_core_metadata() -> None:
    assert frozenset(KEY_KINDS) == enc_value.KEY_LISTS
    assert set(SELECTOR_FIELDS) | {TAG_FIELD} <= enc_value.METADATA_FIELDS
    many = Metadata([[MasterKey("age", {"recipient": "r", "enc": "e"})], []], 2, "t", "m",
                    tag="x")  # fmt: skip
    one = Metadata([[MasterKey("pgp", {"fp": "f", "enc": "e", "created_at": "c"})]])
    for metadata in (many, one):
        assert set(metadata.to_dict()) <= enc_value.METADATA_FIELDS
    assert "mac_only_encrypted" in enc_value.METADATA_FIELDS


def test_the_check_is_pure() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import secretsfile.core.enc_value as e; "
        "print(sorted(m for m in sys.modules if m.startswith(('cryptography', 'secretsfile'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    assert "cryptography" not in out and "secretsfile.core.cipher" not in out
