"""Walking the typed tree: which leaves are encrypted, their key-path AAD, and the MAC.

This mirrors sops' ``walkBranch``/``walkSlice``/``shouldBeEncrypted``: depth-first in
document order, list indices are not part of the path, comments use the path of the
enclosing map or list, and the MAC is SHA-512 over the plaintext bytes of every non-nil,
non-comment leaf (only encrypted ones with ``mac_only_encrypted``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from secretsfile.core.cipher import ValueCipher, encrypted_type
from secretsfile.core.digests import sha256, sha512
from secretsfile.core.record import Record
from secretsfile.core.values import (
    MAX_DEPTH,
    Branch,
    Comment,
    GoTime,
    Scalar,
    Value,
    to_bytes,
)
from secretsfile.errors import ConfigError, FormatError, IntegrityError

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from typing import Any, TypeAlias

DEFAULT_UNENCRYPTED_SUFFIX = "_unencrypted"
SELECTOR_FIELDS = (
    "unencrypted_suffix",
    "encrypted_suffix",
    "unencrypted_regex",
    "encrypted_regex",
    "unencrypted_comment_regex",
    "encrypted_comment_regex",
)
MAC_ONLY_ENCRYPTED_INIT = sha256(b"sops").digest()


class Selector(Record, frozen=True):
    """Which leaves to encrypt: at most one of sops' six selectors, plus the MAC scope."""

    field: str | None = None
    pattern: str = ""
    mac_only_encrypted: bool = False

    @classmethod
    def from_fields(cls, fields: dict[str, Any], *, default_suffix: bool) -> Selector:
        chosen = [(name, fields[name]) for name in SELECTOR_FIELDS if fields.get(name)]
        if len(chosen) > 1:
            names = ", ".join(name for name, _ in chosen)
            raise ConfigError(f"only one encryption selector is allowed, got {names}")
        mac_only = bool(fields.get("mac_only_encrypted"))
        if not chosen:
            if default_suffix:
                return cls("unencrypted_suffix", DEFAULT_UNENCRYPTED_SUFFIX, mac_only)
            return cls(None, "", mac_only)
        name, pattern = chosen[0]
        if not isinstance(pattern, str):
            raise ConfigError(f"{name} must be a string")
        if name.endswith("regex"):
            try:
                re.compile(pattern)
            except re.error as error:
                raise ConfigError(f"{name} {pattern!r} is not a valid regex: {error}") from None
        return cls(name, pattern, mac_only)

    def to_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        if self.field:
            fields[self.field] = self.pattern
        return fields

    def should_encrypt(self, path: list[str], comments: list[list[str]], is_comment: bool) -> bool:
        field, pattern = self.field, self.pattern
        if field is None:
            return True
        if field == "unencrypted_suffix":  # the default: keep it cheap, it runs per leaf
            for part in path:  # noqa: SIM110 - a generator costs ~1 us per leaf
                if part.endswith(pattern):
                    return False
            return True
        if field == "encrypted_suffix":
            return any(part.endswith(pattern) for part in path)
        if field == "unencrypted_regex":
            return not any(re.search(pattern, part) for part in path)
        if field == "encrypted_regex":
            return any(re.search(pattern, part) for part in path)
        if field == "unencrypted_comment_regex":
            return not any(re.search(pattern, c) for level in comments for c in level)
        # encrypted_comment_regex: the matching comment line itself stays in clear.
        last_level = len(comments) - 1
        for i, level in enumerate(comments):
            for j, text in enumerate(level):
                if is_comment and i == last_level and j == len(level) - 1:
                    continue
                if re.search(pattern, text):
                    return True
        return False


Leaf: TypeAlias = "Scalar | Comment"  # a string, as core.values' aliases
# visit(leaf, path, comment_stack, in_list) -> replacement leaf
Visitor = Callable[[Leaf, list[str], list[list[str]], bool], Leaf]


def _walk_value(value: Value, path: list[str], stack: list[list[str]], visit: Visitor,
                in_list: bool, depth: int) -> Value:  # fmt: skip
    if depth > MAX_DEPTH:
        raise FormatError("the document is nested too deeply (a recursive alias?)")
    if isinstance(value, dict):
        return _walk_branch(value, path, stack, visit, depth + 1)
    if isinstance(value, list):
        return _walk_list(value, path, stack, visit, depth + 1)
    if value is None:
        return None
    return visit(value, path, stack, in_list)


