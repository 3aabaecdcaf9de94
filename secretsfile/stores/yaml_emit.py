"""YAML from the typed tree, written the way go-yaml v3 writes it (sops 3.11 output).

Block style, indent 4 by default (or the indent the file already uses), sequences
indented under their key, comments as own-line ``#`` lines, encrypted list comments as
elements. The common scalars are written without importing PyYAML; only unusual strings
ask libyaml's scalar analysis (as ported by PyYAML) which quoting style they need.
"""

from __future__ import annotations

import functools
import re

from secretsfile.core.pattern import Pattern
from secretsfile.core.values import Branch, Comment, GoTime, Value, format_float_yaml
from secretsfile.errors import FormatError
from secretsfile.stores.yaml_resolve import QUOTED_WORDS, must_quote

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from typing import Any


@functools.lru_cache(maxsize=1)
def _analyzer() -> Any:
    import yaml

    return yaml.emitter.Emitter(None, allow_unicode=True)  # type: ignore[arg-type]


# -- writing -------------------------------------------------------------------------------

_PLAIN_CHARS = r"[A-Za-z0-9_.+/=,\[\]@$%()-]"
_SAFE_PLAIN = re.compile(rf"^[A-Za-z_]{_PLAIN_CHARS}*(?::{_PLAIN_CHARS}+)*\Z")
# Decided without libyaml's analysis: one line of these characters (no ": ", " #", no
# leading indicator) is plain when it reads back as the same string; lines of printable
# ASCII without trailing spaces (the age armor) make a literal block.
_SIMPLE_LINE = Pattern(r"[A-Za-z0-9_.+/=$()-][A-Za-z0-9_.+/=,@$%()\[\]-]*\Z")
_BLOCK_TEXT = Pattern(r"[\n\x20-\x7e]*\Z")
_ESCAPES = {
    "\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v",
    "\f": "\\f", "\r": "\\r", "\x1b": "\\e", '"': '\\"', "\\": "\\\\", "\x85": "\\N",
    "\xa0": "\\_", "\u2028": "\\L", "\u2029": "\\P",
}  # fmt: skip


def _is_printable(char: str) -> bool:
    """go-yaml's ``is_printable``: not NEL (libyaml's allows it) and nothing above U+FFFF;
    a string holding any other character is written double-quoted, with escapes."""
    code = ord(char)
    return (
        char == "\n"
        or 0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
    ) and code != 0xFEFF


def _all_printable(text: str) -> bool:
    """No character that forces double quotes (go-yaml's analysis lets a tab through)."""
    if text.isascii():  # the usual value: printable ASCII, \n or tabs, in a few C passes
        return text.replace("\n", " ").replace("\t", " ").isprintable()
    return all(char == "\t" or _is_printable(char) for char in text)


