"""Private secrets over the team's, key by key; variable-name collisions refused at write
time; a group never silently replaced by one value. Through the CLI, every output grepped
for the planted values."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import secretsfile
from secretsfile.loader import clear_cache
from tests.cli.conftest import Result, Runner, init_repo

TEAM_PW = "team-PLANTED-pw-1a2b"
MINE_PW = "mine-PLANTED-pw-3c4d"
TEAM_USER = "team-PLANTED-user"
PLANTED = (TEAM_PW, MINE_PW, TEAM_USER)


@pytest.fixture
def project(run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = init_repo(run, tmp_path, monkeypatch, "dev")
    team = tmp_path / "team.json"
    team.write_text(json.dumps({"user": TEAM_USER, "password": TEAM_PW, "host": "db.internal",
                                "database": "app"}))
    created = run("secret", "create", "app-db", "--env", "dev", "--schema", "postgres",
                  "--values", f"@{team}")
    assert created.code == 0, created.stderr
    mine = tmp_path / "mine.json"
    mine.write_text(json.dumps({"password": MINE_PW}))
    private = run("secret", "create", "app-db", "--env", "dev", "--private", "--values",
                  f"@{mine}")
    assert private.code == 0, private.stderr
    return root


def _clean(*results: Result) -> None:
    for result in results:
        for value in PLANTED:
            assert value not in result.output


def test_private_group_overlays_the_team_one_key_by_key(run: Runner, project: Path) -> None:
    shown = run("secret", "get", "app-db", "--env", "dev")
    assert shown.code == 0, shown.stderr
    assert "  password: **********  (private)" in shown.stdout
    assert "  user: **********  (team)" in shown.stdout
    assert "  port: **********  (team)" in shown.stdout
    as_json = run("secret", "get", "app-db", "--env", "dev", "--json")
    view = json.loads(as_json.stdout)
    assert view["origins"] == {"user": "team", "password": "private", "host": "team",
                               "port": "team", "database": "team"}
    assert view["schema"] == "postgres"
    one = run("secret", "get", "app-db", "--env", "dev", "--key", "password", "--json")
    assert json.loads(one.stdout)["origin"] == "private"
    _clean(shown, as_json, one)
    revealed = json.loads(run("secret", "get", "app-db", "--env", "dev", "--json",
                              "--reveal").stdout)
    assert revealed["values"]["password"] == MINE_PW
    assert revealed["values"]["user"] == TEAM_USER
    team = json.loads(run("secret", "get", "app-db", "--env", "dev", "--team", "--json",
                          "--reveal").stdout)
    assert team["values"]["password"] == TEAM_PW and "origins" in team
    mine = json.loads(run("secret", "get", "app-db", "--env", "dev", "--private", "--json",
                          "--reveal").stdout)
    assert mine["values"] == {"password": MINE_PW}


def test_run_ci_export_and_the_loader_see_the_merged_group(run: Runner, project: Path
                                                          ) -> None:
    code = (f"import os; assert os.environ['APP_DB_USER'] == {TEAM_USER!r}; "
            f"assert os.environ['APP_DB_PASSWORD'] == {MINE_PW!r}")
    ran = run("run", "--env", "dev", "--", sys.executable, "-c", code)
    assert ran.code == 0, ran.stderr
    exported = run("ci", "export", "--env", "dev", "--format", "json")
    assert exported.code == 0, exported.stderr
    variables = json.loads(exported.stdout)
    assert variables["APP_DB_USER"] == TEAM_USER
    assert variables["APP_DB_PASSWORD"] == MINE_PW
    config = project / ".secretsfile.yaml"
    clear_cache()
    group = secretsfile.values("dev", config=config)["app-db"]
    assert group["password"] == MINE_PW and group["user"] == TEAM_USER
    assert group["port"] == 5432
    loaded = secretsfile.load("dev", config=config)
    assert loaded.secret("app-db").origin("password") == "private"
    assert loaded["app-db"]["host"].reveal() == "db.internal"


def test_a_private_value_over_a_team_group_wins_and_says_so(run: Runner, project: Path
                                                            ) -> None:
    assert run("secret", "set", "app-db", "--env", "dev", "--private", "--force",
               "--value-stdin", stdin=MINE_PW).code == 0
    shown = run("secret", "get", "app-db", "--env", "dev")
    assert "value: **********" in shown.stdout
    assert "hides the team's group (keys: user, password, host, port, database)" in shown.stdout
    as_json = json.loads(run("secret", "get", "app-db", "--env", "dev", "--json").stdout)
    assert as_json["origin"] == "private" and "hides" in as_json["note"]
    _clean(shown)
    assert run("secret", "get", "app-db", "--env", "dev", "--reveal").stdout == MINE_PW + "\n"


@pytest.mark.parametrize("private", [(), ("--private",)])
def test_variable_collisions_are_refused_at_write_time(run: Runner, project: Path,
                                                       private: tuple[str, ...]) -> None:
    before = (project / "secrets" / "dev.yaml").read_bytes()
    refused = run("secret", "set", "app-db-user", "--env", "dev", *private, "--value-stdin",
                  stdin=MINE_PW)
    assert refused.code == 2
    assert "app-db-user (APP_DB_USER) collides with app-db.user" in refused.stderr
    assert "rename" in refused.stderr and "Traceback" not in refused.output
    grouped = run("secret", "create", "app", "--env", "dev", *private, "--db-password=x")
    assert grouped.code == 2
    assert "app.db-password (APP_DB_PASSWORD) collides with app-db.password" in grouped.stderr
    _clean(refused, grouped)
    assert (project / "secrets" / "dev.yaml").read_bytes() == before
    assert "app-db-user" not in run("secret", "list", "--env", "dev").stdout
    assert run("run", "--env", "dev", "--", sys.executable, "-c", "pass").code == 0


def test_a_key_added_by_update_is_checked_too(run: Runner, project: Path) -> None:
    assert run("secret", "set", "app-db-extra", "--env", "dev", "--value-stdin",
               stdin="x").code == 0
    refused = run("secret", "update", "app-db", "--env", "dev", "--private", "--extra=y")
    assert refused.code == 2, refused.output
    assert "collides with app-db-extra" in refused.stderr


def test_set_over_a_group_names_the_keys_and_needs_force(run: Runner, project: Path) -> None:
    refused = run("secret", "set", "app-db", "--env", "dev", "--value-stdin", stdin=MINE_PW)
    assert refused.code != 0
    assert "keys: user, password, host, port, database" in refused.stderr
    assert "--force" in refused.stderr
    _clean(refused)
    assert run("secret", "set", "app-db", "--env", "dev", "--force", "--value-stdin",
               stdin=MINE_PW).code == 0
    revealed = run("secret", "get", "app-db", "--env", "dev", "--team", "--reveal")
    assert revealed.stdout == MINE_PW + "\n"
