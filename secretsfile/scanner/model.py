"""Data model of the credential scanner: rules are data, findings are values.

A rule is matched in three steps (see engine.py): a cheap keyword prefilter on the
lower-cased text, then the regex, then the optional entropy floor and allowlists on the
captured secret. Every built-in rule carries at least one true and one false sample that
the test suite checks.
"""

from __future__ import annotations

import re

from secretsfile.core.record import Record, field


class Allowlist(Record, frozen=True):
    """Reasons to drop a match: a regex on the secret (or the whole match), stopwords, paths."""

    regexes: tuple[str, ...] = ()
    regex_target: str = "secret"  # "secret" | "match" | "line"
    stopwords: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    description: str = ""
    # Added for gitleaks compatibility (defaults keep the original meaning).
    # "OR": any criterion drops the match; "AND": all defined criteria must hold.
    condition: str = "OR"
    commits: tuple[str, ...] = ()  # commit SHAs (history scans) whose matches are dropped


class Rule(Record, frozen=True):
    id: str
    description: str
    regex: str
    keywords: tuple[str, ...]  # lower-case literals; at least one must occur for the regex to run
    # 0: the whole match; n > 0: that capture group;
    # -1: the first non-empty group (gitleaks' default)
    secret_group: int = 0
    # Shannon entropy (bits per char) the secret must exceed (gitleaks: dropped if H <= entropy);
    # 0 disables
    entropy: float = 0.0
    allowlists: tuple[Allowlist, ...] = ()
    path: str | None = None  # optional regex on the path; the rule applies only where it matches
    true_samples: tuple[str, ...] = ()
    false_samples: tuple[str, ...] = ()
    tags: tuple[str, ...] = field(default=())
    # Shape filters (filters.SHAPE_FILTERS) that do not apply to this rule because its real
    # secrets have that shape: a Heroku API key *is* a UUID. The rule tests check that the
    # true samples trip exactly these filters, so the list cannot drift from the samples.
    exempt_filters: tuple[str, ...] = ()

    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.regex)

    def validate(self) -> list[str]:
        """What is wrong with the rule (an empty list when nothing is): checked for every
        built-in rule by the tests and for every configured rule when it is loaded."""
        from secretsfile.scanner.filters import SHAPE_FILTERS

        problems: list[str] = []
        if not self.id:
            problems.append("a rule needs an id")
        if not self.regex and not self.path:
            problems.append("a rule needs a regex or a path")
        groups = 0
        for name, pattern in (("regex", self.regex), ("path", self.path)):
            try:
                compiled = re.compile(pattern or "")
            except re.error as error:
                problems.append(f"invalid {name} ({error})")
                continue
            groups = compiled.groups if name == "regex" else groups
        if self.secret_group > groups:
            problems.append(
                f"secret_group {self.secret_group} but the regex has fewer groups ({groups})"
            )
        if any(k != k.lower() or not k for k in self.keywords):
            problems.append("keywords must be non-empty and lower-case")
        unknown = sorted(set(self.exempt_filters) - SHAPE_FILTERS)
        if unknown:
            problems.append(f"exempt_filters names {unknown[0]!r}, not a shape filter")
        return problems


class Finding(Record, frozen=True):
    path: str
    line: int  # 1-based
    column: int  # 1-based
    rule_id: str
    description: str
    secret: str = field(repr=False, compare=False)  # never rendered; only hashed or redacted
    fingerprint: str = ""
    commit: str | None = None

    @property
    def redacted(self) -> str:
        """The first four characters and a mask: enough to find it, never enough to use it.

        Short secrets show less (a third of their length at most), so a six-character
        password is never four-sixths visible.
        """
        keep = 4 if len(self.secret) >= 12 else len(self.secret) // 3
        return self.secret[:keep] + "*****"
