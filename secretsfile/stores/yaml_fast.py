"""A fast reader for the block YAML that sops and secretsfile write, without PyYAML.

Parsing (and importing PyYAML) is most of a small file's decrypt time, and encrypted files
nearly always have one shape: nested ``key: scalar`` maps, indented block sequences,
``key: |`` literal blocks (the age envelopes), ``"..."`` strings (``lastmodified``) and
empty ``{}``/``[]``.
This reader accepts exactly that, typed by the same go-yaml rules as the full parser, so
both give the same tree.

It is deliberately conservative: anything else (comments, flow collections, anchors,
tags, single quotes, escapes, chomping indicators, blank lines, tabs, several documents,
duplicate or non-string keys, odd indentation) makes it return None, and the caller uses
the full libyaml parser, which also reports errors with their line numbers.
"""

from __future__ import annotations

import re

from secretsfile.core.pattern import Pattern
from secretsfile.core.values import MAX_DEPTH, Branch, Value
from secretsfile.errors import FormatError
from secretsfile.stores.yaml_resolve import must_quote, resolve_plain

_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*):(?: (.*))?\Z")
_PLAIN = re.compile(r"[A-Za-z0-9_.+/=-][A-Za-z0-9_.+/=:,@\[\]-]*\Z")
# ``key: ENC[...]`` (nearly every line of an encrypted file) in one match: _KEY then _PLAIN.
_KEY_ENC = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*): "
                      r"(ENC\[AES256_GCM,[A-Za-z0-9_.+/=:,@\[\]-]*\])\Z")
_QUOTED = Pattern(r'"([^"\\\ud800-\udfff]*)"\Z')  # surrogates: bytes not UTF-8
# Keys starting with a letter need quoting only if they are one of these words.
_WORDS = frozenset(
    "y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF "  # noqa: SIM905
    "null Null NULL".split()
)


class _Unsupported(Exception):
    """Raised inside the reader: fall back to the full parser."""


#: What YAML (PyYAML, sops' go-yaml) also reads as a line break: text holding one is not
#: of the simple shape (the reader splits lines at "\n" only).
OTHER_LINE_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


def has_other_line_breaks(text: str) -> bool:
    return any(mark in text for mark in OTHER_LINE_BREAKS)


