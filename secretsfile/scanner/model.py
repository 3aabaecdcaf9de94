"""Data model of the credential scanner: rules are data, findings are values.

A rule is matched in three steps (see engine.py): a cheap keyword prefilter on the
lower-cased text, then the regex, then the optional entropy floor and allowlists on the
captured secret. Every built-in rule carries at least one true and one false sample that
the test suite checks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Allowlist:
    """Reasons to drop a match: a regex on the secret (or the whole match), stopwords, paths."""

    regexes: tuple[str, ...] = ()
    regex_target: str = "secret"  # "secret" | "match" | "line"
    stopwords: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    regex: str
    keywords: tuple[str, ...]  # lower-case literals; at least one must occur for the regex to run
    secret_group: int = 0  # 0: the whole match; otherwise the capture group holding the secret
    entropy: float = 0.0  # minimum Shannon entropy (bits per char) of the secret; 0 disables
    allowlists: tuple[Allowlist, ...] = ()
    path: str | None = None  # optional regex on the path; the rule applies only where it matches
    true_samples: tuple[str, ...] = ()
    false_samples: tuple[str, ...] = ()
    tags: tuple[str, ...] = field(default=())

    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.regex)


@dataclass(frozen=True)
class Finding:
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
        """The first four characters and a mask: enough to find it, never enough to use it."""
        return self.secret[:4] + "*****"
