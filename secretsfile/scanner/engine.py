"""The matching engine: keyword prefilter -> regex -> secret group -> entropy -> allowlists.

Per text (a file, a diff fragment, stdin) the work is:

1. **Keyword prefilter.** Every rule names lower-case keywords; a rule's regex runs only if
   one of its keywords occurs in the lower-cased text. For large texts the test runs on
   the set of distinct tokens (the text split at characters no keyword contains, which is
   a few times smaller than the text) before confirming on the text itself.
2. **Regex on windows.** The regex runs only on the lines around each keyword occurrence,
   not on the whole text. A rule whose regex cannot match a newline is run on the keyword
   lines; one that can cross a few lines gets one line of context either side; one with an
   unbounded newline-crossing repeat (a PEM block) is tried at each position of the
   keyword line and may run up to ``BLOCK_LIMIT`` characters past it. The contract that
   follows: **a match must contain, or start on the line of, one of the rule's keywords.**
3. **Secret group, entropy.** The secret is the rule's capture group; a rule with an
   entropy floor drops secrets whose Shannon entropy is not above it (gitleaks' ``<=``).
4. **Suppression and filters.** Inline ``secretsfile:allow`` / ``gitleaks:allow`` /
   ``pragma: allowlist secret`` (and ``pragma: allowlist nextline secret`` /
   ``secretsfile:allow-next-line`` on the line above), rule allowlists, global allowlists
   and stopwords, the rule's ``validate`` function, the global filters of ``filters.py``,
   and sops metadata blocks.

The engine is pure: it returns findings, it never prints. Regexes compile lazily, on a
rule's first keyword hit, so a pre-commit run over a few files compiles a few rules.
"""

from __future__ import annotations

import hashlib
import importlib
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from secretsfile.scanner import filters
from secretsfile.scanner.entropy import shannon_entropy
from secretsfile.scanner.model import Allowlist, Finding, Rule

__all__ = [
    "BLOCK_LIMIT",
    "Fragment",
    "Scanner",
    "fingerprint",
]

#: How far past its keyword line a block rule (PEM keys) may match.
BLOCK_LIMIT = 64 * 1024
_CORE_RUN = re.compile(rb"[a-z0-9_-]+")
_TOKEN_TABLE = bytes(
    b if chr(b) in "abcdefghijklmnopqrstuvwxyz0123456789_-" else 0x20 for b in range(256)
)
_GRAMS_OK = memoryview(b"\0" * 4).cast("I").itemsize == 4

_FINGERPRINT_DOMAIN = b"secretsfile-finding-v1\x00"


def fingerprint(rule_id: str, path: str, secret: str) -> str:
    """A stable identity for a finding: SHA-256 over rule, path and secret.

    No line number (moving code does not invalidate it) and no secret (only its hash).
    """
    digest = hashlib.sha256(_FINGERPRINT_DOMAIN)
    for part in (rule_id, path, secret):
        data = part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


@dataclass(frozen=True)
class Fragment:
    """A piece of text to scan and where it came from.

    ``line_map[i]`` is the line number in the real file of the fragment's line ``i + 1``
    (diffs join the added lines of a file); None means the fragment is the whole file.
    """

    path: str
    text: str
    line_map: tuple[int, ...] | None = None
    commit: str | None = None


# --- inline suppression -----------------------------------------------------------------

_ALLOW_SAME_LINE = re.compile(
    r"secretsfile:allow(?!-next-line)|gitleaks:allow|pragma: ?(?:allow|white)list[ -]secret"
)
_ALLOW_NEXT_LINE = re.compile(
    r"secretsfile:allow-next-line|pragma: ?(?:allow|white)list[ -]nextline[ -]secret"
)


def _line_allows(line: str) -> bool:
    return ("allow" in line or "whitelist" in line) and _ALLOW_SAME_LINE.search(line) is not None


def _line_allows_next(line: str) -> bool:
    return ("allow" in line or "whitelist" in line) and _ALLOW_NEXT_LINE.search(line) is not None


# --- regex shape analysis ---------------------------------------------------------------

_UNBOUNDED = 1 << 30


