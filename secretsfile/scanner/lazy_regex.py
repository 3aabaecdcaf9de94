"""Regexes compiled on first use: a pre-commit run over a few files compiles a few.

Every scanner regex (rule, allowlist, path, filter) goes through ``compile_regex``, so a
test can count the compilations of a scan by replacing ``lazy_regex.compile_hook``.
Module-level regexes are ``LazyRegex`` objects: ``core.pattern.Pattern`` (the pattern text
now, the compilation on the first ``search``/``match``/... call, then the compiled methods
themselves) compiling through that hook.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from secretsfile.core.pattern import Pattern

__all__ = ["LazyRegex", "compile_regex"]

#: What compiles (``re.compile``); tests swap it for a counting wrapper.
compile_hook: Callable[[str, int], re.Pattern[str]] = re.compile


def compile_regex(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return compile_hook(pattern, flags)


class LazyRegex(Pattern):
    """A ``Pattern`` compiled by ``compile_regex`` (counted in tests)."""

    __slots__ = ()

    def _compile(self) -> re.Pattern[str]:
        return compile_regex(self.pattern, self.flags)
