"""The structure tag tells apart every change sops' MAC cannot see, and nothing else."""

from __future__ import annotations

import pytest

from secretsfile.core.integrity import structure_tag, tag_matches
from secretsfile.core.tree import Selector
from secretsfile.core.values import Comment, GoTime

KEY = bytes(range(32))
BASE = {"a": "ab", "b": "c", "n": None, "e": "", "m": {}, "l": [], "i": 1234,
        "t": GoTime("2024-01-02T00:00:00Z"), "f": True}


def tag(doc: dict, selector: Selector | None = None, key: bytes = KEY) -> str:  # type: ignore[type-arg]
    return structure_tag(key, [doc], selector or Selector())


@pytest.mark.parametrize("changed", [
    {**BASE, "a": "a", "b": "bc"},                    # text moved between values
    {k: v for k, v in BASE.items() if k != "n"},       # a null removed
    {**BASE, "x": None},                              # a null added
    {**{("E" if k == "e" else k): v for k, v in BASE.items()}},  # an empty key renamed
    {k: v for k, v in BASE.items() if k != "m"},       # an empty map removed
    {**BASE, "l": [None]},                            # an empty list filled with null
    {**BASE, "i": "1234"},                            # int -> str
    {**BASE, "f": "True"},                            # bool -> str
    {**BASE, "t": "2024-01-02T00:00:00Z"},            # time -> str
    dict(reversed(list(BASE.items()))),               # order
])
def test_changes_the_mac_misses_change_the_tag(changed: dict) -> None:  # type: ignore[type-arg]
    assert tag(changed) != tag(BASE)


def test_documents_selector_and_key_are_covered() -> None:
    assert structure_tag(KEY, [BASE, {}], Selector()) != tag(BASE)
    assert tag(BASE, Selector("encrypted_regex", "^a$")) != tag(BASE)
    assert tag(BASE, Selector(mac_only_encrypted=True)) != tag(BASE)
    assert tag(BASE, key=bytes(32)) != tag(BASE)


def test_what_a_rewrite_may_change_does_not_change_the_tag() -> None:
    """Comments are not data; go-yaml writes the float 3.0 as 3, which reads back as int."""
    with_comments = {Comment(" hi"): None, **BASE, "l": [Comment(" x")]}
    assert tag(with_comments) == tag(BASE)
    assert tag({**BASE, "i": 3.0}) == tag({**BASE, "i": 3})
    assert tag(dict(BASE)) == tag(BASE)  # deterministic


def test_tag_format_and_comparison() -> None:
    value = tag(BASE)
    assert value.startswith("v1:") and tag_matches(value, value)
    assert not tag_matches(value[:-2] + "AA", value)
    assert not tag_matches("\udcff", value)