def _sre_parser() -> Any:
    # re._parser on 3.11+, sre_parse before; both private, so fail soft (see _newline_span).
    for name in ("re._parser", "sre_parse"):
        try:
            return importlib.import_module(name)
        except ImportError:  # pragma: no cover - depends on the interpreter
            continue
    return None  # pragma: no cover


def _newline_span(pattern: str) -> int:
    """How many newlines a match of ``pattern`` can contain (``_UNBOUNDED`` if no limit)."""
    parser = _sre_parser()
    if parser is None:  # pragma: no cover
        return _UNBOUNDED
    try:
        parsed = parser.parse(pattern)
    except Exception:  # invalid patterns are reported when compiled
        return 0
    constants: Any = importlib.import_module(
        "re._constants" if hasattr(re, "_constants") else "sre_constants"
    )
    dotall = bool(parsed.state.flags & re.DOTALL)
    return _count_newlines(parsed, dotall, constants)


def _count_newlines(items: Any, dotall: bool, c: Any) -> int:
    total = 0
    for op, av in items:
        total += _count_item(op, av, dotall, c)
        if total >= _UNBOUNDED:
            return _UNBOUNDED
    return total


def _count_item(op: Any, av: Any, dotall: bool, c: Any) -> int:
    if op is c.LITERAL:
        return 1 if av == 10 else 0
    if op is c.NOT_LITERAL:
        return 0 if av == 10 else 1
    if op is c.ANY:
        return 1 if dotall else 0
    if op is c.IN:
        return 1 if _class_has_newline(av, c) else 0
    if op in (c.MAX_REPEAT, c.MIN_REPEAT) or op is getattr(c, "POSSESSIVE_REPEAT", None):
        _low, high, sub = av
        inner = _count_newlines(sub, dotall, c)
        if inner == 0:
            return 0
        if high == c.MAXREPEAT or inner * high >= _UNBOUNDED:
            return _UNBOUNDED
        return int(inner * high)
    if op is c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        local = dotall
        if add_flags & re.DOTALL:
            local = True
        if del_flags & re.DOTALL:
            local = False
        return _count_newlines(sub, local, c)
    if op is c.BRANCH:
        return max((_count_newlines(branch, dotall, c) for branch in av[1]), default=0)
    if op is getattr(c, "ATOMIC_GROUP", None):
        return _count_newlines(av, dotall, c)
    if op is c.GROUPREF_EXISTS:
        _group, yes, no = av
        return max(_count_newlines(yes, dotall, c), _count_newlines(no, dotall, c) if no else 0)
    return 0  # AT, ASSERT, ASSERT_NOT, GROUPREF, CATEGORY outside a class ...


def _class_has_newline(items: Any, c: Any) -> bool:
    negate = False
    hit = False
    for op, av in items:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            hit = hit or av == 10
        elif op is c.RANGE:
            hit = hit or av[0] <= 10 <= av[1]
        elif op is c.CATEGORY:
            hit = hit or av in (
                c.CATEGORY_SPACE,
                c.CATEGORY_NOT_DIGIT,
                c.CATEGORY_NOT_WORD,
                c.CATEGORY_LINEBREAK,
                c.CATEGORY_UNI_SPACE,
                c.CATEGORY_UNI_NOT_DIGIT,
                c.CATEGORY_UNI_NOT_WORD,
                c.CATEGORY_UNI_LINEBREAK,
            )
    return hit != negate


# --- compiled rules and allowlists ------------------------------------------------------


