"""Three-way merge of plaintext trees, key by key."""

from __future__ import annotations

from secretsfile.core.merge import merge_documents, same
from secretsfile.core.values import Comment

BASE = {"a": "1", "b": "2", "db": {"user": "u", "password": "p"}, "hosts": ["x", "y"]}


def merge(base: dict, ours: dict, theirs: dict):  # type: ignore[no-untyped-def, type-arg]
    return merge_documents([base], [ours], [theirs])


def test_disjoint_changes_merge() -> None:
    ours = {**BASE, "a": "1-ours"}
    theirs = {**BASE, "db": {"user": "u", "password": "p-theirs"}}
    result = merge(BASE, ours, theirs)
    assert not result.conflicts
    assert result.docs[0] == {**BASE, "a": "1-ours", "db": {"user": "u", "password": "p-theirs"}}


def test_same_key_changed_differently_conflicts_and_keeps_ours() -> None:
    result = merge(BASE, {**BASE, "a": "x"}, {**BASE, "a": "y"})
    assert result.conflicts == ['["a"]']
    assert result.docs[0]["a"] == "x"


def test_same_change_on_both_sides_agrees() -> None:
    result = merge(BASE, {**BASE, "a": "x"}, {**BASE, "a": "x"})
    assert not result.conflicts and result.docs[0]["a"] == "x"


def test_added_and_removed_keys() -> None:
    ours = {k: v for k, v in BASE.items() if k != "b"} | {"new-ours": "o"}
    theirs = {"a": "1", "added": "t", "b": "2", "db": BASE["db"], "hosts": BASE["hosts"]}
    result = merge(BASE, ours, theirs)
    assert not result.conflicts
    assert list(result.docs[0]) == ["a", "added", "db", "hosts", "new-ours"]


def test_remove_against_change_conflicts() -> None:
    ours = {k: v for k, v in BASE.items() if k != "b"}
    result = merge(BASE, ours, {**BASE, "b": "changed"})
    assert result.conflicts == ['["b"]']
    result = merge(BASE, {**BASE, "b": "changed"}, ours)
    assert result.conflicts == ['["b"]']


def test_nested_maps_and_lists_element_by_element() -> None:
    ours = {**BASE, "hosts": ["x-ours", "y"], "db": {"user": "u2", "password": "p"}}
    theirs = {**BASE, "hosts": ["x", "y-theirs"], "db": {"user": "u", "password": "p2"}}
    result = merge(BASE, ours, theirs)
    assert not result.conflicts
    assert result.docs[0]["hosts"] == ["x-ours", "y-theirs"]
    assert result.docs[0]["db"] == {"user": "u2", "password": "p2"}
    clash = merge(BASE, {**BASE, "hosts": ["a"]}, {**BASE, "hosts": ["b", "c", "d"]})
    assert clash.conflicts == ['["hosts"]']


def test_types_matter() -> None:
    assert not same(1, True) and not same(1, 1.0) and not same("1", 1)
    result = merge({"p": 1}, {"p": True}, {"p": 1.0})
    assert result.conflicts == ['["p"]']


def test_comments_of_ours_stay() -> None:
    note = Comment(" keep me")
    ours = {note: None, **BASE, "a": "o"}
    result = merge(BASE, ours, {**BASE, "b": "t"})
    assert not result.conflicts
    assert next(iter(result.docs[0])) is note
    assert result.docs[0]["a"] == "o" and result.docs[0]["b"] == "t"


def test_document_count_changes() -> None:
    result = merge_documents([BASE], [BASE, {"x": "1"}], [BASE])
    assert not result.conflicts and len(result.docs) == 2
    result = merge_documents([BASE], [BASE, {"x": "1"}], [BASE, {"y": "2"}, {"z": "3"}])
    assert result.conflicts == ["(the number of YAML documents)"]


def test_prefer_settles_every_kind_of_conflict() -> None:
    removed = {k: v for k, v in BASE.items() if k != "b"}
    ours = {**removed, "a": "x", "hosts": ["o"]}
    theirs = {**BASE, "a": "y", "b": "changed", "hosts": ["t", "t2"]}
    for prefer, expected in (("ours", {**removed, "a": "x", "hosts": ["o"]}),
                             ("theirs", {**BASE, "a": "y", "b": "changed",
                                         "hosts": ["t", "t2"]})):
        result = merge_documents([BASE], [ours], [theirs], prefer)  # type: ignore[arg-type]
        assert sorted(result.conflicts) == ['["a"]', '["b"]', '["hosts"]']
        assert result.docs[0] == expected
    gone = merge_documents([BASE], [{**BASE, "b": "changed"}], [removed], "theirs")
    assert "b" not in gone.docs[0] and gone.conflicts == ['["b"]']
    docs = merge_documents([BASE], [BASE, {"x": "1"}], [BASE, {"y": "2"}, {"z": "3"}],
                           "theirs")
    assert len(docs.docs) == 3
