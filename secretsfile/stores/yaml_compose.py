"""libyaml's parser events composed into nodes, bounded: nesting depth, alias expansion,
and no anchor or alias at all in a file holding sops metadata (used by ``yaml_read``)."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from secretsfile.core.values import MAX_DEPTH
from secretsfile.errors import FormatError

_METADATA_KEY = "sops"  # core.metadata.METADATA_KEY; not imported: it loads the cipher

# Aliases may make a document bigger than its text, but not without bound: a few KB of
# nested aliases ("billion laughs") would otherwise expand to billions of nodes. The nodes
# that aliases add may be at most this many times the nodes written, plus a floor, and
# never more than the hard cap, which keeps any input under 1 MB fast and small.
_ALIAS_FACTOR = 10
_ALIAS_FLOOR = 10_000
_ALIAS_CAP = 50_000


class BoundedComposer:
    """Builds the node graph from parser events, as PyYAML's composer does, but bounded.

    libyaml's own composer (in C) recurses once per nesting level and crashes the whole
    process on a deeply nested input; here nesting is limited to MAX_DEPTH, aliases may
    not expand past the limits above, and a file holding sops metadata may hold no anchor
    or alias at all (sops never writes one). All of it is checked on the events, before
    any alias is expanded."""

    def __init__(self, loader: Any, path: str) -> None:  # yaml_read._NodeLoader
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