def _alternation(patterns: Sequence[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@dataclass
class _CompiledAllowlist:
    source: Allowlist
    regex: re.Pattern[str] | None
    paths: re.Pattern[str] | None
    stopwords: tuple[str, ...]
    commits: frozenset[str]
    conjunctive: bool

    @classmethod
    def build(cls, allowlist: Allowlist) -> _CompiledAllowlist:
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
        if self.conjunctive:
            return False
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
            return regex_hit or stop_hit or self.skips_path_or(path, commit)
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

    def skips_path_or(self, path: str, commit: str | None) -> bool:
        if self.paths is not None and self.paths.search(path):
            return True
        return bool(self.commits) and commit is not None and commit in self.commits


_SINGLE_LINE = 0
_FEW_LINES = 1
_BLOCK = 2


@dataclass
class _CompiledRule:
    rule: Rule
    generic: bool
    path_regex: re.Pattern[str] | None
    keywords: tuple[str, ...] = ()
    _allowlists: tuple[_CompiledAllowlist, ...] | None = None
    _pattern: re.Pattern[str] | None = None
    _mode: int = -1
    _literal: bool | None = None
    _exempt: frozenset[str] | None = None

    @property
    def allowlists(self) -> tuple[_CompiledAllowlist, ...]:
        if self._allowlists is None:
            self._allowlists = tuple(_CompiledAllowlist.build(a) for a in self.rule.allowlists)
        return self._allowlists

    @property
    def pattern(self) -> re.Pattern[str]:
        if self._pattern is None:
            self._pattern = re.compile(self.rule.regex)
        return self._pattern

    @property
    def mode(self) -> int:
        if self._mode < 0:
            span = _newline_span(self.rule.regex)
            self._mode = _SINGLE_LINE if span == 0 else _FEW_LINES if span < _UNBOUNDED else _BLOCK
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

    def exempt(self) -> frozenset[str]:
        """Shape filters this rule's own true samples would trip: they do not apply to it."""
        if self._exempt is None:
            exempt: set[str] = set()
            for sample in self.rule.true_samples:
                for m in self.pattern.finditer(sample):
                    secret = _secret_of(m, self.rule.secret_group)
                    if not secret:
                        continue
                    line_start = sample.rfind("\n", 0, m.start()) + 1
                    line_end = sample.find("\n", m.start())
                    line = sample[line_start : len(sample) if line_end < 0 else line_end]
                    start = m.start(_group_index(m, self.rule.secret_group)) - line_start
                    candidate = filters.Candidate(secret, line, max(start, 0))
                    for name, check in filters.FILTERS:
                        if name in filters.SHAPE_FILTERS and check(candidate):
                            exempt.add(name)
            self._exempt = frozenset(exempt)
        return self._exempt


def _group_index(m: re.Match[str], secret_group: int) -> int:
    if secret_group > 0:
        return secret_group if secret_group <= (m.re.groups) else 0
    if secret_group < 0:
        for index in range(1, m.re.groups + 1):
            if m.group(index):
                return index
    return 0


def _secret_of(m: re.Match[str], secret_group: int) -> str:
    value = m.group(_group_index(m, secret_group))
    return value.strip("\r\n") if value else ""


def _is_generic(rule: Rule) -> bool:
    return "generic" in rule.id or "generic" in rule.tags


# --- the scanner ------------------------------------------------------------------------

_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


@dataclass
class Scanner:
    """A set of rules plus global allowlists, ready to scan texts.

    ``filters_enabled=False`` turns off the global filters of ``filters.py`` (for tests
    and for measuring what they remove); inline suppression and allowlists still apply.
    """

    rules: Sequence[Rule]
    allowlists: Sequence[Allowlist] = ()
    stopwords: Sequence[str] = ()
    filters_enabled: bool = True
    _compiled: list[_CompiledRule] = field(init=False, repr=False)
    _by_keyword: dict[str, list[int]] = field(init=False, repr=False)
    # Keyword prefilter tables (see _rules_for_bytes): keywords grouped by their longest
    # [a-z0-9_-] run ("core"); cores of 4+ bytes are first looked up by their first 4 bytes.
    _long_cores: list[tuple[int, bytes, tuple[tuple[bytes, str], ...]]] = field(
        init=False, repr=False
    )
    _short_cores: list[tuple[bytes, tuple[tuple[bytes, str], ...]]] = field(init=False, repr=False)
    _coreless: list[tuple[bytes, str]] = field(init=False, repr=False)
    _wide_keywords: list[str] = field(init=False, repr=False)
    _always: list[int] = field(init=False, repr=False)
    _table: bytes = field(init=False, repr=False)
    _global: tuple[_CompiledAllowlist, ...] = field(init=False, repr=False)
    _stopwords: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        seen: set[str] = set()
        self._compiled = []
        self._by_keyword = {}
        self._always = []
        for rule in self.rules:
            if rule.id in seen:
                continue
            seen.add(rule.id)
            index = len(self._compiled)
            self._compiled.append(
                _CompiledRule(
                    rule=rule,
                    generic=_is_generic(rule),
                    path_regex=re.compile(rule.path) if rule.path else None,
                    keywords=tuple(sorted({k.lower() for k in rule.keywords if k})),
                )
            )
            keywords = {k.lower() for k in rule.keywords if k}
            if not keywords:
                self._always.append(index)
            for keyword in keywords:
                self._by_keyword.setdefault(keyword, []).append(index)
        self._wide_keywords = []
        self._coreless = []
        groups: dict[bytes, list[tuple[bytes, str]]] = {}
        for keyword in self._by_keyword:
            if not keyword.isascii():
                self._wide_keywords.append(keyword)
                continue
            raw = keyword.encode("ascii")
            runs = _CORE_RUN.findall(raw)
            if not runs:
                self._coreless.append((raw, keyword))
                continue
            groups.setdefault(max(runs, key=len), []).append((raw, keyword))
        self._long_cores = [
            (int.from_bytes(core[:4], sys.byteorder), core, tuple(members))
            for core, members in groups.items()
            if len(core) >= 4 and _GRAMS_OK
        ]
        self._short_cores = [
            (core, tuple(members))
            for core, members in groups.items()
            if len(core) < 4 or not _GRAMS_OK
        ]
        self._global = tuple(_CompiledAllowlist.build(a) for a in self.allowlists)
        self._stopwords = tuple(w.lower() for w in self.stopwords)

    # -- public API ---------------------------------------------------------------------

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(c.rule.id for c in self._compiled)

    def compile_all(self) -> None:
        """Compile every regex now (to report a bad custom rule before scanning)."""
        for compiled in self._compiled:
            if compiled.rule.regex:
                _ = compiled.pattern

    def prepare_for_workers(self) -> None:
        """Do the lazy work once before forking, so worker processes inherit it."""
        for compiled in self._compiled:
            if compiled.rule.regex:
                _ = compiled.pattern
                _ = compiled.mode
                _ = compiled.literal_prefix
                _ = compiled.allowlists

    def scan_text(
        self,
        text: str,
        path: str = "-",
        *,
        line_map: Sequence[int] | None = None,
        commit: str | None = None,
    ) -> list[Finding]:
        return self.scan_fragment(
            Fragment(path, text, tuple(line_map) if line_map else None, commit)
        )

    def scan_bytes(self, data: bytes, path: str, *, commit: str | None = None) -> list[Finding]:
        """Scan a file's raw content; decodes only when a keyword makes it worth it."""
        candidates = self._rules_for_bytes(data, path, commit)
        if not candidates:
            return []
        text = data.decode("utf-8", "replace")
        return self._scan(Fragment(path, text, None, commit), candidates)

    def scan_fragment(self, fragment: Fragment) -> list[Finding]:
        candidates = self._rules_for_text(fragment.text, fragment.path, fragment.commit)
        if not candidates:
            return []
        return self._scan(fragment, candidates)

    # -- prefilter ----------------------------------------------------------------------

    def _path_rules(self, path: str, commit: str | None) -> list[int] | None:
        """Global path allowlists: None if the whole file is allowlisted."""
        for allowlist in self._global:
            if allowlist.skips_path(path, commit):
                return None
        return []

    def _rules_for_bytes(self, data: bytes, path: str, commit: str | None) -> list[int]:
        """The rules whose keywords occur in ``data`` (ASCII case-insensitively).

        Testing 300 keywords one by one against the text costs 300 passes over it. Instead:
        split the lower-cased text into its *distinct* tokens of ``[a-z0-9_-]`` (a few
        times smaller than the text), collect every 4-byte window of those tokens into a
        set of ints (four memoryview casts, all in C), and look each keyword's core up in
        it by its first 4 bytes. Only cores that pass get a substring test on the tokens,
        and only keywords longer than their core get one on the text.
        """
        if self._path_rules(path, commit) is None:
            return []
        lowered = data.lower()
        tokens = b"\n".join(set(lowered.translate(_TOKEN_TABLE).split()))
        hits: set[int] = set(self._always)
        by_keyword = self._by_keyword
        if self._long_cores:
            grams: set[int] = set()
            view = memoryview(tokens)
            size = len(tokens)
            for offset in range(4):
                usable = (size - offset) // 4 * 4
                if usable > 0:
                    grams.update(view[offset : offset + usable].cast("I"))
            for gram, core, members in self._long_cores:
                if gram in grams and core in tokens:
                    for raw, keyword in members:
                        if raw == core or raw in lowered:
                            hits.update(by_keyword[keyword])
        for core, members in self._short_cores:
            if core in tokens:
                for raw, keyword in members:
                    if raw == core or raw in lowered:
                        hits.update(by_keyword[keyword])
        for raw, keyword in self._coreless:
            if raw in lowered:
                hits.update(by_keyword[keyword])
        if self._wide_keywords:
            text_lower = data.decode("utf-8", "replace").lower()
            for keyword in self._wide_keywords:
                if keyword in text_lower:
                    hits.update(by_keyword[keyword])
        return sorted(hits)

    def _rules_for_text(self, text: str, path: str, commit: str | None) -> list[int]:
        # Keywords are ASCII (others go through _wide_keywords), so the UTF-8 bytes do.
        return self._rules_for_bytes(text.encode("utf-8", "surrogatepass"), path, commit)

    # -- matching -----------------------------------------------------------------------

    def _scan(self, fragment: Fragment, candidates: list[int]) -> list[Finding]:
        text = fragment.text
        path = fragment.path
        lower = text.lower()
        if len(lower) != len(text):
            lower = text.translate(_ASCII_LOWER)
        line_cache: dict[str, list[int]] = {}
        raw: list[
            tuple[int, int, int, str, _CompiledRule]
        ] = []  # (start, end, secret_start, secret, rule)
        for index in candidates:
            compiled = self._compiled[index]
            rule = compiled.rule
            if compiled.path_regex is not None and not compiled.path_regex.search(path):
                continue
            if rule.allowlists and any(
                a.skips_path(path, fragment.commit) for a in compiled.allowlists
            ):
                continue
            if not rule.regex:  # a path-only rule: the file itself is the finding
                if compiled.path_regex is not None:
                    raw.append((0, 0, 0, "", compiled))
                continue
            keywords = compiled.keywords
            if keywords:
                starts: set[int] = set()
                for keyword in keywords:
                    found = line_cache.get(keyword)
                    if found is None:
                        found = _keyword_lines(lower, keyword)
                        line_cache[keyword] = found
                    starts.update(found)
                if not starts:
                    continue
                matches = self._matches_in_windows(text, sorted(starts), compiled)
            else:
                matches = list(compiled.pattern.finditer(text))
            for m in matches:
                group = _group_index(m, rule.secret_group)
                secret = _secret_of(m, rule.secret_group)
                if not secret:
                    continue
                raw.append((m.start(), m.end(), m.start(group), secret, compiled))
        if not raw:
            return []
        return self._judge(fragment, raw)

    def _matches_in_windows(
        self, text: str, line_starts: list[int], compiled: _CompiledRule
    ) -> list[re.Match[str]]:
        pattern = compiled.pattern
        mode = compiled.mode
        size = len(text)
        out: list[re.Match[str]] = []
        if mode == _BLOCK:
            # Matches may run far past the keyword line but must start near it: try each
            # start position of the keyword line (and the one before), or, when the regex
            # begins with a literal, let re's own prefix search find the next start.
            literal = compiled.literal_prefix
            last_end = -1
            for line_start in line_starts:
                region_start = text.rfind("\n", 0, max(line_start - 1, 0)) + 1 if line_start else 0
                line_end = text.find("\n", line_start)
                region_end = size if line_end < 0 else line_end
                limit = min(size, region_end + BLOCK_LIMIT)
                pos = max(region_start, last_end)
                while pos <= region_end:
                    m = (
                        pattern.search(text, pos, limit)
                        if literal
                        else pattern.match(text, pos, limit)
                    )
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
        windows: list[tuple[int, int]] = []
        for line_start in line_starts:
            line_end = text.find("\n", line_start)
            start, end = line_start, (size if line_end < 0 else line_end)
            if mode == _FEW_LINES:
                start = text.rfind("\n", 0, max(start - 1, 0)) + 1 if start > 0 else 0
                nxt = text.find("\n", end + 1) if end < size else -1
                end = size if nxt < 0 else nxt
            if windows and start <= windows[-1][1] + 1:
                windows[-1] = (windows[-1][0], max(windows[-1][1], end))
            else:
                windows.append((start, end))
        for start, end in windows:
            out.extend(pattern.finditer(text, start, end))
        return out

    # -- judgement ----------------------------------------------------------------------

    def _judge(
        self, fragment: Fragment, raw: list[tuple[int, int, int, str, _CompiledRule]]
    ) -> list[Finding]:
        text = fragment.text
        path = fragment.path
        commit = fragment.commit
        sops_ranges: list[tuple[int, int]] | None = None
        findings: list[tuple[Finding, bool]] = []
        seen: set[tuple[str, int, int]] = set()
        for start, end, secret_start, secret, compiled in raw:
            rule = compiled.rule
            if not rule.regex:  # path-only rule: the file is the finding
                finding = Finding(
                    path,
                    1,
                    1,
                    rule.id,
                    rule.description,
                    "",
                    fingerprint(rule.id, path, ""),
                    commit,
                )
                findings.append((finding, compiled.generic))
                continue
            if rule.entropy > 0 and shannon_entropy(secret) <= rule.entropy:
                continue
            line_no = text.count("\n", 0, secret_start) + 1
            line_begin = text.rfind("\n", 0, secret_start) + 1
            line_stop = text.find("\n", secret_start)
            line = text[line_begin : len(text) if line_stop < 0 else line_stop]
            if self._inline_allowed(text, start, end, line_begin):
                continue
            match_text = text[start:end]
            if any(a.drops(secret, match_text, line, path, commit) for a in compiled.allowlists):
                continue
            if any(a.drops(secret, match_text, line, path, commit) for a in self._global):
                continue
            low = secret.lower()
            if any(w in low for w in self._stopwords):
                continue
            if rule.validate is not None and not rule.validate(secret, line):
                continue
            if self.filters_enabled:
                candidate = filters.Candidate(secret, line, secret_start - line_begin, path)
                reason = filters.rejection_reason(candidate)
                if reason is not None and (
                    reason not in filters.SHAPE_FILTERS
                    or filters.rejection_reason(candidate, compiled.exempt()) is not None
                ):
                    continue
                if "sops" in text:
                    if sops_ranges is None:
                        sops_ranges = filters.sops_block_lines(text)
                    if any(a <= line_no <= b for a, b in sops_ranges):
                        continue
            real_line = line_no
            if fragment.line_map is not None and 0 < line_no <= len(fragment.line_map):
                real_line = fragment.line_map[line_no - 1]
            key = (rule.id, real_line, secret_start - line_begin)
            if key in seen:
                continue
            seen.add(key)
            finding = Finding(
                path=path,
                line=real_line,
                column=secret_start - line_begin + 1,
                rule_id=rule.id,
                description=rule.description,
                secret=secret,
                fingerprint=fingerprint(rule.id, path, secret),
                commit=commit,
            )
            findings.append((finding, compiled.generic))
        return _drop_generic_duplicates(findings)

    @staticmethod
    def _inline_allowed(text: str, start: int, end: int, line_begin: int) -> bool:
        first_begin = text.rfind("\n", 0, start) + 1
        last_end = text.find("\n", max(end - 1, start))
        span = text[min(first_begin, line_begin) : len(text) if last_end < 0 else last_end]
        if _line_allows(span):
            return True
        if first_begin > 0:
            previous = text[text.rfind("\n", 0, first_begin - 1) + 1 : first_begin - 1]
            if _line_allows_next(previous):
                return True
        return False


def _keyword_lines(lower: str, keyword: str) -> list[int]:
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


def _drop_generic_duplicates(findings: list[tuple[Finding, bool]]) -> list[Finding]:
    """A generic finding is dropped when a specific rule found a secret containing it on the
    same line (gitleaks does the same)."""
    specific: dict[int, list[str]] = {}
    for finding, generic in findings:
        if not generic:
            specific.setdefault(finding.line, []).append(finding.secret)
    out: list[Finding] = []
    for finding, generic in findings:
        if generic and any(finding.secret in other for other in specific.get(finding.line, ())):
            continue
        out.append(finding)
    return out


def scan_texts(scanner: Scanner, fragments: Iterable[Fragment]) -> list[Finding]:
    """Scan several fragments in this process."""
    out: list[Finding] = []
    for fragment in fragments:
        out.extend(scanner.scan_fragment(fragment))
    return out
