"""How many newlines a match of a regex can span: decides how wide the engine's windows are.

Read from the pattern text itself (Python ``re`` syntax), not through the private
``re._parser``: that module moved once (``sre_parse`` -> ``re._parser``) and may again.
The reading is deliberately conservative in one direction only: when unsure it answers
"more newlines", which costs speed (a wider window), never a missed match.
"""

from __future__ import annotations

import re

from secretsfile.core.pattern import Pattern

__all__ = ["UNBOUNDED", "newline_span"]

UNBOUNDED = 1 << 30
# the parser's own patterns, compiled on the first rule measured (none at import: issue 14)

_GLOBAL_FLAGS = Pattern(r"\(\?([aiLmsux]+)\)")
_SCOPED_FLAGS = Pattern(r"\(\?([aiLmsux]*)(?:-([imsx]+))?:")
_QUANTIFIER = Pattern(r"\*|\+|\?|\{(\d*)(?:(,)(\d*))?\}")
_GROUP_NAME = Pattern(r"\(\?P<[^>]*>")
# Escapes whose class contains "\n" (the digit/word/space classes and their negations).
_NEWLINE_CLASSES = frozenset("sDW")
_ESCAPED_CODES = {"n": 10, "t": 9, "r": 13, "f": 12, "v": 11, "a": 7, "b": 8, "0": 0}
_HEX_ESCAPE = Pattern(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))")


def newline_span(pattern: str) -> int:
    """The most newlines one match can contain (``UNBOUNDED`` when no limit).

    A pattern ``re`` rejects counts 0: it is reported when compiled, not here.
    """
    try:
        re.compile(pattern)
    except re.error:
        return 0
    dotall = any("s" in m.group(1) for m in _GLOBAL_FLAGS.finditer(pattern))
    count, _ = _Reader(pattern).alternation(0, dotall)
    return min(count, UNBOUNDED)


class _Reader:
    def __init__(self, pattern: str) -> None:
        self.text = pattern

    def alternation(self, pos: int, dotall: bool) -> tuple[int, int]:
        """Max newlines over ``a|b|...`` up to the closing ``)`` (or the end)."""
        best = 0
        while True:
            count, pos = self.sequence(pos, dotall)
            best = max(best, count)
            if pos < len(self.text) and self.text[pos] == "|":
                pos += 1
                continue
            return best, pos

    def sequence(self, pos: int, dotall: bool) -> tuple[int, int]:
        total = 0
        text = self.text
        while pos < len(text) and text[pos] not in "|)":
            count, pos = self.atom(pos, dotall)
            quantifier = _QUANTIFIER.match(text, pos)
            if quantifier is not None:
                pos = quantifier.end()
                if pos < len(text) and text[pos] in "?+":  # lazy / possessive
                    pos += 1
                count = _repeat(count, quantifier)
            total = min(total + count, UNBOUNDED)
        return total, pos

    def atom(self, pos: int, dotall: bool) -> tuple[int, int]:
        text = self.text
        char = text[pos]
        if char == "\\":
            code, end = _escape_code(text, pos)
            if code is None:
                return (1 if text[pos + 1] in _NEWLINE_CLASSES else 0), end
            return (1 if code == 10 else 0), end
        if char == "[":
            return self.char_class(pos)
        if char == ".":
            return (1 if dotall else 0), pos + 1
        if char == "(":
            return self.group(pos, dotall)
        return (1 if char == "\n" else 0), pos + 1

    def group(self, pos: int, dotall: bool) -> tuple[int, int]:
        text = self.text
        if text.startswith(("(?=", "(?!", "(?<=", "(?<!"), pos):  # look-arounds match nothing
            opener = 4 if text.startswith(("(?<=", "(?<!"), pos) else 3
            _, end = self.alternation(pos + opener, dotall)
            return 0, end + 1
        if text.startswith("(?#", pos):
            return 0, text.index(")", pos) + 1
        if text.startswith("(?P=", pos):  # a back-reference: counted as matching no newline
            return 0, text.index(")", pos) + 1
        if text.startswith("(?(", pos):  # (?(group)yes|no): the larger branch
            count, end = self.alternation(text.index(")", pos) + 1, dotall)
            return count, end + 1
        global_flags = _GLOBAL_FLAGS.match(text, pos)
        if global_flags is not None:
            return 0, global_flags.end()
        scoped = _SCOPED_FLAGS.match(text, pos)
        if scoped is not None:
            local = (dotall or "s" in scoped.group(1)) and "s" not in (scoped.group(2) or "")
            count, end = self.alternation(scoped.end(), local)
            return count, end + 1
        named = _GROUP_NAME.match(text, pos)
        start = pos + 3 if text.startswith("(?>", pos) else named.end() if named else pos + 1
        count, end = self.alternation(start, dotall)
        return count, end + 1

    def char_class(self, pos: int) -> tuple[int, int]:
        text = self.text
        pos += 1
        negate = pos < len(text) and text[pos] == "^"
        if negate:
            pos += 1
        hit = False
        first = True
        while pos < len(text) and (text[pos] != "]" or first):
            first = False
            low, pos, is_class = _class_item(text, pos)
            if is_class:
                hit = hit or low == 10
                continue
            high = low
            if text.startswith("-", pos) and pos + 1 < len(text) and text[pos + 1] != "]":
                high, pos, _ = _class_item(text, pos + 1)
            hit = hit or low <= 10 <= high
        return (1 if hit != negate else 0), pos + 1


def _repeat(count: int, quantifier: re.Match[str]) -> int:
    if count == 0:
        return 0
    token = quantifier.group(0)
    if token == "?":
        return count
    if token in "*+":
        return UNBOUNDED
    low, comma, high = quantifier.groups()
    if comma is None:
        most = int(low)
    elif not high:
        return UNBOUNDED
    else:
        most = int(high)
    return min(count * most, UNBOUNDED)


def _escape_code(text: str, pos: int) -> tuple[int | None, int]:
    """The code point an escape stands for (None for a class like ``\\d``), and the end."""
    hexa = _HEX_ESCAPE.match(text, pos)
    if hexa is not None:
        return int(next(g for g in hexa.groups() if g), 16), hexa.end()
    letter = text[pos + 1]
    if letter in _ESCAPED_CODES:
        return _ESCAPED_CODES[letter], pos + 2
    if letter.isalpha() or letter.isdigit():
        return None, pos + 2
    return ord(letter), pos + 2


def _class_item(text: str, pos: int) -> tuple[int, int, bool]:
    """(code point, end, whether it is a class escape) of one item of ``[...]``.

    A class escape reports 10 when it contains a newline (``\\s``, ``\\D``, ``\\W``)."""
    if text[pos] != "\\":
        return ord(text[pos]), pos + 1, False
    code, end = _escape_code(text, pos)
    if code is None:
        return (10 if text[pos + 1] in _NEWLINE_CLASSES else -1), end, True
    return code, end, False