# What a YAML stream may not hold (PyYAML: "special characters are not allowed"; sops'
# go-yaml: "control characters are not allowed"): C0 controls but tab, LF and CR, DEL, C1
# controls but NEL, surrogates (bytes that were not UTF-8), U+FFFE and U+FFFF.
_FORBIDDEN = Pattern("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_ALLOWED_ASCII = bytes(range(0x20, 0x7F)) + b"\t\n\r"


def forbidden_character(text: str) -> int:
    """The index of the first character YAML refuses in ``text``, or -1."""
    if text.isascii() and not text.encode("ascii").translate(None, _ALLOWED_ASCII):
        return -1  # the usual file, in one C pass (a regex search costs ~8x more)
    match = _FORBIDDEN.search(text)
    return match.start() if match else -1


#: One line break as YAML (libyaml, go-yaml) reads them.
LINE_BREAK = Pattern("\r\n|[\r\n\x85\u2028\u2029]")


def line_of(text: str, index: int) -> int:
    """The 1-based line of ``text[index]``, counted as YAML counts lines (\\r\\n, \\r,
    \\n, NEL, LS, PS each end one)."""
    return len(LINE_BREAK.findall(text, 0, index)) + 1


def parse_simple(text: str) -> list[Branch] | None:
    """The single document, or None when the text is not of the simple shape (the full
    parser then reads it, or says what is wrong and where)."""
    if "\t" in text or not text.endswith("\n") or has_other_line_breaks(text):
        return None
    if forbidden_character(text) >= 0:
        return None
    reader = _Reader(text[:-1].split("\n"))
    try:
        root = reader.mapping(0)
    except _Unsupported:
        return None
    if reader.index != len(reader.lines) or not root:
        return None
    return [root]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


class _Reader:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.index = 0

    def _peek(self) -> str | None:
        return self.lines[self.index] if self.index < len(self.lines) else None

    def mapping(self, indent: int, depth: int = 0) -> Branch:
        if depth > MAX_DEPTH:
            raise _Unsupported  # the full parser reports it, before Python's recursion limit
        branch: Branch = {}
        lines, pad = self.lines, " " * indent
        while self.index < len(lines):
            line = lines[self.index]
            if not line.startswith(pad) or line[indent : indent + 1] == " ":
                break  # _indent(line) != indent, without counting the spaces per line
            encrypted = _KEY_ENC.match(line, indent)
            match = encrypted or _KEY.match(line, indent)
            if match is None:
                if line[indent:].startswith("- ") or not line.strip():
                    raise _Unsupported
                break
            key, rest = match.groups()
            if key in branch or ((key in _WORDS or not key[0].isalpha()) and must_quote(key)):
                raise _Unsupported
            self.index += 1
            # A token is what _value_after would return for it, without the call.
            branch[key] = rest if encrypted else self._value_after(rest, indent, depth)
        if (after := self._peek()) is not None and _indent(after) > indent:
            raise _Unsupported  # a line indented deeper than any open block
        return branch

    def sequence(self, indent: int, depth: int) -> list[Value]:
        if depth > MAX_DEPTH:
            raise _Unsupported
        items: list[Value] = []
        while (line := self._peek()) is not None and _indent(line) == indent:
            if not line.startswith("- ", indent):
                break
            rest = line[indent + 2 :]
            if _KEY.match(rest) or rest.startswith("- "):
                # "- key: v" opens a map (and "- - x" a list) at the column after the dash
                self.lines[self.index] = " " * (indent + 2) + rest
                items.append(self.sequence(indent + 2, depth + 1) if rest.startswith("- ")
                             else self.mapping(indent + 2, depth + 1))
            else:
                self.index += 1
                items.append(self._value_after(rest, indent, depth))
        return items

    def _value_after(self, rest: str | None, indent: int, depth: int) -> Value:
        """The value that follows ``key:`` or ``-`` on a line of ``indent``."""
        if rest is None or rest == "":
            if rest == "":
                raise _Unsupported  # "key: " with a trailing space
            nxt = self._peek()
            if nxt is None or _indent(nxt) <= indent:
                return None
            deeper = _indent(nxt)
            if nxt.startswith("- ", deeper):
                return self.sequence(deeper, depth + 1)
            return self.mapping(deeper, depth + 1)
        if rest == "|":
            return self._literal(indent)
        if rest == "{}":
            return {}
        if rest == "[]":
            return []
        if rest.startswith("ENC[AES256_GCM,") and rest.endswith("]") and _PLAIN.match(rest):
            return rest  # an encrypted value: a plain string (starts with a letter)
        if rest[0] == '"':  # "..." (lastmodified): str tests first, the regex past ASCII
            inner = rest[1:-1]
            simple = rest[-1] == '"' and len(rest) > 1 and '"' not in inner and "\\" not in inner
            if simple and (inner.isascii() or _QUOTED.match(rest)):
                return inner
            raise _Unsupported
        if not _PLAIN.match(rest) or rest.endswith(":") or rest == "-":
            raise _Unsupported
        try:
            return resolve_plain(rest)
        except FormatError:
            raise _Unsupported from None

    def _literal(self, indent: int) -> str:
        """``|`` (clip chomping): the lines indented deeper, joined, one final newline."""
        first = self._peek()
        if first is None or _indent(first) <= indent or not first.strip():
            raise _Unsupported
        block = _indent(first)
        body: list[str] = []
        while (line := self._peek()) is not None and _indent(line) >= block and line.strip():
            body.append(line[block:])
            self.index += 1
        if (line := self._peek()) is not None and not line.strip():
            raise _Unsupported  # blank lines: let the full parser decide
        return "\n".join(body) + "\n"
