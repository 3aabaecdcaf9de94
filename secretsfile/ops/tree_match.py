"""Whether a document already holds a path, or exactly a value there: what sops'
``--idempotent`` asks before ``set`` and ``unset`` write."""

from __future__ import annotations

from secretsfile.core.tree import strip_comments
from secretsfile.core.values import Branch, Value
from secretsfile.errors import UsageError
from secretsfile.ops import treepath

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from typing import Any


def holds(doc: Branch, parts: list[treepath.PathPart], value: Value | None = None,
          compare: bool = True) -> bool:
    """Whether ``doc`` has the path (and, with ``compare``, exactly ``value`` there: same
    types, same keys in the same order, comments aside)."""
    try:
        current = treepath.get_at(doc, parts)
    except UsageError:
        return False
    return not compare or same(strip_comments(current), value)


def same(a: Any, b: Any) -> bool:
    """Equal with types: 1, 1.0 and True differ, as they do in the file."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[key], b[key]) for key in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(same, a, b))
    return bool(a == b)
