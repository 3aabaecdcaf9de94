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

import binascii

from secretsfile.core.digests import compare_digest, hmac_sha256
from secretsfile.core.tree import DEFAULT_UNENCRYPTED_SUFFIX, Selector
from secretsfile.core.values import Branch, Comment, GoTime, Value, to_bytes

TAG_FIELD = "secretsfile_tag"
_VERSION = "v1"
_KEY_LABEL = b"secretsfile structure tag v1"


def structure_tag(data_key: bytes, docs: list[Branch], selector: Selector) -> str:
    """The tag of plaintext ``docs`` under ``data_key``: ``v1:<base64 HMAC-SHA256>``."""
    # A key of its own, derived with the data key as PRF key, so the HMAC never shares a
    # key with AES-GCM.
    tag_key = hmac_sha256(data_key, _KEY_LABEL)
    if selector.field is None:  # none written (binary files): read back as sops' default
        selector = Selector("unencrypted_suffix", DEFAULT_UNENCRYPTED_SUFFIX,
                            selector.mac_only_encrypted)
    parts: list[str] = [_text(selector.field or ""), _text(selector.pattern),
                        "1" if selector.mac_only_encrypted else "0", f"D{len(docs)};"]
    for doc in docs:
        _encode(doc, parts)
    # Built as text with lengths in code points, encoded once: injective, and about five
    # times faster than encoding every value on its own. surrogatepass: any code point.
    message = "".join(parts).encode("utf-8", "surrogatepass")
    digest = hmac_sha256(tag_key, message)
    return f"{_VERSION}:{binascii.b2a_base64(digest, newline=False).decode()}"  # no base64 module


def tag_matches(stored: str, computed: str) -> bool:
    return compare_digest(stored.encode("utf-8", "surrogateescape"), computed.encode())


def _text(data: str) -> str:
    return f"{len(data)}:{data}"


def _encode(value: Value, parts: list[str]) -> None:
    """Append the canonical encoding of ``value``; comments contribute nothing."""
    if isinstance(value, dict):
        items = [(k, v) for k, v in value.items() if type(k) is str]
        parts.append(f"{{{len(items)};")
        for key, child in items:
            leaf = _scalar(child)
            if leaf is None:
                parts.append(f"{len(key)}:{key}")
                _encode(child, parts)
            else:
                parts.append(f"{len(key)}:{key}{leaf}")
    elif isinstance(value, list):
        elements = [v for v in value if not isinstance(v, Comment)]
        parts.append(f"[{len(elements)};")
        for child in elements:
            leaf = _scalar(child)
            if leaf is None:
                _encode(child, parts)
            else:
                parts.append(leaf)
    else:
        leaf = _scalar(value)
        assert leaf is not None
        parts.append(leaf)


_BOOLS = {True: "b4:True", False: "b5:False"}


def _scalar(value: Value) -> str | None:
    """A scalar's type class and text, length-prefixed; None for maps and lists. Exact
    type checks first: this runs once per value."""
    kind = type(value)
    if kind is str:
        assert isinstance(value, str)
        return f"s{len(value)}:{value}"
    if kind is int:
        text = str(value)
        return f"n{len(text)}:{text}"
    if value is None:
        return "~"
    if kind is bool:
        assert isinstance(value, bool)
        return _BOOLS[value]
    if isinstance(value, (dict, list)):
        return None
    if isinstance(value, (float, GoTime)):
        text = to_bytes(value).decode()
        return f"{'n' if kind is float else 't'}{len(text)}:{text}"
    assert isinstance(value, str)  # a str subclass
    return f"s{len(value)}:{value}"
