"""``sync push|pull|diff`` through the CLI, round trips on a real OpenBao dev server and
on moto's Secrets Manager: values are read back and changed with each store's own API, the
pulled file is checked with ``git diff`` and the real sops binary, and every output is
grepped for the planted values."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from secretsfile.keysources.age import default_key_file
from secretsfile.remotes import registry
from tests.cli.conftest import Result, Runner, init_repo
from tests.interop.backend_tools import sops_path
from tests.keysources.bao_server import Bao, bao  # noqa: F401  (the fixture)
from tests.keysources.moto_server import Moto, aws_env, moto  # noqa: F401  (the fixtures)

PW, TOKEN, NEW_PW = "pw-PLANTED-3e9d", "tok-PLANTED-81c2", "pw-PLANTED-new-5b7a"
PLANTED = (PW, TOKEN, NEW_PW)
SOPS_METADATA = {"mac", "lastmodified", "secretsfile_tag"}  # rewritten by every write


@dataclass
class Store:
    """One real store: its URL and raw access through its own API (not ours)."""

    url: str
    read: Callable[[str], dict[str, Any]]
    write: Callable[[str, dict[str, Any]], None]


def _bao_store(bao: Bao, monkeypatch: pytest.MonkeyPatch) -> Store:  # noqa: F811
    monkeypatch.setenv("VAULT_TOKEN", bao.token)
    monkeypatch.setenv("VAULT_ADDR", bao.address)
    prefix = "sync-" + uuid.uuid4().hex[:8]

    def read(name: str) -> dict[str, Any]:
        status, body = bao.call("GET", f"secret/data/{prefix}/{name}")
        assert status == 200, status
        return dict(body["data"]["data"])

    def write(name: str, payload: dict[str, Any]) -> None:
        status, _ = bao.call("POST", f"secret/data/{prefix}/{name}", {"data": payload})
        assert status == 200, status

    return Store(f"vault://{bao.address.split('://')[1]}/secret/{prefix}", read, write)


def _moto_store(moto: Moto) -> Store:  # noqa: F811
    client = moto.client("secretsmanager", "eu-west-1")
    prefix = "sync-" + uuid.uuid4().hex[:8]

    def read(name: str) -> dict[str, Any]:
        answer = client.get_secret_value(SecretId=f"{prefix}/{name}")
        return dict(json.loads(answer["SecretString"]))

    def write(name: str, payload: dict[str, Any]) -> None:
        secret_id, text = f"{prefix}/{name}", json.dumps(payload)
        try:
            client.put_secret_value(SecretId=secret_id, SecretString=text)
        except client.exceptions.ResourceNotFoundException:
            client.create_secret(Name=secret_id, SecretString=text)

    return Store(f"awssm://eu-west-1/{prefix}", read, write)


@pytest.fixture(params=["bao", "moto"])
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Store:
    if request.param == "bao":
        return _bao_store(request.getfixturevalue("bao"), monkeypatch)
    return _moto_store(request.getfixturevalue("aws_env"))


@pytest.fixture(autouse=True)
def _fresh_backends() -> Any:
    yield
    from secretsfile.keysources import http
    from secretsfile.remotes import aws_sm, vault_kv

    vault_kv.clear_cache()
    aws_sm.clear_cache()
    http.close_all()


@pytest.fixture
def repo(run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = init_repo(run, tmp_path, monkeypatch, "prod")
    (root / "pw.txt").write_text(PW + "\n")
    assert run("secret", "create", "app-db", "--env", "prod", "--user=app",
               "--password=@pw.txt", "--host=db.internal").code == 0
    (root / "pw.txt").unlink()
    assert run("secret", "set", "api-token", "--env", "prod", "--value-stdin",
               stdin=TOKEN).code == 0
    subprocess.run(["git", "add", "-A"], check=True)
    subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "s"],
                   check=True)
    return root


def clean(*results: Result) -> None:
    for result in results:
        for value in PLANTED:
            assert value not in result.output, result.output


def _changed_keys(root: Path) -> list[str]:
    """The keys of the lines ``git diff`` shows changed, sops metadata left out."""
    diff = subprocess.run(["git", "diff", "--no-textconv", "-U0", "secrets/prod.yaml"],
                          capture_output=True, text=True, check=True, cwd=root).stdout
    lines = [line for line in diff.splitlines()
             if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    return [k for k in (line[1:].strip().split(":")[0] for line in lines)
            if k not in SOPS_METADATA]


def _holding(value: str, *dirs: Path) -> list[Path]:
    return [p for d in dirs for p in d.rglob("*")
            if p.is_file() and ".git" not in p.parts and value.encode() in p.read_bytes()]


def test_round_trip(run: Runner, repo: Path, store: Store, tmp_path: Path) -> None:
    dry = run("sync", "push", "--env", "prod", "--to", store.url, "--dry-run")
    assert dry.code == 0 and "+ app-db (keys: user, password, host)" in dry.stdout
    assert "nothing written" in dry.stderr
    pushed = run("sync", "push", "--env", "prod", "--to", store.url)
    assert pushed.code == 0, pushed.stderr
    assert store.read("app-db") == {"user": "app", "password": PW, "host": "db.internal"}
    assert store.read("api-token") == {"value": TOKEN}
    same = run("sync", "diff", "--env", "prod", "--with", store.url)
    assert same.code == 0, same.output

    store.write("app-db", {"user": "app", "password": NEW_PW, "host": "db.internal"})
    drift = run("sync", "diff", "--env", "prod", "--with", store.url)
    assert drift.code == 1 and drift.stdout == "~ app-db: password\n"
    as_json = run("sync", "diff", "--env", "prod", "--with", store.url, "--json")
    assert as_json.code == 1
    assert [c["keys"] for c in json.loads(as_json.stdout)["changes"]
            if c["action"] == "update"] == [["password"]]
    before = (repo / "secrets" / "prod.yaml").read_bytes()
    dry_pull = run("sync", "pull", "--env", "prod", "--from", store.url, "--dry-run")
    assert dry_pull.code == 0 and (repo / "secrets" / "prod.yaml").read_bytes() == before

    pulled = run("sync", "pull", "--env", "prod", "--from", store.url)
    assert pulled.code == 0 and "~ app-db: password" in pulled.stdout
    assert _changed_keys(repo) == ["password", "password"]  # one line out, one in
    assert not _holding(NEW_PW, tmp_path, Path.home())  # no plaintext on disk
    decrypted = subprocess.run(
        [sops_path(), "-d", "secrets/prod.yaml"], capture_output=True, text=True, check=True,
        env={**os.environ, "SOPS_AGE_KEY_FILE": str(default_key_file())})
    assert yaml.safe_load(decrypted.stdout)["app-db"]["password"] == NEW_PW
    assert run("sync", "diff", "--env", "prod", "--with", store.url).code == 0
    clean(dry, pushed, same, drift, as_json, dry_pull, pulled)


def test_prune_only_and_config_store(run: Runner, repo: Path, store: Store) -> None:
    assert run("sync", "push", "--env", "prod", "--to", store.url).code == 0
    store.write("orphan", {"value": "x"})  # not written by secretsfile
    kept = run("sync", "push", "--env", "prod", "--to", store.url)
    assert kept.code == 0 and "! orphan: only in the store" in kept.stdout
    remote, loc = registry.open_remote(store.url)
    assert "orphan" in remote.names(loc)
    assert run("secret", "set", "old-one", "--env", "prod", "--value-stdin",
               stdin="x").code == 0
    assert run("sync", "push", "--env", "prod", "--to", store.url).code == 0
    assert run("secret", "delete", "old-one", "--env", "prod", "--yes").code == 0
    dry = run("sync", "push", "--env", "prod", "--to", store.url, "--prune", "--dry-run")
    assert dry.code == 0 and "dry run: would push to" in dry.stderr
    pruned = run("sync", "push", "--env", "prod", "--to", store.url, "--prune")
    assert pruned.code == 0 and pruned.stdout == (
        "- old-one\n! orphan: not written by secretsfile for env prod; left alone\n")
    assert dry.stdout == pruned.stdout and "1 deleted" in pruned.stderr
    assert "old-one" not in remote.names(loc) and "orphan" in remote.names(loc)

    store.write("api-token", {"value": "changed-in-store"})
    only = run("sync", "diff", "--env", "prod", "--with", store.url, "--only", "app-db")
    assert only.code == 0, only.output
    typo = run("sync", "diff", "--env", "prod", "--with", store.url, "--only", "app-dbb")
    assert typo.code != 0 and "app-db" in typo.stderr and "Traceback" not in typo.output

    config = repo / ".secretsfile.yaml"
    config.write_text(config.read_text() + f"    store: {store.url}\n")
    from_config = run("sync", "diff", "--env", "prod")
    assert from_config.code == 1 and "~ api-token: (value)" in from_config.stdout
    clean(kept, pruned, only, typo, from_config)


def test_no_store_is_one_line_naming_the_fix(run: Runner, repo: Path) -> None:
    result = run("sync", "push", "--env", "prod")
    assert result.code != 0 and "environments.prod.store" in result.stderr
    assert "Traceback" not in result.output
    bad = run("sync", "diff", "--env", "prod", "--with", "ftp://x/y")
    assert bad.code != 0 and "vault://" in bad.stderr


def test_refused_token_is_exit_3_in_one_line(run: Runner, repo: Path, bao: Bao,  # noqa: F811
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    url = _bao_store(bao, monkeypatch).url
    bad = "sf-wrong-" + uuid.uuid4().hex
    monkeypatch.setenv("VAULT_TOKEN", bad)
    result = run("sync", "push", "--env", "prod", "--to", url)
    assert result.code == 3 and bad not in result.output and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) <= 2, result.stderr  # the error + a hint
    clean(result)


def test_pull_merges_keys_and_skips_shape_changes(run: Runner, repo: Path,
                                                  store: Store) -> None:
    assert run("sync", "push", "--env", "prod", "--to", store.url).code == 0
    store.write("app-db", {"user": "other", "port": 6543})
    store.write("api-token", {"a": "b"})  # a group where the file holds one value
    dry = run("sync", "pull", "--env", "prod", "--from", store.url, "--dry-run")
    assert dry.code == 1 and "dry run: would pull from" in dry.stderr
    assert "~ app-db: port, user (keeps password, host: only in the file)" in dry.stdout
    assert "! api-token: the store holds a group of keys" in dry.stdout
    pulled = run("sync", "pull", "--env", "prod", "--from", store.url)
    assert pulled.code == 1 and "1 updated" in pulled.stderr and "1 skipped" in pulled.stderr
    assert sorted(set(_changed_keys(repo))) == ["port", "user"]
    decrypted = subprocess.run(
        [sops_path(), "-d", "secrets/prod.yaml"], capture_output=True, text=True, check=True,
        env={**os.environ, "SOPS_AGE_KEY_FILE": str(default_key_file())})
    pulled_file = yaml.safe_load(decrypted.stdout)
    assert pulled_file["app-db"] == {"user": "other", "password": PW,
                                     "host": "db.internal", "port": 6543}
    assert pulled_file["api-token"] == TOKEN
    clean(dry, pulled)


def test_a_malformed_entry_is_skipped(run: Runner, repo: Path, store: Store) -> None:
    assert run("sync", "push", "--env", "prod", "--to", store.url).code == 0
    store.write("nested", {"a": {"b": "c"}})
    store.write("new-one", {"value": "v"})
    diff = run("sync", "diff", "--env", "prod", "--with", store.url)
    assert diff.code == 1 and "! nested: key 'a' is not a plain value" in diff.stdout
    assert "- new-one" not in diff.stdout  # not written by secretsfile: listed, left alone
    pulled = run("sync", "pull", "--env", "prod", "--from", store.url)
    assert pulled.code == 1 and "+ new-one" in pulled.stdout and "Traceback" not in pulled.output
    assert "new-one (prod)" in run("secret", "get", "new-one", "--env", "prod").stdout
    clean(diff, pulled)
