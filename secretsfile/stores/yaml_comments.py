"""Where the comments of a YAML text go in the tree, as sops (go-yaml v3) places them.

PyYAML drops comments; ``yaml_read`` recovers them from the node positions: inline
comments move above their key, comments in lists become list elements, comments after a
nested block become its foot comments."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from secretsfile.core.values import Comment
from secretsfile.stores.yaml_fast import LINE_BREAK


@dataclass
class Placements:
    before: dict[tuple[int, int], list[Comment]] = field(default_factory=dict)
    trailing: dict[int, list[Comment]] = field(default_factory=dict)  # per document


# YAML (libyaml, sops' go-yaml) ends a line at \r\n, \r, \n, NEL, LS and PS: so do comments.
_COMMENT_START = re.compile(r"(?:^|(?<=[ \t\r\x85\u2028\u2029]))#", re.MULTILINE)


@dataclass(order=True)
class _Item:
    start: int
    line: int
    depth: int
    container: Node = field(compare=False)
    index: int = field(compare=False)
    column: int = field(compare=False, default=0)  # of the key, or of a block item's dash
    doc: int = field(compare=False, default=0)


def _dash_column(text: str, child: Node) -> int:
    """The column of the ``-`` that introduces a block sequence item."""
    dash = text.rfind("-", 0, child.start_mark.index)
    return dash - (text.rfind("\n", 0, dash) + 1) if dash >= 0 else child.start_mark.column


def _collect(node: Node, depth: int, items: list[_Item], spans: list[tuple[int, int]],
             seen: set[int], text: str, doc: int) -> None:  # fmt: skip
    if id(node) in seen:  # an alias: its text is elsewhere
        return
    seen.add(id(node))
    if isinstance(node, ScalarNode):
        spans.append((node.start_mark.index, node.end_mark.index))
        return
    if isinstance(node, SequenceNode):
        for index, child in enumerate(node.value):
            column = child.start_mark.column if node.flow_style else _dash_column(text, child)
            items.append(_Item(child.start_mark.index, child.start_mark.line, depth, node, index,
                               column, doc))  # fmt: skip
            _collect(child, depth + 1, items, spans, seen, text, doc)
        return
    assert isinstance(node, MappingNode)
    for index, (key, value) in enumerate(node.value):
        items.append(_Item(key.start_mark.index, key.start_mark.line, depth, node, index,
                           key.start_mark.column, doc))  # fmt: skip
        _collect(key, depth + 1, items, spans, seen, text, doc)
        _collect(value, depth + 1, items, spans, seen, text, doc)


def _document_starts(text: str, roots: list[Node]) -> list[int]:
    """Where each document begins: at its ``---`` line (the first one at 0)."""
    starts = [0]
    for root in roots[1:]:
        marker = text.rfind("\n---", 0, root.start_mark.index)
        starts.append(marker + 1 if marker >= 0 else root.start_mark.index)
    return starts


def place_comments(text: str, roots: list[Node]) -> Placements:
    items: list[_Item] = []
    spans: list[tuple[int, int]] = []
    seen: set[int] = set()
    for doc, root in enumerate(roots):
        _collect(root, 0, items, spans, seen, text, doc)
    doc_starts = _document_starts(text, roots)
    items.sort()
    spans.sort()
    span_starts = [start for start, _ in spans]
    item_starts = [item.start for item in items]
    placements = Placements()
    line_starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]
    for match in _COMMENT_START.finditer(text):
        position = match.start()
        k = bisect.bisect_right(span_starts, position) - 1
        if k >= 0 and spans[k][0] <= position < spans[k][1]:
            continue  # a '#' inside a scalar
        ends = LINE_BREAK.search(text, position)
        body = text[position + 1 : ends.start() if ends else len(text)].rstrip(" \t")
        comment = Comment(body)
        line = bisect.bisect_right(line_starts, position) - 1
        doc = max(bisect.bisect_right(doc_starts, position) - 1, 0)
        key: tuple[int, int] | None = None
        target = _inline_target(items, item_starts, position, line)
        if target is not None:
            key = (id(target.container), target.index)
            if isinstance(target.container, MappingNode):
                value = target.container.value[target.index][1]
                if isinstance(value, (MappingNode, SequenceNode)) and value.flow_style:
                    # sops: inside a flow value before its first item; after an empty one
                    key = (id(value), 0) if value.value else (key[0], target.index + 1)
        else:
            key = _own_line_target(items, item_starts, position, position - line_starts[line], doc)
        if key is None:
            placements.trailing.setdefault(doc, []).append(comment)
        else:
            placements.before.setdefault(key, []).append(comment)
    return placements


def _own_line_target(items: list[_Item], starts: list[int], position: int, column: int,
                     doc: int) -> tuple[int, int] | None:  # fmt: skip
    """Where a comment on its own line goes, as go-yaml decides: before the next item, unless
    a nested block ends there (the next item is shallower than the one before) and the
    comment is not at the next item's column; then it is a foot comment right after the
    innermost item before it, at the end of that nested map or list."""
    following = _next_target(items, starts, position)
    if following is not None and following.doc != doc:
        following = None
    k = bisect.bisect_left(starts, position) - 1
    previous = items[k] if k >= 0 and items[k].doc == doc else None
    if previous is not None and following is None and column > 0:
        # At the end of a document: the innermost open block whose items are not indented
        # deeper than the comment.
        while k >= 0 and items[k].doc == doc and items[k].column > column:
            k -= 1
        if k >= 0 and items[k].doc == doc:
            return (id(items[k].container), items[k].index + 1)
    if (previous is not None and following is not None and following.depth < previous.depth
            and column != following.column):  # fmt: skip
        return (id(previous.container), previous.index + 1)
    if following is not None:
        return (id(following.container), following.index)
    return None


def _inline_target(items: list[_Item], starts: list[int], position: int, line: int
                   ) -> _Item | None:  # fmt: skip
    """The innermost item that starts on the comment's line, before it."""
    best: _Item | None = None
    k = bisect.bisect_left(starts, position) - 1
    while k >= 0 and items[k].line == line:
        flow = getattr(items[k].container, "flow_style", False)  # sops: on the block item
        if not flow and (best is None or items[k].depth > best.depth):
            best = items[k]
        k -= 1
    return best


def _next_target(items: list[_Item], starts: list[int], position: int) -> _Item | None:
    """The outermost item that starts first after the comment."""
    k = bisect.bisect_right(starts, position)
    if k >= len(items):
        return None
    first = items[k].start
    best = items[k]
    while k < len(items) and items[k].start == first:
        if items[k].depth < best.depth:
            best = items[k]
        k += 1
    return best
