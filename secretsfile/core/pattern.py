"""``Pattern``: a module-level regex compiled on its first use.

Compiling costs 0.1-0.6 ms a pattern, and a hot command (decrypt, encrypt, set) imports
modules whose patterns it mostly never runs (key-source syntaxes, timestamps, JSON numbers):
issue 14's start-up budget compiles none of them at import. After the first call the
methods are the compiled pattern's own, bound into slots, so a per-value loop pays nothing
extra. (The scanner's ``LazyRegex`` adds a compile hook its tests count through.)
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["Pattern"]

_METHODS = ("match", "fullmatch", "search", "sub", "split", "findall")


class Pattern:
    """``re.compile(text)`` on the first call of any of its methods."""

    __slots__ = ("pattern", *_METHODS)

    match: Callable[[str], re.Match[str] | None]
    fullmatch: Callable[[str], re.Match[str] | None]
    search: Callable[[str], re.Match[str] | None]
    sub: Callable[..., str]
    split: Callable[[str], list[str]]
    findall: Callable[[str], list[str]]

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern

    def __getattr__(self, name: str) -> Callable[..., object]:
        """Only reached while the slots are empty, i.e. on the first call."""
        if name not in _METHODS:
            raise AttributeError(name)
        compiled = re.compile(self.pattern)
        for method in _METHODS:
            object.__setattr__(self, method, getattr(compiled, method))
        return getattr(compiled, name)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"Pattern({self.pattern!r})"
