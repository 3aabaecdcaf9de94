"""The project config reader: discovery, environments, creation rules, the scan section."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyrage import x25519

from secretsfile.config.project import (
    find_config,
    find_sops_config,
    load_project_config,
    load_sops_config,
    read_yaml_mapping,
)
from secretsfile.errors import ConfigError

EVIL = str(x25519.Identity.generate().to_public())
GOOD = str(x25519.Identity.generate().to_public())


def test_found_by_walking_up(tmp_path: Path) -> None:
    (tmp_path / ".secretsfile.yaml").write_text("environments: {dev: {}}\n")
    (tmp_path / ".sops.yaml").write_text("creation_rules: []\n")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert find_config(deep) == tmp_path / ".secretsfile.yaml"
    assert find_sops_config(deep) == tmp_path / ".sops.yaml"
    beside = tmp_path.parent / f"{tmp_path.name}-beside"  # never downwards or sideways
    beside.mkdir()
    assert find_config(beside) is None and find_sops_config(beside) is None


def test_environments_and_creation_rules(tmp_path: Path) -> None:
    path = tmp_path / ".secretsfile.yaml"
    path.write_text(
        "environments:\n  dev:\n    file: conf/dev.yaml\n  prod: {}\n  ci:\n"
        "creation_rules:\n  - path_regex: \\.secret\\.yaml$\n  - age: age1xyz\n"
        "scan:\n  stopwords: [x]\n"
    )
    config = load_project_config(path)
    expected = [("dev", "conf/dev.yaml"), ("prod", "secrets/prod.yaml"), ("ci", "secrets/ci.yaml")]
    assert [(e.name, e.file) for e in config.environments] == expected
    assert [r.path_regex for r in config.creation_rules] == [r"\.secret\.yaml$", None]
    assert config.scan == {"stopwords": ["x"]}
    assert config.root == tmp_path


def test_sops_config(tmp_path: Path) -> None:
    path = tmp_path / ".sops.yaml"
    path.write_text("creation_rules:\n  - path_regex: ^secrets/\n    age: age1abc\n")
    assert [r.path_regex for r in load_sops_config(path)] == ["^secrets/"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a\n", "must be a mapping"),
        ("a: [1\n", "invalid YAML"),
        ("environments: 3\n", "environments must be"),
        ("creation_rules: {}\n", "creation_rules must be a list"),
        ("creation_rules:\n  - path_regex: '('\n", "path_regex: missing"),
        ("scan: [1]\n", "scan section must be a mapping"),
    ],
)
def test_errors(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / ".secretsfile.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_project_config(path)


def test_no_config_at_all(tmp_path: Path) -> None:
    from secretsfile.config.project import load

    config = load(start=tmp_path)
    assert config.path is None and config.environments == () and config.root == tmp_path.resolve()


def test_creation_rules_match_with_go_regex_semantics(tmp_path: Path) -> None:
    """POSIX classes are Go RE2 syntax: the recipients plan and check-encrypted agree."""
    path = tmp_path / ".secretsfile.yaml"
    path.write_text("creation_rules:\n  - path_regex: '^[[:alpha:]]+\\.enc\\.yaml$'\n"
                    "    age: age1qyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqs3290gq\n")
    config = load_project_config(path)
    assert config.plan_for(tmp_path / "prod.enc.yaml") is not None
    assert config.plan_for(tmp_path / "prod1.enc.yaml") is None


@pytest.mark.parametrize("brk", ["\r", "\x85", "\u2028", "\u2029"])
def test_a_comment_that_yaml_ends_early_is_read_as_sops_reads_it(tmp_path: Path, brk: str
                                                                 ) -> None:
    """YAML ends a comment at any line break: the rule after one is a rule to sops (which
    then encrypts for it), so it must be one to us too, never a dropped comment line."""
    text = (f"creation_rules:\n# team key only{brk}  - path_regex: .*{brk}    age: {EVIL}\n"
            f"  - age: {GOOD}\n")
    (tmp_path / ".sops.yaml").write_text(text, encoding="utf-8", newline="")
    rules = load_sops_config(tmp_path / ".sops.yaml")
    assert [[r.value for group in rule.plan.groups for r in group] for rule in rules] == [
        [EVIL], [GOOD]]


@pytest.mark.parametrize("indent", ["\t", "\x0c"])
def test_a_comment_indented_by_other_than_spaces_is_yamls_error(tmp_path: Path,
                                                                indent: str) -> None:
    (tmp_path / ".sops.yaml").write_text(f"creation_rules:\n{indent}# c: d\n  - age: {GOOD}\n")
    with pytest.raises(ConfigError):
        load_sops_config(tmp_path / ".sops.yaml")


@pytest.mark.parametrize("text", ["a: 1\n# c\x0bb: 2\n", "a: 1\n# c\x01\n", "a: \"x\x1cy\"\n"])
def test_a_control_character_is_yamls_error_even_in_a_comment(tmp_path: Path, text: str
                                                               ) -> None:
    """sops (go-yaml) refuses these files: so do we, not read them as if the line were not
    there."""
    (tmp_path / ".sops.yaml").write_text(text)
    with pytest.raises(ConfigError):
        load_sops_config(tmp_path / ".sops.yaml")


def test_a_config_that_is_not_utf8_is_an_error_naming_its_line(tmp_path: Path) -> None:
    # it was "unexpected UnicodeDecodeError" (exit 128) for every command, even scan
    config = tmp_path / ".sops.yaml"
    config.write_bytes(b"creation_rules:\r\n  - path_regex: x\n    age: \xff\n")
    with pytest.raises(ConfigError, match="not valid UTF-8") as caught:
        read_yaml_mapping(config)
    assert caught.value.line == 3


def test_carriage_returns_in_a_config_are_line_breaks(tmp_path: Path) -> None:
    config = tmp_path / ".sops.yaml"
    config.write_bytes(b"a: 1\r\nb: 2\rc: 3\n")
    assert read_yaml_mapping(config) == {"a": 1, "b": 2, "c": 3}
