"""Addressing one value in a document: sops' ``["a"]["b"][0]`` or dotted ``a.b.0``."""

from __future__ import annotations

import re

from secretsfile.core.tree import render_path as render_path
from secretsfile.core.values import Branch, Comment, Value
from secretsfile.errors import ConflictError, UsageError

PathPart = str | int
_INDEX = re.compile(r'\[\s*("(?:[^"\\]|\\.)*"|\'[^\']*\'|-?\d+)\s*\]')


def parse_path(text: str) -> list[PathPart]:
    """``["a"][0]`` (sops' syntax; quoted keys, bare integers) or ``a.b.0``."""
    text = text.strip()
    if not text:
        raise UsageError("empty key path", hint='use a.b or \'["a"]["b"]\'')
    if not text.startswith("["):
        return [int(p) if p.isdigit() else p for p in text.split(".")]
    parts: list[PathPart] = []
    position = 0
    for match in _INDEX.finditer(text):
        if match.start() != position:
            break
        token = match.group(1)
        if token.startswith('"'):
            import json  # only for a quoted segment: decrypt without --extract never needs it

            parts.append(json.loads(token))
        elif token.startswith("'"):
            parts.append(token[1:-1])
        elif len(token) > 18:  # int() refuses past 4,300 digits; no list is that long
            raise UsageError("a list index in the key path is too large")
        else:
            parts.append(int(token))
        position = match.end()
    if position != len(text) or not parts:
        raise UsageError(f"cannot parse key path {text!r}", hint='use \'["a"]["b"][0]\' or a.b.0')
    return parts


def _data(items: list[Value]) -> list[Value]:
    return [item for item in items if not isinstance(item, Comment)]


def get_at(doc: Branch, parts: list[PathPart]) -> Value:
    node: Value = doc
    for depth, part in enumerate(parts):
        where = render_path(parts[: depth + 1])
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int):
            items = _data(node)
            if not -len(items) <= part < len(items):
                raise UsageError(f"{where}: index out of range ({len(items)} items)")
            node = items[part]
        elif isinstance(node, dict) and isinstance(part, int) and str(part) in node:
            node = node[str(part)]
        else:
            raise UsageError(f"{where}: no such key", hint="list the keys with 'secretsfile keys'")
    return node


def set_at(doc: Branch, parts: list[PathPart], value: Value, force: bool = False) -> None:
    """Set a value, creating missing maps on the way (as sops' set does). Replacing what
    holds other data (a scalar on the way, a map or list by something without its keys) is
    refused unless ``force``: sops drops it silently."""
    node: Value = doc
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = render_path(parts[: depth + 1])
        if isinstance(node, dict):
            key = str(part)
            if last:
                _refuse_loss(node.get(key), value, parts, depth, force)
                node[key] = value
                return
            child = node.get(key)
            if not isinstance(child, (dict, list)):
                _refuse_loss(child, {}, parts, depth, force)
                child = {}
                node[key] = child
            node = child
        elif isinstance(node, list) and isinstance(part, int):
            positions = [i for i, item in enumerate(node) if not isinstance(item, Comment)]
            if part == len(positions):
                node.append(value if last else {})
                positions.append(len(node) - 1)
            if not 0 <= part < len(positions):
                raise UsageError(f"{where}: index out of range ({len(positions)} items)")
            if last:
                _refuse_loss(node[positions[part]], value, parts, depth, force)
                node[positions[part]] = value
                return
            node = node[positions[part]]
        else:
            raise UsageError(f"{where}: cannot index a scalar")


def lost_paths(old: Value, new: Value) -> list[list[PathPart]]:
    """The leaves of ``old`` that replacing it by ``new`` would drop (relative paths; an
    absent, null or empty old value loses nothing)."""
    if old is None or old == "":
        return []
    kept = {tuple(path) for path in leaf_paths(new)}
    return [path for path in leaf_paths(old) if tuple(path) not in kept]


_NAMED = 5  # key paths named in the message; the rest are counted


def _refuse_loss(old: Value, new: Value, parts: list[PathPart], depth: int, force: bool) -> None:
    lost = [] if force else lost_paths(old, new)
    if not lost:
        return
    base = parts[: depth + 1]
    names = [render_path([*base, *path]) for path in lost[:_NAMED]]
    more = f" and {len(lost) - _NAMED} more" if len(lost) > _NAMED else ""
    what = "the value at " if len(lost) == 1 else f"{len(lost)} values: "
    raise ConflictError(
        f"setting {render_path(parts)} would drop {what}{', '.join(names)}{more}",
        hint="pass --force to replace it" if len(lost) == 1 else "pass --force to replace them",
    )


def unset_at(doc: Branch, parts: list[PathPart]) -> None:
    parent = get_at(doc, parts[:-1]) if len(parts) > 1 else doc
    part = parts[-1]
    where = render_path(parts)
    if isinstance(parent, dict) and str(part) in parent:
        del parent[str(part)]
    elif isinstance(parent, list) and isinstance(part, int):
        positions = [i for i, item in enumerate(parent) if not isinstance(item, Comment)]
        if not 0 <= part < len(positions):
            raise UsageError(f"{where}: index out of range")
        del parent[positions[part]]
    else:
        raise UsageError(f"{where}: no such key", hint="list the keys with 'secretsfile keys'")


def leaf_paths(value: Value, prefix: list[PathPart] | None = None) -> list[list[PathPart]]:
    """Every leaf's path, in document order (comments left out)."""
    prefix = prefix or []
    if isinstance(value, dict):
        out: list[list[PathPart]] = []
        for key, child in value.items():
            if not isinstance(key, Comment):
                out.extend(leaf_paths(child, [*prefix, key]))
        return out
    if isinstance(value, list):
        out = []
        for index, child in enumerate(_data(value)):
            out.extend(leaf_paths(child, [*prefix, index]))
        return out
    return [prefix]
