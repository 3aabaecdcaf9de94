"""whoami, keygen on an existing key, and the no-key error, through the CLI with separate
HOMEs for alice and bob in one project (bob is not a recipient of prod)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.cli.conftest import Result, Runner, init_repo, use_home

PLANTED = "prod-PLANTED-7c6b5a"


def _clean(*results: Result) -> None:
    for result in results:
        assert "AGE-SECRET-KEY-" not in result.output.upper()
        assert PLANTED not in result.output


@pytest.fixture
def team(run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """alice sets the project up (dev, prod) and a prod secret; bob has his own key."""
    use_home(monkeypatch, tmp_path / "alice")
    alice = run("keygen").stdout.strip()
    init_repo(run, tmp_path, monkeypatch, "dev", "prod")
    assert run("secret", "set", "api-token", "--env", "prod", "--value-stdin",
               stdin=PLANTED).code == 0
    use_home(monkeypatch, tmp_path / "bob")
    bob = run("keygen").stdout.strip()
    assert run("recipients", "add", "dev", bob).code != 0  # bob cannot read dev either
    use_home(monkeypatch, tmp_path / "alice")
    assert run("recipients", "add", "dev", bob).code == 0
    return {"alice": alice, "bob": bob}


def test_whoami_json_for_alice_and_bob(run: Runner, team: dict[str, str], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    alice = run("whoami", "--json")
    assert alice.code == 0, alice.stderr
    data = json.loads(alice.stdout)
    assert [r["recipient"] for r in data["recipients"]] == [team["alice"]]
    assert data["recipients"][0]["kind"] == "age"
    assert data["recipients"][0]["found_in"] == [{
        "source": str(tmp_path / "alice" / ".config" / "secretsfile" / "age" / "keys.txt"),
        "detail": "1 identity"}]
    assert {e["name"]: (e["readable"], e["configured"], e["via"])
            for e in data["environments"]} == {
        "dev": (True, True, [team["alice"]]), "prod": (True, True, [team["alice"]])}
    use_home(monkeypatch, tmp_path / "bob")
    bob = run("whoami", "--json")
    data = json.loads(bob.stdout)
    assert [r["recipient"] for r in data["recipients"]] == [team["bob"]]
    envs = {e["name"]: e for e in data["environments"]}
    assert envs["dev"]["readable"] and envs["dev"]["via"] == [team["bob"]]
    assert envs["prod"] == {"name": "prod", "file": "secrets/prod.yaml", "configured": False,
                            "readable": False, "via": []}
    text = run("whoami")
    assert text.code == 0 and team["bob"] in text.stdout
    assert "dev\tsecrets/dev.yaml\tcan read" in text.stdout
    assert "prod\tsecrets/prod.yaml\tcannot read" in text.stdout
    _clean(alice, bob, text)


def test_whoami_without_a_key_or_project(run: Runner) -> None:
    result = run("whoami", "--json")
    assert result.code == 0 and json.loads(result.stdout) == {
        "recipients": [], "environments": []}
    text = run("whoami")
    assert text.code == 0 and "secretsfile keygen" in text.stderr


def test_keygen_twice_shows_the_existing_public_key(run: Runner) -> None:
    first = run("keygen")
    key_file = Path(os.environ["XDG_CONFIG_HOME"]) / "secretsfile" / "age" / "keys.txt"
    before = key_file.read_bytes()
    again = run("keygen")
    assert again.code == 0 and again.stdout == first.stdout
    assert "already exists" in again.stderr and str(key_file) in again.stderr
    assert key_file.read_bytes() == before
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    _clean(first, again)


def test_bob_denied_prod_is_told_his_key_and_recipients_add(
    run: Runner, team: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_home(monkeypatch, tmp_path / "bob")
    denied = run("secret", "get", "api-token", "--env", "prod", "--reveal")
    assert denied.code == 3
    assert team["bob"] in denied.stderr
    assert f"secretsfile recipients add prod {team['bob']}" in denied.stderr
    file_level = run("decrypt", "secrets/prod.yaml")
    assert file_level.code == 3 and team["bob"] in file_level.stderr
    _clean(denied, file_level)


def test_no_key_error_suggests_keygen(run: Runner, team: dict[str, str], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    use_home(monkeypatch, tmp_path / "carol")
    denied = run("secret", "get", "api-token", "--env", "prod")
    assert denied.code == 3 and "secretsfile keygen" in denied.stderr
    assert "recipients add prod" in denied.stderr
    _clean(denied)