def _walk_list(items: list[Value], path: list[str], stack: list[list[str]], visit: Visitor,
               depth: int) -> list[Value]:  # fmt: skip
    stack = [*stack, []]
    out: list[Value] = []
    for item in items:
        is_comment = isinstance(item, Comment)
        if is_comment:
            assert isinstance(item, Comment)
            stack[-1].append(item.text)
        out.append(_walk_value(item, path, stack, visit, True, depth))
        if not is_comment:
            stack[-1] = []
    return out


def _walk_branch(branch: Branch, path: list[str], stack: list[list[str]], visit: Visitor,
                 depth: int) -> Branch:  # fmt: skip
    stack = [*stack, []]
    out: Branch = {}
    for key, value in branch.items():
        if isinstance(key, Comment):
            stack[-1].append(key.text)
            new_key = visit(key, path, stack, False)
            out[new_key if isinstance(new_key, Comment) else Comment(str(new_key))] = None
            continue
        if not isinstance(key, str):
            raise FormatError(f"non-string key {key!r}", hint="quote the key")
        if type(value) is str and depth <= MAX_DEPTH:  # a leaf: what _walk_value would do
            out[key] = visit(value, [*path, key], stack, False)
        else:
            out[key] = _walk_value(value, [*path, key], stack, visit, False, depth)
        stack[-1] = []
    return out


class MacAccumulator:
    """The running SHA-512 over plaintext leaves."""

    def __init__(self, mac_only_encrypted: bool) -> None:
        self._hash = sha512()
        if mac_only_encrypted:
            self._hash.update(MAC_ONLY_ENCRYPTED_INIT)
        self.update = self._hash.update  # hash ``to_bytes`` of a leaf the caller converted

    def add(self, leaf: Leaf) -> None:
        if not isinstance(leaf, Comment):
            self._hash.update(to_bytes(leaf))

    def hexdigest(self) -> str:
        return self._hash.hexdigest().upper()


def _aad(path: list[str]) -> str:
    return ":".join(path) + ":"


def encrypt_documents(docs: list[Branch], cipher: ValueCipher, selector: Selector
                      ) -> tuple[list[Branch], str]:  # fmt: skip
    """Encrypt every selected leaf; returns the encrypted documents and the MAC hex."""
    mac = MacAccumulator(selector.mac_only_encrypted)
    update, mac_only = mac.update, selector.mac_only_encrypted
    should_encrypt, encrypt_value = selector.should_encrypt, cipher.encrypt

    def visit(leaf: Leaf, path: list[str], stack: list[list[str]], in_list: bool) -> Leaf:
        if type(leaf) is not str:  # a str is always storable
            _check_storable(leaf, path)
        is_comment = isinstance(leaf, Comment)
        encrypt = should_encrypt(path, stack, is_comment)
        plaintext = None if is_comment else to_bytes(leaf)  # once, for the MAC and AES
        if plaintext is not None and (encrypt or not mac_only):
            update(plaintext)
        if not encrypt:
            return leaf
        encrypted = encrypt_value(leaf, ":".join(path) + ":", plaintext)
        if is_comment and not in_list:
            return Comment(encrypted)
        # sops 3.11 keeps an encrypted list comment as a list element string.
        return encrypted

    out = [_walk_branch(doc, [], [], visit, 0) for doc in docs]
    return out, mac.hexdigest()


_INT64 = range(-(2**63), 2**63)


def _check_storable(leaf: object, path: list[str]) -> None:
    """Refuse, before anything is written, a value sops (and so we) could not read back:
    an integer past int64 would be written as ``type:int`` that Go's Atoi refuses, making
    the whole file unreadable; other Python objects have no sops type at all."""
    if isinstance(leaf, str):
        return
    where = ":".join(path) or "(top level)"
    if isinstance(leaf, int) and not isinstance(leaf, bool) and leaf not in _INT64:
        raise FormatError(f"the integer at {where!r} does not fit in 64 bits",
                          hint="store it as a string")
    if not isinstance(leaf, (int, float, GoTime, Comment)):
        raise FormatError(f"the value at {where!r} is a {type(leaf).__name__}, which a "
                          "secrets file cannot hold", hint="use a string, number, bool or time")


