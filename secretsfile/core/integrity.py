"""The structure tag: authenticates what sops' MAC leaves out.

sops' MAC is SHA-512 over the plaintext bytes of the values, concatenated without
separators. It does not see key names, nulls, empty strings, empty maps or lists, type tags
(``"1234"`` and ``1234`` hash alike), where one value ends and the next begins, how many
documents there are, or, with ``mac_only_encrypted``, any value left in clear. Anyone who
can push to the repository can change all of those without a key.

The structure tag closes that gap: an HMAC-SHA256, keyed from the data key, over a
canonical, length-prefixed encoding of the whole plaintext tree (documents, keys in order,
a type class and the bytes of every value, nulls and empties included) and the selector.
It lives in the metadata under ``secretsfile_tag``, a field sops ignores (and drops when it
rewrites the file), so sops still reads and edits our files.

Comments are left out: they are not data, and an unencrypted comment can move between
lines when YAML is re-emitted. Integers and floats share one type class because go-yaml
writes the float ``3.0`` as ``3``, which reads back as an integer with the same MAC bytes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from secretsfile.core.tree import Selector
from secretsfile.core.values import Branch, Comment, GoTime, Value, to_bytes

TAG_FIELD = "secretsfile_tag"
_VERSION = "v1"
_KEY_LABEL = b"secretsfile structure tag v1"


def structure_tag(data_key: bytes, docs: list[Branch], selector: Selector) -> str:
    """The tag of plaintext ``docs`` under ``data_key``: ``v1:<base64 HMAC-SHA256>``."""
    # A key of its own, derived with the data key as PRF key, so the HMAC never shares a
    # key with AES-GCM.
    tag_key = hmac.new(data_key, _KEY_LABEL, hashlib.sha256).digest()
    parts: list[bytes] = [_field(selector.field or ""), _field(selector.pattern),
                          b"1" if selector.mac_only_encrypted else b"0",
                          b"D%d;" % len(docs)]
    for doc in docs:
        _encode(doc, parts)
    digest = hmac.new(tag_key, b"".join(parts), hashlib.sha256).digest()
    return f"{_VERSION}:{base64.b64encode(digest).decode()}"


def tag_matches(stored: str, computed: str) -> bool:
    return hmac.compare_digest(stored.encode("utf-8", "surrogateescape"), computed.encode())


def _field(data: str | bytes) -> bytes:
    raw = data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data
    return b"%d:" % len(raw) + raw


def _encode(value: Value, parts: list[bytes]) -> None:
    """Append the canonical encoding of ``value``; comments contribute nothing."""
    if isinstance(value, dict):
        items = [(k, v) for k, v in value.items() if not isinstance(k, Comment)]
        parts.append(b"{%d;" % len(items))
        for key, child in items:
            parts.append(_field(str(key)))
            _encode(child, parts)
    elif isinstance(value, list):
        elements = [v for v in value if not isinstance(v, Comment)]
        parts.append(b"[%d;" % len(elements))
        for child in elements:
            _encode(child, parts)
    elif value is None:
        parts.append(b"~")
    else:
        assert not isinstance(value, Comment)
        parts.append(_type_class(value) + _field(to_bytes(value)))


def _type_class(value: str | int | float | bool | GoTime) -> bytes:
    if isinstance(value, str):
        return b"s"
    if isinstance(value, bool):  # before int: bool is an int subclass
        return b"b"
    if isinstance(value, (int, float)):
        return b"n"
    return b"t"
