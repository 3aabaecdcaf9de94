"""The matching engine: keyword prefilter -> regex -> secret group -> entropy -> allowlists.

Per text (a file, a diff fragment, stdin) the work is:

1. **Keyword prefilter** (prefilter.py): a rule's regex runs only if one of its keywords
   occurs in the lower-cased text.
2. **Regex on windows** (windows.py): the regex runs only on the lines around each keyword
   occurrence, not on the whole text. The contract that follows: **a match must contain,
   or start on the line of, one of the rule's keywords.**
3. **Secret group, entropy.** The secret is the rule's capture group; a rule with an
   entropy floor drops secrets whose Shannon entropy is not above it (gitleaks' ``<=``).
4. **Suppression and filters.** Inline ``secretsfile:allow`` / ``gitleaks:allow`` /
   ``pragma: allowlist secret`` (and ``pragma: allowlist nextline secret`` /
   ``secretsfile:allow-next-line`` on the line above), rule allowlists, global allowlists
   and stopwords, the global filters of ``filters.py`` (less the rule's
   ``exempt_filters``), and sops metadata blocks. Block pragmas
   ``secretsfile:disable`` ... ``secretsfile:enable`` (and secretlint's spellings) switch
   lines off; a diff fragment that carries its file's ``source`` has its pragmas read
   there, so a comment on an unchanged line above a hunk still counts. Pragmas count by
   file line only: in a diff's added lines a next-line pragma reaches the next added line
   only when it is the next file line, and a block never runs over a gap (allowlists.py,
   ``run_starts``). A pragma's line ends at any break YAML or an editor sees (CR, LF, NEL,
   LS, PS), and a same-line pragma counts on the secret's own lines, not elsewhere in a
   multi-line match.
5. **Decoding** (``decode=True``, decode.py): base64 / hex / percent-encoded runs are
   decoded in place and their lines scanned again; findings inside land at the run.

The engine is pure: it returns findings, it never prints. Regexes compile lazily, on a
rule's first keyword hit, so a pre-commit run over a few files compiles a few rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from secretsfile.core.record import Record, field, replace
from secretsfile.scanner import filters
from secretsfile.scanner.allowlists import CompiledAllowlist, Pragmas, in_ranges
from secretsfile.scanner.entropy import shannon_entropy
from secretsfile.scanner.model import Allowlist, Finding, Rule
from secretsfile.scanner.prefilter import KeywordIndex
from secretsfile.scanner.sops_blocks import sops_block_lines
from secretsfile.scanner.windows import BLOCK_LIMIT, CompiledRule, keyword_lines, matches

__all__ = ["BLOCK_LIMIT", "Fragment", "Scanner", "fingerprint"]

_FINGERPRINT_DOMAIN = b"secretsfile-finding-v1\x00"


def fingerprint(rule_id: str, path: str, secret: str) -> str:
    """A stable identity for a finding: SHA-256 over rule, path and secret.

    No line number (moving code does not invalidate it) and no secret (only its hash).
    """
    import hashlib  # here: a clean scan never needs it (OpenSSL's load is ~3 ms)

    digest = hashlib.sha256(_FINGERPRINT_DOMAIN)
    for part in (rule_id, path, secret):
        data = part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


class Fragment(Record, frozen=True):
    """A piece of text to scan and where it came from.

    ``line_map[i]`` is the line number in the real file of the fragment's line ``i + 1``
    (diffs join the added lines of a file); None means the fragment is the whole file.
    ``source``, for a diff, returns the whole new file (called only when a candidate is
    judged): its pragmas suppress too, even on lines the diff did not change.
    """

    path: str
    text: str
    line_map: tuple[int, ...] | None = None
    commit: str | None = None
    source: Callable[[], str | None] | None = field(default=None, compare=False, repr=False)


class _Candidate:  # slotted, not a NamedTuple: the hook path never imports typing (issue 14)
    """A regex match before judgement: its span, where its secret group starts, where the
    secret (the group less line breaks around it) ends, the secret."""

    __slots__ = ("compiled", "end", "secret", "secret_start", "secret_stop", "start")

    def __init__(self, start: int, end: int, secret_start: int, secret_stop: int, secret: str,
                 compiled: CompiledRule) -> None:  # fmt: skip
        self.start, self.end, self.secret_start = start, end, secret_start
        self.secret_stop = secret_stop
        self.secret = secret  # no __repr__ of its own: the default one shows no secret
        self.compiled = compiled


def _group_index(m: re.Match[str], secret_group: int) -> int:
    if secret_group > 0:
        return secret_group if secret_group <= (m.re.groups) else 0
    if secret_group < 0:
        for index in range(1, m.re.groups + 1):
            if m.group(index):
                return index
    return 0


def _is_generic(rule: Rule) -> bool:
    return "generic" in rule.id or "generic" in rule.tags


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


class Scanner:
    """A set of rules plus global allowlists, ready to scan texts.

    ``filters_enabled=False`` turns off the global filters of ``filters.py`` (for tests
    and for measuring what they remove); inline suppression and allowlists still apply.
    ``decode=True`` adds the decoding pass (decode.py) to every text.
    """

    def __init__(self, rules: Sequence[Rule], allowlists: Sequence[Allowlist] = (),
                 stopwords: Sequence[str] = (), filters_enabled: bool = True,
                 decode: bool = False) -> None:  # fmt: skip
        self.rules = rules
        self.allowlists = allowlists
        self.stopwords = stopwords
        self.filters_enabled = filters_enabled
        self.decode = decode
        from secretsfile.scanner.rules import BUILTIN_RULES  # loaded already on a scan

        builtin = {id(rule) for rule in BUILTIN_RULES}
        seen: set[str] = set()
        self._compiled: list[CompiledRule] = []
        by_keyword: dict[str, list[int]] = {}
        always: list[int] = []
        for rule in self.rules:
            if rule.id in seen:
                continue
            seen.add(rule.id)
            index = len(self._compiled)
            keywords = tuple(sorted({k.lower() for k in rule.keywords if k}))
            generic = _is_generic(rule)
            vendor = not generic and id(rule) in builtin
            self._compiled.append(CompiledRule(rule, generic, keywords, sees_ciphertext=vendor))
            if not keywords:
                always.append(index)
            for keyword in keywords:
                by_keyword.setdefault(keyword, []).append(index)
        self._index = KeywordIndex(by_keyword, always)
        self._global = tuple(CompiledAllowlist.build(a) for a in self.allowlists)
        self._stopwords = tuple(w.lower() for w in self.stopwords)

    def prepare_for_workers(self) -> None:
        """Do the lazy work once before forking, so worker processes inherit it."""
        for compiled in self._compiled:
            if compiled.rule.regex:
                compiled.prepare()

    def scan_text(
        self, text: str, path: str = "-", *, line_map: Sequence[int] | None = None,
        commit: str | None = None,
    ) -> list[Finding]:  # fmt: skip
        return self.scan_fragment(
            Fragment(path, text, tuple(line_map) if line_map else None, commit)
        )

    def scan_bytes(self, data: bytes, path: str, *, commit: str | None = None) -> list[Finding]:
        """Scan a file's raw content; decodes only when a keyword makes it worth it."""
        candidates = self._rules_for_bytes(data, path, commit)
        if not candidates and not self.decode:
            return []
        fragment = Fragment(path, data.decode("utf-8", "replace"), None, commit)
        found = self._scan(fragment, candidates) if candidates else []
        return self._with_decoded(fragment, found, self._depth(), None)

    def scan_fragment(self, fragment: Fragment) -> list[Finding]:
        return self._fragment(fragment, self._depth(), None)

    def _fragment(
        self, fragment: Fragment, depth: int, within: tuple[int, int] | None
    ) -> list[Finding]:
        # Keywords are ASCII (others are tested on the decoded text), so the UTF-8 bytes do.
        data = fragment.text.encode("utf-8", "surrogatepass")
        candidates = self._rules_for_bytes(data, fragment.path, fragment.commit)
        found = self._scan(fragment, candidates) if candidates else []
        return self._with_decoded(fragment, found, depth, within)

    def _depth(self) -> int:
        """How deep the decoding pass goes (0: no pass, and decode.py is never imported)."""
        if not self.decode:
            return 0
        from secretsfile.scanner import decode as decoding

        return decoding.MAX_DEPTH

    def _with_decoded(
        self, fragment: Fragment, found: list[Finding], depth: int, within: tuple[int, int] | None
    ) -> list[Finding]:
        """``found`` plus what the decoding pass finds in the fragment's encoded runs (in
        ``text[within[0]:within[1]]`` only, when given: a decoded run, scanned again)."""
        if not self.decode or depth <= 0:
            return found
        from secretsfile.scanner import decode as decoding

        if any(allowlist.skips_path(fragment.path, fragment.commit) for allowlist in self._global):
            return found
        text = fragment.text
        runs = decoding.find_runs(text if within is None else text[: within[1]])
        if within is not None:
            runs = [run for run in runs if run.start >= within[0]]
        if not runs:
            return found
        pragmas = Pragmas.of(text, fragment.line_map)
        sops = sops_block_lines(text) if self.filters_enabled and "sops" in text else []
        kept = []
        for run in runs:
            if pragmas is not None and pragmas.suppress(run.start, run.end):
                continue
            first = text.count("\n", 0, run.start) + 1
            if not in_ranges(sops, first, text.count("\n", run.start, run.end) + first):
                kept.append(run)

        def scan(piece: str, first: int, stop: int) -> list[Finding]:
            again = Fragment(fragment.path, piece, None, fragment.commit)
            return self._fragment(again, depth - 1, (first, stop))

        decoded = []
        for run, finding in decoding.decoded_findings(text, kept, scan):
            line_map = fragment.line_map
            if line_map is not None and 0 < finding.line <= len(line_map):
                finding = replace(finding, line=line_map[finding.line - 1])
            decoded.append((run, finding))
        return decoding.merge(text, found, decoded)

    def _rules_for_bytes(self, data: bytes, path: str, commit: str | None) -> list[int]:
        if any(allowlist.skips_path(path, commit) for allowlist in self._global):
            return []  # the whole file is allowlisted
        return self._index.rules_for(data)

    # -- matching -----------------------------------------------------------------------

    def _scan(self, fragment: Fragment, candidates: list[int]) -> list[Finding]:
        text = fragment.text
        lower = text.lower()
        if len(lower) != len(text):
            lower = text.translate(_ASCII_LOWER)
        line_cache: dict[str, list[int]] = {}
        raw: list[_Candidate] = []
        for index in candidates:
            compiled = self._compiled[index]
            if not compiled.applies_to(fragment.path, fragment.commit):
                continue
            if not compiled.rule.regex:  # a path-only rule: the file itself is the finding
                if compiled.rule.path:
                    raw.append(_Candidate(0, 0, 0, 0, "", compiled))
                continue
            raw.extend(self._candidates(text, lower, compiled, line_cache))
        if not raw:
            return []
        return self._judge(fragment, raw)

    @staticmethod
    def _candidates(
        text: str, lower: str, compiled: CompiledRule, line_cache: dict[str, list[int]]
    ) -> list[_Candidate]:
        if compiled.keywords:
            starts: set[int] = set()
            for keyword in compiled.keywords:
                found = line_cache.get(keyword)
                if found is None:
                    found = line_cache[keyword] = keyword_lines(lower, keyword)
                starts.update(found)
            if not starts:
                return []
            found_matches = matches(text, sorted(starts), compiled)
        else:
            found_matches = list(compiled.pattern.finditer(text))
        out: list[_Candidate] = []
        group_of = compiled.rule.secret_group
        for m in found_matches:
            group = _group_index(m, group_of)
            value = m.group(group)
            secret = value.strip("\r\n") if value else ""
            if secret:
                stop = m.end(group) - len(value) + len(value.rstrip("\r\n"))
                out.append(_Candidate(m.start(), m.end(), m.start(group), stop, secret, compiled))
        return out

    # -- judgement ----------------------------------------------------------------------

    def _judge(self, fragment: Fragment, raw: list[_Candidate]) -> list[Finding]:
        text = fragment.text
        sops_ranges: list[tuple[int, int]] | None = None
        # A diff's added lines are judged by their runs of file lines (R2 F1), and by the
        # whole file when the fragment has it: a comment on an unchanged line counts too.
        pragmas = Pragmas.of(text, fragment.line_map)
        source: list[Pragmas | None] = []  # read once, on the first diff candidate
        findings: list[tuple[Finding, bool]] = []
        seen: set[tuple[str, int, int]] = set()
        for candidate in raw:
            rule = candidate.compiled.rule
            if not rule.regex:  # path-only rule: the file is the finding
                where = fragment.path
                finding = Finding(where, 1, 1, rule.id, rule.description, "",
                                  fingerprint(rule.id, where, ""), fragment.commit)  # fmt: skip
                findings.append((finding, candidate.compiled.generic))
                continue
            line_begin = text.rfind("\n", 0, candidate.secret_start) + 1
            if not self._keeps(fragment, candidate, line_begin):
                continue
            start = candidate.secret_stop - len(candidate.secret)
            if pragmas is not None and pragmas.suppress(start, candidate.secret_stop):
                continue
            line_no = text.count("\n", 0, candidate.secret_start) + 1
            if self.filters_enabled and "sops" in text and not candidate.compiled.sees_ciphertext:
                if sops_ranges is None:
                    sops_ranges = sops_block_lines(text)
                if any(a <= line_no <= b for a, b in sops_ranges):
                    continue
            if fragment.line_map is not None and 0 < line_no <= len(fragment.line_map):
                line_no = fragment.line_map[line_no - 1]
                if not source:
                    source.append(_source_pragmas(fragment))
                if source[0] is not None and _source_allows(source[0], fragment, candidate):
                    continue
            column = candidate.secret_start - line_begin
            if (rule.id, line_no, column) in seen:
                continue
            seen.add((rule.id, line_no, column))
            finding = Finding(fragment.path, line_no, column + 1, rule.id, rule.description,
                              candidate.secret,
                              fingerprint(rule.id, fragment.path, candidate.secret),
                              fragment.commit)  # fmt: skip
            findings.append((finding, candidate.compiled.generic))
        return _drop_generic_duplicates(findings)

    def _keeps(self, fragment: Fragment, candidate: _Candidate, line_begin: int) -> bool:
        """Whether a candidate survives entropy, suppression, allowlists and filters."""
        text, path, commit = fragment.text, fragment.path, fragment.commit
        secret = candidate.secret
        compiled = candidate.compiled
        if compiled.rule.entropy > 0 and shannon_entropy(secret) <= compiled.rule.entropy:
            return False
        line_stop = text.find("\n", candidate.secret_start)
        line = text[line_begin : len(text) if line_stop < 0 else line_stop]
        match_text = text[candidate.start : candidate.end]
        if any(a.drops(secret, match_text, line, path, commit) for a in compiled.allowlists):
            return False
        if any(a.drops(secret, match_text, line, path, commit) for a in self._global):
            return False
        low = secret.lower()
        if any(w in low for w in self._stopwords):
            return False
        if not self.filters_enabled:
            return True
        found = filters.Candidate(secret, line, candidate.secret_start - line_begin, path)
        return filters.rejection_reason(found, compiled.exempt) is None


def _source_pragmas(fragment: Fragment) -> Pragmas | None:
    """The pragmas of a diff fragment's whole file, if it has one to read."""
    text = fragment.source() if fragment.source is not None else None
    return Pragmas.of(text) if text is not None else None


def _source_allows(pragmas: Pragmas, fragment: Fragment, candidate: _Candidate) -> bool:
    """Whether the whole file's pragmas switch off a diff candidate: found by its file line
    and column (the fragment's lines are the file's lines, split at \n)."""
    text, line_map = fragment.text, fragment.line_map
    start = candidate.secret_stop - len(candidate.secret)
    index = text.count("\n", 0, start)
    if line_map is None or index >= len(line_map):
        return False
    column = start - text.rfind("\n", 0, start) - 1
    return pragmas.at_line(line_map[index], column, candidate.secret)


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
