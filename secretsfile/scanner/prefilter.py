"""The keyword prefilter: which rules could match a text, found without running a regex.

Every rule names lower-case keywords; a rule's regex runs only if one of its keywords
occurs in the lower-cased text. Testing 300 keywords one by one would cost 300 passes
over the text. Instead the text is split into its *distinct* tokens of ``[a-z0-9_-]`` (a
few times smaller than the text), every 4-byte window of those tokens goes into a set of
ints (four memoryview casts, all in C), and each keyword's core (its longest token run)
is looked up there by its first 4 bytes. Only cores that pass get a substring test on the
tokens, and only keywords longer than their core get one on the text.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping, Sequence

__all__ = ["KeywordIndex"]

_CORE_RUN = re.compile(rb"[a-z0-9_-]+")
_TOKEN_TABLE = bytes(
    b if chr(b) in "abcdefghijklmnopqrstuvwxyz0123456789_-" else 0x20 for b in range(256)
)
_GRAMS_OK = memoryview(b"\0" * 4).cast("I").itemsize == 4

Members = tuple[tuple[bytes, str], ...]  # (keyword bytes, keyword) sharing one core


class KeywordIndex:
    """Rule indexes by keyword; ``always`` holds the rules without keywords."""

    def __init__(self, by_keyword: Mapping[str, Sequence[int]], always: Sequence[int]) -> None:
        self.by_keyword = {k: list(v) for k, v in by_keyword.items()}
        self.always = list(always)
        self.wide: list[str] = []  # non-ASCII keywords: tested on the decoded text
        self.coreless: list[tuple[bytes, str]] = []
        groups: dict[bytes, list[tuple[bytes, str]]] = {}
        for keyword in self.by_keyword:
            if not keyword.isascii():
                self.wide.append(keyword)
                continue
            raw = keyword.encode("ascii")
            runs = _CORE_RUN.findall(raw)
            if not runs:
                self.coreless.append((raw, keyword))
                continue
            groups.setdefault(max(runs, key=len), []).append((raw, keyword))
        long = {core: m for core, m in groups.items() if len(core) >= 4 and _GRAMS_OK}
        self.long_cores: list[tuple[int, bytes, Members]] = [
            (int.from_bytes(core[:4], sys.byteorder), core, tuple(m)) for core, m in long.items()
        ]
        self.short_cores: list[tuple[bytes, Members]] = [
            (core, tuple(m)) for core, m in groups.items() if core not in long
        ]

    def rules_for(self, data: bytes) -> list[int]:
        """The rules whose keywords occur in ``data`` (ASCII case-insensitively), sorted."""
        lowered = data.lower()
        tokens = b"\n".join(set(lowered.translate(_TOKEN_TABLE).split()))
        hits: set[int] = set(self.always)
        by_keyword = self.by_keyword  # locals, loops written out: the scanner's hottest code
        if self.long_cores:
            grams = _grams(tokens)
            for gram, core, members in self.long_cores:
                if gram in grams and core in tokens:
                    for raw, keyword in members:
                        if raw == core or raw in lowered:
                            hits.update(by_keyword[keyword])
        for core, members in self.short_cores:
            if core in tokens:
                for raw, keyword in members:
                    if raw == core or raw in lowered:
                        hits.update(by_keyword[keyword])
        for raw, keyword in self.coreless:
            if raw in lowered:
                hits.update(by_keyword[keyword])
        if self.wide:
            text_lower = data.decode("utf-8", "replace").lower()
            for keyword in self.wide:
                if keyword in text_lower:
                    hits.update(by_keyword[keyword])
        return sorted(hits)


def _grams(tokens: bytes) -> set[int]:
    """Every 4-byte window of ``tokens`` as an int."""
    grams: set[int] = set()
    view = memoryview(tokens)
    size = len(tokens)
    for offset in range(4):
        usable = (size - offset) // 4 * 4
        if usable > 0:
            grams.update(view[offset : offset + usable].cast("I"))
    return grams
