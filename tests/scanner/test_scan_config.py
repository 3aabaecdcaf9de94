"""The scan: section of .secretsfile.yaml, gitleaks TOML import, Go RE2 translation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from secretsfile.core.goregex import translate_go_regex
from secretsfile.errors import ConfigError
from secretsfile.scanner.config import ScanConfig, parse_scan_section, parse_size
from secretsfile.scanner.engine import Scanner
from secretsfile.scanner.gitleaks import load_gitleaks_toml
from secretsfile.scanner.model import Rule

BUILTIN = (
    Rule("builtin-a", "A", r"aaa_([0-9]{8})", ("aaa_",), secret_group=1),
    Rule("generic-api-key", "G", r"key=([0-9a-z]{8})", ("key=",), secret_group=1),
)


def test_yaml_scan_section_full() -> None:
    config = parse_scan_section(
        {
            "disabled_rules": ["generic-api-key"],
            "rules": [
                {
                    "id": "acme",
                    "description": "ACME token",
                    "regex": r"\b(acme_[A-Za-z0-9]{12})\b",
                    "secret_group": 1,
                    "keywords": ["ACME_"],
                    "entropy": 2.5,
                    "allowlists": [{"regexes": ["^acme_0+$"]}],
                },
            ],
            "exclude_paths": ["vendor/", "*.snap"],
            "allowlist": {"paths": ["^docs/"], "stopwords": ["sample"]},
            "stopwords": ["dummy"],
            "max_file_size": "512KB",
            "skip_minified": False,
        },
        "cfg",
    )
    rules = config.build_rules(BUILTIN)
    assert [r.id for r in rules] == ["builtin-a", "acme"]
    assert rules[1].keywords == ("acme_",)
    assert config.limits.max_file_size == 512_000
    assert not config.limits.skip_minified
    assert config.limits.excluded("vendor/lib/x.py") and config.limits.excluded("a/b/c.snap")
    assert not config.limits.excluded("src/vendor.py")
    scanner = Scanner(rules, config.allowlists, config.stopwords)
    assert [f.rule_id for f in scanner.scan_text("t = acme_Zx81Kd92mQ0p", "src/a.py")] == ["acme"]
    assert scanner.scan_text("t = acme_Zx81Kd92mQ0p", "docs/a.md") == []


def test_use_default_rules_false_and_override_by_id() -> None:
    config = parse_scan_section(
        {
            "use_default_rules": False,
            "rules": [{"id": "only", "regex": "x(y)z", "keywords": ["xyz"]}],
        }
    )
    assert [r.id for r in config.build_rules(BUILTIN)] == ["only"]
    override = parse_scan_section(
        {"rules": [{"id": "builtin-a", "regex": "b(c)d", "keywords": ["bcd"]}]}
    )
    assert [r.regex for r in override.build_rules(BUILTIN) if r.id == "builtin-a"] == ["b(c)d"]


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"ruels": []}, "unknown key 'ruels'"),
        ({"rules": [{"regex": "x"}]}, "needs an id"),
        ({"rules": [{"id": "a", "regex": "(x"}]}, "invalid regex"),
        ({"rules": [{"id": "a", "regex": "x", "secret_group": 2}]}, "fewer groups"),
        ({"allowlist": {"regex_target": "body", "regexes": ["x"]}}, "regex_target"),
        ({"allowlist": {"description": "empty"}}, "needs regexes"),
        ({"max_file_size": "lots"}, "size"),
        ({"skip_binary": "yes"}, "true or false"),
    ],
)
def test_yaml_errors_are_clear(section: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_scan_section(section, "x.yaml")


def test_parse_size() -> None:
    assert parse_size(10) == 10
    assert parse_size("2MiB") == 2 * 1024 * 1024
    assert parse_size("1.5kb") == 1500
    assert parse_size("0") == 0


GITLEAKS = """
title = "team"
[extend]
useDefault = true
disabledRules = ["generic-api-key"]

