"""Three-way merge of plaintext trees, key by key: what the git merge driver runs on the
decrypted base, ours and theirs.

Rules, per key path: a side that left a value as it was in the base takes the other
side's change; both sides making the same change agree; different changes to the same
value are a conflict. Maps merge key by key (added, removed and changed keys), lists
element by element while every side keeps the base's length, and otherwise as one value.
Values compare with their type (``1``, ``1.0``, ``True`` and ``"1"`` differ), comments do
not take part: ours' comments stay where they are, a key theirs added comes after the key
it followed there.

``prefer`` ("ours" or "theirs") settles every conflict for that side (``merge resolve
--ours/--theirs``); the conflicts are still listed.
"""

from __future__ import annotations

from secretsfile.core.record import Record, field
from secretsfile.core.values import Branch, Comment, Value

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from typing import Literal, TypeAlias

_MISSING = object()  # a key absent on one side (None is a real value: YAML null)
Side: TypeAlias = 'Literal["ours", "theirs"]'


class MergeResult(Record):
    docs: list[Branch]
    conflicts: list[str] = field(default_factory=list)  # key paths, sops syntax


class _Conflicts(list[str]):
    """The conflicting key paths, and which side a conflict takes (None: ours, listed)."""

    def __init__(self, prefer: Side | None) -> None:
        super().__init__()
        self.theirs = prefer == "theirs"

    def take(self, path: str, ours: object, theirs: object) -> object:
        self.append(path)
        return theirs if self.theirs else ours


def merge_documents(base: list[Branch], ours: list[Branch], theirs: list[Branch],
                    prefer: Side | None = None) -> MergeResult:
    """Merge document lists; a changed number of documents on both sides is a conflict."""
    conflicts = _Conflicts(prefer)
    if not (len(base) == len(ours) == len(theirs)):
        if same(ours, base):
            return MergeResult(list(theirs))
        if same(theirs, base) or same(ours, theirs):
            return MergeResult(list(ours))
        docs = conflicts.take("(the number of YAML documents)", ours, theirs)
        return MergeResult(list(docs), list(conflicts))  # type: ignore[call-overload]
    result = MergeResult([])
    for index, (b, o, t) in enumerate(zip(base, ours, theirs, strict=True)):
        prefix = f"(document {index + 1})" if len(base) > 1 else ""
        merged = _merge(b, o, t, prefix, conflicts)
        assert isinstance(merged, dict)
        result.docs.append(merged)
    result.conflicts = list(conflicts)
    return result


def same(a: object, b: object) -> bool:
    """Equal values of equal types, recursively; comments are ignored."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        assert isinstance(b, dict)
        return _same_keys(a, b)
    if isinstance(a, list):
        assert isinstance(b, list)
        left, right = _elements(a), _elements(b)
        return len(left) == len(right) and all(map(same, left, right))
    return a == b


def _same_keys(a: Branch, b: Branch) -> bool:
    left, right = _items(a), _items(b)
    return list(left) == list(right) and all(same(left[k], right[k]) for k in left)


def _items(branch: Branch) -> dict[str, Value]:
    return {k: v for k, v in branch.items() if isinstance(k, str)}


def _elements(values: list[Value]) -> list[Value]:
    return [v for v in values if not isinstance(v, Comment)]


def _merge(base: object, ours: object, theirs: object, path: str,
           conflicts: _Conflicts) -> Value:
    if same(ours, theirs) or same(theirs, base):
        return ours  # type: ignore[return-value]
    if same(ours, base):
        return theirs  # type: ignore[return-value]
    if isinstance(base, dict) and isinstance(ours, dict) and isinstance(theirs, dict):
        return _merge_maps(base, ours, theirs, path, conflicts)
    if isinstance(base, list) and isinstance(ours, list) and isinstance(theirs, list):
        merged = _merge_lists(base, ours, theirs, path, conflicts)
        if merged is not None:
            return merged
    return conflicts.take(path or "(top level)", ours, theirs)  # type: ignore[return-value]


def _merge_maps(base: Branch, ours: Branch, theirs: Branch, path: str,
                conflicts: _Conflicts) -> Branch:
    out: Branch = {}
    for key, value in ours.items():
        if isinstance(key, Comment):
            out[key] = value
            continue
        merged = _merge_key(base.get(key, _MISSING), value, theirs.get(key, _MISSING),
                            _child(path, key), conflicts)
        if merged is not _MISSING:
            out[key] = merged  # type: ignore[assignment]
    _insert_added(out, base, ours, theirs, path, conflicts)
    return out


def _merge_key(base: object, ours: object, theirs: object, path: str,
               conflicts: _Conflicts) -> object:
    """A key ours has; ``_MISSING`` in the result removes it."""
    if theirs is _MISSING:
        if base is _MISSING:
            return ours  # added by ours only
        if same(ours, base):
            return _MISSING  # removed by theirs, untouched by ours
        return conflicts.take(path, ours, _MISSING)  # removed by theirs, changed by ours
    if base is _MISSING:  # added on both sides
        if same(ours, theirs):
            return ours
        return conflicts.take(path, ours, theirs)
    return _merge(base, ours, theirs, path, conflicts)


def _insert_added(out: Branch, base: Branch, ours: Branch, theirs: Branch, path: str,
                  conflicts: _Conflicts) -> None:
    """Keys only theirs has: added there (kept, after the key they follow in theirs), or
    removed by ours (gone, unless theirs changed them: a conflict)."""
    previous: str | None = None
    for key, value in theirs.items():
        if isinstance(key, Comment):
            continue
        if key not in ours and _kept_from_theirs(key, value, base, path, conflicts):
            _place_after(out, previous, key, value)
        previous = key if key in out else previous


def _kept_from_theirs(key: str, value: Value, base: Branch, path: str,
                      conflicts: _Conflicts) -> bool:
    """A key only theirs has: added there, or removed by ours and changed by theirs (a
    conflict: kept when theirs is preferred)."""
    if key not in base:
        return True
    if same(value, base[key]):
        return False
    return conflicts.take(_child(path, key), _MISSING, value) is not _MISSING


def _place_after(out: Branch, previous: str | None, key: str, value: Value) -> None:
    items = list(out.items())
    position = len(items)
    if previous is None:
        position = next((i for i, (k, _) in enumerate(items) if isinstance(k, str)), 0)
    else:
        for index, (existing, _) in enumerate(items):
            if existing == previous:
                position = index + 1
    items.insert(position, (key, value))
    out.clear()
    out.update(items)


def _merge_lists(base: list[Value], ours: list[Value], theirs: list[Value], path: str,
                 conflicts: _Conflicts) -> list[Value] | None:
    """Element by element when no side changed the length; None: merge as one value."""
    b, o, t = _elements(base), _elements(ours), _elements(theirs)
    if not (len(b) == len(o) == len(t)):
        return None
    merged = [_merge(x, y, z, f"{path}[{i}]", conflicts)
              for i, (x, y, z) in enumerate(zip(b, o, t, strict=True))]
    values = iter(merged)
    return [v if isinstance(v, Comment) else next(values) for v in ours]


def _child(path: str, key: str) -> str:
    import json

    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"
