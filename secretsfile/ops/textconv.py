"""The diff driver's text: an encrypted file as one ``key.path: value`` line per value.

git runs ``secretsfile git textconv FILE`` on both sides of a diff (FILE is often a
temporary copy, so the format comes from the content, not the name) and diffs the
output, so ``git diff`` and ``git log -p`` show which keys changed. Lines follow the
file's order; full key paths (``db.password``, ``hosts[0]``); a value with a line break
or any other character that is not printable (C0/C1 controls, bidi controls, separators) is
printed as a JSON string with those characters escaped, so one value is one line, shown in
its logical order.

Redacted output shows a fingerprint instead of each value: HMAC-SHA256 under a key
derived from the file's data key, so equal values look equal within the file's history
(until the data key is rotated) and nothing can be guessed offline from the diff.

``textconv`` never fails: without a key, or on any error, the caller prints the input
unchanged (``convert`` returns None).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from secretsfile.core.digests import hmac_sha256
from secretsfile.core.values import Comment, Value, scalar_text
from secretsfile.errors import KeyUnavailableError, NotEncryptedError, SecretsfileError

__all__ = ["TextconvResult", "convert", "detect_format", "fingerprint"]

# patterns, compiled on first use by re's own cache (nothing compiled at import: issue 14)
_SIMPLE_KEY = r"[A-Za-z0-9_\-]+\Z"
_DOTENV_MAC = r"^sops_mac="
FINGERPRINT_LABEL = b"secretsfile diff fingerprint v1"
FINGERPRINT_CHARS = 12


class TextconvResult:
    """What ``convert`` made of the input: the text, or why it gave up (``reason``)."""

    def __init__(self, text: str | None, reason: str | None = None) -> None:
        self.text = text
        self.reason = reason  # None: converted, or nothing worth telling (no key, plaintext)


def detect_format(text: str) -> str:
    """json when it starts with '{', dotenv when it has a sops_mac= line, else yaml."""
    if text.lstrip().startswith("{"):
        return "json"
    if re.search(_DOTENV_MAC, text, re.MULTILINE):
        return "dotenv"
    return "yaml"


def fingerprint(data_key: bytes, value: Value) -> str:
    """A short keyed hash of a value (its type and text)."""
    key = hmac_sha256(data_key, FINGERPRINT_LABEL)
    tag = type(value).__name__.encode()
    digest = hmac_sha256(key, tag + b"\0" + scalar_text(value).encode("utf-8", "surrogatepass"))
    return digest.hex()[:FINGERPRINT_CHARS]


def _quoted(text: str, ascii_only: bool) -> str:
    """A JSON string; anything not printable (C0/C1 and bidi controls, line and paragraph
    separators, other spaces than ' ', unassigned) as a \\u escape, so a value shows as
    one line in its logical order."""
    import json  # only for the rare key or value that needs quoting

    out = json.dumps(text, ensure_ascii=ascii_only)
    return out if out.isprintable() else "".join(map(_visible, out))


def visible(text: str) -> str:
    """``text`` with anything not printable (escape sequences, CR, bidi controls) shown as a
    ``\\u`` escape: for what a terminal prints that someone else wrote (commit subjects,
    author names, key names)."""
    return text if text.isprintable() else "".join(map(_visible, text))


def _visible(char: str) -> str:
    if char.isprintable():
        return char
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # a JSON surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def _segment(key: str) -> str:
    return key if re.match(_SIMPLE_KEY, key) else f"[{_quoted(key, True)}]"


def _join(prefix: str, key: str) -> str:
    segment = _segment(key)
    if not prefix:
        return segment
    return prefix + segment if segment.startswith("[") else f"{prefix}.{segment}"


def _shown(value: Value) -> str:
    if value is None:
        return "null"
    text = scalar_text(value)
    if not text:
        return '""'
    plain = text.isprintable() and text[0] != '"' and not text[0].isspace() \
        and not text[-1].isspace()
    return text if plain else _quoted(text, False)


def leaves(value: Value, prefix: str = "") -> Iterator[tuple[str, Value]]:
    """(key path, scalar) in document order; empty maps and lists as themselves."""
    if isinstance(value, dict):
        items = [(k, v) for k, v in value.items() if not isinstance(k, Comment)]
        if not items:
            yield prefix, value
        for key, child in items:
            yield from leaves(child, _join(prefix, str(key)))
    elif isinstance(value, list):
        children = [v for v in value if not isinstance(v, Comment)]
        if not children:
            yield prefix, value
        for index, child in enumerate(children):
            yield from leaves(child, f"{prefix}[{index}]")
    elif not isinstance(value, Comment):
        yield prefix, value


def _line(path: str, value: Value, data_key: bytes | None) -> str:
    if isinstance(value, dict):
        return f"{path}: {{}}"
    if isinstance(value, list):
        return f"{path}: []"
    if data_key is None:
        return f"{path}: {_shown(value)}"
    return f"{path}: <redacted {fingerprint(data_key, value)}>"


def render_lines(docs: list[Value], recipients: list[str], data_key: bytes | None) -> str:
    """The textconv output of opened documents (``data_key``: redact with it)."""
    out: list[str] = []
    for number, doc in enumerate(docs, start=1):
        if len(docs) > 1:
            out.append(f"--- document {number}")
        out.extend(_line(path, value, data_key) for path, value in leaves(doc))
    out.extend(f"# recipient: {recipient}" for recipient in recipients)
    return "".join(line + "\n" for line in out)


def convert(text: str, name: str, redact: bool = False) -> TextconvResult:
    """``text`` as key lines, or TextconvResult(None, reason) when it cannot be shown."""
    from secretsfile.keysources import registry
    from secretsfile.ops.document import open_document, read_encrypted

    try:
        document = read_encrypted(text, detect_format(text), name)
        opened = open_document(document, for_update=False, verify_tag=False)
        recipients = [f"{key.kind} {registry.recipient_id(key)}"
                      for group in document.metadata.key_groups for key in group]
        data_key = opened.cipher.data_key if redact else None
        return TextconvResult(render_lines(list(opened.plain), recipients, data_key))
    except (KeyUnavailableError, NotEncryptedError):
        return TextconvResult(None)
    except SecretsfileError as error:
        return TextconvResult(None, error.message)
    except Exception as error:  # never a traceback, never a value: the type only
        return TextconvResult(None, f"unexpected {type(error).__name__}")