def _double_quoted(text: str) -> str:
    out = ['"']
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif not _is_printable(char):
            code = ord(char)
            if code <= 0xFF:
                out.append(f"\\x{code:02X}")
            elif code <= 0xFFFF:
                out.append(f"\\u{code:04X}")
            else:
                out.append(f"\\U{code:08X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _string_style(text: str, is_key: bool) -> str:
    """'plain', 'single', 'double' or 'literal', as go-yaml + libyaml choose."""
    if _SAFE_PLAIN.match(text):
        return "double" if text in QUOTED_WORDS else "plain"
    if not _all_printable(text):  # go-yaml: "special characters" allow no other style
        return "double"
    if "\n" in text and not is_key:
        if (_BLOCK_TEXT.match(text) and " \n" not in text and text[0] not in " \n"
                and not text.endswith(" ")):
            return "literal"
        analysis = _analyzer().analyze_scalar(text)
        if analysis.allow_block and text[0] not in " \n":
            return "literal"
        return "double"
    if must_quote(text):
        return "double"
    if _SIMPLE_LINE.match(text) and text != "-" and not text.startswith(("---", "...")):
        return "plain"
    analysis = _analyzer().analyze_scalar(text)
    if analysis.allow_block_plain and not analysis.empty and not analysis.multiline:
        return "plain"
    if analysis.allow_single_quoted and not (is_key and analysis.multiline):
        return "single"
    return "double"


def _scalar_inline(value: Value, is_key: bool = False) -> str:
    """A scalar on one line; block literals are handled by the caller."""
    if type(value) is str and _SAFE_PLAIN.match(value):  # ENC[...] tokens and most keys
        return _double_quoted(value) if value in QUOTED_WORDS else value
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float_yaml(value)
    if isinstance(value, GoTime):
        return value.text
    assert isinstance(value, str)
    if _SAFE_PLAIN.match(value):  # ENC[...] tokens and most keys
        return _double_quoted(value) if value in QUOTED_WORDS else value
    if value == "<<":
        # go-yaml resolves "<<" to the merge tag and writes the tag out, key or value.
        return "!!merge <<"
    style = _string_style(value, is_key)
    if style == "plain":
        return value
    if style == "single":
        return "'" + value.replace("'", "''") + "'"
    return _double_quoted(value)


# Scalars that _scalar_line writes on the key's line whatever their value.
_ONE_LINE = frozenset({int, float, bool, type(None), GoTime})


class YamlEmitter:
    """Block-style YAML as go-yaml v3 writes it (sequences indented under their key)."""

    def __init__(self, indent: int = 4) -> None:
        self.indent = indent
        self.lines: list[str] = []

    def document(self, branch: Branch) -> None:
        if not branch:
            self.lines.append("{}")
            return
        self._mapping(branch, 0, None)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"

    def _deeper(self, indent: int) -> int:
        """go-yaml's indent for a value under a key: the next multiple of the indent."""
        return self.indent * ((indent + self.indent) // self.indent)

    def _value_after_key(self, prefix: str, value: Value, child: int) -> None:
        """Emit ``prefix`` (``key:`` or ``-``) and the value; ``child`` is the indent of
        what nests under it (go-yaml: next multiple after a key, +2 after a dash)."""
        if isinstance(value, dict):
            if not value:
                self.lines.append(prefix + " {}")
                return
            self.lines.append(prefix)
            self._mapping(value, child, None)
        elif isinstance(value, list):
            if not value:
                self.lines.append(prefix + " []")
                return
            self.lines.append(prefix)
            self._sequence(value, child)
        else:
            self._scalar_line(prefix, value, child)

    def _scalar_line(self, prefix: str, value: Value, child: int) -> None:
        if isinstance(value, str) and "\n" in value and _string_style(value, False) == "literal":
            body = value.rstrip("\n")
            trailing = len(value) - len(body)
            chomp = "-" if trailing == 0 else ("" if trailing == 1 else "+")
            self.lines.append(f"{prefix} |{chomp}")
            pad = " " * child
            for line in body.split("\n"):
                self.lines.append(pad + line if line else "")
            self.lines.extend([""] * (trailing - 1))
            return
        self.lines.append(f"{prefix} {_scalar_inline(value)}")

    def _mapping(self, branch: Branch, indent: int, first: str | None) -> None:
        """Keys at column ``indent``; ``first`` (``- `` at indent - 2) replaces the first
        key's indentation inside a list item."""
        pending, pad = first, " " * indent
        for key, value in branch.items():
            if isinstance(key, Comment):
                # Before a list item's first key the comment goes above the dash.
                self.lines.append(f"{' ' * (indent if pending is None else indent - 2)}#{key.text}")
                continue
            lead = pending if pending is not None else pad
            pending = None
            key_text = _scalar_inline(key, is_key=True)
            # most leaves: one line, no calls
            if (type(value) is str and "\n" not in value) or type(value) in _ONE_LINE:
                self.lines.append(f"{lead}{key_text}: {_scalar_inline(value)}")
                continue
            self._value_after_key(f"{lead}{key_text}:", value, self._deeper(indent))
        if pending is not None:  # a mapping holding only comments
            self.lines.append(pending + "{}")

    def _sequence(self, items: list[Value], column: int) -> None:
        pad = " " * column
        for item in items:
            if isinstance(item, Comment):
                self.lines.append(f"{pad}#{item.text}")
                continue
            if isinstance(item, dict) and item:
                self._mapping(item, column + 2, pad + "- ")
            elif isinstance(item, list) and item:
                self._nested_sequence(item, column)
            else:
                self._value_after_key(pad + "-", item, column + 2)

    def _nested_sequence(self, items: list[Value], column: int) -> None:
        start = len(self.lines)
        self._sequence(items, column + 2)
        first = self.lines[start]
        self.lines[start] = " " * column + "- " + first[column + 2 :]


def dump_yaml(docs: list[Branch], indent: int = 4) -> str:
    if not docs:  # an empty or comment-only input: nowhere to put the sops metadata
        raise FormatError(
            "the YAML holds no document (it is empty or only comments)",
            hint="add at least one key: value; sops refuses an empty YAML file too",
        )
    emitter = YamlEmitter(indent)
    for index, doc in enumerate(docs):
        if index:
            emitter.lines.append("---")
        emitter.document(doc)
    return emitter.text()


def detect_indent(text: str) -> int:
    """The indent an encrypted file already uses (read off its ``sops:`` block), so a
    rewrite keeps it; 4 (sops' default) when it cannot tell."""
    marker = text.find("\nsops:\n")
    if marker < 0:
        return 4
    start = marker + len("\nsops:\n")
    line = text[start : text.find("\n", start)]
    width = len(line) - len(line.lstrip(" "))
    return width if 1 <= width <= 9 else 4
