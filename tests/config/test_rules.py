"""config/rules.py: a creation rule's path_regex matched as sops matches it."""

from __future__ import annotations

from pathlib import Path

import pytest

from secretsfile.config.project import CreationRule, load_project_config
from secretsfile.config.rules import path_pattern, rule_matches
from secretsfile.errors import ConfigError


def test_path_regex_is_searched_relative_to_the_rules_directory(tmp_path: Path) -> None:
    config = tmp_path / ".secretsfile.yaml"
    config.write_text("creation_rules:\n  - path_regex: ^secrets/.*\\.yaml$\n")
    rule = load_project_config(str(config)).creation_rules[0]
    assert rule.file == str(config) and rule.source == config  # a str kept; a Path on demand
    assert rule_matches(rule, tmp_path / "secrets" / "prod.yaml")
    assert not rule_matches(rule, tmp_path / "other" / "secrets" / "prod.yaml")
    assert rule_matches(CreationRule(None, str(config)), tmp_path / "anything.txt")


def test_a_bad_path_regex_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="creation_rules path_regex: missing") as raised:
        path_pattern("(", "creation_rules path_regex", str(tmp_path / ".sops.yaml"))
    assert raised.value.path == str(tmp_path / ".sops.yaml")
