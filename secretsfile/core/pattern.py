"""``Pattern``: a module-level regex compiled on its first use.

Compiling costs 0.1-0.6 ms a pattern, and a hot command (decrypt, encrypt, set) imports
modules whose patterns it mostly never runs (key-source syntaxes, timestamps, JSON numbers):
issue 14's start-up budget compiles none of them at import. After the first call the
methods are the compiled pattern's own, bound into slots, so a per-value loop pays nothing
extra. The scanner's ``LazyRegex`` is this class compiling through its counted hook.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["Pattern"]

_METHODS = ("match", "fullmatch", "search", "sub", "split", "findall", "finditer")


class Pattern:
    """``re.compile(pattern, flags)`` on the first call of any of its methods."""

    __slots__ = ("flags", "pattern", *_METHODS)

    # the compiled pattern's methods (text, then pos/endpos, maxsplit, count as re takes them)
    match: Callable[..., re.Match[str] | None]
    fullmatch: Callable[..., re.Match[str] | None]
    search: Callable[..., re.Match[str] | None]
    sub: Callable[..., str]
    split: Callable[..., list[str]]
    findall: Callable[..., list[str]]
    finditer: Callable[..., Iterator[re.Match[str]]]

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags

    def _compile(self) -> re.Pattern[str]:
        return re.compile(self.pattern, self.flags)

    def __getattr__(self, name: str) -> Callable[..., object]:
        """Only reached while the slots are empty, i.e. on the first call."""
        if name not in _METHODS:
            raise AttributeError(name)
        compiled = self._compile()
        for method in _METHODS:
            object.__setattr__(self, method, getattr(compiled, method))
        return getattr(compiled, name)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        flags = f", {self.flags}" if self.flags else ""
        return f"{type(self).__name__}({self.pattern!r}{flags})"
