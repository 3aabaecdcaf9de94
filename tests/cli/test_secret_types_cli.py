"""Typed schema values through the CLI: an int field is an int in the file (sops
``type:int``), in ``values()`` and in ``secret get --json --reveal``; variables stay text."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import secretsfile
from tests.cli.conftest import Result, Runner, init_repo

PASSWORD = "pw-PLANTED-typed-5e6f"


@pytest.fixture
def project(run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = init_repo(run, tmp_path, monkeypatch, "dev")
    values = tmp_path / "db.json"
    values.write_text(json.dumps({"user": "app", "password": PASSWORD, "host": "db",
                                  "database": "app"}))
    created = run("secret", "create", "app-db", "--env", "dev", "--schema", "postgres",
                  "--values", f"@{values}")
    assert created.code == 0, created.stderr
    assert PASSWORD not in created.output
    return root


def _port_line(root: Path) -> str:
    text = (root / "secrets" / "dev.yaml").read_text()
    assert PASSWORD not in text
    return next(line for line in text.splitlines() if line.strip().startswith("port:"))


def test_a_default_int_field_is_an_int_everywhere(run: Runner, project: Path) -> None:
    assert "type:int" in _port_line(project)
    shown = run("secret", "get", "app-db", "--env", "dev", "--json", "--reveal")
    assert json.loads(shown.stdout)["values"]["port"] == 5432
    key = run("secret", "get", "app-db", "--env", "dev", "--key", "port", "--json", "--reveal")
    assert json.loads(key.stdout)["value"] == 5432
    assert run("secret", "get", "app-db", "--env", "dev", "--key", "port",
               "--reveal").stdout == "5432\n"
    masked = run("secret", "get", "app-db", "--env", "dev", "--json")
    assert json.loads(masked.stdout)["values"]["port"] == "**********"
    assert PASSWORD not in masked.output
    config = project / ".secretsfile.yaml"
    assert secretsfile.values("dev", config=config)["app-db"]["port"] == 5432
    assert secretsfile.load("dev", config=config).reveal()["app-db"]["port"] == 5432
    assert secretsfile.values("dev", config=config, as_environ=True)["APP_DB_PORT"] == "5432"
    ran = run("run", "--env", "dev", "--", sys.executable, "-c",
              "import os; assert os.environ['APP_DB_PORT'] == '5432'")
    assert ran.code == 0, ran.stderr


def test_update_keeps_the_type(run: Runner, project: Path) -> None:
    assert run("secret", "update", "app-db", "--env", "dev", "--port=5433").code == 0
    assert "type:int" in _port_line(project)
    shown = run("secret", "get", "app-db", "--env", "dev", "--json", "--reveal")
    assert json.loads(shown.stdout)["values"]["port"] == 5433
    refused = run("secret", "update", "app-db", "--env", "dev", "--port=five")
    assert refused.code == 2 and "field 'port' must be int" in refused.stderr


def test_typed_values_without_a_schema_keep_their_type(run: Runner, project: Path) -> None:
    """A group whose file holds an int (written by hand, here by ``set --json``) keeps it
    an int through ``secret update``; a bool stays a bool."""
    file = project / "secrets" / "dev.yaml"
    written = run("set", file, "svc", "--json", "--value-stdin",
                  stdin='{"port": 8080, "debug": true, "name": "8080"}')
    assert written.code == 0, written.stderr
    assert run("secret", "update", "svc", "--env", "dev", "--port=9090").code == 0
    got = json.loads(run("secret", "get", "svc", "--env", "dev", "--json", "--reveal").stdout)
    assert got["values"] == {"port": 9090, "debug": True, "name": "8080"}
    assert run("secret", "update", "svc", "--env", "dev", "--port=any").code == 0
    got = json.loads(run("secret", "get", "svc", "--env", "dev", "--json", "--reveal").stdout)
    assert got["values"]["port"] == "any"  # no schema: text that is no int stays text


def test_a_port_stored_as_text_keeps_working(run: Runner, project: Path) -> None:
    values = project.parent / "legacy.json"
    values.write_text(json.dumps({"user": "u", "password": PASSWORD, "port": "5432"}))
    assert run("secret", "create", "legacy", "--env", "dev", "--values", f"@{values}").code == 0
    assert "type:str" in (project / "secrets" / "dev.yaml").read_text()
    config = project / ".secretsfile.yaml"
    assert secretsfile.values("dev", config=config)["legacy"]["port"] == "5432"
    assert secretsfile.values("dev", config=config, as_environ=True)["LEGACY_PORT"] == "5432"
    # validated again by the schema on update: the text becomes an int
    updated = run("secret", "update", "legacy", "--env", "dev", "--schema", "postgres",
                  "--host=h", "--database=d")
    assert updated.code == 0, updated.stderr
    got = json.loads(run("secret", "get", "legacy", "--env", "dev", "--json", "--reveal").stdout)
    assert got["values"]["port"] == 5432 and got["schema"] == "postgres"
    assert PASSWORD not in updated.output


def test_get_secret_returns_the_typed_value_as_values_does(run: Runner, project: Path) -> None:
    config = project / ".secretsfile.yaml"
    assert secretsfile.get_secret("app-db", "port", env="dev", config=config) == 5432
    group = secretsfile.get_secret("app-db", env="dev", config=config)
    assert group == secretsfile.values("dev", config=config)["app-db"]
    assert group["port"] == 5432 and group["password"] == PASSWORD
    client = secretsfile.SecretsClient(env="dev", config=config)
    assert client.get_secret("app-db", "port") == 5432
    with pytest.raises(KeyError) as missing:
        secretsfile.get_secret("app-db", "nope", env="dev", config=config)
    assert "nope" in str(missing.value) and PASSWORD not in str(missing.value)


SVC_SCHEMA = """
schemas:
  svc:
    fields:
      - {name: token}
      - {name: debug, type: bool, required: false}
      - {name: ratio, type: float, required: false}
      - {name: workers, type: int, required: false}
