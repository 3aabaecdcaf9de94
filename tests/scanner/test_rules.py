"""The built-in rule catalog: shape of the catalog, and every rule's own samples.

Each true sample must be reported *by that rule*; each false sample must not be reported by
it. Samples are run through the real engine (keyword prefilter, windows, entropy,
allowlists, global filters), one rule at a time, so a rule cannot lean on another one.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from secretsfile.scanner import filters
from secretsfile.scanner.engine import Scanner
from secretsfile.scanner.model import Finding, Rule
from secretsfile.scanner.rules import BUILTIN_RULES

_KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_BY_ID = {rule.id: rule for rule in BUILTIN_RULES}


@cache
def _scanner(rule_id: str) -> Scanner:
    return Scanner([_BY_ID[rule_id]])


def _sample_path(rule: Rule) -> str:
    """A file name the rule applies to (path-restricted rules name their own)."""
    if rule.path is None:
        return "sample.txt"
    for candidate in ("sample.txt", "config.env", "Dockerfile", "app.yaml", "app.pgpass"):
        if re.search(rule.path, candidate):
            return candidate
    raise AssertionError(f"{rule.id}: no sample path matches {rule.path!r}")


def _scan(rule: Rule, text: str) -> list[Finding]:
    return [f for f in _scanner(rule.id).scan_text(text, _sample_path(rule)) if f.rule_id == rule.id]


def _cases(kind: str) -> list[object]:
    out: list[object] = []
    for rule in BUILTIN_RULES:
        samples = rule.true_samples if kind == "true" else rule.false_samples
        for index, sample in enumerate(samples):
            out.append(pytest.param(rule.id, sample, id=f"{rule.id}-{kind}{index}"))
    return out


# --- the catalog -------------------------------------------------------------------------


def test_catalog_has_at_least_100_rules() -> None:
    assert len(BUILTIN_RULES) >= 100


def test_rule_ids_are_unique_kebab_case() -> None:
    ids = [rule.id for rule in BUILTIN_RULES]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    assert all(_KEBAB.match(i) for i in ids), [i for i in ids if not _KEBAB.match(i)]


@pytest.mark.parametrize("rule", BUILTIN_RULES, ids=lambda r: r.id)
def test_rule_is_well_formed(rule: Rule) -> None:
    assert rule.validate() == []
    assert rule.description
    compiled = re.compile(rule.regex)
    assert 1 <= rule.secret_group <= compiled.groups, "the secret must be a capture group"
    assert rule.keywords, "every rule needs prefilter keywords"
    assert all(k == k.lower() and len(k) >= 3 for k in rule.keywords), rule.keywords
    assert rule.true_samples and rule.false_samples
    for sample in rule.true_samples:
        lowered = sample.lower()
        assert any(k in lowered for k in rule.keywords), f"no keyword in true sample {sample[:40]!r}"
    for allowlist in rule.allowlists:
        # engines join allowlist regexes into one alternation: no global inline flags
        re.compile("|".join(f"(?:{r})" for r in allowlist.regexes))
        assert allowlist.regex_target in ("secret", "match", "line")
    if rule.path is not None:
        re.compile(rule.path)


# --- the samples -------------------------------------------------------------------------


@pytest.mark.parametrize(("rule_id", "sample"), _cases("true"))
def test_true_sample_is_reported(rule_id: str, sample: str) -> None:
    rule = _BY_ID[rule_id]
    assert _scan(rule, sample), f"{rule_id} missed its true sample"


@pytest.mark.parametrize(("rule_id", "sample"), _cases("false"))
def test_false_sample_is_not_reported(rule_id: str, sample: str) -> None:
    rule = _BY_ID[rule_id]
    found = _scan(rule, sample)
    assert not found, f"{rule_id} reported its false sample at {[(f.line, f.column) for f in found]}"


def _shape_filters_tripped(rule: Rule) -> set[str]:
    """The shape filters the rule's own true samples would trip."""
    tripped: set[str] = set()
    pattern = rule.compiled()
    for sample in rule.true_samples:
        for m in pattern.finditer(sample):
            group = rule.secret_group if rule.secret_group <= pattern.groups else 0
            secret = (m.group(group) or "").strip("\r\n")
            if not secret:
                continue
            line_start = sample.rfind("\n", 0, m.start(group)) + 1
            line_end = sample.find("\n", m.start(group))
            line = sample[line_start : len(sample) if line_end < 0 else line_end]
            candidate = filters.Candidate(secret, line, m.start(group) - line_start)
            tripped |= {name for name, check in filters.FILTERS
                        if name in filters.SHAPE_FILTERS and check(candidate)}  # fmt: skip
    return tripped


@pytest.mark.parametrize("rule", BUILTIN_RULES, ids=lambda r: r.id)
def test_exempt_filters_match_the_true_samples(rule: Rule) -> None:
    """A rule lists exactly the shape filters its real secrets trip: fewer and its true
    samples would be silenced, more and it would report what the filter exists to drop."""
    assert set(rule.exempt_filters) == _shape_filters_tripped(rule)

