"""The names people need: ``exports:`` and schema names (AWS_ACCESS_KEY_ID, PGHOST) through
``run``, ``ci export`` and ``secretsfile.values(as_environ=True)``, in a real project."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

import secretsfile
from tests.cli.conftest import Runner, init_repo

PLANTED = ("AKIA-PLANTED-1", "sk-PLANTED-2", "AKIA-PLANTED-3", "sk-PLANTED-4", "pg-PLANTED-5",
           "tok-PLANTED-6")
# The child writes the variables it got to the file named by its first argument.
DUMP_ENV = ("import json, os, sys; json.dump({k: v for k, v in os.environ.items() "
            "if k.startswith(('AWS', 'PG', 'APP_', 'API', 'DEPLOY', 'LD_'))}, "
            "open(sys.argv[1], 'w'))")


def leaked(text: str, allowed: tuple[str, ...] = ()) -> list[str]:
    return [value for value in PLANTED if value in text and value not in allowed]


@pytest.fixture
def repo(run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, age_key: str) -> Path:
    from secretsfile.loader import clear_cache

    root = init_repo(run, tmp_path, monkeypatch, "prod")
    for args in (
        ("create", "aws-deploy", "--schema", "aws", f"--access_key_id={PLANTED[0]}",
         f"--secret_access_key={PLANTED[1]}"),
        ("create", "app-db", "--schema", "postgres", "--user=app", f"--password={PLANTED[4]}",
         "--host=db.internal", "--database=app"),
    ):
        result = run("secret", *args, "--env", "prod")
        assert result.code == 0, result.stderr
    result = run("secret", "set", "api-token", "--env", "prod", "--value-stdin",
                 stdin=PLANTED[5] + "\n")
    assert result.code == 0, result.stderr
    clear_cache()
    return root


def add_exports(root: Path, **exports: str) -> None:
    config = root / ".secretsfile.yaml"
    lines = "".join(f"      {var}: '{template}'\n" for var, template in exports.items())
    config.write_text(config.read_text() + "    exports:\n" + lines)


def add_second_aws(run: Runner) -> None:
    result = run("secret", "create", "aws-other", "--schema", "aws", "--env", "prod",
                 f"--access_key_id={PLANTED[2]}", f"--secret_access_key={PLANTED[3]}")
    assert result.code == 0, result.stderr


def child_env(run: Runner, *args: str) -> tuple[dict[str, str], str]:
    out = Path("child.json").resolve()
    result = run("run", *args, "--", sys.executable, "-c", DUMP_ENV, str(out))
    assert result.code == 0, result.stderr
    assert result.stdout == "" and leaked(result.stderr) == []
    got = json.loads(out.read_text())
    return {k: v for k, v in got.items() if os.environ.get(k) != v}, result.stderr


def test_run_sets_schema_names_for_the_only_secret_of_a_schema(repo: Path, run: Runner) -> None:
    env, stderr = child_env(run)
    assert env["AWS_ACCESS_KEY_ID"] == env["AWS_DEPLOY_ACCESS_KEY_ID"] == PLANTED[0]
    assert env["AWS_SECRET_ACCESS_KEY"] == PLANTED[1]
    assert env["PGPASSWORD"] == env["APP_DB_PASSWORD"] == PLANTED[4]
    assert env["PGHOST"] == "db.internal" and env["PGUSER"] == "app"
    assert stderr == ""


def test_two_aws_secrets_note_then_exports_pick_one(repo: Path, run: Runner) -> None:
    add_second_aws(run)
    env, stderr = child_env(run)
    assert "AWS_ACCESS_KEY_ID" not in env and env["AWS_OTHER_ACCESS_KEY_ID"] == PLANTED[2]
    assert "note: 2 secrets use schema aws" in stderr and "exports:" in stderr
    add_exports(repo, AWS_ACCESS_KEY_ID="{{ aws-other.access_key_id }}",
                AWS_SECRET_ACCESS_KEY="{{ aws-other.secret_access_key }}")
    env, stderr = child_env(run)
    assert env["AWS_ACCESS_KEY_ID"] == PLANTED[2] and env["AWS_SECRET_ACCESS_KEY"] == PLANTED[3]
    assert env["AWS_DEPLOY_ACCESS_KEY_ID"] == PLANTED[0]  # default names stay
    assert stderr == ""


def test_ci_export_dotenv_with_exports_only_and_exclude(repo: Path, run: Runner) -> None:
    add_exports(repo, DEPLOY_TOKEN="{{ api-token }}")
    result = run("ci", "export", "--format", "dotenv", "--only", "AWS_*", "--only",
                 "DEPLOY_TOKEN", "--exclude", "AWS_DEPLOY_*")
    assert result.code == 0, result.stderr
    lines = sorted(result.stdout.splitlines())
    assert lines == [f"AWS_ACCESS_KEY_ID='{PLANTED[0]}'", f"AWS_SECRET_ACCESS_KEY='{PLANTED[1]}'",
                     f"DEPLOY_TOKEN='{PLANTED[5]}'"]
    assert leaked(result.stderr) == []
    # a secret name still selects its variables (backward compatible --only NAME)
    result = run("ci", "export", "-f", "json", "--only", "api-token")
    assert json.loads(result.stdout) == {"API_TOKEN": PLANTED[5], "DEPLOY_TOKEN": PLANTED[5]}
    env, _ = child_env(run, "--exclude", "aws-deploy", "--exclude", "app-db")
    assert set(env) == {"API_TOKEN", "DEPLOY_TOKEN"}


@pytest.mark.parametrize("command", [("run", "--", "true"), ("ci", "export", "-f", "dotenv")])
def test_export_naming_a_missing_key_is_exit_2(repo: Path, run: Runner,
                                                command: tuple[str, ...]) -> None:
    add_exports(repo, AWS_KEY="{{ aws-deploy.acess_key_id }}")
    result = run(*command)
    assert result.code == 2
    assert "exports AWS_KEY" in result.stderr and "aws-deploy.acess_key_id" in result.stderr
    assert "did you mean 'access_key_id'" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert result.stdout == "" and leaked(result.output) == []


def test_export_colliding_with_a_default_name_fails_only_when_selected(repo: Path,
                                                                       run: Runner) -> None:
    add_exports(repo, API_TOKEN="{{ app-db.password }}")
    result = run("run", "--", "true")
    assert result.code == 1
    assert "exports API_TOKEN" in result.stderr and "secret 'api-token'" in result.stderr
    assert leaked(result.output) == []
    env, _ = child_env(run, "--only", "aws-deploy")  # --only / --exclude work around it
    assert env["AWS_ACCESS_KEY_ID"] == PLANTED[0] and "API_TOKEN" not in env
    env, _ = child_env(run, "--exclude", "API_TOKEN")
    assert env["APP_DB_PASSWORD"] == PLANTED[4] and "API_TOKEN" not in env


def test_secret_taking_an_exports_name_is_refused_when_written(repo: Path, run: Runner) -> None:
    add_exports(repo, NEWSEC="{{ app-db.user }}", SAME="{{ same }}")
    before = (repo / "secrets" / "prod.yaml").read_bytes()
    result = run("secret", "set", "newsec", "--env", "prod", "--value-stdin",
                 stdin="tok-PLANTED-6\n")
    assert result.code == 2, result.output
    assert "newsec (NEWSEC) collides with exports NEWSEC: '{{ app-db.user }}'" in result.stderr
    assert (repo / "secrets" / "prod.yaml").read_bytes() == before
    assert leaked(result.output) == []
    assert run("secret", "set", "same", "--env", "prod", "--value-stdin",
               stdin="x\n").code == 0  # the export names this very secret
    renamed = run("secret", "rename", "same", "newsec", "--env", "prod")
    assert renamed.code == 2 and "collides with exports NEWSEC" in renamed.stderr
    env, _ = child_env(run, "--only", "aws-deploy")
    assert env["AWS_ACCESS_KEY_ID"] == PLANTED[0]


SCHEMA = ("schemas:\n  evil:\n    fields:\n      - {{name: token, export: {export}}}\n"
          "      - {{name: other, required: false}}\n")


@pytest.mark.parametrize("export", ['"X\\nLD_PRELOAD"', "bad name"])
def test_a_schema_name_that_is_no_variable_name_is_never_exported(
        repo: Path, run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        export: str) -> None:
    config = repo / ".secretsfile.yaml"
    base = config.read_text()
    config.write_text(base + SCHEMA.format(export="OK_NAME"))
    made = run("secret", "create", "tok", "--schema", "evil", "--env", "prod",
               "--token=tok-PLANTED-6")
    assert made.code == 0, made.stderr
    config.write_text(base + SCHEMA.format(export=export))
    env_file = tmp_path / "github_env"
    env_file.write_text("EARLIER=kept\n")
    monkeypatch.setenv("GITHUB_ENV", str(env_file))
    for command in (("ci", "export", "-f", "github"), ("ci", "export", "-f", "dotenv"),
                    ("ci", "export", "-f", "gitlab"), ("run", "--", "true"),
                    ("secret", "export", "tok", "-f", "dotenv")):
        result = run(*command)  # refused when the schema is read (5), else by the names (2)
        assert result.code in (2, 5), (command, result.output)
        assert "LD_PRELOAD" not in result.stdout and "bad name" not in result.stdout
        assert leaked(result.output) == []
    assert env_file.read_text() == "EARLIER=kept\n"


def test_a_default_name_that_is_no_variable_name_is_never_exported(
        repo: Path, run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = repo / ".secretsfile.yaml"
    config.write_text(config.read_text() + "naming: {pattern: '^[a-z0-9][a-z0-9-]*$'}\n")
    made = run("secret", "set", "1db", "--env", "prod", "--value-stdin", stdin="pw-PLANTED-5\n")
    assert made.code == 0, made.stderr
    env_file = tmp_path / "github_env"
    env_file.write_text("EARLIER=kept\n")
    monkeypatch.setenv("GITHUB_ENV", str(env_file))
    for command in (("ci", "export", "-f", "github"), ("ci", "export", "-f", "dotenv"),
                    ("run", "--", "true"), ("secret", "export", "1db", "-f", "dotenv")):
        result = run(*command)
        assert result.code == 2, (command, result.output)
        assert "'1DB' is not a variable name (from secret '1db')" in result.stderr
        assert result.stdout == "" and result.stderr.count("\n") == 1
        assert leaked(result.output) == []
    assert env_file.read_text() == "EARLIER=kept\n"
    env, _ = child_env(run, "--exclude", "1db")
    assert env["API_TOKEN"] == PLANTED[5]


def test_deny_list_applies_to_exported_names(repo: Path, run: Runner) -> None:
    add_exports(repo, LD_PRELOAD="{{ api-token }}")
    for command in (("run", "--", "true"), ("ci", "export", "-f", "dotenv")):
        result = run(*command)
        assert result.code == 2
        assert "LD_PRELOAD (from exports LD_PRELOAD" in result.stderr
        assert result.stdout == "" and leaked(result.output) == []
    env, _ = child_env(run, "--exclude", "LD_PRELOAD")
    assert env["API_TOKEN"] == PLANTED[5]


def test_file_handoff_leaves_the_value_out_under_every_name(repo: Path, run: Runner) -> None:
    env, _ = child_env(run, "--file", "aws-deploy.secret_access_key=AWS_SECRET_FILE")
    assert "AWS_SECRET_ACCESS_KEY" not in env and "AWS_DEPLOY_SECRET_ACCESS_KEY" not in env
    assert env["AWS_ACCESS_KEY_ID"] == PLANTED[0]


def test_loader_values_as_environ(repo: Path, run: Runner) -> None:
    add_second_aws(run)
    add_exports(repo, AWS_ACCESS_KEY_ID="{{ aws-deploy.access_key_id }}")
    env = secretsfile.values("prod", as_environ=True)
    assert env["AWS_ACCESS_KEY_ID"] == PLANTED[0] and "AWS_SECRET_ACCESS_KEY" not in env
    secrets = secretsfile.load("prod")
    assert secrets.notes and "AWS_SECRET_ACCESS_KEY" in secrets.notes[0]
    assert leaked(repr(secrets.variables()) + " ".join(secrets.notes)) == []
    # one file by path: no environment, so no exports (schema names still apply per file)
    by_path = secretsfile.values(path=repo / "secrets" / "prod.yaml", as_environ=True)
    assert "AWS_ACCESS_KEY_ID" not in by_path and by_path["API_TOKEN"] == PLANTED[5]
