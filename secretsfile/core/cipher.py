"""The value cipher: ``ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]``.

AES-256-GCM with a 32-byte IV (sops' nonce size), the key path as additional data, and an
IV stash: a value re-encrypted with the same type, plaintext and path under the same data
key reuses its IV, so unchanged values keep byte-identical ciphertext and diffs stay small.
A value that was decrypted from a well-formed token and is encrypted again unchanged gets
that token back as it was, without running AES again (the same bytes AES would give).
"""

from __future__ import annotations

import binascii
import os
import sys
from collections.abc import Callable

try:  # the Rust class itself: the public module's package loads every cipher (~8 ms)
    from cryptography.hazmat.bindings._rust import openssl as _rust_openssl

    AESGCM = _rust_openssl.aead.AESGCM
except (ImportError, AttributeError):  # pragma: no cover - an older cryptography
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from secretsfile.core.pattern import Pattern
from secretsfile.core.values import Comment, Scalar, encode_text, from_bytes, to_bytes, type_tag
from secretsfile.errors import FormatError, IntegrityError

NONCE_SIZE = 32
TAG_SIZE = 16
DATA_KEY_SIZE = 32
# sops writes 32-byte IVs but decrypts with any length; AES-GCM here takes 8 to 128 bytes.
_MIN_IV, _MAX_IV = 8, 128
ENC_PREFIX = "ENC[AES256_GCM,"
# sops' own reader regex: greedy groups, anchored at the start only.
_ENC = Pattern(r"^ENC\[AES256_GCM,data:(.+),iv:(.+),tag:(.+),type:(.+)\]")

StashKey = tuple[str, bytes, str]
# The IV, and the token it came from when the token can be given back as it is.
Stashed = tuple[bytes, "str | None"]


def is_encrypted_value(value: object) -> bool:
    return isinstance(value, str) and value.startswith(ENC_PREFIX)


def encrypted_type(value: str) -> str | None:
    """The type tag of an ``ENC[...]`` string without decrypting it (None if malformed)."""
    match = _ENC.match(value)
    return match.group(4) if match else None


def _b64decode(text: str) -> bytes:
    import base64  # Python 3.10 only: binascii has no strict mode there

    return base64.b64decode(text.encode("ascii"), validate=True)


if sys.version_info >= (3, 11):

    def _b64decode_fast(text: str) -> bytes:
        return binascii.a2b_base64(text, strict_mode=True)

else:  # pragma: no cover - Python 3.10
    _b64decode_fast = _b64decode

_FAST_PREFIX = "ENC[AES256_GCM,data:"
_b64 = binascii.b2a_base64
_IV_BATCH = 256


# A well-formed value (base64 has no commas), in one match; anything unusual goes through
# sops' own regex instead.
_TOKEN = Pattern(r"ENC\[AES256_GCM,data:([^,]*),iv:([^,]*),tag:([^,]*),type:([^,]*)\]")


# The last character before one (two) "=" must carry no unused bits: strict base64
# decoding still accepts "QR==" for "QQ==", which encrypt() would not write.
_ZERO_LOW_2, _ZERO_LOW_4 = frozenset("AEIMQUYcgkosw048"), frozenset("AQgw")


def _canonical_b64(text: str) -> bool:
    if text.endswith("=="):
        return text[-3:-2] in _ZERO_LOW_4
    if text.endswith("="):
        return text[-2:-1] in _ZERO_LOW_2
    return True


def _canonical(text: str, data: str, iv: str, tag: str, type_name: str) -> bool:
    """Whether ``text`` is exactly what ``encrypt`` writes for these fields."""
    return (len(text) == len(_FAST_PREFIX) + len(data) + len(iv) + len(tag) + len(type_name) + 16
            and text.startswith(_FAST_PREFIX) and _canonical_b64(data)
            and _canonical_b64(iv) and _canonical_b64(tag))


