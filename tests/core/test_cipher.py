"""ENC[AES256_GCM,...]: 32-byte IVs, detached tag, type tag, AAD, IV stash."""

from __future__ import annotations

import base64
import re

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from secretsfile.core.cipher import ValueCipher, encrypted_type, is_encrypted_value
from secretsfile.errors import FormatError, IntegrityError

KEY = bytes(range(32))
_ENC = re.compile(r"^ENC\[AES256_GCM,data:([^,]*),iv:([^,]+),tag:([^,]+),type:(\w+)\]$")


def fields(text: str) -> tuple[bytes, bytes, bytes, str]:
    match = _ENC.match(text)
    assert match is not None
    data, iv, tag, kind = match.groups()
    return base64.b64decode(data), base64.b64decode(iv), base64.b64decode(tag), kind


def test_layout_32_byte_iv_16_byte_tag_std_base64() -> None:
    text = ValueCipher(KEY).encrypt("secret", "a:b:")
    data, iv, tag, kind = fields(text)
    assert (len(iv), len(tag), kind) == (32, 16, "str")
    assert len(text.split("iv:")[1].split(",")[0]) == 44
    # it is plain AES-GCM over data||tag with the path as AAD
    assert AESGCM(KEY).decrypt(iv, data + tag, b"a:b:") == b"secret"


@pytest.mark.parametrize(
    ("value", "kind", "plain"),
    [(True, "bool", b"True"), (False, "bool", b"False"), (8080, "int", b"8080"),
     (1e21, "float", b"1000000000000000000000"), (-0.0, "float", b"-0")],
)  # fmt: skip
def test_typed_plaintext_bytes(value: object, kind: str, plain: bytes) -> None:
    text = ValueCipher(KEY).encrypt(value, "k:")  # type: ignore[arg-type]
    data, iv, tag, tag_kind = fields(text)
    assert tag_kind == kind
    assert AESGCM(KEY).decrypt(iv, data + tag, b"k:") == plain
    assert ValueCipher(KEY).decrypt(text, "k:") == value


def test_empty_string_is_not_encrypted() -> None:
    cipher = ValueCipher(KEY)
    assert cipher.encrypt("", "k:") == ""
    assert cipher.decrypt("", "k:") == ""


def test_iv_stash_reuses_iv_for_same_value_and_path_only() -> None:
    first = ValueCipher(KEY).encrypt("v", "k:")
    reader = ValueCipher(KEY)
    assert reader.decrypt(first, "k:") == "v"
    assert reader.encrypt("v", "k:") == first  # unchanged value: byte-identical
    assert reader.encrypt("w", "k:") != first
    assert fields(reader.encrypt("v", "other:"))[1] != fields(first)[1]
    assert fields(reader.encrypt(1, "k:"))[1] != fields(first)[1]  # type is part of the key


def test_unchanged_value_gets_its_token_back_without_aes() -> None:
    token = ValueCipher(KEY).encrypt("v", "k:")
    reader = ValueCipher(KEY)
    assert reader.decrypt(token, "k:") == "v"

    class NoAes:
        def encrypt(self, *args: object) -> bytes:
            raise AssertionError("AES ran for an unchanged value")

    reader._aead = NoAes()  # type: ignore[assignment]
    assert reader.encrypt("v", "k:") is token


def test_non_canonical_token_is_written_canonically() -> None:
    token = ValueCipher(KEY).encrypt("v", "k:")  # one byte: data "xx==" with 4 unused bits
    data = fields(token)[0]
    canonical = base64.b64encode(data).decode()
    sibling = canonical[0] + chr(ord(canonical[1]) + 1) + "=="  # same byte, unused bits set
    odd = token.replace(f"data:{canonical},", f"data:{sibling},")
    reader = ValueCipher(KEY)
    assert reader.decrypt(odd, "k:") == "v"
    assert reader.encrypt("v", "k:") == token  # re-encrypted with the same IV


def test_value_with_other_bytes_is_encrypted_again() -> None:
    writer = ValueCipher(KEY)
    token = writer.encrypt("+7", "k:").replace("type:str", "type:int")
    # a hand-made token (the type field is not authenticated): "+7" typed int reads as
    # 7, which encrypts as "7", so its token must not be handed back for 7
    reader = ValueCipher(KEY)
    assert reader.decrypt(token, "k:") == 7
    again = reader.encrypt(7, "k:")
    assert again != token and ValueCipher(KEY).decrypt(again, "k:") == 7


def test_batched_ivs_are_all_different_across_refills() -> None:
    cipher = ValueCipher(KEY)
    ivs = {fields(cipher.encrypt(f"v{i}", "k:"))[1] for i in range(600)}  # > 2 batches
    assert len(ivs) == 600 and all(len(iv) == 32 for iv in ivs)


def test_fresh_cipher_uses_fresh_ivs() -> None:
    assert ValueCipher(KEY).encrypt("v", "k:") != ValueCipher(KEY).encrypt("v", "k:")


def test_wrong_aad_is_integrity_error_without_plaintext() -> None:
    text = ValueCipher(KEY).encrypt("topsecret", "a:")
    with pytest.raises(IntegrityError) as info:
        ValueCipher(KEY).decrypt(text, "b:")
    assert "topsecret" not in str(info.value) and "'b'" in str(info.value)


def test_any_iv_length_is_accepted_on_decrypt() -> None:
    iv = bytes(12)
    sealed = AESGCM(KEY).encrypt(iv, b"42", b"k:")
    text = (f"ENC[AES256_GCM,data:{base64.b64encode(sealed[:-16]).decode()},"
            f"iv:{base64.b64encode(iv).decode()},tag:{base64.b64encode(sealed[-16:]).decode()},"
            "type:int]")  # fmt: skip
    assert ValueCipher(KEY).decrypt(text, "k:") == 42


@pytest.mark.parametrize(
    "bad",
    ["ENC[AES256_GCM,data:abc", "ENC[AES256_GCM,data:@@,iv:AA==,tag:AA==,type:str]",
     "ENC[AES256_GCM,data:AA==,iv:AA==,tag:AA==,type:str]", "plain"],
)  # fmt: skip
def test_malformed_is_format_error(bad: str) -> None:
    with pytest.raises(FormatError):
        ValueCipher(KEY).decrypt(bad, "k:")


def test_type_mismatch_is_format_error_without_plaintext() -> None:
    """The type tag is outside the GCM tag (as in sops); a wrong one fails to parse."""
    text = ValueCipher(KEY).encrypt("notanint", "k:").replace("type:str", "type:int")
    with pytest.raises(FormatError) as info:
        ValueCipher(KEY).decrypt(text, "k:")
    assert "notanint" not in str(info.value)


def test_helpers() -> None:
    text = ValueCipher(KEY).encrypt(1.5, "k:")
    assert is_encrypted_value(text) and not is_encrypted_value("x")
    assert encrypted_type(text) == "float" and encrypted_type("ENC[x]") is None


def test_data_key_must_be_32_bytes() -> None:
    with pytest.raises(IntegrityError):
        ValueCipher(bytes(16))
