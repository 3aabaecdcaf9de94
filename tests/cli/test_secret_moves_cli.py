"""`secret rename`, `secret copy` (promote) and `secret export`, through the CLI in a real
git repository; a second person (bob) has a HOME of his own. Every output is grepped for
the planted values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.cli.conftest import Result, Runner, init_repo, use_home

PW, USER, TOKEN, PROD_PW = ("pw-PLANTED-5f1e", "app-PLANTED-user", "tok-PLANTED-9a8b",
                            "pw-PLANTED-prod-77")
PLANTED = (PW, USER, TOKEN, PROD_PW)


def clean(*results: Result, allow: tuple[str, ...] = ()) -> None:
    for result in results:
        for value in PLANTED:
            if value not in allow:
                assert value not in result.output, result.output


@pytest.fixture
def repo(run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = init_repo(run, tmp_path, monkeypatch, "staging", "prod")
    (root / "pw.txt").write_text(PW + "\n")
    made = run("secret", "create", "app-db", "--env", "staging", "--schema", "postgres",
               f"--user={USER}", "--password=@pw.txt", "--host=db.staging", "--database=app")
    assert made.code == 0, made.stderr
    assert run("secret", "set", "api-token", "--env", "staging", "--value-stdin",
               stdin=TOKEN).code == 0
    (root / "app.yaml").write_text("db: '{{ app-db.password }}'\nother: '{{ api-token }}'\n")
    config = root / ".secretsfile.yaml"
    config.write_text(config.read_text() + "references: [app.yaml]\n")
    clean(made)
    return root


def _get(run: Runner, name: str, env: str) -> dict[str, object]:
    result = run("secret", "get", name, "--env", env, "--reveal", "--json")
    assert result.code == 0, result.stderr
    return dict(json.loads(result.stdout))


def test_rename_moves_the_values_and_warns_about_references(run: Runner, repo: Path) -> None:
    config = repo / ".secretsfile.yaml"
    config.write_text(config.read_text().replace(
        "  prod:\n", "    exports:\n      PGPASSWORD: '{{ app-db.password }}'\n  prod:\n"))
    before = (repo / "secrets" / "staging.yaml").read_text()
    result = run("secret", "rename", "app-db", "main-db", "--env", "staging")
    assert result.code == 0, result.stderr
    clean(result)
    assert "app.yaml:1" in result.stderr and "app-db.password" in result.stderr
    assert "api-token" not in result.stderr
    assert ".secretsfile.yaml:" in result.stderr  # the exports: template
    after = (repo / "secrets" / "staging.yaml").read_text()
    assert "main-db:" in after and "app-db:" not in after and after != before
    assert list(yaml.safe_load(after))[:2] == ["main-db", "api-token"]  # keeps its place
    view = _get(run, "main-db", "staging")
    assert view["values"]["password"] == PW and view["values"]["user"] == USER  # type: ignore[index]
    missing = run("secret", "get", "app-db", "--env", "staging")
    assert missing.code != 0


def test_rename_refuses_an_existing_or_bad_name(run: Runner, repo: Path) -> None:
    before = (repo / "secrets" / "staging.yaml").read_bytes()
    taken = run("secret", "rename", "app-db", "api-token", "--env", "staging")
    assert taken.code != 0 and "already exists" in taken.stderr
    bad = run("secret", "rename", "app-db", "Main_DB", "--env", "staging")
    assert bad.code != 0 and "invalid secret name" in bad.stderr and "main-db" in bad.stderr
    absent = run("secret", "rename", "app-dbb", "x-db", "--env", "staging")
    assert absent.code != 0 and "app-db" in absent.stderr
    assert run("secret", "set", "main-db-user", "--env", "staging", "--value-stdin",
               stdin="x").code == 0
    before = (repo / "secrets" / "staging.yaml").read_bytes()
    collides = run("secret", "rename", "app-db", "main-db", "--env", "staging")
    assert collides.code != 0 and "MAIN_DB_USER" in collides.stderr
    for result in (taken, bad, absent, collides):
        assert "Traceback" not in result.output
        clean(result)
    assert (repo / "secrets" / "staging.yaml").read_bytes() == before


def test_copy_promotes_and_refuses_to_overwrite_without_force(run: Runner, repo: Path) -> None:
    copied = run("secret", "copy", "app-db", "--from", "staging", "--to", "prod")
    assert copied.code == 0, copied.stderr
    assert _get(run, "app-db", "prod")["values"] == _get(run, "app-db", "staging")["values"]
    same = run("secret", "copy", "app-db", "--from", "staging", "--to", "prod")
    assert same.code == 0 and "nothing changed" in same.stderr
    assert run("secret", "update", "app-db", "--env", "prod", "--values",
               json.dumps({"password": PROD_PW})).code == 0
    refused = run("secret", "copy", "app-db", "--from", "staging", "--to", "prod")
    assert refused.code != 0 and "password" in refused.stderr and "--force" in refused.stderr
    assert "user" not in refused.stderr.split("keys:")[1]
    assert _get(run, "app-db", "prod")["values"]["password"] == PROD_PW  # type: ignore[index]
    forced = run("secret", "copy", "app-db", "--from", "staging", "--to", "prod", "--force")
    assert forced.code == 0, forced.stderr
    assert _get(run, "app-db", "prod")["values"]["password"] == PW  # type: ignore[index]
    renamed = run("secret", "copy", "api-token", "--from", "staging", "--to", "prod",
                  "--as", "ci-token")
    assert renamed.code == 0, renamed.stderr
    assert run("secret", "get", "ci-token", "--env", "prod", "--reveal").stdout == TOKEN + "\n"
    clean(copied, same, refused, forced, renamed)


def test_copy_needs_keys_for_both_files(run: Runner, repo: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    alice = Path.home()
    bob = tmp_path / "bob"

    use_home(monkeypatch, bob)
    bob_key = run("keygen").stdout.strip()
    use_home(monkeypatch, alice)
    assert run("secret", "set", "seed", "--env", "prod", "--value-stdin",
               stdin=PROD_PW).code == 0  # prod exists, for alice only
    assert run("recipients", "add", "staging", bob_key).code == 0
    use_home(monkeypatch, bob)
    before = (repo / "secrets" / "prod.yaml").read_bytes()
    result = run("secret", "copy", "app-db", "--from", "staging", "--to", "prod")
    assert result.code == 3, result.output
    assert "prod" in result.stderr and "Traceback" not in result.output
    clean(result)
    assert (repo / "secrets" / "prod.yaml").read_bytes() == before


@pytest.mark.parametrize("fmt", ["json", "yaml", "dotenv"])
def test_export_prints_one_secret(run: Runner, repo: Path, fmt: str) -> None:
    result = run("secret", "export", "app-db", "--env", "staging", "--format", fmt)
    assert result.code == 0, result.stderr
    assert result.stderr == ""
    if fmt == "dotenv":
        assert f"APP_DB_PASSWORD='{PW}'\n" in result.stdout
        assert f"APP_DB_USER='{USER}'\n" in result.stdout
        return
    data = json.loads(result.stdout) if fmt == "json" else yaml.safe_load(result.stdout)
    assert data["password"] == PW and data["user"] == USER and str(data["port"]) == "5432"


def test_export_single_value_quoting_and_bad_format(run: Runner, repo: Path) -> None:
    tricky = "it's $HOME `x` \\"
    assert run("secret", "set", "odd-value", "--env", "staging", "--value-stdin",
               stdin=tricky).code == 0
    result = run("secret", "export", "odd-value", "--env", "staging", "--format", "dotenv")
    assert result.code == 0, result.stderr
    assert result.stdout == "ODD_VALUE='it'\\''s $HOME `x` \\'\n"  # the dotenv export quoting
    as_json = run("secret", "export", "api-token", "--env", "staging", "--format", "json")
    assert json.loads(as_json.stdout) == {"api-token": TOKEN}
    bad = run("secret", "export", "api-token", "--env", "staging", "--format", "toml")
    assert bad.code != 0 and "json, dotenv, yaml" in bad.stderr and bad.stdout == ""
    clean(bad)


def test_export_dotenv_gives_the_names_run_gives(run: Runner, repo: Path) -> None:
    config = repo / ".secretsfile.yaml"
    config.write_text(config.read_text().replace(
        "  prod:\n", "    exports:\n      DATABASE_PASSWORD: '{{ app-db.password }}'\n  prod:\n"))
    result = run("secret", "export", "app-db", "--env", "staging", "--format", "dotenv")
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"APP_DB_PASSWORD='{PW}'" in lines and f"DATABASE_PASSWORD='{PW}'" in lines
    assert f"PGPASSWORD='{PW}'" in lines and f"PGUSER='{USER}'" in lines  # schema names
    assert not any(line.startswith("API_TOKEN=") for line in lines)  # only this secret's
    clean(run("secret", "get", "app-db", "--env", "staging"))


def test_export_dotenv_applies_the_deny_list(run: Runner, repo: Path) -> None:
    assert run("secret", "set", "ld-preload", "--env", "staging", "--value-stdin",
               stdin=TOKEN).code == 0
    config = repo / ".secretsfile.yaml"
    config.write_text(config.read_text().replace(
        "  prod:\n", "    exports:\n      PATH: '{{ api-token }}'\n  prod:\n"))
    for name, var in (("ld-preload", "LD_PRELOAD"), ("api-token", "PATH")):
        refused = run("secret", "export", name, "--env", "staging", "--format", "dotenv")
        assert refused.code == 2 and refused.stdout == ""
        assert f"refusing to set {var} (from " in refused.stderr and f"--allow {var}" in \
            refused.stderr
        clean(refused)
        allowed = run("secret", "export", name, "--env", "staging", "--format", "dotenv",
                      "--allow", var)
        assert allowed.code == 0 and f"{var}='{TOKEN}'" in allowed.stdout.splitlines()
    as_json = run("secret", "export", "ld-preload", "--env", "staging", "--format", "json")
    assert json.loads(as_json.stdout) == {"ld-preload": TOKEN}  # no variable: no deny-list
