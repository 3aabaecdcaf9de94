"""render and check from the command line: output, exit codes, and no value where not asked."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import yaml

from secretsfile.config.project import load as project
from secretsfile.keysources.age import default_key_file
from secretsfile.ops.secrets import save_secret
from secretsfile.secrets.model import Secret
from tests.cli.conftest import Runner
from tests.references_project import seed_project

PLANTED = ("pw-PLANTED-prod-1", "tok-PLANTED-2", "pw-PLANTED-dev-3")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, age_key: str) -> Path:
    monkeypatch.chdir(tmp_path)
    seed_project(tmp_path, age_key, PLANTED[0], PLANTED[1], PLANTED[2])
    (tmp_path / "app.yaml").write_text(
        "db:\n  url: \"postgres://{{ database.user }}:{{ database.password }}@db\"\n"
        "  port: {{ database.port }}\n"
        "token: {{ api-token }}\n"
        "literal: \"\\{{ database.user }}\"\n")
    (tmp_path / "broken.yaml").write_text(
        "a: {{ databse.password }}\nb: {{ database.pasword }}\nc: {{ database.user }\n")
    return tmp_path


def clean(*texts: str) -> None:
    for text in texts:
        for value in PLANTED:
            assert value not in text


def test_render_prints_the_rendered_text(run: Runner, repo: Path) -> None:
    result = run("render", "app.yaml", "--env", "prod")
    assert result.code == 0, result.stderr
    assert yaml.safe_load(result.stdout) == {
        # stored as the string "5432": printed so that it reads back as that string
        "db": {"url": f"postgres://admin:{PLANTED[0]}@db", "port": "5432"},
        "token": PLANTED[1],
        "literal": "{{ database.user }}",
    }
    assert result.stderr == ""


def test_render_uses_secretsfile_env(run: Runner, repo: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRETSFILE_ENV", "dev")
    result = run("render", "-", "--format", "json", stdin='{"p": "{{ database.password }}"}')
    assert result.code == 0, result.stderr
    assert json.loads(result.stdout) == {"p": PLANTED[2]}


def test_render_to_a_file_is_private_and_warns(run: Runner, repo: Path) -> None:
    result = run("render", "app.yaml", "--env", "prod", "-o", "out/app.yaml")
    assert result.code == 2
    assert "out: no such directory" in result.stderr
    (repo / "out").mkdir()
    result = run("render", "app.yaml", "--env", "prod", "-o", "out/app.yaml")
    assert result.code == 0, result.stderr
    out = repo / "out" / "app.yaml"
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert PLANTED[0] in out.read_text()
    assert result.stdout == ""
    assert "warning: wrote plaintext secrets to out/app.yaml" in result.stderr
    clean(result.stderr)


def test_render_refuses_to_overwrite_its_template(run: Runner, repo: Path) -> None:
    before = (repo / "app.yaml").read_text()
    result = run("render", "app.yaml", "--env", "prod", "-o", "app.yaml")
    assert result.code == 2
    assert "overwrite the template" in result.stderr
    assert (repo / "app.yaml").read_text() == before


def test_render_with_a_missing_reference_prints_nothing(run: Runner, repo: Path) -> None:
    result = run("render", "broken.yaml", "--env", "prod")
    assert result.code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: broken.yaml:1: {{ databse.password }}: secret 'databse' not found in prod "
        "(did you mean 'database'?) (2 more problems; run 'secretsfile check')"]
    clean(result.output)


def test_render_broken_reference_exit_6(run: Runner, repo: Path) -> None:
    (repo / "t.json").write_text('{"a": "{{ database.user }"}')
    result = run("render", "t.json", "--env", "prod")
    assert result.code == 6
    assert result.stdout == ""
    assert "t.json:1: {{ database.user }: broken reference: missing '}}'" in result.stderr


def test_render_value_that_cannot_be_placed_exit_6(run: Runner, repo: Path) -> None:
    config = project()
    save_secret(config, config.choose("prod"),
                Secret("multi", "prod", value="line1-PLANTED\nline2"), create=True)
    (repo / "t.ini").write_text("[x]\nk = {{ multi }}\n")
    result = run("render", "t.ini", "--env", "prod")
    assert result.code == 6
    assert "multi-line value cannot go in an INI file" in result.stderr
    assert "PLANTED" not in result.output


@pytest.mark.parametrize(("args", "code", "message"), [
    (["render", "app.yaml", "--env", "prd"], 5, "unknown environment 'prd'"),
    (["check", "app.yaml", "--env", "prd"], 5, "did you mean 'prod'?"),
    (["render", "app.yaml"], 2, "which environment?"),
    (["render", "nope.yaml", "--env", "prod"], 2, "nope.yaml: no such file"),
    (["render", "app.yaml", "--env", "prod", "--format", "xml"], 2, "unknown format"),
    (["check", "app.yaml", "--level", "ALL"], 5, "must be one of NONE, SECRET_EXISTS"),
    (["render"], 2, "Missing argument"),
])
def test_bad_input_is_one_line_and_an_exit_code(run: Runner, repo: Path, args: list[str],
                                                code: int, message: str) -> None:
    result = run(*args)
    assert result.code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""
    clean(result.output)


def test_render_without_a_key_is_exit_3(run: Runner, repo: Path) -> None:
    default_key_file().unlink()
    result = run("render", "app.yaml", "--env", "prod")
    assert result.code == 3
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1


def test_check_clean_files_exit_0(run: Runner, repo: Path) -> None:
    default_key_file().unlink()  # check reads no value: no key needed
    result = run("check", "app.yaml", "--env", "prod")
    assert result.code == 0, result.output
    assert result.stdout == ""
    assert "4 reference(s) in 1 file(s): OK (prod; SECRET_AND_KEY_EXISTS)" in result.stderr


def test_check_reports_like_a_linter(run: Runner, repo: Path) -> None:
    default_key_file().unlink()
    result = run("check", "broken.yaml", "app.yaml")
    assert result.code == 1
    assert result.stdout.splitlines() == [
        "app.yaml:4:8: {{ api-token }}: secret 'api-token' not found in dev",
        "broken.yaml:1:4: {{ databse.password }}: secret 'databse' not found in dev "
        "(did you mean 'database'?)",
        "broken.yaml:1:4: {{ databse.password }}: secret 'databse' not found in prod "
        "(did you mean 'database'?)",
        "broken.yaml:2:4: {{ database.pasword }}: secret 'database' has no key 'pasword' "
        "in dev (did you mean 'password' or 'port'?)",
        "broken.yaml:2:4: {{ database.pasword }}: secret 'database' has no key 'pasword' "
        "in prod (did you mean 'password' or 'port'?)",
        "broken.yaml:3:4: {{ database.user }: broken reference: missing '}}'",
    ]
    assert "6 problem(s) in 2 file(s)" in result.stderr
    clean(result.output)


def test_check_json(run: Runner, repo: Path) -> None:
    result = run("check", "broken.yaml", "--env", "prod", "--json")
    assert result.code == 1
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert data["envs"] == ["prod"]
    assert [p["code"] for p in data["problems"]] == [
        "secret-not-found", "key-not-found", "broken"]
    assert data["problems"][0] == {
        "path": "broken.yaml", "line": 1, "column": 4, "reference": "{{ databse.password }}",
        "secret": "databse", "key": "password", "env": "prod", "code": "secret-not-found",
        "message": "secret 'databse' not found in prod (did you mean 'database'?)",
        "suggestions": ["database"]}
    clean(result.output)


def test_check_validation_level_variable(run: Runner, repo: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRETSFILE_SECRET_VALIDATION_LEVEL", "SECRET_EXISTS")
    result = run("check", "broken.yaml", "--env", "prod")
    assert result.code == 1
    assert len(result.stdout.splitlines()) == 2  # the missing key is not checked
    monkeypatch.setenv("SECRETSFILE_SECRET_VALIDATION_LEVEL", "NONE")
    result = run("check", "broken.yaml")
    assert result.stdout.splitlines() == [
        "broken.yaml:3:4: {{ database.user }: broken reference: missing '}}'"]
    assert run("check", "app.yaml").code == 0


def test_check_without_files(run: Runner, repo: Path) -> None:
    result = run("check", "--env", "prod")
    assert result.code == 0
    assert "no reference files: name FILES, or list patterns under 'references:'" \
        in result.stderr
    assert "recipients and schemas checked" in result.stderr
    config = repo / ".secretsfile.yaml"
    config.write_text(config.read_text() + "references: ['*.yaml']\n")
    result = run("check", "--env", "prod")
    assert result.code == 1
    assert {line.split(":")[0] for line in result.stdout.splitlines()} == {"broken.yaml"}


def test_help_lists_the_commands(run: Runner) -> None:
    result = run("--help")
    assert "render" in result.stdout
    assert "check" in result.stdout


def test_check_without_files_reports_schema_problems_without_a_key(run: Runner,
                                                                   repo: Path) -> None:
    config = project()
    prod = config.choose("prod")
    save_secret(config, prod, Secret("pg-main", "prod", values={
        "user": "u", "password": "pw-PLANTED-9"}, schema="postgres"), create=True)
    save_secret(config, prod, Secret("svc", "prod", values={"password": "pw-PLANTED-10"},
                                     schema="postgress"), create=True)
    default_key_file().unlink()  # names, keys and schemas are in clear
    result = run("check", "--env", "prod")
    assert result.code == 1, result.output
    text = (repo / "secrets" / "prod.yaml").read_text().splitlines()
    pg = next(i for i, line in enumerate(text) if line.startswith("pg-main:")) + 1
    svc = next(i for i, line in enumerate(text) if line.startswith("svc:")) + 1
    assert f"secrets/prod.yaml:{pg}: secret 'pg-main' (schema postgres) lacks required fields " \
        "host, database" in result.stdout
    assert f"secrets/prod.yaml:{svc}: secret 'svc': unknown schema 'postgress' " \
        "(did you mean 'postgres'?)" in result.stdout
    assert "Traceback" not in result.output
    clean(result.output)
    assert "pw-PLANTED-9" not in result.output and "pw-PLANTED-10" not in result.output
    assert run("check", "--env", "prod", "--no-schemas").code == 0
    assert run("check", "app.yaml", "--env", "prod").code == 0  # FILES: references only
    assert run("check", "app.yaml", "--env", "prod", "--schemas").code == 1


def test_check_without_files_reports_recipients_drift(run: Runner, repo: Path) -> None:
    config = repo / ".secretsfile.yaml"
    carol = "age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg"
    config.write_text(config.read_text().replace(
        "  prod:\n    recipients: [", f"  prod:\n    recipients: [{carol}, "))
    default_key_file().unlink()
    result = run("check")
    assert result.code == 1, result.output
    assert f"secrets/prod.yaml: missing recipient age {carol}" in result.stdout
    assert "secrets/dev.yaml" not in result.stdout
    assert "run 'secretsfile updatekeys'" in result.stderr
    assert run("check", "--no-recipients").code == 0
    data = json.loads(run("check", "--json").stdout)
    assert data["ok"] is False
    assert data["findings"][0]["kind"] == "recipients"


@pytest.mark.parametrize("entry", [
    "'1A': '{{ api-token }}'", "A: 'pre{{ api-token }}'",
    "A: '{{ api-token }}{{ api-token }}'", "'': '{{ api-token }}'"])
def test_check_reports_exports_run_would_refuse(run: Runner, repo: Path, entry: str) -> None:
    config = repo / ".secretsfile.yaml"
    config.write_text(config.read_text().replace(
        "  prod:\n", f"  prod:\n    exports:\n      {entry}\n"))
    line = config.read_text().splitlines().index(f"      {entry}") + 1
    result = run("check", "--env", "prod")
    assert result.code == 1, result.output
    assert result.stdout.startswith(f".secretsfile.yaml:{line}:")
    assert "not a variable name" in result.stdout or "expected one reference" in result.stdout
    refused = run("run", "--env", "prod", "--", "true")  # the same rule as run
    assert refused.code == 2 and refused.stderr.count("\n") == 1
    clean(result.output, refused.output)


def test_check_points_flow_style_exports_at_the_environment(run: Runner, repo: Path) -> None:
    config = repo / ".secretsfile.yaml"
    text = config.read_text()
    recipients = text.split("  prod:\n    recipients: ")[1].strip()
    config.write_text(text.split("  prod:\n")[0] + (
        f"  prod: {{recipients: {recipients}, exports: {{TOKEN: '{{{{ api-tokn }}}}', "
        "'9X': '{{ api-token }}'}}\n"))
    line = config.read_text().splitlines().index(next(
        lin for lin in config.read_text().splitlines() if lin.startswith("  prod:"))) + 1
    result = run("check", "--env", "prod")
    assert result.code == 1, result.output
    lines = result.stdout.splitlines()
    assert any(lin.startswith(f".secretsfile.yaml:{line}:") and "api-tokn" in lin
               for lin in lines), result.stdout
    assert any(lin.startswith(f".secretsfile.yaml:{line}:") and "'9X'" in lin
               and "not a variable name" in lin for lin in lines), result.stdout
    clean(result.output)
