"""core.pattern: a regex compiled on its first use, then the compiled methods themselves."""

from __future__ import annotations

import re

import pytest

from secretsfile.core.pattern import Pattern


def test_compiles_on_first_use_and_behaves_like_the_compiled_pattern(
        monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []
    real = re.compile

    def counting(pattern: str, flags: int = 0) -> re.Pattern[str]:
        compiled.append(pattern)
        return real(pattern, flags)

    monkeypatch.setattr(re, "compile", counting)
    pattern = Pattern(r"a(b+)")
    assert compiled == []  # nothing at creation (module import)
    match = pattern.match("abbc")
    assert match is not None and match.group(1) == "bb"
    assert pattern.search("xab") is not None and pattern.fullmatch("ab") is not None
    assert pattern.sub("-", "abab") == "--"
    assert pattern.split("xabyabz") == ["x", "b", "y", "b", "z"]
    assert pattern.findall("ab abb") == ["b", "bb"]
    assert compiled == [r"a(b+)"]  # once
    assert repr(pattern) == "Pattern('a(b+)')"


def test_unknown_attributes_still_raise() -> None:
    with pytest.raises(AttributeError):
        Pattern("x").groups  # noqa: B018


def test_flags_finditer_and_positions_are_the_compiled_patterns() -> None:
    pattern = Pattern(r"^k=(\w+)$", re.MULTILINE)
    assert [m.group(1) for m in pattern.finditer("k=a\nx\nk=b")] == ["a", "b"]
    assert pattern.search("k=a\nk=b", 4) is not None and pattern.search("k=a", 1) is None
    assert repr(pattern) == f"Pattern({pattern.pattern!r}, re.MULTILINE)"


def test_a_subclass_chooses_how_to_compile() -> None:
    seen: list[str] = []

    class Counted(Pattern):
        __slots__ = ()

        def _compile(self) -> re.Pattern[str]:
            seen.append(self.pattern)
            return re.compile(self.pattern, self.flags)

    counted = Counted("a+")
    assert counted.fullmatch("aa") and counted.match("a") and seen == ["a+"]
    assert repr(counted) == "Counted('a+')"
