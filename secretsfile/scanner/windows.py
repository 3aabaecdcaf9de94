"""Where a rule's regex runs: only on the lines around its keywords.

A rule whose regex cannot match a newline runs on the keyword lines; one that can cross a
few lines gets one line of context either side; one with an unbounded newline-crossing
repeat (a PEM block) is tried at each position of the keyword line and may run up to
``BLOCK_LIMIT`` characters past it. How many newlines a regex can cross is read once per
rule (regex_shape.py).
"""

from __future__ import annotations

import re

from secretsfile.scanner.allowlists import CompiledAllowlist
from secretsfile.scanner.filters import CIPHERTEXT_FILTERS
from secretsfile.scanner.lazy_regex import compile_regex
from secretsfile.scanner.model import Rule

__all__ = ["BLOCK_LIMIT", "CompiledRule", "keyword_lines", "matches"]

#: How far past its keyword line a block rule (PEM keys) may match.
BLOCK_LIMIT = 64 * 1024

_SINGLE_LINE = 0
_FEW_LINES = 1
_BLOCK = 2


class CompiledRule:
    """A rule plus what the engine derives from it, each piece computed on first use
    (a plain slotted class: one is built per rule at every start)."""

    __slots__ = ("_allowlists", "_literal", "_mode", "_path", "_pattern", "exempt", "generic",
                 "keywords", "rule", "sees_ciphertext")  # fmt: skip

    def __init__(self, rule: Rule, generic: bool, keywords: tuple[str, ...] = (),
                 sees_ciphertext: bool = False) -> None:  # fmt: skip
        self.rule = rule
        self.generic = generic
        self.keywords = keywords
        self.sees_ciphertext = sees_ciphertext  # see filters.CIPHERTEXT_FILTERS
        self.exempt = frozenset(rule.exempt_filters) | (
            CIPHERTEXT_FILTERS if sees_ciphertext else frozenset())
        self._allowlists: tuple[CompiledAllowlist, ...] | None = None
        self._pattern: re.Pattern[str] | None = None
        self._path: re.Pattern[str] | None = None
        self._mode = -1
        self._literal: bool | None = None

    @property
    def allowlists(self) -> tuple[CompiledAllowlist, ...]:
        if self._allowlists is None:
            self._allowlists = tuple(CompiledAllowlist.build(a) for a in self.rule.allowlists)
        return self._allowlists

    @property
    def pattern(self) -> re.Pattern[str]:
        if self._pattern is None:
            self._pattern = compile_regex(self.rule.regex)
        return self._pattern

    @property
    def path_regex(self) -> re.Pattern[str] | None:
        """The rule's path regex (None when it has none), compiled when first asked for."""
        if self._path is None and self.rule.path:
            self._path = compile_regex(self.rule.path)
        return self._path

    @property
    def mode(self) -> int:
        if self._mode < 0:
            from secretsfile.scanner.regex_shape import UNBOUNDED, newline_span  # on first hit

            # compiled (and counted) first: reading a custom rule's span hits re's cache
            _ = self.pattern
            span = newline_span(self.rule.regex)
            self._mode = _SINGLE_LINE if span == 0 else _FEW_LINES if span < UNBOUNDED else _BLOCK
        return self._mode

    @property
    def literal_prefix(self) -> bool:
        """Whether the regex starts with a case-sensitive literal (re searches those fast)."""
        if self._literal is None:
            regex = self.rule.regex
            self._literal = (
                bool(regex)
                and (regex[0].isalnum() or regex.startswith("-"))
                and ("(?i" not in regex[:8] and "|" not in regex.split("(", 1)[0])
            )
        return self._literal

    def prepare(self) -> None:
        """Everything lazy, now (before forking workers, so they inherit it)."""
        _ = self.pattern, self.mode, self.literal_prefix, self.allowlists

    def applies_to(self, path: str, commit: str | None) -> bool:
        """The rule's path regex matches and no allowlist of the rule skips the path."""
        if self.path_regex is not None and not self.path_regex.search(path):
            return False
        return not (
            self.rule.allowlists and any(a.skips_path(path, commit) for a in self.allowlists)
        )


def keyword_lines(lower: str, keyword: str) -> list[int]:
    """Start offsets of the lines on which ``keyword`` occurs (deduplicated, ascending)."""
    starts: list[int] = []
    pos = lower.find(keyword)
    last = -1
    while pos >= 0:
        line_start = lower.rfind("\n", 0, pos) + 1
        if line_start != last:
            starts.append(line_start)
            last = line_start
        line_end = lower.find("\n", pos)
        if line_end < 0:
            break
        pos = lower.find(keyword, line_end + 1)
    return starts


def matches(text: str, line_starts: list[int], compiled: CompiledRule) -> list[re.Match[str]]:
    """The rule's matches near the lines starting at ``line_starts`` (ascending)."""
    if compiled.mode == _BLOCK:
        return _block_matches(text, line_starts, compiled)
    size = len(text)
    windows: list[tuple[int, int]] = []
    for line_start in line_starts:
        line_end = text.find("\n", line_start)
        start, end = line_start, (size if line_end < 0 else line_end)
        if compiled.mode == _FEW_LINES:
            start = text.rfind("\n", 0, max(start - 1, 0)) + 1 if start > 0 else 0
            nxt = text.find("\n", end + 1) if end < size else -1
            end = size if nxt < 0 else nxt
        if windows and start <= windows[-1][1] + 1:
            windows[-1] = (windows[-1][0], max(windows[-1][1], end))
        else:
            windows.append((start, end))
    pattern = compiled.pattern
    return [m for start, end in windows for m in pattern.finditer(text, start, end)]


def _block_matches(
    text: str, line_starts: list[int], compiled: CompiledRule
) -> list[re.Match[str]]:
    """Matches may run far past the keyword line but must start near it: try each start
    position of the keyword line (and the one before), or, when the regex begins with a
    literal, let re's own prefix search find the next start."""
    pattern = compiled.pattern
    literal = compiled.literal_prefix
    size = len(text)
    out: list[re.Match[str]] = []
    last_end = -1
    for line_start in line_starts:
        region_start = text.rfind("\n", 0, max(line_start - 1, 0)) + 1 if line_start else 0
        line_end = text.find("\n", line_start)
        region_end = size if line_end < 0 else line_end
        limit = min(size, region_end + BLOCK_LIMIT)
        pos = max(region_start, last_end)
        while pos <= region_end:
            m = pattern.search(text, pos, limit) if literal else pattern.match(text, pos, limit)
            if m is None:
                if literal:
                    break
                pos += 1
                continue
            if m.start() > region_end:
                break
            if m.end() == m.start():
                pos = m.end() + 1
                continue
            out.append(m)
            last_end = pos = m.end()
    return out