def decrypt_documents(docs: list[Branch], cipher: ValueCipher, selector: Selector
                      ) -> tuple[list[Branch], str]:  # fmt: skip
    """Decrypt every selected leaf; returns the plaintext documents and the recomputed MAC."""
    mac = MacAccumulator(selector.mac_only_encrypted)
    update, should_encrypt, decrypt_leaf = mac.update, selector.should_encrypt, cipher.decrypt_leaf

    def visit(leaf: Leaf, path: list[str], stack: list[list[str]], in_list: bool) -> Leaf:
        is_comment = isinstance(leaf, Comment)
        if in_list and isinstance(leaf, str) and encrypted_type(leaf) == "comment":
            is_comment = True  # sops 3.11 list comment stored as an element
        encrypt = should_encrypt(path, stack, is_comment)
        value: Leaf = leaf
        if encrypt:
            if isinstance(leaf, Comment):
                value = _decrypt_comment(cipher, leaf, _aad(path))
            elif isinstance(leaf, str) and (leaf == "" or leaf.startswith("ENC[")):
                value, plaintext = decrypt_leaf(leaf, ":".join(path) + ":")
                if not isinstance(value, Comment):
                    update(plaintext)  # to_bytes(value), computed by the cipher
                return value
            else:
                where = ":".join(path) or "(top level)"
                raise IntegrityError(
                    f"the value at {where!r} should be encrypted but is in plaintext",
                    hint="it was edited by hand; restore the file from git, then use "
                    "'secretsfile set' or 'secretsfile edit'",
                )
        if encrypt or not selector.mac_only_encrypted:
            mac.add(value)
        return value

    out = [_walk_branch(doc, [], [], visit, 0) for doc in docs]
    return out, mac.hexdigest()


def _decrypt_comment(cipher: ValueCipher, comment: Comment, aad: str) -> Leaf:
    """Encrypted comments decrypt; a comment that is not ENC[...] was never encrypted.

    Like sops, a comment that does not authenticate under its path is kept as it is
    (sops warns "possibly unencrypted comment"): sops 3.11 itself writes some foot
    comments under a different path than they read back at, and comments are outside
    the MAC either way."""
    if encrypted_type(comment.text) is None:
        return comment
    try:
        value = cipher.decrypt(comment.text, aad)
    except IntegrityError:
        return comment
    return value if isinstance(value, Comment) else Comment(str(value))


def strip_comments(value: Value) -> Value:
    """The tree without comments: what a program that loads secrets wants."""
    if isinstance(value, dict):
        return {k: strip_comments(v) for k, v in value.items() if not isinstance(k, Comment)}
    if isinstance(value, list):
        return [strip_comments(v) for v in value if not isinstance(v, Comment)]
    return value


def must_encrypt(selector: Selector, path: list[str]) -> bool | None:
    """Whether a value at ``path`` must be encrypted; None when comments decide it."""
    if selector.field is not None and selector.field.endswith("comment_regex"):
        return None
    return selector.should_encrypt(path, [], False)


def plaintext_paths(value: object, selector: Selector) -> list[list[str | int]]:
    """Key paths of values left in clear where ``selector`` wants them encrypted (list
    indices included for display). Reads no key: a value is in clear when it is not
    null, not empty and not exactly one well-formed ``ENC[...]`` value (``ENC[AES256_GCM,``
    followed by plaintext is plaintext: sops refuses it)."""
    from secretsfile.core.enc_value import is_enc_value

    found: list[list[str | int]] = []

    def walk(node: object, keys: list[str], shown: list[str | int]) -> None:
        if isinstance(node, dict):
            for key, child in node.items():
                if not isinstance(key, Comment):
                    walk(child, [*keys, str(key)], [*shown, str(key)])
        elif isinstance(node, list):
            items = [item for item in node if not isinstance(item, Comment)]
            for index, child in enumerate(items):
                walk(child, keys, [*shown, index])
        elif node is not None and node != "" and not (
            isinstance(node, str) and is_enc_value(node)
        ) and must_encrypt(selector, keys):
            found.append(shown)

    walk(value, [], [])
    return found


def render_path(parts: list[str | int]) -> str:
    """sops' path syntax for messages: ``["db"]["password"]``, ``["hosts"][0]``."""
    return "".join(f"[{p}]" if isinstance(p, int) else f"[{_json_string(p)}]" for p in parts)


def _json_string(text: str) -> str:
    """``json.dumps(text)``; printable ASCII without quotes or backslashes (nearly every
    key) needs no escaping, nor the json module (``get`` and ``set`` render each step)."""
    if text.isascii() and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    import json

    return json.dumps(text)
