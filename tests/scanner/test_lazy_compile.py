"""Rule regexes compile on first use: a scan compiles only the rules its keywords hit.

Counted through ``lazy_regex.compile_hook`` (every scanner regex goes through it), not timed.
"""

from __future__ import annotations

import re

import pytest

from secretsfile.scanner import lazy_regex
from secretsfile.scanner.engine import Scanner
from secretsfile.scanner.model import Allowlist
from secretsfile.scanner.rules import BUILTIN_RULES

CLEAN = "def add(a, b):\n    return a + b\n\n\nprint(add(1, 2))\n"
AWS_LINE = "aws_access_key_id = AKIAZ7Q4XK2MBNWJ5TRA\n"


@pytest.fixture
def compiled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []

    def counting(pattern: str, flags: int = 0) -> re.Pattern[str]:
        seen.append(pattern)
        return re.compile(pattern, flags)

    monkeypatch.setattr(lazy_regex, "compile_hook", counting)
    return seen


def test_building_a_scanner_compiles_nothing(compiled: list[str]) -> None:
    Scanner(BUILTIN_RULES, allowlists=(Allowlist(regexes=("x+",), paths=(r"\.lock$",)),))
    assert compiled == []


def test_a_clean_text_compiles_at_most_a_few_rule_regexes(compiled: list[str]) -> None:
    scanner = Scanner(BUILTIN_RULES)
    assert scanner.scan_text(CLEAN, "src/calc.py") == []
    rule_regexes = {rule.regex for rule in BUILTIN_RULES}
    assert len([p for p in compiled if p in rule_regexes]) <= 3
    assert len(compiled) <= 6


def test_only_the_rules_a_keyword_hits_compile(compiled: list[str]) -> None:
    scanner = Scanner(BUILTIN_RULES)
    findings = scanner.scan_text(AWS_LINE, "settings.ini")
    assert "aws-access-key-id" in {f.rule_id for f in findings}
    hit = {r.regex for r in BUILTIN_RULES if any(k in AWS_LINE.lower() for k in r.keywords)}
    rule_regexes = {rule.regex for rule in BUILTIN_RULES}
    assert {p for p in compiled if p in rule_regexes} <= hit
    assert len(compiled) < 40  # those rules, their allowlists and the filters that judge


def test_a_compiled_rule_is_reused(compiled: list[str]) -> None:
    scanner = Scanner(BUILTIN_RULES)
    scanner.scan_text(AWS_LINE, "a.ini")
    first = len(compiled)
    scanner.scan_text(AWS_LINE, "b.ini")
    assert len(compiled) == first
