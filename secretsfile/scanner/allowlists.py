"""Allowlists ready to run, and the inline suppression comments.

An ``Allowlist`` (model.py) is data from a rule or a config; here it is compiled once
per scanner: its regexes joined into one alternation, its stopwords lower-cased.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from secretsfile.scanner.lazy_regex import LazyRegex, compile_regex
from secretsfile.scanner.model import Allowlist

TYPE_CHECKING = False  # typing stays unloaded at run time (the hook's start-up)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["CompiledAllowlist", "LinePragmas", "disabled_ranges", "in_ranges", "inline_allowed"]


def _alternation(patterns: Sequence[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return compile_regex("|".join(f"(?:{p})" for p in patterns))


_UNSET: Any = object()


class CompiledAllowlist:
    """An allowlist ready to run; its regexes compile on first use (most scans never
    judge a candidate, and most allowlists name no paths)."""

    __slots__ = ("_paths", "_regex", "commits", "conjunctive", "source", "stopwords")

    def __init__(self, source: Allowlist, stopwords: tuple[str, ...], commits: frozenset[str],
                 conjunctive: bool) -> None:  # fmt: skip
        self.source = source
        self.stopwords = stopwords
        self.commits = commits
        self.conjunctive = conjunctive
        self._regex: re.Pattern[str] | None = _UNSET
        self._paths: re.Pattern[str] | None = _UNSET

    @classmethod
    def build(cls, allowlist: Allowlist) -> CompiledAllowlist:
        return cls(
            source=allowlist,
            stopwords=tuple(w.lower() for w in allowlist.stopwords),
            commits=frozenset(allowlist.commits),
            conjunctive=allowlist.condition.upper() in ("AND", "&&"),
        )

    @property
    def regex(self) -> re.Pattern[str] | None:
        if self._regex is _UNSET:
            self._regex = _alternation(self.source.regexes)
        return self._regex

    @property
    def paths(self) -> re.Pattern[str] | None:
        if self._paths is _UNSET:
            self._paths = _alternation(self.source.paths)
        return self._paths

    def skips_path(self, path: str, commit: str | None) -> bool:
        """OR allowlists drop every match of a path or commit they name."""
        return not self.conjunctive and self._names(path, commit)

    def _names(self, path: str, commit: str | None) -> bool:
        if self.paths is not None and self.paths.search(path):
            return True
        return bool(self.commits) and commit is not None and commit in self.commits

    def drops(self, secret: str, match: str, line: str, path: str, commit: str | None) -> bool:
        target = self.source.regex_target
        text = match if target == "match" else line if target == "line" else secret
        regex_hit = self.regex is not None and self.regex.search(text) is not None
        low = secret.lower()
        stop_hit = any(w in low for w in self.stopwords)
        if not self.conjunctive:
            return regex_hit or stop_hit or self._names(path, commit)
        checks: list[bool] = []
        if self.regex is not None:
            checks.append(regex_hit)
        if self.stopwords:
            checks.append(stop_hit)
        if self.paths is not None:
            checks.append(self.paths.search(path) is not None)
        if self.commits:
            checks.append(commit is not None and commit in self.commits)
        return bool(checks) and all(checks)


# --- inline suppression -----------------------------------------------------------------

_ALLOW_SAME_LINE = LazyRegex(
    r"secretsfile:allow(?!-next-line)|gitleaks:allow|pragma: ?(?:allow|white)list[ -]secret"
    r"|secretlint-disable-line"
)
_ALLOW_NEXT_LINE = LazyRegex(
    r"secretsfile:allow-next-line|pragma: ?(?:allow|white)list[ -]nextline[ -]secret"
    r"|secretlint-disable-next-line"
)
# Block pragmas: everything from a disable marker's line to the next enable marker's line
# (to the end of the text when none follows). Any comment syntax: only the marker counts.
_BLOCK_OFF = LazyRegex(r"(?:secretsfile:|secretlint-)disable(?![\w-])")
_BLOCK_ON = LazyRegex(r"(?:secretsfile:|secretlint-)enable(?![\w-])")
_NO_END = 1 << 62


def _line_allows(line: str, marker: LazyRegex) -> bool:
    # The substring test first: almost no line carries a marker, and "in" is cheaper.
    return (
        "allow" in line or "whitelist" in line or "disable" in line
    ) and marker.search(line) is not None


def disabled_ranges(text: str) -> list[tuple[int, int]]:
    """The 1-based inclusive line ranges that block pragmas switch off."""
    if "disable" not in text:
        return []
    events = sorted(
        [(m.start(), True) for m in _BLOCK_OFF.finditer(text)]
        + [(m.start(), False) for m in _BLOCK_ON.finditer(text)]
    )
    ranges: list[tuple[int, int]] = []
    opened: int | None = None
    for pos, off in events:
        line = text.count("\n", 0, pos) + 1
        if off and opened is None:
            opened = line
        elif not off and opened is not None:
            ranges.append((opened, line))
            opened = None
    if opened is not None:
        ranges.append((opened, _NO_END))
    return ranges


def in_ranges(ranges: list[tuple[int, int]], first: int, last: int | None = None) -> bool:
    last = first if last is None else last
    return any(a <= last and first <= b for a, b in ranges)


class LinePragmas:
    """The pragmas of a whole text, by line: for a diff's added lines, whose comments may
    sit on unchanged lines (a next-line pragma above a hunk, a disable/enable block), and
    for decoded runs. Read once: a minified line may be asked about hundreds of times."""

    def __init__(self, text: str) -> None:
        self.blocks = disabled_ranges(text)
        self.same: set[int] = set()
        self.after: set[int] = set()  # lines a next-line pragma above covers
        if "allow" in text or "whitelist" in text or "disable" in text:
            for number, line in enumerate(text.split("\n"), 1):
                if _line_allows(line, _ALLOW_SAME_LINE):
                    self.same.add(number)
                if _line_allows(line, _ALLOW_NEXT_LINE):
                    self.after.add(number + 1)

    def suppress(self, first: int, last: int) -> bool:
        """Whether a match on lines ``first..last`` (1-based) is switched off."""
        if first in self.after or in_ranges(self.blocks, first, last):
            return True
        return any(number in self.same for number in range(first, last + 1))


def inline_allowed(text: str, start: int, end: int, line_begin: int) -> bool:
    """A suppression comment on the match's lines, or an allow-next-line one just above."""
    first_begin = text.rfind("\n", 0, start) + 1
    last_end = text.find("\n", max(end - 1, start))
    span = text[min(first_begin, line_begin) : len(text) if last_end < 0 else last_end]
    if _line_allows(span, _ALLOW_SAME_LINE):
        return True
    if first_begin > 0:
        previous = text[text.rfind("\n", 0, first_begin - 1) + 1 : first_begin - 1]
        if _line_allows(previous, _ALLOW_NEXT_LINE):
            return True
    return False
