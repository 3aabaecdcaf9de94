"""The keyword prefilter finds exactly the rules whose keywords occur in the lower-cased text."""

from __future__ import annotations

import random

import pytest

from secretsfile.scanner import prefilter
from secretsfile.scanner.prefilter import KeywordIndex

KEYWORDS = {
    "pass =": [0], "pass": [1], "<add key=": [2], "hooks.slack.com": [3], "x-api-key:": [4],
    "pw=": [5], "q~": [6], "//": [7], "token": [8], "set password": [9], "-----begin": [10],
    "passpass": [11], "sk-ant-": [12], "é-key": [13], "sg.": [14], ":aa": [15], "1//0": [16],
    "0q~": [17], "dp.ct.": [18],
}  # fmt: skip
PIECES = [
    "pass", "PASS", " = ", "=", "<add", " key=", "hooks", ".slack", ".com", "x-api-key", ":", "pw",
    "q~", "/", "token", "Tok", "set ", "password", "-----BEGIN", "sk-ant-", "é", "-key", "\n",
    " ", "_", "a", "0", "passpass", "xpass", "'", "sg", "SG", ".", "aa", "1", "~", "q", "dp", "ct",
]  # fmt: skip


def naive(index: KeywordIndex, text: str) -> list[int]:
    lowered = text.encode("utf-8").lower()
    wide = text.lower()
    found = set(index.always)
    for keyword, rules in index.by_keyword.items():
        inside = keyword in wide if not keyword.isascii() else keyword.encode() in lowered
        if inside:
            found.update(rules)
    return sorted(found)


def test_rules_for_agrees_with_a_substring_search_on_every_keyword() -> None:
    index = KeywordIndex(KEYWORDS, [99])
    rng = random.Random(14)
    for _ in range(6000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 12)))
        assert index.rules_for(text.encode("utf-8")) == naive(index, text), text


def test_a_keyword_around_its_core_needs_a_token_bounded_there() -> None:
    index = KeywordIndex({"pass =": [0], "<add key=": [1]}, [])
    assert index.rules_for(b"x = 1\npass = 2") == [0]
    assert index.rules_for(b"password = 2\nbypass\n") == []  # no token ends in "pass"
    assert index.rules_for(b"bypass = 2") == [0]  # a token ending in it: tested, found
    assert index.rules_for(b'<add key="a"/>\n<xadd key=') == [1]
    assert index.rules_for(b"<adder key=") == []


def test_a_gated_keyword_needs_a_token_bounded_as_it_is() -> None:
    index = KeywordIndex({"sg.": [0], ":aa": [1], "//": [2]}, [])
    assert index.rules_for(b"key = SG.abc") == [0]
    assert index.rules_for(b"key = xsg.abc") == [0]
    assert index.rules_for(b"sgx. sg x.") == []
    assert index.rules_for(b"a:aab") == [1]
    assert index.rules_for(b"a:xaa aa:") == []
    assert index.rules_for(b"http://") == [2]


def test_the_token_cache_forgets_before_it_decides_what_is_new(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A text that pushes the cache past its limit still finds keywords in tokens seen
    before (the cache is cleared before the text's new tokens are picked, not after)."""
    monkeypatch.setattr(prefilter, "_CACHE_LIMIT", 3)
    index = KeywordIndex(KEYWORDS, [])
    rng = random.Random(41)
    for _ in range(3000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 12)))
        assert index.rules_for(text.encode("utf-8")) == naive(index, text), text
    assert index.rules_for(b"a b c d") == []
    assert index.rules_for(b"x token") == [8]  # the review's case: 'x' and 'token' known
