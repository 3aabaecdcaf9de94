"""Three-way merge of plaintext trees, key by key: what the git merge driver runs on the
decrypted base, ours and theirs.

Rules, per key path: a side that left a value as it was in the base takes the other
side's change; both sides making the same change agree; different changes to the same
value are a conflict. Maps merge key by key (added, removed and changed keys), lists
element by element while every side keeps the base's length, and otherwise as one value.
Values compare with their type (``1``, ``1.0``, ``True`` and ``"1"`` differ), comments do
not take part: ours' comments stay where they are, a key theirs added comes after the key
it followed there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from secretsfile.core.values import Branch, Comment, Value

_MISSING = object()  # a key absent on one side (None is a real value: YAML null)


@dataclass
class MergeResult:
    docs: list[Branch]
    conflicts: list[str] = field(default_factory=list)  # key paths, sops syntax


def merge_documents(base: list[Branch], ours: list[Branch], theirs: list[Branch]
                    ) -> MergeResult:
    """Merge document lists; a changed number of documents on both sides is a conflict."""
    if not (len(base) == len(ours) == len(theirs)):
        if same(ours, base):
            return MergeResult(list(theirs))
        if same(theirs, base) or same(ours, theirs):
            return MergeResult(list(ours))
        return MergeResult(list(ours), ["(the number of YAML documents)"])
    result = MergeResult([])
    for index, (b, o, t) in enumerate(zip(base, ours, theirs, strict=True)):
        prefix = f"(document {index + 1})" if len(base) > 1 else ""
        merged = _merge(b, o, t, prefix, result.conflicts)
        assert isinstance(merged, dict)
        result.docs.append(merged)
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
           conflicts: list[str]) -> Value:
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
    conflicts.append(path or "(top level)")
    return ours  # type: ignore[return-value]


def _merge_maps(base: Branch, ours: Branch, theirs: Branch, path: str,
                conflicts: list[str]) -> Branch:
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
               conflicts: list[str]) -> object:
    """A key ours has; ``_MISSING`` in the result removes it."""
    if theirs is _MISSING:
        if base is _MISSING:
            return ours  # added by ours only
        if same(ours, base):
            return _MISSING  # removed by theirs, untouched by ours
        conflicts.append(path)  # removed by theirs, changed by ours
        return ours
    if base is _MISSING:  # added on both sides
        if same(ours, theirs):
            return ours
        conflicts.append(path)
        return ours
    return _merge(base, ours, theirs, path, conflicts)


def _insert_added(out: Branch, base: Branch, ours: Branch, theirs: Branch, path: str,
                  conflicts: list[str]) -> None:
    """Keys only theirs has: added there (kept, after the key they follow in theirs), or
    removed by ours (gone, unless theirs changed them: a conflict)."""
    previous: str | None = None
    for key, value in theirs.items():
        if isinstance(key, Comment):
            continue
        if key not in ours:
            if key not in base:
                _place_after(out, previous, key, value)
            elif not same(value, base[key]):
                conflicts.append(_child(path, key))
        previous = key if key in out else previous


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
                 conflicts: list[str]) -> list[Value] | None:
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
