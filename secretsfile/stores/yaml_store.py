"""YAML <-> typed tree, the way sops 3.11 (go-yaml v3) reads and writes it.

Reading uses libyaml through PyYAML's C parser (fast) with go-yaml's typing rules; comments,
which PyYAML drops, are recovered from the node positions and placed as sops places them
(inline comments move above their key; comments in lists become list elements). Writing is
our own emitter in go-yaml's block style (indent 4 by default), so a file sops wrote is
rewritten byte for byte where nothing changed.
"""

from __future__ import annotations

import base64
import bisect
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from secretsfile.core.values import (
    MAX_DEPTH,
    Branch,
    Comment,
    GoTime,
    Value,
)
from secretsfile.errors import FormatError
from secretsfile.stores.yaml_resolve import resolve_plain

_STR = "tag:yaml.org,2002:str"
_PLAIN = "!secretsfile/plain"  # resolved later with go-yaml's rules
_METADATA_KEY = "sops"  # core.metadata.METADATA_KEY; not imported: it loads the cipher

try:  # libyaml is ~17x faster; fall back to the pure-Python parser where it is missing
    from yaml.cyaml import CParser as _Parser  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


class _NodeLoader(_Parser, yaml.resolver.BaseResolver):
    """Composes nodes only; plain scalars get a marker tag resolved by go-yaml's rules."""

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        yaml.resolver.BaseResolver.__init__(self)

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else _STR
        if kind is SequenceNode:
            return "tag:yaml.org,2002:seq"
        return "tag:yaml.org,2002:map"


# -- reading -------------------------------------------------------------------------------


def load_yaml(text: str, path: str = "<yaml>") -> list[Branch]:
    """Parse a YAML stream into one branch per document (comments included).

    A stream without any document (empty, or only comments) gives ``[]``: there is no
    mapping to hold the comments, and nothing can be encrypted (sops refuses it too)."""
    nodes = _compose(text, path)
    if not nodes:
        return []
    placements = _place_comments(text, nodes) if "#" in text else None
    builder = _Builder(path, placements)
    docs: list[Branch] = []
    for node in nodes:
        if not isinstance(node, MappingNode):
            if isinstance(node, ScalarNode) and node.tag == _PLAIN and node.value == "":
                docs.append({})
                continue
            raise FormatError(
                "the top level of a YAML document must be a mapping",
                path=path,
                line=node.start_mark.line + 1,
            )
        docs.append(builder.mapping(node, 0))
    if placements is not None:
        for doc_index, comments in placements.trailing.items():
            for comment in comments:
                docs[min(doc_index, len(docs) - 1)][comment] = None
    return docs


def _compose(text: str, path: str) -> list[Node]:
    """The document nodes, composed from libyaml's events by :class:`_Composer`; syntax
    errors (and text that is not UTF-8) become one FormatError with its line."""
    try:
        loader = _NodeLoader(text)
    except UnicodeEncodeError as error:  # undecodable bytes, kept as surrogates by read_text
        raise FormatError(
            "the file is not valid UTF-8", path=path,
            line=text.count("\n", 0, error.start) + 1,
            hint="re-save it as UTF-8; sops refuses other encodings too",
        ) from None  # fmt: skip
    try:
        return _Composer(loader, path).documents()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "syntax error"
        raise FormatError(
            f"invalid YAML: {problem}",
            path=path,
            line=mark.line + 1 if mark else None,
            hint="fix the syntax at that line",
        ) from None
    except yaml.YAMLError as error:
        raise FormatError(f"invalid YAML: {type(error).__name__}", path=path) from None
    finally:
        loader.dispose()


# Aliases may make a document bigger than its text, but not without bound: a few KB of
# nested aliases ("billion laughs") would otherwise expand to billions of nodes. The nodes
# that aliases add may be at most this many times the nodes written, plus a floor, and
# never more than the hard cap, which keeps any input under 1 MB fast and small.
_ALIAS_FACTOR = 10
_ALIAS_FLOOR = 10_000
_ALIAS_CAP = 50_000


