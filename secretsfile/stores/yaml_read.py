"""YAML text -> typed tree, the way sops 3.11 (go-yaml v3) reads it: the full reader,
for what the fast reader (``yaml_fast``) does not take.

libyaml's events (PyYAML's C parser: fast) are composed into nodes with bounds
(``yaml_compose``), typed by go-yaml's rules (``yaml_resolve``); comments, which PyYAML
drops, are put back from the node positions (``yaml_comments``).
"""

from __future__ import annotations

import base64
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
from secretsfile.stores.yaml_comments import Placements, place_comments
from secretsfile.stores.yaml_compose import BoundedComposer
from secretsfile.stores.yaml_fast import forbidden_character, line_of
from secretsfile.stores.yaml_resolve import resolve_plain

_STR = "tag:yaml.org,2002:str"
_PLAIN = "!secretsfile/plain"  # resolved later with go-yaml's rules

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
    placements = place_comments(text, nodes) if "#" in text else None
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
    """The document nodes, composed from libyaml's events by ``BoundedComposer``; syntax
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
        return BoundedComposer(loader, path).documents()
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
        if (at := forbidden_character(text)) >= 0:  # libyaml's ReaderError has no line
            raise FormatError(
                f"invalid YAML: character U+{ord(text[at]):04X} is not allowed",
                path=path, line=line_of(text, at),
                hint="remove it, or write it as an escape in a double-quoted string",
            ) from None  # fmt: skip
        raise FormatError(f"invalid YAML: {type(error).__name__}", path=path) from None
    finally:
        loader.dispose()



class _Builder:
    def __init__(self, path: str, placements: Placements | None) -> None:
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


_RESOLVED_AS: dict[str, type] = {"int": int, "bool": bool, "timestamp": GoTime}


def _tagged(tag: str, text: str) -> Value:
    """Explicitly tagged scalars; unknown (custom) tags are dropped, as sops does."""
    short = tag.rsplit(":", 1)[-1] if tag.startswith("tag:yaml.org,2002:") else None
    if short == "float":
        value = resolve_plain(text)
        return float(value) if isinstance(value, (int, float)) else float(text)
    if short in _RESOLVED_AS:  # the tag must agree with what the text resolves to
        value = resolve_plain(text)
        if type(value) is _RESOLVED_AS[short]:
            return value
        raise ValueError(text)
    if short == "null":
        return None
    if short == "binary":
        return base64.b64decode("".join(text.split())).decode("utf-8", "surrogateescape")
    if short == "str":
        return text
    return resolve_plain(text)