class ValueCipher:
    """Encrypts and decrypts scalars under one data key, remembering IVs for reuse."""

    def __init__(self, data_key: bytes, random: Callable[[int], bytes] = os.urandom,
                 remember: bool = True) -> None:
        """``remember=False`` skips the IV stash: for read-only use, where nothing is
        re-encrypted."""
        if len(data_key) != DATA_KEY_SIZE:
            raise IntegrityError("the data key must be 32 bytes")
        self.data_key = data_key
        self._aead = AESGCM(data_key)
        self._random = random
        self._remember = remember
        self._stash: dict[StashKey, Stashed] = {}
        self._pool, self._pool_at = b"", 0

    def clone(self) -> ValueCipher:
        """The same key and a copy of the remembered IVs (a change to one stash does not
        reach the other)."""
        twin = ValueCipher(self.data_key, self._random, self._remember)
        twin._stash = dict(self._stash)
        return twin

    def adopt(self, other: ValueCipher) -> bool:
        """Take ``other``'s remembered IVs (own ones win) when both hold the same data key,
        so a value copied from ``other``'s file encrypts to that file's exact ciphertext
        (the merge driver: values taken from theirs keep theirs' bytes). Returns whether
        the keys matched; with different keys nothing is taken."""
        if other.data_key != self.data_key:
            return False
        for key, stashed in other._stash.items():
            self._stash.setdefault(key, stashed)
        return True

    def encrypt(self, value: Scalar | Comment, aad: str, plaintext: bytes | None = None) -> str:
        """Encrypt one scalar; an empty string or comment stays empty, as in sops.
        ``plaintext``: ``to_bytes(value)`` when the caller has it already."""
        tag = type_tag(value)
        if plaintext is None:
            plaintext = to_bytes(value)
        if not plaintext and tag in ("str", "comment"):
            return ""
        stash_key = (tag, plaintext, aad)
        stashed = self._stash.get(stash_key)
        if stashed is None:
            iv = self._fresh_iv()
            self._stash[stash_key] = (iv, None)
        elif stashed[1] is not None:
            return stashed[1]  # decrypted from this very token: AES would give it again
        else:
            iv = stashed[0]
        sealed = self._aead.encrypt(iv, plaintext, encode_text(aad))
        token = b"".join((b"ENC[AES256_GCM,data:", _b64(sealed[:-TAG_SIZE], newline=False),
                          b",iv:", _b64(iv, newline=False),
                          b",tag:", _b64(sealed[-TAG_SIZE:], newline=False), b",type:"))
        return f"{token.decode()}{tag}]"  # base64 is ASCII: one decode

    def _fresh_iv(self) -> bytes:
        """A random IV; from the OS in batches (one read per 256 values) unless the caller
        gave its own source."""
        if self._random is not os.urandom:
            return self._random(NONCE_SIZE)
        start = self._pool_at
        if start + NONCE_SIZE > len(self._pool):
            self._pool, start = os.urandom(NONCE_SIZE * _IV_BATCH), 0
        self._pool_at = start + NONCE_SIZE
        return self._pool[start : start + NONCE_SIZE]

    def decrypt(self, text: str, aad: str) -> Scalar | Comment:
        """Decrypt one ``ENC[...]`` string; the error names the path, never the value."""
        return self.decrypt_leaf(text, aad)[0]

    def decrypt_leaf(self, text: str, aad: str) -> tuple[Scalar | Comment, bytes]:
        """The value and its ``to_bytes`` (what the MAC hashes), computed once."""
        if text == "":
            return "", b""
        match = _TOKEN.fullmatch(text) or _ENC.match(text)
        if match is None:
            raise FormatError(
                f"malformed encrypted value at {_where(aad)!r}",
                hint="the ENC[...] string was truncated or edited by hand; restore it from git",
            )
        data_b64, iv_b64, tag_b64, tag = match.groups()
        try:
            data = _b64decode_fast(data_b64)
            iv, gcm_tag = _b64decode_fast(iv_b64), _b64decode_fast(tag_b64)
        except (binascii.Error, ValueError):
            raise FormatError(
                f"malformed base64 in the encrypted value at {_where(aad)!r}",
                hint="the ENC[...] string was edited by hand; restore it from git",
            ) from None
        if len(gcm_tag) != TAG_SIZE or not _MIN_IV <= len(iv) <= _MAX_IV:
            raise FormatError(
                f"malformed encrypted value at {_where(aad)!r}: its iv or tag has the wrong "
                "length",
                hint="restore it from git",
            )
        try:
            plaintext = self._aead.decrypt(iv, data + gcm_tag, encode_text(aad))
        except Exception as error:
            # imported on a failure only: cryptography.exceptions imports typing (~4 ms)
            from cryptography.exceptions import InvalidTag

            if not isinstance(error, InvalidTag):
                raise
            raise IntegrityError(
                f"the value at {_where(aad)!r} failed authentication",
                hint="it was edited, or moved from another key; restore the file from git",
            ) from None
        try:
            value = (plaintext.decode("utf-8", "surrogateescape") if tag == "str"
                     else from_bytes(tag, plaintext))
        except ValueError:
            raise FormatError(
                f"the value at {_where(aad)!r} does not parse as its type tag says",
                hint="the type: field was edited; restore the file from git",
            ) from None
        # A str reads back to its very bytes (surrogateescape both ways).
        again = plaintext if tag == "str" else to_bytes(value)
        if self._remember:
            value_tag = tag if tag == "str" else type_tag(value)
            # The token is what encrypt() would write only when the value converts back
            # to the same bytes and type tag ("+7" decrypts to 7, which encrypts as "7").
            reuse = (again == plaintext and value_tag == tag and len(iv) == NONCE_SIZE
                     and _canonical(text, data_b64, iv_b64, tag_b64, tag))
            self._stash[(value_tag, again, aad)] = (iv, text if reuse else None)
        return value, again


def _where(aad: str) -> str:
    return aad.rstrip(":") or "(top level)"
