"""check --create-missing: register the secrets that references need, grouped by name,
schema-aware, in one locked write per environment; without -i (or a terminal) a listing."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
import typer

from secretsfile.cli.main import main
from secretsfile.keysources.age import default_key_file
from secretsfile.ops import register
from tests.cli.conftest import Result, Runner
from tests.references_project import seed_project

SEEDED = ("pw-PLANTED-prod-1", "tok-PLANTED-2", "pw-PLANTED-dev-3")
TYPED = {"app-db.user": "usr-PLANTED-4", "app-db.password": "pw-PLANTED-5",
         "stripe-key": "sk-PLANTED-6", "access_key_id": "AKIA-PLANTED-7",
         "secret_access_key": "sak-PLANTED-8"}
PLANTED = SEEDED + tuple(TYPED.values())


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, age_key: str) -> Path:
    monkeypatch.chdir(tmp_path)
    seed_project(tmp_path, age_key, *SEEDED)
    config = tmp_path / ".secretsfile.yaml"
    config.write_text(config.read_text() + "references: [app.yaml]\n")
    (tmp_path / "app.yaml").write_text(
        "db: postgres://{{ app-db.user }}:{{ app-db.password }}@db\n"
        "pw: {{ database.password }}\n"
        "stripe: {{ stripe-key }}\n"
        "aws: {{ aws-deploy.access_key_id }} {{ aws-deploy.secret_access_key }}\n")
    return tmp_path


def clean(result: Result) -> None:
    for value in PLANTED:
        assert value not in result.output


class Prompts:
    """A fake terminal: answers typer.prompt by label, records (label, hidden)."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, bool]] = []

    def __call__(self, text: str, default: object = None, hide_input: bool = False,
                 **_: object) -> str:
        self.asked.append((text, hide_input))
        for label, value in TYPED.items():
            if text == label or text.startswith(label + " ") or text.startswith(label + ":"):
                return value
        if default is not None:
            return str(default)
        raise AssertionError(f"unexpected prompt {text!r}")


class _TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def prompts(monkeypatch: pytest.MonkeyPatch) -> Prompts:
    fake = Prompts()
    monkeypatch.setattr(typer, "prompt", fake)
    return fake


AWS_LINES = f"{TYPED['access_key_id']}\n{TYPED['secret_access_key']}\n\n"  # token: skipped
PLAIN_LINES = "".join(f"{TYPED[label]}\n" for label in ("app-db.user", "app-db.password",
                                                          "stripe-key"))


def run_tty(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
            *args: str, stdin: str = "") -> Result:
    """A terminal: plain values through typer.prompt, schema fields typed on stdin."""
    capsys.readouterr()
    monkeypatch.setattr(sys, "stdin", _TTY(stdin))
    code = main(list(args))
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)


def test_without_i_lists_what_it_would_create_and_exits_1(run: Runner, repo: Path) -> None:
    before = {p: p.read_bytes() for p in (repo / "secrets").iterdir()}
    result = run("check", "--create-missing", "--env", "prod")
    assert result.code == 1, result.output
    assert "prod: would create app-db (keys: user, password) referenced at app.yaml:1" \
        in result.stdout
    assert "prod: would create stripe-key (one value) referenced at app.yaml:3" in result.stdout
    assert "aws-deploy (keys: access_key_id, secret_access_key; schema aws)" in result.stdout
    assert "database" not in result.stdout
    assert "--create-missing -i" in result.stderr
    assert before == {p: p.read_bytes() for p in (repo / "secrets").iterdir()}
    clean(result)


def test_without_a_terminal_i_only_lists(run: Runner, repo: Path) -> None:
    result = run("check", "--create-missing", "-i", "--env", "prod")  # stdin is not a tty
    assert result.code == 1
    assert "would create app-db" in result.stdout


def test_every_environment_by_default(run: Runner, repo: Path) -> None:
    result = run("check", "--create-missing")
    assert result.code == 1
    assert "dev: would create app-db" in result.stdout
    assert "prod: would create app-db" in result.stdout


