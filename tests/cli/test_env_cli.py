"""env remove / env rename through the CLI in a real git repository: config comments kept,
files moved or deleted, default_env followed, refusals naming what points at the env."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from secretsfile.config.project import load
from tests.cli.conftest import Result, Runner, init_repo

PLANTED = ("env-PLANTED-prod-5d1e", "env-PLANTED-private-0b9a")


def _clean(*results: Result) -> None:
    for result in results:
        assert not any(value in result.output for value in PLANTED), result.output


@pytest.fixture
def root(run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """prod (default_env) and dev, a committed config with comments, a prod secret."""
    assert run("keygen").code == 0
    root = init_repo(run, tmp_path, monkeypatch, "prod", "dev")
    assert run("secret", "set", "api-token", "--env", "prod", "--value-stdin",
               stdin=PLANTED[0]).code == 0
    config = root / ".secretsfile.yaml"
    config.write_text("# reviewed in PRs\n" + config.read_text().replace(
        "  prod:\n", "  prod:   # the live one\n").replace(
        "  dev:\n", "  # laptops only\n  dev:\n"))
    subprocess.run(["git", "add", "-A"], check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init"],
                   check=True)
    return root


def test_rename_moves_file_private_overlay_and_default_env(run: Runner, root: Path) -> None:
    assert run("secret", "set", "mine", "--env", "prod", "--private", "--value-stdin",
               stdin=PLANTED[1]).code == 0
    config = load(override=root / ".secretsfile.yaml")
    private = config.private_path(config.environment("prod"))
    assert private.exists()
    before = (root / ".secretsfile.yaml").read_text()
    renamed = run("env", "rename", "prod", "live")
    assert renamed.code == 0, renamed.stderr
    assert "moved secrets/prod.yaml -> secrets/live.yaml" in renamed.stderr
    assert "git: commit" in renamed.stderr
    assert not (root / "secrets" / "prod.yaml").exists()
    after = (root / ".secretsfile.yaml").read_text()
    assert after == before.replace("default_env: prod", "default_env: live").replace(
        "  prod:   # the live one", "  live:   # the live one")
    assert not private.exists()
    got = run("secret", "get", "api-token", "--env", "live", "--reveal")
    assert got.stdout == PLANTED[0] + "\n"
    mine = run("secret", "get", "mine", "--env", "live", "--reveal")
    assert mine.stdout == PLANTED[1] + "\n"
    gone = run("secret", "get", "api-token", "--env", "prod")
    assert gone.code != 0 and "unknown environment 'prod'" in gone.stderr
    _clean(renamed, gone)


def test_rename_refusals(run: Runner, root: Path) -> None:
    taken = run("env", "rename", "prod", "dev")
    assert taken.code == 2 and "already exists" in taken.stderr
    bad = run("env", "rename", "prod", "no good")
    assert bad.code != 0 and "Traceback" not in bad.output
    (root / "secrets" / "live.yaml").write_text("not ours\n")
    blocked = run("env", "rename", "prod", "live")
    assert blocked.code == 2 and "already exists" in blocked.stderr
    assert (root / "secrets" / "prod.yaml").exists()
    assert "prod:" in (root / ".secretsfile.yaml").read_text()


def test_remove_refuses_default_env_and_keeps_the_file_unless_asked(
    run: Runner, root: Path
) -> None:
    config = root / ".secretsfile.yaml"
    before = config.read_text()
    asked = run("env", "remove", "dev")
    assert asked.code == 2 and "--yes" in asked.stderr
    refused = run("env", "remove", "prod", "--yes")
    assert refused.code == 2 and "default_env is prod" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1 and config.read_text() == before
    kept = run("env", "remove", "dev", "--yes")
    assert kept.code == 0 and "kept secrets/dev.yaml" in kept.stderr
    assert (root / "secrets" / "dev.yaml").exists()
    key = load(override=config).environments[0].recipients[0].value
    # only dev's lines go (a comment line above it stays: ruamel keeps it with prod)
    assert config.read_text() == before.replace(f"  dev:\n    recipients:\n      - {key}\n", "")
    forced = run("env", "remove", "prod", "--yes", "--force", "--delete-file")
    assert forced.code == 0, forced.stderr
    assert "removed default_env" in forced.stderr and "deleted secrets/prod.yaml" in forced.stderr
    assert not (root / "secrets" / "prod.yaml").exists()
    assert "default_env" not in config.read_text()
    assert config.read_text().startswith("# reviewed in PRs\n")
    _clean(asked, refused, kept, forced)


def test_rename_finishes_after_a_crash_between_file_and_config(run: Runner, root: Path) -> None:
    (root / "secrets" / "prod.yaml").rename(root / "secrets" / "live.yaml")  # file step done
    again = run("env", "rename", "prod", "live")
    assert again.code == 0, again.stderr
    assert "moved" not in again.stderr
    got = run("secret", "get", "api-token", "--env", "live", "--reveal")
    assert got.stdout == PLANTED[0] + "\n"


def test_rename_keeps_an_explicit_file(run: Runner, root: Path) -> None:
    config = root / ".secretsfile.yaml"
    config.write_text(config.read_text().replace(
        "  dev:\n", "  dev:\n    file: secrets/dev.yaml\n"))
    renamed = run("env", "rename", "dev", "local")
    assert renamed.code == 0 and "moved secrets/dev.yaml" not in renamed.stderr
    assert (root / "secrets" / "dev.yaml").exists()
    assert "  local:\n    file: secrets/dev.yaml\n" in config.read_text()


def test_env_list_json_names_files_default_and_recipients(run: Runner, root: Path) -> None:
    import json

    result = run("env", "list", "--json")
    assert result.code == 0, result.output
    listed = {env["name"]: env for env in json.loads(result.stdout)}
    assert set(listed) == {"prod", "dev"}
    assert listed["prod"]["default"] is True and listed["dev"]["default"] is False
    assert listed["prod"]["file"] == "secrets/prod.yaml"
    assert [r["type"] for r in listed["prod"]["recipients"]] == ["age"]
    assert listed["prod"]["recipients"][0]["key"].startswith("age1")
    _clean(result)
