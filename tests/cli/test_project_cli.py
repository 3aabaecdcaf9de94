"""Project set-up and named secrets through the CLI, in real folders and git repos."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from secretsfile.ops.keygen import keygen
from tests.cli.conftest import Runner, init_repo

PLANTED = "pw-PLANTED-9f8e7d"


@pytest.fixture
def project(run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return init_repo(run, tmp_path, monkeypatch, "dev", "staging", "prod")


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".git/" not in str(p)}


def test_init_creates_everything_once(run: Runner, project: Path) -> None:
    assert (project / ".secretsfile.yaml").exists()
    assert sorted(p.name for p in (project / "secrets").iterdir()) == [
        "dev.yaml", "prod.yaml", "staging.yaml"]
    assert "keys.txt" in (project / ".gitignore").read_text()
    before = _snapshot(project)
    again = run("init", "--env", "dev", "--env", "staging", "--env", "prod")
    assert again.code == 0 and "nothing to do" in again.stderr
    assert _snapshot(project) == before
    assert "secretsfile secret create" in again.stderr  # the next commands


def test_init_gitignores_temp_files_of_killed_writes(run: Runner, project: Path) -> None:
    def ignored(name: str) -> bool:
        return subprocess.run(["git", "check-ignore", "-q", name], check=False).returncode == 0

    assert ignored("secrets/.prod.yaml.secretsfile-4242-ab_12cd3.tmp")
    assert ignored(".secretsfile.yaml.secretsfile-4242-ab_12cd3.tmp")
    assert not ignored("secrets/prod.yaml") and not ignored("notes.tmp")
    gitignore = project / ".gitignore"  # a project set up before the line existed
    gitignore.write_text(gitignore.read_text().replace(".*.secretsfile-*.tmp\n", ""))
    upgraded = run("init", "--env", "dev")
    assert upgraded.code == 0 and ".*.secretsfile-*.tmp" in upgraded.stderr
    assert "nothing to do" in run("init", "--env", "dev").stderr
    assert gitignore.read_text().count(".*.secretsfile-*.tmp") == 1


def test_secret_lifecycle(run: Runner, project: Path, tmp_path: Path) -> None:
    password = tmp_path / "pw.txt"
    password.write_text(PLANTED + "\n")
    created = run("secret", "create", "app-db", "--env", "prod", "--schema", "postgres",
                  "--user=app", f"--password=@{password}", "--host=db", "--database=app")
    assert created.code == 0, created.stderr
    shown = run("secret", "get", "app-db", "--env", "prod")
    assert "password: **********" in shown.stdout and "port: **********" in shown.stdout
    revealed = run("secret", "get", "app-db", "--env", "prod", "--key", "password", "--reveal")
    assert revealed.stdout == PLANTED + "\n"
    as_json = json.loads(run("secret", "get", "app-db", "--env", "prod", "--json").stdout)
    assert as_json["schema"] == "postgres" and as_json["values"]["port"] == "**********"
    assert run("secret", "set", "openai-key", "--env", "prod", "--value-stdin",
               stdin="sk-1").code == 0
    listing = run("secret", "list", "--json")
    names = [(e["name"], e["env"], e["schema"]) for e in json.loads(listing.stdout)]
    assert names == [("app-db", "prod", "postgres"), ("openai-key", "prod", None)]
    before = (project / "secrets" / "prod.yaml").read_text().splitlines()
    assert run("secret", "update", "app-db", "--env", "prod", "--port=6543").code == 0
    after = (project / "secrets" / "prod.yaml").read_text().splitlines()
    changed = [b.split(":")[0].strip() for a, b in zip(before, after, strict=True) if a != b]
    assert [c for c in changed if c not in ("lastmodified", "secretsfile_tag")] == [
        "port", "mac"]
    assert run("secret", "delete", "openai-key", "--env", "prod", "--yes").code == 0
    assert "openai-key" not in run("secret", "list").stdout
    for result in (created, shown, listing):
        assert PLANTED not in result.output


def test_list_shows_git_dates_and_needs_no_key(
    run: Runner, project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert run("secret", "set", "api-token", "--env", "dev", "--value-stdin",
               stdin="x").code == 0
    subprocess.run(["git", "add", "-A"], check=True)
    subprocess.run(["git", "commit", "-qm", "add token"], check=True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-keys"))
    entry = json.loads(run("secret", "list", "--env", "dev", "--json").stdout)[0]
    assert entry["name"] == "api-token" and entry["created"] and entry["updated"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("secret", "create", "snowflake_user", "--env", "dev", "--x=1"), 2, "snowflake-user"),
        (("secret", "create", "pg-main", "--env", "dev", "--schema", "postgres", "--user=u"),
         2, "missing required field 'password'"),
        (("secret", "get", "nope", "--env", "dev"), 2, "not found in dev"),
        (("secret", "list", "--env", "prd"), 5, "did you mean 'prod'"),
        (("secret", "create", "abc", "--env", "dev", "--schema", "postgress", "--user=u"),
         2, "did you mean 'postgres'"),
    ],
)
def test_bad_input_is_one_line(run: Runner, project: Path, args: tuple[str, ...], code: int,
                               message: str) -> None:
    result = run(*args)
    assert result.code == code, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_not_found_suggests_closest(run: Runner, project: Path) -> None:
    run("secret", "set", "openai-api-key", "--env", "dev", "--value-stdin", stdin="x")
    result = run("secret", "get", "openai-apikey", "--env", "dev")
    assert result.code == 2 and "did you mean 'openai-api-key'" in result.stderr


def test_environment_separation(
    run: Runner, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dev_only = keygen("age", tmp_path / "dev-key.txt")
    assert run("recipients", "add", "dev", dev_only.public).code == 0
    run("secret", "set", "dev-token", "--env", "dev", "--value-stdin", stdin="dev-value")
    run("secret", "set", "prod-token", "--env", "prod", "--value-stdin", stdin="prod-value")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "other"))
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_FILE", str(dev_only.path))
    assert run("secret", "get", "dev-token", "--env", "dev", "--reveal").stdout == "dev-value\n"
    denied = run("secret", "get", "prod-token", "--env", "prod", "--reveal")
    assert denied.code == 3 and "prod-value" not in denied.output


def test_recipients_remove_rotates_and_warns(
    run: Runner, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    teammate = keygen("age", tmp_path / "mate.txt")
    run("secret", "set", "api-token", "--env", "staging", "--value-stdin", stdin="v1")
    assert run("recipients", "add", "staging", teammate.public).code == 0
    assert teammate.public in run("recipients", "list", "staging").stdout
    old_data = [line for line in (project / "secrets" / "staging.yaml").read_text().splitlines()
                if line.startswith("api-token")]
    removed = run("recipients", "remove", "staging", teammate.public)
    assert removed.code == 0 and "rotated" in removed.stderr and "git history" in removed.stderr
    new_data = [line for line in (project / "secrets" / "staging.yaml").read_text().splitlines()
                if line.startswith("api-token")]
    assert old_data != new_data
    assert teammate.public not in (project / ".secretsfile.yaml").read_text()
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "other"))
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_FILE", str(teammate.path))
    assert run("secret", "get", "api-token", "--env", "staging").code == 3


def test_recipients_remove_finishes_a_half_done_removal(
    run: Runner, project: Path, tmp_path: Path
) -> None:
    """The file no longer has the key but the config still lists it (a removal killed
    between its two writes): running remove again completes it instead of failing."""
    teammate = keygen("age", tmp_path / "mate.txt")
    assert run("recipients", "add", "staging", teammate.public).code == 0
    assert run("updatekeys", "secrets/staging.yaml", "--rm-age", teammate.public).code == 0
    removed = run("recipients", "remove", "staging", teammate.public)
    assert removed.code == 0, removed.stderr
    assert "rotated" in removed.stderr
    assert teammate.public not in (project / ".secretsfile.yaml").read_text()
    again = run("recipients", "remove", "staging", teammate.public)
    assert again.code == 2 and "is not a recipient of staging" in again.stderr


def test_recipients_add_finishes_a_half_done_addition(
    run: Runner, project: Path, tmp_path: Path
) -> None:
    teammate = keygen("age", tmp_path / "mate.txt")
    assert run("updatekeys", "secrets/staging.yaml", "--age", teammate.public).code == 0
    added = run("recipients", "add", "staging", teammate.public)
    assert added.code == 0 and "recorded the recipient in the config" in added.stderr
    assert teammate.public in run("recipients", "list", "staging").stdout
    assert "already a recipient" in run("recipients", "add", "staging", teammate.public).stderr


def test_private_secret_overrides_the_team_one(run: Runner, project: Path) -> None:
    run("secret", "set", "api-token", "--env", "dev", "--value-stdin", stdin="team")
    assert run("secret", "set", "api-token", "--env", "dev", "--private", "--value-stdin",
               stdin="mine").code == 0
    assert run("secret", "get", "api-token", "--env", "dev", "--reveal").stdout == "mine\n"
    team = run("secret", "get", "api-token", "--env", "dev", "--reveal", "--team")
    assert team.stdout == "team\n"
    assert not list(project.rglob("*private*"))  # nothing private inside the repo
    listing = run("secret", "list", "--env", "dev").stdout
    assert "api-token (private)" in listing


def test_env_add_and_config_comments_survive(run: Runner, project: Path) -> None:
    config = project / ".secretsfile.yaml"
    config.write_text(config.read_text() + "# team note: keep me\n")
    assert run("env", "add", "qa").code == 0
    assert "# team note: keep me" in config.read_text()
    assert (project / "secrets" / "qa.yaml").exists()
    assert run("env", "add", "qa").code == 2


def test_sops_yaml_only_repo(run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    me = keygen("age")
    other = keygen("age", tmp_path / "other.txt")
    (tmp_path / ".sops.yaml").write_text(
        f"creation_rules:\n  - path_regex: ^secrets/.*\n    age: {me.public},{other.public}\n")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "x.yaml").write_text("a: 1\n")
    assert run("encrypt", "--in-place", "secrets/x.yaml").code == 0
    status = json.loads(run("status", "--json", "secrets/x.yaml").stdout)
    assert {r["id"] for r in status["recipients"]} == {me.public, other.public}


def test_environment_key_variable_opens_that_environment(
    run: Runner, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ci = keygen("age", tmp_path / "ci.txt")
    assert run("recipients", "add", "prod", ci.public).code == 0
    run("secret", "set", "deploy-token", "--env", "prod", "--value-stdin", stdin="from-ci")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "ci-machine"))
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_PROD", ci.path.read_text())
    got = run("secret", "get", "deploy-token", "--env", "prod", "--reveal")
    assert got.code == 0 and got.stdout == "from-ci\n"
    missing = run("secret", "get", "nope-token", "--env", "prod")
    assert missing.code == 2 and "did you mean 'deploy-token'" in missing.stderr


def test_decrypt_to_a_missing_directory_is_a_usage_error(run: Runner, project: Path) -> None:
    result = run("decrypt", "secrets/dev.yaml", "--output", "no/such/dir/out.yaml")
    assert result.code == 2 and "cannot write" in result.stderr


def test_values_from_a_yaml_file_are_taken_as_written(
    run: Runner, project: Path, tmp_path: Path
) -> None:
    values = tmp_path / "v.yaml"
    values.write_text("pin: 0123\nwhen: 12:30\nflag: on\n")
    assert run("secret", "create", "device", "--env", "dev", "--values", f"@{values}").code == 0
    shown = json.loads(run("secret", "get", "device", "--env", "dev", "--reveal",
                           "--json").stdout)
    assert shown["values"] == {"pin": "0123", "when": "12:30", "flag": "on"}


@pytest.mark.parametrize("name", ["file", "cmd"])
def test_environment_names_whose_key_variable_is_taken_are_refused(
        run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("init", "--env", name)
    assert result.code == 2 and "reserved" in result.stderr
    assert not (tmp_path / ".secretsfile.yaml").exists()


def test_config_option_decides_recipients_from_any_directory(
        run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ops never looks the config up itself: a command run elsewhere with --config encrypts
    a new environment file for that project's recipients, not for your own key."""
    import pyrage

    team = pyrage.x25519.Identity.generate()
    mine = run("keygen").stdout.strip()
    proj = tmp_path / "proj"
    (proj / "secrets").mkdir(parents=True)
    config = proj / ".secretsfile.yaml"
    config.write_text(f"environments:\n  prod:\n    recipients: [{team.to_public()}, {mine}]\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = run("secret", "set", "api-token", "--env", "prod", "--config", str(config),
                 "--value-stdin", stdin="tok-PLANTED-1")
    assert result.code == 0, result.output
    status = json.loads(run("status", str(proj / "secrets" / "prod.yaml"), "--json").stdout)
    recipients = {key["id"] for key in status["recipients"]}
    assert recipients == {str(team.to_public()), mine}
