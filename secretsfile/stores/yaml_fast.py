"""A fast reader for the plainest YAML: nested maps of ``key: scalar`` lines, as sops and
secretsfile write encrypted files. Parsing is half of a big file's decrypt time, and these
files are nearly always this shape.

It is deliberately conservative: any line its one regex does not fully match (lists, quotes other
than ``""``, comments, anchors, tags, flow or block scalars, odd indentation, duplicate or
non-string keys, several documents) makes it return None, and the caller uses the full
libyaml parser. Scalars are typed by the same go-yaml rules as the full parser, so both give
the same tree; the ``sops:`` block at the end is always read by the full parser.
"""

from __future__ import annotations

import re

from secretsfile.core.values import Branch, Value
from secretsfile.errors import FormatError
from secretsfile.stores.yaml_resolve import must_quote, resolve_plain

_LINE = re.compile(
    r"( *)([A-Za-z_][A-Za-z0-9_.-]*):(?: ([A-Za-z0-9_.+/=-][A-Za-z0-9_.+/=:,@\[\]-]*|\"\"))?\Z"
)
_METADATA_LINE = "\nsops:\n"
# Keys starting with a letter need quoting only if they are one of these words.
_WORDS = frozenset(
    "y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF "  # noqa: SIM905
    "null Null NULL".split()
)


def parse_simple(text: str) -> tuple[list[Branch], str] | None:
    """(the data document, the text of the trailing ``sops:`` block) or None to fall back."""
    cut = text.find(_METADATA_LINE)
    if cut < 0:
        return None
    body, tail = text[: cut + 1], text[cut + 1 :]
    root: Branch = {}
    stack: list[tuple[int, Branch]] = [(0, root)]
    pending: tuple[int, Branch, str] | None = None  # a key waiting for its nested map
    for line in body.split("\n"):
        if not line:
            continue
        match = _LINE.match(line)
        if match is None:
            return None
        indent, key, raw = len(match.group(1)), match.group(2), match.group(3)
        if pending is not None:
            parent_indent, parent, parent_key = pending
            pending = None
            if indent > parent_indent:
                child: Branch = {}
                parent[parent_key] = child
                stack.append((indent, child))
            else:
                parent[parent_key] = None
        while stack and indent < stack[-1][0]:
            stack.pop()
        if not stack or indent != stack[-1][0]:
            return None
        branch = stack[-1][1]
        if key in branch or ((key in _WORDS or not key[0].isalpha()) and must_quote(key)):
            return None
        if raw is not None and (raw.endswith(":") or raw == "-"):
            return None
        if raw is None:
            pending = (indent, branch, key)
            branch[key] = None
            continue
        try:
            value: Value = "" if raw == '""' else resolve_plain(raw)
        except FormatError:
            return None
        branch[key] = value
    return [root], tail
