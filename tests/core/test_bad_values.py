"""Tampered or odd ENC[...] values are FormatErrors that name the key path, never the value;
text that is not valid UTF-8 still encrypts."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from secretsfile.core.cipher import ValueCipher
from secretsfile.core.values import from_bytes, to_bytes
from secretsfile.errors import FormatError

KEY = bytes(range(32))


def sealed(plaintext: bytes, kind: str, iv: bytes = bytes(32), aad: bytes = b"k:") -> str:
    """An ENC[...] value written by hand, any IV length, any type tag."""
    box = AESGCM(KEY).encrypt(iv, plaintext, aad) if 8 <= len(iv) <= 128 else bytes(20)
    b64 = base64.b64encode
    return (f"ENC[AES256_GCM,data:{b64(box[:-16]).decode()},iv:{b64(iv).decode()},"
            f"tag:{b64(box[-16:]).decode()},type:{kind}]")  # fmt: skip


@pytest.mark.parametrize("size", [1, 4, 7, 129, 4096])
def test_an_iv_the_cipher_cannot_take_is_a_format_error(size: int) -> None:
    """AES-GCM takes 8 to 128-byte nonces; others raised ValueError from AESGCM."""
    with pytest.raises(FormatError, match="iv or tag") as info:
        ValueCipher(KEY).decrypt(sealed(b"PLANTED", "str", iv=b"\1" * size), "k:")
    assert "'k'" in str(info.value)


def test_an_empty_iv_is_a_format_error() -> None:
    text = sealed(b"x", "str").replace(f"iv:{base64.b64encode(bytes(32)).decode()}", "iv:")
    with pytest.raises(FormatError):
        ValueCipher(KEY).decrypt(text, "k:")


@pytest.mark.parametrize("digits", ["9" * 5_000, "9223372036854775808", "-9223372036854775809"],
                         ids=["5000-digits", "int64-max+1", "int64-min-1"])  # fmt: skip
def test_an_int_beyond_int64_is_a_format_error_without_its_digits(digits: str) -> None:
    """sops' Atoi refuses them; int() raised ValueError past 4,300 digits."""
    with pytest.raises(FormatError, match="type tag") as info:
        ValueCipher(KEY).decrypt(sealed(digits.encode(), "int"), "k:")
    assert digits[:19] not in str(info.value)


def test_int64_bounds_still_decrypt() -> None:
    for number in (2**63 - 1, -(2**63)):
        assert ValueCipher(KEY).decrypt(sealed(str(number).encode(), "int"), "k:") == number


@pytest.mark.parametrize("text", ["1e400", "-" + "9" * 400], ids=["exponent", "digits"])
def test_a_float_overflowing_float64_is_a_format_error(text: str) -> None:
    with pytest.raises(FormatError):
        ValueCipher(KEY).decrypt(sealed(text.encode(), "float"), "k:")


def test_infinity_written_by_go_still_reads() -> None:
    assert from_bytes("float", b"+Inf") == float("inf")


def test_an_unknown_type_tag_is_not_echoed() -> None:
    with pytest.raises(FormatError) as info:
        ValueCipher(KEY).decrypt(sealed(b"x", "PLANTED-TAG"), "k:")
    assert "PLANTED" not in str(info.value)


def test_text_with_lone_surrogates_encrypts() -> None:
    """A JSON "\\ud800" escape gave a string UTF-8 cannot encode: UnicodeEncodeError.
    Undecodable file bytes (kept as \\udcXX) come back as the same bytes; other lone
    surrogates become U+FFFD, as Go's JSON reader makes them."""
    assert to_bytes("a\udcffb") == b"a\xffb"
    assert to_bytes("a\ud800b") == "a\ufffdb".encode()
    cipher = ValueCipher(KEY)
    text = cipher.encrypt("a\ud800b", "k\ud800ey:")
    assert cipher.decrypt(text, "k\ud800ey:") == "a\ufffdb"
