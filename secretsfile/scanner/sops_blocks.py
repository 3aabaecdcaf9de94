"""Where sops metadata sits in a text, so the engine never reports it.

The metadata holds wrapped data keys, recipients and the MAC: ciphertext and public
material, never a credential, however much it looks like one.
"""

from __future__ import annotations

import re

from secretsfile.scanner.lazy_regex import LazyRegex

__all__ = ["sops_block_lines"]

_YAML_SOPS = LazyRegex(r"^sops:[ \t]*(?:#.*)?$", re.MULTILINE)
_JSON_SOPS = LazyRegex(r'"sops"\s*:\s*\{')
_INI_SOPS = LazyRegex(r"^\[sops\][ \t]*$", re.MULTILINE)


def sops_block_lines(text: str) -> list[tuple[int, int]]:
    """Line ranges (1-based, inclusive) of sops metadata in a YAML/JSON/INI/dotenv text.

    The metadata holds wrapped data keys, recipients and the MAC: never a credential. Only
    called when ``sops`` occurs in the text.
    """
    ranges: list[tuple[int, int]] = []
    for m in _YAML_SOPS.finditer(text):
        first = text.count("\n", 0, m.start()) + 1
        last = first
        lines = text[m.end() :].split("\n")
        for offset, line in enumerate(lines[1:], start=1):
            if line and not line[0].isspace() and not line.startswith("#"):
                break
            last = first + offset
        ranges.append((first, last))
    for m in _JSON_SOPS.finditer(text):
        end = _match_brace(text, m.end() - 1)
        first = text.count("\n", 0, m.start()) + 1
        ranges.append((first, first + text.count("\n", m.start(), end)))
    for m in _INI_SOPS.finditer(text):
        first = text.count("\n", 0, m.start()) + 1
        nxt = text.find("\n[", m.end())
        end = len(text) if nxt == -1 else nxt
        ranges.append((first, first + text.count("\n", m.start(), end)))
    if "sops_" in text:
        for number, line in enumerate(text.split("\n"), start=1):
            if line.startswith("sops_") and "=" in line:
                ranges.append((number, number))
    return ranges


def _match_brace(text: str, open_index: int) -> int:
    """Index of the brace closing ``text[open_index]``, skipping JSON strings."""
    depth = 0
    in_string = False
    escaped = False
    for index in range(open_index, len(text)):
        ch = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return index
    return len(text)
