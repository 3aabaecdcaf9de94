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

__all__ = ["CompiledAllowlist", "Pragmas", "in_ranges", "run_starts"]


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
_NEWLINE = LazyRegex(r"\n")
# A pragma's line ends at the first break YAML or an editor sees, not only at \n: a
# comment must not reach text shown (and parsed) as the next line (R2 F8).
_BREAKS = "\n\r\x85\u2028\u2029"


def _line_allows(line: str, marker: LazyRegex) -> bool:
    # The substring test first: almost no line carries a marker, and "in" is cheaper.
    return (
        "allow" in line or "whitelist" in line or "disable" in line
    ) and marker.search(line) is not None


def in_ranges(ranges: list[tuple[int, int]], first: int, last: int | None = None) -> bool:
    last = first if last is None else last
    return any(a <= last and first <= b for a, b in ranges)


def run_starts(text: str, line_map: Sequence[int]) -> list[int]:
    """Where, in a diff fragment's text (its added lines joined), a line begins that does
    not follow the fragment's previous line in the file; text past the mapped lines counts
    as such a start too. A pragma reaches no further than its run of file lines (R2 F1)."""
    cuts: list[int] = []
    begin = 0
    for index in range(len(line_map)):
        stop = text.find("\n", begin)
        if stop < 0:
            break
        begin = stop + 1
        if index + 1 == len(line_map) or line_map[index + 1] != line_map[index] + 1:
            cuts.append(begin)
    return cuts


class Pragmas:
    """The suppression comments of a text, judged by position: same-line pragmas on the
    secret's own lines, a next-line pragma on the line just above, block pragmas
    (``disable`` ... ``enable``) around its start. Lines end at any of ``_BREAKS``.

    ``cuts`` (``run_starts``) are positions where the text stops being consecutive file
    lines (a diff's added lines): no line above a cut is "just above", and a block never
    runs over a cut. Built once per text: a minified line may be asked about hundreds of
    times."""

    __slots__ = ("_breaks", "_cuts", "_starts", "blocks", "text")

    def __init__(self, text: str, cuts: Sequence[int] = ()) -> None:
        self.text = text
        self._cuts = frozenset(cuts)
        self._starts: list[int] | None = None
        self._breaks = tuple(b for b in _BREAKS if b == "\n" or b in text)
        self.blocks = self._blocks() if "disable" in text else []

    @classmethod
    def of(cls, text: str, line_map: Sequence[int] | None = None) -> Pragmas | None:
        """The pragmas of a text (a fragment with its ``line_map``); None when it has none."""
        if "allow" not in text and "whitelist" not in text and "disable" not in text:
            return None
        return cls(text, run_starts(text, line_map) if line_map is not None else ())

    def line_start(self, pos: int) -> int:
        return max(self.text.rfind(b, 0, pos) for b in self._breaks) + 1

    def line_end(self, pos: int) -> int:
        found = [i for b in self._breaks if (i := self.text.find(b, pos)) >= 0]
        return min(found, default=len(self.text))

    def _run_end(self, pos: int) -> int:
        return min((cut for cut in self._cuts if cut > pos), default=len(self.text))

    def _blocks(self) -> list[tuple[int, int]]:
        """``[begin, end)`` spans switched off: from a disable marker's line to the next
        enable marker's line, or to the end of its run (the text) when none follows."""
        text = self.text
        events = sorted(
            [(m.start(), True) for m in _BLOCK_OFF.finditer(text)]
            + [(m.start(), False) for m in _BLOCK_ON.finditer(text)]
        )
        spans: list[tuple[int, int]] = []
        opened, limit = -1, len(text)
        for pos, off in events:
            if opened >= 0 and pos >= limit:  # its run ended first: the block stops there
                spans.append((opened, limit))
                opened = -1
            if off and opened < 0:
                opened, limit = self.line_start(pos), self._run_end(pos)
            elif not off and opened >= 0:
                spans.append((opened, self.line_end(pos)))
                opened = -1
        if opened >= 0:
            spans.append((opened, limit))
        return spans

    def suppress(self, start: int, end: int) -> bool:
        """Whether a secret at ``text[start:end]`` is switched off."""
        if any(a <= start < b for a, b in self.blocks):
            return True
        text = self.text
        begin = self.line_start(start)
        if _line_allows(text[begin : self.line_end(max(end - 1, start))], _ALLOW_SAME_LINE):
            return True
        if begin == 0 or begin in self._cuts:
            return False
        above = begin - 2 if begin >= 2 and text.startswith("\r\n", begin - 2) else begin - 1
        return _line_allows(text[self.line_start(above) : above], _ALLOW_NEXT_LINE)

    def at_line(self, number: int, column: int, secret: str) -> bool:
        """Whether ``secret``, on line ``number`` (1-based, lines split at \n) from
        ``column`` on, is switched off; False when the text holds something else there."""
        if self._starts is None:
            self._starts = [0, *(m.end() for m in _NEWLINE.finditer(self.text))]
        if not 0 < number <= len(self._starts):
            return False
        start = self._starts[number - 1] + column
        if not self.text.startswith(secret, start):
            return False
        return self.suppress(start, start + len(secret))
