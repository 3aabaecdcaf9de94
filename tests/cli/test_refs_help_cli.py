"""render/check help: --config is a FILE like every other --config; check --level shows its
choices as the metavar."""

from __future__ import annotations

import re

import pytest

from tests.cli.conftest import Runner


def _plain(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


def test_config_is_a_file_and_level_shows_its_choices(run: Runner,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # the metavar on one line
    for command in ("render", "check"):
        result = run(command, "--help")
        assert result.code == 0
        help_text = _plain(result.stdout)
        assert re.search(r"--config\s+FILE", help_text), help_text
        assert not re.search(r"--config\s+TEXT", help_text)
    check = _plain(run("check", "--help").stdout)
    assert "NONE|SECRET_EXISTS|SECRET_AND_KEY_EXISTS" in check