class _Composer:
    """Builds the node graph from parser events, as PyYAML's composer does, but bounded.

    libyaml's own composer (in C) recurses once per nesting level and crashes the whole
    process on a deeply nested input; here nesting is limited to MAX_DEPTH, aliases may
    not expand past the limits above, and a file holding sops metadata may hold no anchor
    or alias at all (sops never writes one). All of it is checked on the events, before
    any alias is expanded."""

    def __init__(self, loader: _NodeLoader, path: str) -> None:
        self.loader = loader
        self.path = path
        # (node, anchor, nodes expanded when it opened) for each open collection
        self.open: list[tuple[MappingNode | SequenceNode, str | None, int]] = []
        self.anchors: dict[str, tuple[Node, int]] = {}  # anchor -> (node, expanded size)
        self.written = 0  # nodes in the text (an alias counts once)
        self.expanded = 0  # nodes once every alias is expanded
        self.first_anchor: int | None = None  # line of the first anchor or alias

    def documents(self) -> list[Node]:
        roots: list[Node] = []
        while (event := self.loader.get_event()) is not None:
            node = self._node(event)
            if node is None:
                continue
            if self.open:
                _attach(self.open[-1][0], node)
            else:
                roots.append(node)
        if roots and self.first_anchor is not None and _holds_metadata(roots):
            raise FormatError(
                "anchors and aliases are not allowed in an encrypted file",
                path=self.path, line=self.first_anchor,
                hint="sops never writes them; restore the file from git",
            )  # fmt: skip
        allowed = min(_ALIAS_FACTOR * self.written + _ALIAS_FLOOR, _ALIAS_CAP)
        if self.expanded - self.written > allowed:
            self._too_big()
        return roots

    def _node(self, event: Any) -> Node | None:  # yaml's stubs type no event fields
        """The node an event completes (None when it opens a collection or is not a node)."""
        kind = type(event)
        if kind is yaml.ScalarEvent:
            tag = event.tag
            if tag is None or tag == "!":
                tag = self.loader.resolve(ScalarNode, event.value, event.implicit)
            self._count()
            scalar = ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
            return self._anchored(scalar, event.anchor, 1)
        if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            self._open(event)
            return None
        if kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            node, anchor, before = self.open.pop()
            node.end_mark = event.end_mark
            return self._anchored(node, anchor, self.expanded - before)
        if kind is yaml.AliasEvent:
            return self._alias(event)
        return None  # stream and document boundaries

    def _open(self, event: Any) -> None:
        if len(self.open) >= MAX_DEPTH:
            raise FormatError(
                f"YAML nested more than {MAX_DEPTH} levels deep", path=self.path,
                line=event.start_mark.line + 1, hint="flatten the structure",
            )  # fmt: skip
        mapping = type(event) is yaml.MappingStartEvent
        kind = MappingNode if mapping else SequenceNode
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(kind, None, event.implicit)
        node = kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
        self._count()
        self.open.append((node, event.anchor, self.expanded - 1))
        if event.anchor is not None:
            self._anchor_line(event)

    def _alias(self, event: Any) -> Node:
        self._anchor_line(event)
        anchor = event.anchor
        if anchor not in self.anchors:
            recursive = any(name == anchor for _, name, _ in self.open)
            raise FormatError(
                "recursive alias" if recursive else "alias to an undefined anchor",
                path=self.path, line=event.start_mark.line + 1,
                hint="an alias must follow its complete anchored node",
            )  # fmt: skip
        node, size = self.anchors[anchor]
        self.written += 1
        self.expanded += size
        if self.expanded - self.written > _ALIAS_CAP:
            self._too_big()
        return node

    def _anchored(self, node: Node, anchor: str | None, size: int) -> Node:
        if anchor is not None:
            self.anchors[anchor] = (node, size)
            if type(node) is ScalarNode:
                self._anchor_line(node)
        return node

    def _count(self) -> None:
        self.written += 1
        self.expanded += 1

    def _anchor_line(self, event: Any) -> None:
        if self.first_anchor is None:
            self.first_anchor = event.start_mark.line + 1

    def _too_big(self) -> None:
        raise FormatError(
            "YAML aliases expand to too many values (an alias bomb?)", path=self.path,
            line=self.first_anchor, hint="write the repeated values out, or use fewer aliases",
        )  # fmt: skip


def _attach(parent: MappingNode | SequenceNode, node: Node) -> None:
    """Add a finished node to its open parent: mapping values arrive as key, value."""
    if type(parent) is SequenceNode:
        parent.value.append(node)
        return
    pairs = parent.value
    if pairs and pairs[-1][1] is None:
        pairs[-1] = (pairs[-1][0], node)
    else:
        pairs.append((node, None))


def _holds_metadata(roots: list[Node]) -> bool:
    """Whether a document has a top-level ``sops`` key, i.e. the file is encrypted."""
    return any(
        isinstance(root, MappingNode)
        and any(isinstance(key, ScalarNode) and key.value == _METADATA_KEY for key, _ in root.value)
        for root in roots
    )