[[rules]]
id = "acme-token"
description = "ACME API token"
regex = \'\'\'(?i)acme[\\w.-]{0,20}\\s*=\\s*['"]?(acme_[a-z0-9]{16})\\b\'\'\'
entropy = 2.0
keywords = ["ACME"]
  [[rules.allowlists]]
  condition = "AND"
  regexTarget = "line"
  regexes = [\'\'\'EXAMPLE\'\'\']
  paths = [\'\'\'^tests/\'\'\']

[[rules]]
id = "p12"
path = \'\'\'\\.p12$\'\'\'

[[allowlists]]
description = "global"
paths = [\'\'\'(?:^|/)vendor/\'\'\']
stopwords = ["sample"]

[[allowlists]]
targetRules = ["acme-token", "builtin-a"]
regexes = [\'\'\'^acme_0{16}$\'\'\', \'\'\'^00000000$\'\'\']
"""


def test_gitleaks_toml_import(tmp_path: Path) -> None:
    path = tmp_path / ".gitleaks.toml"
    path.write_text(GITLEAKS)
    config = load_gitleaks_toml(path)
    rules = {r.id: r for r in config.build_rules(BUILTIN)}
    assert set(rules) == {"builtin-a", "acme-token", "p12"}
    acme = rules["acme-token"]
    assert acme.secret_group == -1 and acme.keywords == ("acme",) and len(acme.allowlists) == 2
    assert len(rules["builtin-a"].allowlists) == 1  # targetRules reached a built-in rule
    scanner = Scanner(list(rules.values()), config.allowlists, config.stopwords)
    line = "ACME_TOKEN = 'acme_k3j4h5g6f7d8s9a0'"
    assert [f.rule_id for f in scanner.scan_text(line, "src/a.py")] == ["acme-token"]
    assert scanner.scan_text(line + " # EXAMPLE", "tests/a.py") == []  # AND: path and line
    assert len(scanner.scan_text(line + " # EXAMPLE", "src/a.py")) == 1
    assert scanner.scan_text(line, "vendor/a.py") == []
    assert scanner.scan_text("aaa_00000000", "a.py") == []
    assert [f.rule_id for f in scanner.scan_text("", "certs/x.p12")] == ["p12"]


def test_gitleaks_without_extend_replaces_the_defaults(tmp_path: Path) -> None:
    path = tmp_path / "g.toml"
    path.write_text('[[rules]]\nid = "x"\nregex = "x(y)z"\nkeywords = ["xyz"]\n')
    assert [r.id for r in load_gitleaks_toml(path).build_rules(BUILTIN)] == ["x"]


def test_gitleaks_extend_path(tmp_path: Path) -> None:
    (tmp_path / "base.toml").write_text('[[rules]]\nid = "base"\nregex = "b(a)se"\n')
    (tmp_path / "child.toml").write_text(
        '[extend]\npath = "base.toml"\n[[rules]]\nid = "child"\nregex = "c(h)ild"\n'
    )
    config = load_gitleaks_toml(tmp_path / "child.toml")
    assert sorted(r.id for r in config.build_rules(BUILTIN)) == ["base", "child"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[[rules]]\nid = \"u\"\nregex = '''\\pL+'''\n", "Unicode class"),
        ("[[rules]]\nid = \"u\"\nregex = '''(?U)a+'''\n", "ungreedy"),
        ("[[rules]]\nid = \"u\"\nregex = '''[[:^alpha:]]'''\n", "negated POSIX"),
        ('[[rules]]\nid = "u"\nregex = "(a"\n', "missing ')'"),
        ('[[rules]]\nid = "u"\nregex = "(a)"\nsecretGroup = 3\n', "secretGroup 3"),
        ('[[rules]]\nid = "u"\n', "needs a regex or a path"),
        ('[allowlist]\nstopwords=["a"]\n[[allowlists]]\nstopwords=["b"]\n', "not both"),
        ("[[rules]\n", "invalid TOML"),
    ],
)
def test_gitleaks_errors_name_the_rule_and_construct(
    tmp_path: Path, toml: str, message: str
) -> None:
    path = tmp_path / "g.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_gitleaks_toml(path)


@pytest.mark.parametrize(
    ("go", "python"),
    [
        (r"(?i)abc", r"(?i)abc"),
        (r"ab(?i)cd|ef", r"ab(?i:cd)|(?i:ef)"),
        (r"x(a(?i)b|c)d", r"x(a(?i:b)|(?i:c))d"),
        (r"\bfoo\z", r"\bfoo\Z"),
        (r"[[:alpha:]_]+", r"[A-Za-z_]+"),
        (r"[^[:space:]]", r"[^\t\n\v\f\r ]"),
        (r"\Qa.b\E+", r"a\.b+"),
        (r"(?<name>x)", r"(?P<name>x)"),
        (r"(?P<n>x)(?i:y)(?-i:Z)", r"(?P<n>x)(?i:y)(?-i:Z)"),
        (r"\x{41}", r"\U00000041"),
    ],
)
def test_translate_go_regex(go: str, python: str) -> None:
    assert translate_go_regex(go) == python
    re.compile(python)


def test_mid_pattern_flags_keep_their_meaning() -> None:
    pattern = re.compile(translate_go_regex(r"key=(?i)secret"))
    assert pattern.search("key=SECRET") and not pattern.search("KEY=secret")


def test_merged_configs_add_up() -> None:
    a = ScanConfig(stopwords=("a",), disabled_rules=frozenset({"x"}))
    b = ScanConfig(stopwords=("b",), use_default_rules=False)
    merged = a.merged(b)
    assert (
        merged.stopwords == ("a", "b")
        and merged.disabled_rules == {"x"}
        and not merged.use_default_rules
    )
