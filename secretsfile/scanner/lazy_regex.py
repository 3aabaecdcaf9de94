"""Regexes compiled on first use: a pre-commit run over a few files compiles a few.

Every scanner regex (rule, allowlist, path, filter) goes through ``compile_regex``, so a
test can count the compilations of a scan by replacing ``lazy_regex.compile_hook``.
Module-level regexes are ``LazyRegex`` objects: the pattern text now, the compilation on
the first ``search``/``match``/... call.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

__all__ = ["LazyRegex", "compile_regex"]

#: What compiles (``re.compile``); tests swap it for a counting wrapper.
compile_hook: Callable[[str, int], re.Pattern[str]] = re.compile


def compile_regex(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return compile_hook(pattern, flags)


class LazyRegex:
    """A pattern compiled on its first use (same methods as ``re.Pattern`` it needs)."""

    __slots__ = ("_compiled", "flags", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags
        self._compiled: re.Pattern[str] | None = None

    @property
    def compiled(self) -> re.Pattern[str]:
        if self._compiled is None:
            self._compiled = compile_regex(self.pattern, self.flags)
        return self._compiled

    def search(self, text: str, pos: int = 0, endpos: int = 2**62) -> re.Match[str] | None:
        return self.compiled.search(text, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = 2**62) -> re.Match[str] | None:
        return self.compiled.match(text, pos, endpos)

    def fullmatch(self, text: str, pos: int = 0, endpos: int = 2**62) -> re.Match[str] | None:
        return self.compiled.fullmatch(text, pos, endpos)

    def finditer(self, text: str, pos: int = 0, endpos: int = 2**62) -> Iterator[re.Match[str]]:
        return self.compiled.finditer(text, pos, endpos)

    def findall(self, text: str) -> list[str]:
        return self.compiled.findall(text)

    def sub(self, repl: str | Callable[[re.Match[str]], str], text: str, count: int = 0) -> str:
        return self.compiled.sub(repl, text, count)