"""


def _svc(run: Runner, project: Path, *options: str) -> Result:
    config = project / ".secretsfile.yaml"
    if "schemas:" not in config.read_text():
        config.write_text(config.read_text() + SVC_SCHEMA)
    return run("secret", "create", "svc", "--env", "dev", "--schema", "svc",
               f"--token={PASSWORD}", *options)


def _svc_values(run: Runner) -> dict[str, object]:
    shown = run("secret", "get", "svc", "--env", "dev", "--json", "--reveal")
    assert shown.code == 0, shown.stderr
    return json.loads(shown.stdout)["values"]


@pytest.mark.parametrize("text", ["True", "TRUE", "true", " true "])
def test_a_bool_field_reads_true_in_any_case(run: Runner, project: Path, text: str) -> None:
    assert _svc(run, project, f"--debug={text}").code == 0
    assert _svc_values(run)["debug"] is True
    assert run("secret", "update", "svc", "--env", "dev", "--debug=False").code == 0
    assert _svc_values(run)["debug"] is False
    assert run("secret", "update", "svc", "--env", "dev", f"--debug={text}").code == 0
    assert _svc_values(run)["debug"] is True  # update: was read as false before


@pytest.mark.parametrize("text", ["yes", "no", "1", "0", "on", "t", ""])
def test_a_bool_field_refuses_anything_but_true_or_false(run: Runner, project: Path,
                                                         text: str) -> None:
    refused = _svc(run, project, f"--debug={text}")
    assert refused.code == 2
    assert "field 'debug' must be bool" in refused.stderr
    assert "true or false" in refused.stderr
    assert "Traceback" not in refused.output
    assert _svc(run, project, "--debug=false").code == 0
    updated = run("secret", "update", "svc", "--env", "dev", f"--debug={text}")
    assert updated.code == 2 and "field 'debug' must be bool" in updated.stderr
    assert _svc_values(run)["debug"] is False


@pytest.mark.parametrize(("field", "text"), [
    ("ratio", "nan"), ("ratio", "inf"), ("ratio", "-Infinity"), ("ratio", "1e999"),
    ("ratio", "1_0.5"), ("workers", "1_000"), ("workers", "+3"), ("workers", "1 000"),
    ("workers", "1.0"), ("workers", "0x10")])
def test_numbers_are_refused_unless_plain_and_finite(run: Runner, project: Path, field: str,
                                                     text: str) -> None:
    refused = _svc(run, project, f"--{field}={text}")
    assert refused.code == 2, refused.output
    assert f"field {field!r} must be" in refused.stderr
    assert PASSWORD not in refused.output


def test_plain_numbers_are_stored_typed(run: Runner, project: Path) -> None:
    assert _svc(run, project, "--ratio=-2.5e-3", "--workers=-12").code == 0
    assert _svc_values(run)["ratio"] == -0.0025 and _svc_values(run)["workers"] == -12
    values = project.parent / "nan.json"
    for text in ('{"ratio": NaN}', '{"ratio": 1e999}'):  # json.loads reads nan, inf
        values.write_text(text)
        refused = run("secret", "update", "svc", "--env", "dev", "--values", f"@{values}")
        assert refused.code != 0 and len(refused.stderr.splitlines()) == 1, refused.stderr
        assert "Traceback" not in refused.output
    assert _svc_values(run)["ratio"] == -0.0025


def test_update_keeps_a_groups_comments_and_unchanged_ciphertexts(
        run: Runner, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file = project / "secrets" / "dev.yaml"
    editor = project.parent / "comment.py"
    editor.write_text("import sys\nfrom pathlib import Path\npath = Path(sys.argv[-1])\n"
                      "text = path.read_text().replace('app-db:\\n', 'app-db:\\n  # login\\n')\n"
                      "path.write_text(text)\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    assert run("edit", str(file)).code == 0

    def line(key: str) -> str:
        return next(t for t in file.read_text().splitlines() if t.strip().startswith(key))

    user, host = line("user:"), line("host:")
    updated = run("secret", "update", "app-db", "--env", "dev", "--password=pw-PLANTED-new-7",
                  "--port=6543")
    assert updated.code == 0, updated.stderr
    assert "pw-PLANTED-new-7" not in updated.output
    assert (line("user:"), line("host:")) == (user, host)  # unchanged ciphertexts
    shown = run("decrypt", str(file))
    assert shown.code == 0, shown.stderr
    group = shown.stdout.split("app-db:\n", 1)[1]
    assert group.lstrip(" ").startswith("# login\n")
    assert "port: 6543" in group