@dataclass
class _Placements:
    before: dict[tuple[int, int], list[Comment]] = field(default_factory=dict)
    trailing: dict[int, list[Comment]] = field(default_factory=dict)  # per document


class _Builder:
    def __init__(self, path: str, placements: _Placements | None) -> None:
        self.path = path
        self.placements = placements

    def _comments_before(self, container: Node, index: int) -> list[Comment]:
        if self.placements is None:
            return []
        return self.placements.before.get((id(container), index), [])

    def value(self, node: Node, depth: int) -> Value:
        if depth > MAX_DEPTH:
            raise FormatError("YAML nested too deeply (a recursive alias?)", path=self.path)
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if isinstance(node, SequenceNode):
            items: list[Value] = []
            for index, child in enumerate(node.value):
                items.extend(self._comments_before(node, index))
                items.append(self.value(child, depth + 1))
            items.extend(self._comments_before(node, len(node.value)))  # foot comments
            return items
        assert isinstance(node, MappingNode)
        return self.mapping(node, depth + 1)

    def mapping(self, node: MappingNode, depth: int) -> Branch:
        branch: Branch = {}
        for index, (key_node, value_node) in enumerate(node.value):
            for comment in self._comments_before(node, index):
                branch[comment] = None
            key = self.key(key_node)
            if key in branch:
                raise FormatError(
                    f"duplicate key {key!r}",
                    path=self.path,
                    line=key_node.start_mark.line + 1,
                    hint="each key may appear once per mapping",
                )
            branch[key] = self.value(value_node, depth)
        for comment in self._comments_before(node, len(node.value)):  # foot comments
            branch[comment] = None
        return branch

    def key(self, node: Node) -> str:
        line = node.start_mark.line + 1
        if not isinstance(node, ScalarNode):
            raise FormatError("a mapping key must be a string", path=self.path, line=line)
        value = self.scalar(node)
        if not isinstance(value, str):
            raise FormatError(
                f"non-string key (a {type(value).__name__}, not shown)",
                path=self.path,
                line=line,
                hint='quote the key, e.g. "1": or "true":',
            )
        return value

    def scalar(self, node: ScalarNode) -> Value:
        tag, text = node.tag, node.value
        try:
            if tag == _PLAIN:
                return resolve_plain(text)
            if tag == _STR:
                return str(text)
            return _tagged(tag, text)
        except FormatError as error:
            error.path, error.line = self.path, node.start_mark.line + 1
            raise
        except ValueError:
            raise FormatError(
                f"the value does not match its tag {tag}",
                path=self.path,
                line=node.start_mark.line + 1,
            ) from None


def _tagged(tag: str, text: str) -> Value:
    """Explicitly tagged scalars; unknown (custom) tags are dropped, as sops does."""
    short = tag.rsplit(":", 1)[-1] if tag.startswith("tag:yaml.org,2002:") else None
    if short == "float":
        value = resolve_plain(text)
        return float(value) if isinstance(value, (int, float)) else float(text)
    if short == "int":
        value = resolve_plain(text)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise ValueError(text)
    if short == "bool":
        value = resolve_plain(text)
        if isinstance(value, bool):
            return value
        raise ValueError(text)
    if short == "null":
        return None
    if short == "binary":
        return base64.b64decode("".join(text.split())).decode("utf-8", "surrogateescape")
    if short == "timestamp":
        value = resolve_plain(text)
        if isinstance(value, GoTime):
            return value
        raise ValueError(text)
    if short == "str":
        return text
    return resolve_plain(text)


# -- comments ------------------------------------------------------------------------------

_COMMENT_START = re.compile(r"(?:^|(?<=[ \t]))#", re.MULTILINE)


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


def _place_comments(text: str, roots: list[Node]) -> _Placements:
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
    placements = _Placements()
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    for match in _COMMENT_START.finditer(text):
        position = match.start()
        k = bisect.bisect_right(span_starts, position) - 1
        if k >= 0 and spans[k][0] <= position < spans[k][1]:
            continue  # a '#' inside a scalar
        end = text.find("\n", position)
        body = text[position + 1 : end if end >= 0 else len(text)].rstrip(" \t\r")
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


from secretsfile.stores.yaml_emit import (  # noqa: E402 - re-exported for callers of this module
    YamlEmitter,
    detect_indent,
    dump_yaml,
)

__all__ = ["YamlEmitter", "detect_indent", "dump_yaml", "load_yaml"]
