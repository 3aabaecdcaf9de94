"""The keyword prefilter: which rules could match a text, found without running a regex.

Every rule names lower-case keywords; a rule's regex runs only if one of its keywords
occurs in the lower-cased text. Testing 400 keywords one by one would cost 400 passes
over the text. Instead the text is split into its *distinct* tokens of ``[a-z0-9_-]``, and
each keyword is looked up by its core (its longest token run), which must occur inside one
token. What each token holds is remembered across texts: a history scan's 10,000 small
fragments, or a tree's files, repeat most of their tokens, so each text only pays for the
tokens it is the first to show. Those fresh tokens are joined once and searched in C: every
4-byte window goes through a set intersection with the long cores' first 4 bytes, short
cores get a substring test, and only the cores that pass are attributed to single tokens.
Keywords longer than their core get a final substring test on the text, made only when a
token of the text could hold them: a core is a maximal run of token bytes inside its
keyword, so a keyword with bytes before (after) its core needs a token that starts (ends)
with the core ("pass =" needs a token ending in "pass"). Keywords without a core of 3 bytes
("sg.", "1//0") sit behind shared gates searched in the text, each gate (and keyword) first
looked for in the text's distinct tokens, one per line, by the same reasoning ("sg\\n").
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence

__all__ = ["KeywordIndex"]

_TOKEN_TABLE = bytes(
    b if chr(b) in "abcdefghijklmnopqrstuvwxyz0123456789_-" else 0x20 for b in range(256)
)
_GRAMS_OK = memoryview(b"\0" * 4).cast("I").itemsize == 4
_MIN_CORE = 3  # shorter cores: the whole keyword is searched in the text instead
_CACHE_LIMIT = 400_000  # tokens remembered; the memory stays in the tens of MB

# A keyword behind a gate: its bytes, its rules, what the text's tokens must hold (_needle).
Gated = tuple[bytes, tuple[int, ...], bytes | None]
# A keyword sharing a core: its bytes, its rules, whether bytes precede / follow the core.
Member = tuple[bytes, tuple[int, ...], bool, bool]
_NOTHING: tuple[int, ...] = ()


class KeywordIndex:
    """Rule indexes by keyword; ``always`` holds the rules without keywords."""

    def __init__(self, by_keyword: Mapping[str, Sequence[int]], always: Sequence[int]) -> None:
        self.by_keyword = {k: list(v) for k, v in by_keyword.items()}
        self.always = list(always)
        self.wide: list[tuple[str, tuple[int, ...]]] = []  # non-ASCII: tested on the decoded text
        self.coreless: list[tuple[bytes, tuple[int, ...]]] = []
        groups: dict[bytes, list[Member]] = {}
        for keyword, rules in self.by_keyword.items():
            if not keyword.isascii():
                self.wide.append((keyword, tuple(rules)))
                continue
            raw = keyword.encode("ascii")
            core, before, after = _longest_run(raw)
            if len(core) < _MIN_CORE:  # "1//0", "pw =": too common inside tokens to remember
                self.coreless.append((raw, tuple(rules)))
                continue
            groups.setdefault(core, []).append((raw, tuple(rules), before, after))
        self.cores: list[tuple[bytes, tuple[Member, ...]]] = [
            (core, tuple(m)) for core, m in groups.items()
        ]
        self.gated = _gate(self.coreless)
        # long cores by their first 4 bytes (as an int); short ones get a substring test
        self._by_gram: dict[int, list[int]] = {}
        self._short: list[int] = []
        for number, (core, _members) in enumerate(self.cores):
            if len(core) >= 4 and _GRAMS_OK:
                self._by_gram.setdefault(int.from_bytes(core[:4], sys.byteorder), []).append(number)
            else:
                self._short.append(number)
        self._gram_set = frozenset(self._by_gram)
        self._seen: dict[bytes, tuple[int, ...]] = {}  # token -> cores inside it (often none)
        self._holding: dict[bytes, tuple[int, ...]] = {}  # the tokens with at least one core

    def rules_for(self, data: bytes) -> list[int]:
        """The rules whose keywords occur in ``data`` (ASCII case-insensitively), sorted."""
        lowered = data.lower()
        tokens = set(lowered.translate(_TOKEN_TABLE).split())
        if len(self._seen) > _CACHE_LIMIT:  # forget before deciding what is fresh: a token
            self._seen.clear()  # cleared after would be neither remembered nor learned
            self._holding.clear()
        fresh = tokens.difference(self._seen)
        if fresh:
            self._learn(fresh)
        hits: set[int] = set(self.always)
        cores = self.cores  # locals, loops written out: the scanner's hottest code
        holding = self._holding
        tried: set[bytes] = set()  # keywords decided (a substring test is a pass over the text)
        for token in holding.keys() & tokens:  # in C, over the smaller: most tokens hold no core
            for number in holding[token]:
                core, members = cores[number]
                for raw, rules, before, after in members:
                    if raw in tried:
                        continue
                    if raw == core:
                        tried.add(raw)
                        hits.update(rules)
                    elif (not before or token.startswith(core)) and (
                        not after or token.endswith(core)
                    ):
                        tried.add(raw)
                        if raw in lowered:
                            hits.update(rules)
        if self.gated:
            # the text's distinct tokens, one per line: a gate whose needle is not there cannot
            # occur, and searching them is ~10x shorter than searching the text
            lines = b"\n%s\n" % b"\n".join(tokens)
            for gate, needle, behind in self.gated:
                if (needle is None or needle in lines) and gate in lowered:
                    for raw, rules, own in behind:
                        if (own is None or own in lines) and raw in lowered:
                            hits.update(rules)
        if self.wide:
            text_lower = data.decode("utf-8", "replace").lower()
            for keyword, rules in self.wide:
                if keyword in text_lower:
                    hits.update(rules)
        return sorted(hits)

    def _learn(self, fresh: set[bytes]) -> None:
        """Record which cores each of the ``fresh`` tokens holds."""
        blob = b"\n".join(fresh)
        found: dict[bytes, list[int]] = {}
        for number in self._candidates(blob):
            # a core holds no newline: each of its occurrences lies inside one token, so
            # the tokens holding it are found from its occurrences, not by testing them all
            for token in _tokens_holding(blob, self.cores[number][0]):
                found.setdefault(token, []).append(number)
        seen = self._seen
        seen.update(dict.fromkeys(fresh, _NOTHING))
        for token, numbers in found.items():
            seen[token] = self._holding[token] = tuple(numbers)

    def _candidates(self, blob: bytes) -> Iterable[int]:
        """Cores that may occur in ``blob`` (fresh tokens joined by newlines): those whose
        first 4 bytes do, and the short ones (``_tokens_holding`` then searches each once)."""
        for gram in _grams_among(blob, self._gram_set):
            yield from self._by_gram[gram]
        yield from self._short


def _longest_run(piece: bytes) -> tuple[bytes, bool, bool]:
    """The longest run of token bytes in ``piece`` (the first of equal ones, split out as a
    text's tokens are), and whether ``piece`` has bytes before / after it. Being longest, the
    run is maximal: a byte next to it in ``piece`` is not a token byte, so where the run
    occurs in a text, that text's token starts (ends) with it."""
    run = max(piece.translate(_TOKEN_TABLE).split(), key=len, default=b"")
    at = piece.find(run)
    return run, at > 0, at + len(run) < len(piece)


def _needle(piece: bytes) -> bytes | None:
    """What a text's tokens joined by newlines (with one before and after) must hold for
    ``piece`` to occur in the text: its longest run, newline-bounded where ``piece`` bounds it
    ("sg." needs a token ending in "sg": ``sg\\n``); None when ``piece`` has no token byte."""
    run, before, after = _longest_run(piece)
    if not run:
        return None
    return b"\n" * before + run + b"\n" * after


def _gate(keywords: list[tuple[bytes, tuple[int, ...]]]
          ) -> list[tuple[bytes, bytes | None, tuple[Gated, ...]]]:  # fmt: skip
    """Keywords grouped behind a shared 2-byte gate ("q~" for "0q~" ... "9q~"), so a text
    pays one search per group; a keyword that shares no pair with another is its own gate."""
    counts: dict[bytes, int] = {}  # pair -> how many keywords hold it (counted once each)
    for raw, _ in keywords:
        for pair in {raw[i : i + 2] for i in range(len(raw) - 1)}:
            counts[pair] = counts.get(pair, 0) + 1

    def shared(pair: bytes) -> int:
        if len(pair) == 2:
            return counts.get(pair, 0)
        return sum(pair in raw for raw, _ in keywords)  # a keyword shorter than a pair

    groups: dict[bytes, list[Gated]] = {}
    for raw, rules in keywords:
        pairs = [raw[i : i + 2] for i in range(len(raw) - 1)]
        best = max(pairs, key=shared, default=raw)
        groups.setdefault(best if shared(best) > 1 else raw, []).append((raw, rules, _needle(raw)))
    return [(gate, _needle(gate), tuple(members)) for gate, members in groups.items()]


def _tokens_holding(blob: bytes, core: bytes) -> list[bytes]:
    """The newline-separated tokens of ``blob`` that hold ``core`` (once each, in order)."""
    tokens: list[bytes] = []
    pos = blob.find(core)
    while pos >= 0:
        start = blob.rfind(b"\n", 0, pos) + 1
        end = blob.find(b"\n", pos)
        end = len(blob) if end < 0 else end
        tokens.append(blob[start:end])
        pos = blob.find(core, end)
    return tokens


def _grams_among(blob: bytes, wanted: frozenset[int]) -> set[int]:
    """The 4-byte windows of ``blob`` (as ints) that are in ``wanted``."""
    found: set[int] = set()
    if not wanted:
        return found
    view = memoryview(blob)
    size = len(blob)
    for offset in range(4):
        usable = (size - offset) // 4 * 4
        if usable > 0:
            found.update(wanted.intersection(view[offset : offset + usable].cast("I")))
    return found
