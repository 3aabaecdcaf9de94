"""``secretsfile.load(env, source=URL)``: an environment read straight from a secret store
(a real OpenBao dev server, a real moto), masked as a file load, with no project, no cache
and nothing on disk; errors are one line without a value."""

from __future__ import annotations

import io
import json
import logging
import uuid
from pathlib import Path

import pytest

import secretsfile
from secretsfile.errors import KeySourceError, UsageError
from secretsfile.keysources.age import generate_identity
from secretsfile.loader import MASK, SecretGroup, SecretValue
from tests.keysources.bao_server import Bao, bao  # noqa: F401  (the fixture)
from tests.keysources.moto_server import Moto, aws_env, moto  # noqa: F401  (the fixtures)
from tests.test_loader import restore_logging  # noqa: F401  (the fixture)
from tests.tracebacks import recorded_locals

PASSWORD = "PLANTED-store-pw-" + uuid.uuid4().hex[:8]
TOKEN = "PLANTED-store-token-" + uuid.uuid4().hex[:8]
REGION = "eu-west-1"


@pytest.fixture
def nowhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with no project above it."""
    work = tmp_path / "service"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.delenv("SECRETSFILE_CONFIG", raising=False)
    monkeypatch.delenv("SECRETSFILE_ENV", raising=False)
    return work


@pytest.fixture
def vault_url(bao: Bao, monkeypatch: pytest.MonkeyPatch) -> str:  # noqa: F811
    """A fresh KV v2 prefix holding ``db`` (a group) and ``api-token`` (a single value),
    written with the store's own HTTP API."""
    monkeypatch.setenv("VAULT_TOKEN", bao.token)
    monkeypatch.setenv("VAULT_ADDR", bao.address)
    prefix = "load-" + uuid.uuid4().hex[:8]
    for name, payload in (("db", {"user": "admin", "password": PASSWORD, "port": 5432}),
                          ("api-token", {"value": TOKEN})):
        status, _ = bao.call("POST", f"secret/data/{prefix}/{name}", {"data": payload})
        assert status == 200, status
    return f"vault://{bao.address.split('://')[1]}/secret/{prefix}"


@pytest.fixture
def aws_url(aws_env: Moto) -> str:  # noqa: F811
    """The same two entries in Secrets Manager (moto), written with boto3."""
    prefix = "load-" + uuid.uuid4().hex[:8]
    sm = aws_env.client("secretsmanager", REGION)
    sm.create_secret(Name=f"{prefix}/db", SecretString=json.dumps(
        {"user": "admin", "password": PASSWORD, "port": 5432}))
    sm.create_secret(Name=f"{prefix}/api-token", SecretString=json.dumps({"value": TOKEN}))
    return f"awssm://{REGION}/{prefix}"


def _files(root: Path) -> list[Path]:
    return sorted(root.rglob("*"))


@pytest.mark.parametrize("store", ["vault_url", "aws_url"])
def test_load_from_a_store_without_a_project(store: str, nowhere: Path, tmp_path: Path,
                                             request: pytest.FixtureRequest) -> None:
    url: str = request.getfixturevalue(store)
    before = _files(tmp_path)
    secrets = secretsfile.load("prod", source=url)
    assert secrets.env == "prod" and sorted(secrets) == ["api-token", "db"]
    db = secrets["db"]
    assert isinstance(db, SecretGroup)
    assert isinstance(db["password"], SecretValue) and str(db["password"]) == MASK
    assert db["password"].reveal() == PASSWORD
    assert secrets["api-token"].reveal() == TOKEN
    assert secrets.reveal()["db"]["port"] == 5432  # JSON types kept
    assert secrets.environ()["DB_PASSWORD"] == PASSWORD
    shown = " ".join([repr(secrets), str(secrets), repr(db), str(db), repr(secrets["api-token"]),
                      str(list(secrets.values())), repr(secrets.secret("db"))])
    assert PASSWORD not in shown and TOKEN not in shown
    assert _files(tmp_path) == before  # nothing written


def test_a_store_is_read_on_every_call(bao: Bao, vault_url: str, nowhere: Path  # noqa: F811
                                       ) -> None:
    assert secretsfile.load("prod", source=vault_url)["api-token"].reveal() == TOKEN
    prefix = vault_url.rsplit("/", 1)[1]
    status, _ = bao.call("POST", f"secret/data/{prefix}/api-token", {"data": {"value": "new"}})
    assert status == 200
    assert secretsfile.load("prod", source=vault_url)["api-token"].reveal() == "new"


def test_values_from_a_store_are_redacted_in_logs(vault_url: str, nowhere: Path,
                                                  restore_logging: None) -> None:  # noqa: F811
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    lonely = logging.getLogger("test.store")
    lonely.propagate = False
    lonely.addHandler(handler)
    lonely.setLevel(logging.INFO)
    secretsfile.redact_logging()
    secrets = secretsfile.load("prod", source=vault_url)
    lonely.info("password=%s token=%s", secrets["db"]["password"].reveal(),  # type: ignore[index]
                secrets["api-token"].reveal())
    lonely.info("mapping %s", secrets)
    lonely.removeHandler(handler)
    logged = stream.getvalue()
    assert "password=" in logged and PASSWORD not in logged and TOKEN not in logged


def test_a_project_still_gives_its_exports(vault_url: str, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    _, recipient = generate_identity()
    (root / ".secretsfile.yaml").write_text(
        f"environments:\n  prod:\n    recipients: [{recipient}]\n"
        "    exports:\n      DATABASE_PASSWORD: '{{ db.password }}'\n")
    monkeypatch.chdir(root)  # the project has no secrets file: only the store is read
    secrets = secretsfile.load(source=vault_url)  # the only environment
    assert secrets.env == "prod"
    assert secrets.environ()["DATABASE_PASSWORD"] == PASSWORD


def test_a_refused_token_is_one_line_without_a_value(vault_url: str, nowhere: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    bad = "sf-wrong-" + uuid.uuid4().hex
    monkeypatch.setenv("VAULT_TOKEN", bad)
    with pytest.raises(KeySourceError) as caught:
        secretsfile.load("prod", source=vault_url)
    message = str(caught.value)
    assert "\n" not in message and "refused" in message
    everything = message + caught.value.diagnostics() + recorded_locals(caught.value)
    assert bad not in everything and PASSWORD not in everything and TOKEN not in everything


def test_the_environment_must_be_named_without_a_project(nowhere: Path) -> None:
    with pytest.raises(UsageError, match="which environment"):
        secretsfile.load(source="vault://127.0.0.1:1/secret/app")


def test_path_and_source_together_are_refused(nowhere: Path) -> None:
    with pytest.raises(UsageError, match="not both"):
        secretsfile.load("prod", path="prod.yaml", source="vault://127.0.0.1:1/secret/app")


def test_an_unknown_scheme_names_the_known_ones(nowhere: Path) -> None:
    with pytest.raises(UsageError) as caught:
        secretsfile.load("prod", source="gcpsm://project/app")
    assert "vault://" in caught.value.diagnostics()
