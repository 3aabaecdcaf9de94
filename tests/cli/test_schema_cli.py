"""`schema list` and `schema show`: built-in schemas and those of the config."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.conftest import Runner, init_repo

OWN = """\
schemas:
  my-service:
    description: our billing API
    fields:
      - {name: token}
      - {name: host, secret: false, export: BILLING_HOST}
      - {name: port, type: int, default: 443}
"""


@pytest.fixture
def repo(run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = init_repo(run, tmp_path, monkeypatch, "dev")
    config = root / ".secretsfile.yaml"
    config.write_text(config.read_text() + OWN)
    return root


def test_list_shows_builtin_and_config_schemas(run: Runner, repo: Path) -> None:
    result = run("schema", "list")
    assert result.code == 0, result.stderr
    for name in ("aws", "postgres", "snowflake", "gcp-service-account", "my-service"):
        assert name in result.stdout
    assert "our billing API (config)" in result.stdout
    data = json.loads(run("schema", "list", "--json").stdout)
    by_name = {entry["name"]: entry for entry in data}
    assert by_name["my-service"]["source"] == "config"
    assert by_name["aws"]["source"] == "builtin"


def test_show_gives_type_required_default_secret_and_export(run: Runner, repo: Path) -> None:
    result = run("schema", "show", "postgres")
    assert result.code == 0, result.stderr
    lines = {line.split()[0]: line.split() for line in result.stdout.splitlines()[2:]}
    assert lines["port"] == ["port", "int", "no", "5432", "no", "PGPORT"]
    assert lines["password"] == ["password", "str", "yes", "-", "yes", "PGPASSWORD"]
    assert lines["user"][4] == "no"
    data = json.loads(run("schema", "show", "my-service", "--json").stdout)
    assert data["fields"] == [
        {"name": "token", "type": "str", "required": True, "default": None, "secret": True,
         "export": None},
        {"name": "host", "type": "str", "required": True, "default": None, "secret": False,
         "export": "BILLING_HOST"},
        {"name": "port", "type": "int", "required": False, "default": "443", "secret": True,
         "export": None},
    ]


def test_show_unknown_schema_suggests(run: Runner, repo: Path) -> None:
    result = run("schema", "show", "postgress")
    assert result.code != 0 and "did you mean 'postgres'" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


def test_list_works_outside_a_project(run: Runner, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("schema", "list", "--json")
    assert result.code == 0, result.stderr
    assert {"aws", "postgres"} <= {entry["name"] for entry in json.loads(result.stdout)}


def test_interactive_create_in_a_terminal(run: Runner, repo: Path) -> None:
    """A real pty: the open field is echoed, the pasted PEM key is not, and all of its
    lines arrive (getpass would flush the rest of the paste)."""
    import io
    import os
    import shutil

    pexpect = pytest.importorskip("pexpect")
    exe = shutil.which("secretsfile")
    assert exe is not None
    child = pexpect.spawn(exe, ["secret", "create", "billing", "--env", "dev", "--schema",
                                "my-service", "-i"], env=dict(os.environ), cwd=str(repo),
                          encoding="utf-8", timeout=30)
    child.logfile_read = transcript = io.StringIO()
    child.expect("token")
    child.send("-----BEGIN KEY-----\rpem-PLANTED-1\rpem-PLANTED-2\r-----END KEY-----\r")
    child.expect("host")
    child.send("billing.example\r")
    child.expect("port")
    child.send("\r")
    child.expect(pexpect.EOF)
    child.close()
    shown = transcript.getvalue()
    assert child.exitstatus == 0, shown
    assert "billing.example" in shown and "PLANTED" not in shown
    got = run("secret", "get", "billing", "--env", "dev", "--reveal", "--json")
    values = json.loads(got.stdout)["values"]
    assert values["token"] == ("-----BEGIN KEY-----\npem-PLANTED-1\npem-PLANTED-2\n"
                               "-----END KEY-----\n")
    assert values["host"] == "billing.example" and str(values["port"]) == "443"