def test_interactive_creates_them_in_one_write_per_environment(
        run: Runner, repo: Path, prompts: Prompts, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    writes: list[str] = []
    original = register.modify_file

    def counting(config, path, change, private=False):  # type: ignore[no-untyped-def]
        writes.append(path.name)
        original(config, path, change, private)

    monkeypatch.setattr(register, "modify_file", counting)
    result = run_tty(capsys, monkeypatch, "check", "--create-missing", "-i", "--env", "prod",
                     stdin=PLAIN_LINES + AWS_LINES)
    assert result.code == 0, result.output
    assert writes == ["prod.yaml"]
    assert "prod: created app-db, stripe-key, aws-deploy in secrets/prod.yaml" in result.stderr
    assert "reference(s) in 1 file(s): OK" in result.stderr
    assert "app-db.user: \napp-db.password: \n" in result.stderr  # hidden: echo off
    assert "stripe-key: \n" in result.stderr
    assert "access_key_id" in result.stderr  # the schema's fields, read on stdin
    clean(result)
    rendered = run("render", "app.yaml", "--env", "prod")
    assert rendered.code == 0, rendered.stderr
    assert f"postgres://{TYPED['app-db.user']}:{TYPED['app-db.password']}@db" in rendered.stdout
    assert TYPED["stripe-key"] in rendered.stdout
    assert f"{TYPED['access_key_id']} {TYPED['secret_access_key']}" in rendered.stdout
    listed = run("secret", "list", "--env", "prod", "--json")
    assert '"aws"' in listed.stdout  # created with its schema
    assert run("check", "--env", "dev").code == 1  # dev was not touched


def test_exports_count_as_references(run: Runner, repo: Path) -> None:
    (repo / "app.yaml").write_text("pw: {{ database.password }}\n")
    config = repo / ".secretsfile.yaml"
    config.write_text(config.read_text().replace(
        "  prod:\n", "  prod:\n    exports:\n      GH_TOKEN: '{{ github.token }}'\n"))
    result = run("check", "--env", "prod")
    assert result.code == 1
    line = config.read_text().splitlines().index("      GH_TOKEN: '{{ github.token }}'") + 1
    assert f".secretsfile.yaml:{line}:18: {{{{ github.token }}}}: secret 'github' not found" \
        in result.stdout
    listing = run("check", "--create-missing", "--env", "prod")
    assert "prod: would create github (keys: token) referenced at .secretsfile.yaml" \
        in listing.stdout


def test_a_name_referenced_both_ways_is_not_created(run: Runner, repo: Path) -> None:
    (repo / "app.yaml").write_text("a: {{ webhook }}\nb: {{ webhook.secret }}\n")
    result = run("check", "--create-missing", "--env", "prod")
    assert "cannot create webhook in prod: referenced both as {{ webhook }} and " \
        "{{ webhook.KEY }}" in result.stderr
    assert "nothing to create" in result.stderr
    assert result.code == 1  # the references are still reported


def test_a_referenced_key_left_empty_writes_nothing(
        run: Runner, repo: Path, prompts: Prompts, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "app.yaml").write_text("t: {{ aws-ci.session_token }} {{ aws-ci.access_key_id }}\n")
    before = (repo / "secrets" / "prod.yaml").read_bytes()
    result = run_tty(capsys, monkeypatch, "check", "--create-missing", "-i", "--env", "prod",
                     stdin=AWS_LINES)
    assert result.code == 2, result.output
    assert "aws-ci: no value for the referenced key 'session_token'" in result.stderr
    assert (repo / "secrets" / "prod.yaml").read_bytes() == before
    clean(result)


def test_without_a_key_it_refuses_before_prompting(
        run: Runner, repo: Path, prompts: Prompts, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    default_key_file().unlink()
    result = run_tty(capsys, monkeypatch, "check", "--create-missing", "-i", "--env", "prod")
    assert result.code == 3, result.output
    assert "none of your keys can open secrets/prod.yaml" in result.stderr
    assert prompts.asked == []
    assert "Traceback" not in result.output


def test_i_alone_is_a_usage_error(run: Runner, repo: Path) -> None:
    result = run("check", "-i")
    assert result.code == 2
    assert "-i goes with --create-missing" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


PEM = ("-----BEGIN PRIVATE KEY-----\nMIIEvQ-PLANTED-pem-line-1\nPLANTED-pem-line-2==\n"
       "-----END PRIVATE KEY-----\n")


def test_a_pasted_pem_key_is_read_whole_and_at_path_reads_a_file(
        run: Runner, repo: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "app.yaml").write_text("k: {{ deploy-key }}\nc: {{ tls.cert }} {{ tls.key }}\n")
    (repo / "key.pem").write_text(PEM)
    result = run_tty(capsys, monkeypatch, "check", "--create-missing", "-i", "--env", "prod",
                     stdin=PEM + "cert-PLANTED-9\n@key.pem\n")
    assert result.code == 0, result.output
    for planted in ("PLANTED-pem-line", "cert-PLANTED-9"):
        assert planted not in result.output
    key = run("secret", "get", "deploy-key", "--env", "prod", "--reveal")
    assert key.stdout == PEM + "\n" or key.stdout == PEM, key.stdout
    tls = run("secret", "get", "tls", "--env", "prod", "--key", "key", "--reveal")
    assert tls.stdout.startswith(PEM)


def test_a_name_whose_variable_another_secret_gives_is_refused(
        run: Runner, repo: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """secret set's rule: app-db-user next to app-db.user would both be APP_DB_USER."""
    (repo / "app.yaml").write_text("a: {{ app-db.user }}\nb: {{ app-db-user }}\n")
    before = (repo / "secrets" / "prod.yaml").read_bytes()
    result = run_tty(capsys, monkeypatch, "check", "--create-missing", "-i", "--env", "prod",
                     stdin="usr-PLANTED-4\nsk-PLANTED-6\n")
    assert result.code == 2, result.output
    assert "(APP_DB_USER) collides with" in result.stderr
    assert (repo / "secrets" / "prod.yaml").read_bytes() == before
    clean(result)
    assert run("run", "--env", "prod", "--", "true").code == 0
