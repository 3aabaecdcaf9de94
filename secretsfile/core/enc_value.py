"""Is this text exactly one sops value ``ENC[AES256_GCM,data:…,iv:…,tag:…,type:…]``?

The one strict shape check, shared by the scanner (what is ciphertext on a line) and the
plaintext guard (is a leaf encrypted). Pure and cheap: one regex and two length sums, no
base64 decoding and no cryptography import. Accepted:

- ``data``: non-empty standard base64 (``+/``, ``=`` padding, length a multiple of 4);
  sops' reader regex needs at least one character;
- ``iv``: standard base64 of 8 to 128 bytes (sops writes 32; its reader takes the IV's
  length as GCM nonce size; ``core.cipher`` decrypts 8 to 128);
- ``tag``: standard base64 of exactly 16 bytes (24 characters ending in ``==``);
- ``type``: one that sops decrypts (``str int float bool bytes time comment``);
- nothing before ``ENC[`` or after the closing ``]`` (sops' regex is anchored at the start
  only: text after the ``]`` would be plaintext it ignores).

Unused low bits before the padding are not checked: Go's base64 decoder ignores them
too, and two bits hide nothing.

The names sops (and secretsfile) write in the metadata block live here too, for the
scanner, which must not import ``core.metadata`` (it loads the cipher):
``tests/core/test_enc_value.py`` keeps them equal to ``core.metadata``'s.
"""

from __future__ import annotations

from secretsfile.core.pattern import Pattern

__all__ = [
    "ENC_MARK",
    "ENC_TYPES",
    "ENTRY_FIELDS",
    "IV_BYTES",
    "KEY_LISTS",
    "METADATA_FIELDS",
    "NESTED_FIELDS",
    "enc_value_spans",
    "is_enc_value",
]

ENC_MARK = "ENC[AES256_GCM,"
ENC_TYPES = ("str", "int", "float", "bool", "bytes", "time", "comment")
IV_BYTES = (8, 128)
TAG_BYTES = 16

_B64 = r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?"
_VALUE = Pattern(
    r"ENC\[AES256_GCM,data:(?=[A-Za-z0-9+/])" + _B64 + r",iv:(" + _B64 + r"),tag:"
    r"[A-Za-z0-9+/]{22}==,type:(?:" + "|".join(ENC_TYPES) + r")\]"
)

#: The key lists of a key group (and of the flat single-group layout).
KEY_LISTS = frozenset({"kms", "gcp_kms", "hckms", "azure_kv", "hc_vault", "age", "fernet", "pgp"})
#: The fields of the ``sops`` block itself.
METADATA_FIELDS = KEY_LISTS | frozenset({
    "shamir_threshold", "key_groups", "lastmodified", "mac", "secretsfile_tag", "version",
    "unencrypted_suffix", "encrypted_suffix", "unencrypted_regex", "encrypted_regex",
    "unencrypted_comment_regex", "encrypted_comment_regex", "mac_only_encrypted",
})  # fmt: skip
#: The fields of one master key entry (any key source sops or secretsfile knows).
ENTRY_FIELDS = frozenset({
    "recipient", "enc", "fp", "created_at", "arn", "role", "context", "aws_profile",
    "resource_id", "key_id", "vault_url", "name", "version", "vault_address", "engine_path",
    "key_name",
})  # fmt: skip

#: What may sit below a field of the block: key lists (in ``key_groups``) and entry fields.
NESTED_FIELDS = ENTRY_FIELDS | KEY_LISTS


def _iv_ok(iv: str) -> bool:
    size = len(iv) // 4 * 3 - iv.count("=", -2)
    return IV_BYTES[0] <= size <= IV_BYTES[1]


def is_enc_value(text: str) -> bool:
    """True when ``text`` is exactly one well-formed sops encrypted value."""
    if not text.startswith(ENC_MARK):
        return False
    match = _VALUE.fullmatch(text)
    return match is not None and _iv_ok(match.group(1))


def enc_value_spans(line: str) -> list[tuple[int, int]]:
    """(start, end) of every well-formed encrypted value inside ``line``."""
    if ENC_MARK not in line:
        return []
    return [m.span() for m in _VALUE.finditer(line) if _iv_ok(m.group(1))]
