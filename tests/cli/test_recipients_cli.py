"""Labels, names and --all-envs for recipients, through the CLI with separate HOMEs:
alice sets up dev and prod, bob is on the team, carol joins and later leaves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Result, Runner, init_repo, use_home

PLANTED = ("rc-PLANTED-dev-41a2", "rc-PLANTED-prod-93f1", "rc-PLANTED-new-77c0")


def _clean(*results: Result) -> None:
    for result in results:
        assert "AGE-SECRET-KEY-" not in result.output.upper()
        assert not any(value in result.output for value in PLANTED), result.output


def _get(run: Runner, env: str) -> Result:
    return run("secret", "get", "api-token", "--env", env, "--reveal")


@pytest.fixture
def team(run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Keys for alice, bob, carol; alice's project labels her and bob with comments, and a
    comment line follows bob's entry in prod."""
    keys = {}
    for person in ("bob", "carol", "alice"):
        use_home(monkeypatch, tmp_path / person)
        keys[person] = run("keygen").stdout.strip()
    root = init_repo(run, tmp_path, monkeypatch, "dev", "prod")
    for env, value in (("dev", PLANTED[0]), ("prod", PLANTED[1])):
        assert run("secret", "set", "api-token", "--env", env, "--value-stdin",
                   stdin=value).code == 0
    assert run("recipients", "add", "prod", keys["bob"]).code == 0
    config = root / ".secretsfile.yaml"
    text = config.read_text().replace(f"- {keys['alice']}\n", f"- {keys['alice']}  # alice\n")
    text = text.replace(f"- {keys['bob']}\n",
                        f"- {keys['bob']}   # bob\n      # bob leads the on-call rota\n")
    config.write_text("# team config, reviewed in PRs\n" + text)
    return keys


def test_carol_joins_and_leaves_every_environment(
    run: Runner, team: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "repo" / ".secretsfile.yaml"
    before = config.read_text()
    joined = run("recipients", "add", team["carol"], "--all-envs", "--name", "carol")
    assert joined.code == 0, joined.stderr
    assert "dev: added recipient" in joined.stderr and "prod: added recipient" in joined.stderr
    after = config.read_text()
    assert after.count(f"{{key: {team['carol']}, name: carol}}") == 2
    # the rest of the config is byte-for-byte what it was
    assert after.replace(f"      - {{key: {team['carol']}, name: carol}}\n", "") == before
    listed = run("recipients", "list", "prod")
    assert f"{team['alice']}\talice\n" in listed.stdout
    assert f"{team['bob']}\tbob\n" in listed.stdout
    assert f"{team['carol']}\tcarol\n" in listed.stdout
    use_home(monkeypatch, tmp_path / "carol")
    assert _get(run, "dev").stdout == PLANTED[0] + "\n"
    assert _get(run, "prod").stdout == PLANTED[1] + "\n"

    use_home(monkeypatch, tmp_path / "alice")
    left = run("recipients", "remove", "carol", "--all-envs")  # by name
    assert left.code == 0, left.stderr
    assert "dev: removed recipient; data key rotated" in left.stderr
    assert "prod: removed recipient; data key rotated" in left.stderr
    assert "git history" in left.stderr
    assert config.read_text() == before
    assert run("secret", "set", "api-token", "--env", "prod", "--value-stdin",
               stdin=PLANTED[2]).code == 0
    use_home(monkeypatch, tmp_path / "carol")
    denied = _get(run, "prod")
    assert denied.code == 3 and PLANTED[2] not in denied.output
    assert _get(run, "dev").code == 3
    _clean(joined, listed, left, denied)


def test_remove_keeps_the_comments_of_the_others(
    run: Runner, team: dict[str, str]
) -> None:
    config = Path.cwd() / ".secretsfile.yaml"
    removed = run("recipients", "remove", "prod", "bob")  # bob, by his comment label
    assert removed.code == 0, removed.stderr
    text = config.read_text()
    assert team["bob"] not in text
    assert "# bob leads the on-call rota" in text  # the comment line after bob's entry
    assert text.count("# alice") == 2 and text.startswith("# team config, reviewed in PRs\n")
    _clean(removed)


def test_list_json_is_the_matrix(run: Runner, team: dict[str, str]) -> None:
    assert run("recipients", "add", "dev", team["carol"], "--name", "carol").code == 0
    listed = run("recipients", "list", "--json")
    assert listed.code == 0, listed.stderr
    data = json.loads(listed.stdout)
    people = {entry["name"]: entry for entry in data["recipients"]}
    assert people["alice"] == {"key": team["alice"], "name": "alice",
                               "environments": ["dev", "prod"]}
    assert people["bob"]["environments"] == ["prod"]
    assert people["carol"]["environments"] == ["dev"]
    assert {"key": team["bob"], "name": "bob"} in data["environments"]["prod"]
    assert list(data["environments"]) == ["dev", "prod"]
    only = json.loads(run("recipients", "list", "--env", "dev", "--json").stdout)
    assert list(only["environments"]) == ["dev"]
    text = run("recipients", "list")
    assert f"prod\t{team['bob']}\tbob\n" in text.stdout
    _clean(listed, text)


def test_unknown_recipient_and_drift_name_people(
    run: Runner, team: dict[str, str], tmp_path: Path
) -> None:
    unknown = run("recipients", "remove", "prod", "mallory")
    assert unknown.code == 2 and len(unknown.stderr.strip().splitlines()) == 1
    assert "known names: alice, bob" in unknown.stderr
    missing = run("recipients", "remove", "dev", team["bob"])
    assert missing.code == 2 and f"{team['bob']} (bob) is not a recipient of dev" \
        in missing.stderr
    config = tmp_path / "repo" / ".secretsfile.yaml"
    config.write_text(config.read_text().replace(
        "  dev:\n    recipients:\n",
        f"  dev:\n    recipients:\n      - {{key: {team['carol']}, name: carol}}\n"))
    check = run("updatekeys", "--check")
    assert check.code == 1
    assert f"secrets/dev.yaml: missing recipient age {team['carol']} (carol)" in check.stderr
    both = run("recipients", "add", "dev", team["carol"], "--all-envs")
    assert both.code == 2 and "--all-envs takes only the recipient" in both.stderr
    _clean(unknown, missing, check, both)


def test_all_envs_with_an_environment_name_says_the_argument_is_the_recipient(
        run: Runner, team: dict[str, str]) -> None:
    wrong = run("recipients", "add", "--all-envs", "prod")
    assert wrong.code == 2
    assert "with --all-envs the only argument is the recipient; 'prod' is an environment" \
        in wrong.stderr
    assert "recipients add prod age1…" in wrong.stderr
    assert "is not a recipient" not in wrong.stderr
    assert len(wrong.stderr.strip().splitlines()) == 1
