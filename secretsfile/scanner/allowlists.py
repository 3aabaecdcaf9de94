"""Allowlists ready to run, and the inline suppression comments.

An ``Allowlist`` (model.py) is data from a rule or a config; here it is compiled once
per scanner: its regexes joined into one alternation, its stopwords lower-cased.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from secretsfile.scanner.model import Allowlist

__all__ = ["CompiledAllowlist", "inline_allowed"]


def _alternation(patterns: Sequence[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@dataclass
class CompiledAllowlist:
    source: Allowlist
    regex: re.Pattern[str] | None
    paths: re.Pattern[str] | None
    stopwords: tuple[str, ...]
    commits: frozenset[str]
    conjunctive: bool

    @classmethod
    def build(cls, allowlist: Allowlist) -> CompiledAllowlist:
        return cls(
            source=allowlist,
            regex=_alternation(allowlist.regexes),
            paths=_alternation(allowlist.paths),
            stopwords=tuple(w.lower() for w in allowlist.stopwords),
            commits=frozenset(allowlist.commits),
            conjunctive=allowlist.condition.upper() in ("AND", "&&"),
        )

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

_ALLOW_SAME_LINE = re.compile(
    r"secretsfile:allow(?!-next-line)|gitleaks:allow|pragma: ?(?:allow|white)list[ -]secret"
)
_ALLOW_NEXT_LINE = re.compile(
    r"secretsfile:allow-next-line|pragma: ?(?:allow|white)list[ -]nextline[ -]secret"
)


def _line_allows(line: str, marker: re.Pattern[str]) -> bool:
    # The substring test first: almost no line carries a marker, and "in" is cheaper.
    return ("allow" in line or "whitelist" in line) and marker.search(line) is not None


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
