"""ops.sync: plans, push, pull and diff against an in-memory store (a test double of the
``remotes.interface.Remote`` protocol); the round trips on real servers are in
``tests/cli/test_sync_cli.py``."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from secretsfile.config.project import Environment, ProjectConfig, load_project_config
from secretsfile.errors import UsageError
from secretsfile.ops import sync
from secretsfile.ops.secrets import find_secret, save_secret
from secretsfile.remotes.interface import Described, Location
from secretsfile.secrets.model import Secret
from tests.ops.conftest import PROD_TOKEN

PASSWORD = "pw-PLANTED-77e1"
URL = "mem://app"
SOPS_METADATA = {"mac", "lastmodified", "secretsfile_tag"}  # rewritten by every write


@dataclass
class Memory:
    """An in-memory store: name -> Secret."""

    entries: dict[str, Secret] = field(default_factory=dict)
    writes: list[str] = field(default_factory=list)
    scheme: str = "mem"
    example: str = "mem://PREFIX"

    def parse(self, url: str) -> Location:
        return Location(url, "mem", "", "", url.partition("://")[2])

    def names(self, loc: Location) -> list[str]:
        return sorted(self.entries)

    def read(self, loc: Location, name: str, env: str) -> Secret | None:
        found = self.entries.get(name)
        return None if found is None else replace(found, env=env)

    def write(self, loc: Location, secret: Secret) -> None:
        self.writes.append(secret.name)
        self.entries[secret.name] = secret

    def delete(self, loc: Location, name: str) -> None:
        self.writes.append(f"-{name}")
        del self.entries[name]

    def describe(self, loc: Location, name: str) -> Described | None:
        found = self.entries.get(name)
        return None if found is None else Described(name, found.keys, found.schema)

    def unusable(self) -> str | None:
        return None

    def opener(self, url: str) -> tuple[Memory, Location]:
        return self, self.parse(url)


@pytest.fixture
def project(prod_project: Path) -> Path:
    config = load_project_config(prod_project / ".secretsfile.yaml")
    save_secret(config, config.environment("prod"),
                Secret("app-db", "prod", None, {"user": "app", "password": PASSWORD,
                                                 "port": 5432}), create=True)
    return prod_project


def _ctx(root: Path) -> tuple[ProjectConfig, Environment]:
    config = load_project_config(root / ".secretsfile.yaml")
    return config, config.environment("prod")


def test_push_creates_then_is_the_same(project: Path) -> None:
    store = Memory()
    config, env = _ctx(project)
    plan = sync.push(config, env, URL, opener=store.opener)
    assert [(c.name, c.action) for c in plan.changes] == [("api-token", "create"),
                                                           ("app-db", "create")]
    assert plan.changes[1].keys == ["user", "password", "port"]
    assert store.entries["app-db"].values == {"user": "app", "password": PASSWORD,
                                              "port": 5432}
    assert store.entries["api-token"].value == PROD_TOKEN
    again = sync.push(config, env, URL, opener=store.opener)
    assert {c.action for c in again.changes} == {"same"} and not again.drift
    assert store.writes == ["api-token", "app-db"]  # nothing written the second time
    assert PASSWORD not in repr(plan) and PASSWORD not in str(plan.to_dict())


def test_dry_run_writes_nothing(project: Path) -> None:
    store = Memory()
    config, env = _ctx(project)
    plan = sync.push(config, env, URL, dry_run=True, opener=store.opener)
    assert len(plan.drift) == 2 and not plan.written and store.entries == {}
    store.entries["app-db"] = Secret("app-db", "x", None, {"password": "other"})
    before = (project / "secrets" / "prod.yaml").read_bytes()
    pulled = sync.pull(config, env, URL, dry_run=True, opener=store.opener)
    assert [(c.name, c.action) for c in pulled.changes] == [("app-db", "update")]
    assert (project / "secrets" / "prod.yaml").read_bytes() == before


def test_private_secrets_are_never_pushed(project: Path) -> None:
    store = Memory()
    config, env = _ctx(project)
    save_secret(config, env, Secret("mine", "prod", "my-own", private=True), create=True)
    sync.push(config, env, URL, opener=store.opener)
    assert "mine" not in store.entries


def test_push_deletes_only_with_prune(project: Path) -> None:
    store = Memory({"old-one": Secret("old-one", "prod", "x")})
    config, env = _ctx(project)
    kept = sync.push(config, env, URL, opener=store.opener)
    assert next(c for c in kept.changes if c.name == "old-one").action == "skip"
    assert "old-one" in store.entries
    pruned = sync.push(config, env, URL, prune=True, opener=store.opener)
    assert next(c for c in pruned.changes if c.name == "old-one").action == "delete"
    assert "old-one" not in store.entries


def test_only_limits_and_unknown_names_get_a_hint(project: Path) -> None:
    store = Memory()
    config, env = _ctx(project)
    plan = sync.push(config, env, URL, only=["app-db"], opener=store.opener)
    assert [c.name for c in plan.changes] == ["app-db"] and list(store.entries) == ["app-db"]
    with pytest.raises(UsageError) as caught:
        sync.push(config, env, URL, only=["app-dbb"], opener=store.opener)
    assert "app-db" in (caught.value.hint or "")


def test_pull_changes_one_value_line_and_keeps_types(project: Path) -> None:
    store = Memory()
    config, env = _ctx(project)
    sync.push(config, env, URL, opener=store.opener)
    path = project / "secrets" / "prod.yaml"
    before = path.read_text()
    # the store holds the port as text and a new password: the port stays an int
    store.entries["app-db"] = Secret("app-db", "prod", None, {
        "user": "app", "password": "new-PLANTED-pw", "port": "5432"})
    plan = sync.pull(config, env, URL, opener=store.opener)
    assert [(c.name, c.action, c.keys) for c in plan.drift] == [
        ("app-db", "update", ["password"])]
    after = path.read_text()
    changed = [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(),
                                                     lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    keys = [line[1:].strip().split(":")[0] for line in changed]
    assert sorted(k for k in keys if k not in SOPS_METADATA) == ["password", "password"]
    secret = find_secret(config, env, "app-db")
    assert secret.values == {"user": "app", "password": "new-PLANTED-pw", "port": 5432}
    assert "new-PLANTED-pw" not in after


def test_pull_creates_new_names_and_skips_bad_ones(project: Path) -> None:
    store = Memory({"new-key": Secret("new-key", "p", "v1"),
                    "Bad_Name": Secret("Bad_Name", "p", "v2")})
    config, env = _ctx(project)
    plan = sync.pull(config, env, URL, opener=store.opener)
    actions = {c.name: (c.action, c.note) for c in plan.changes}
    assert actions["new-key"] == ("create", None)
    assert actions["Bad_Name"][0] == "skip" and "'bad-name'" in (actions["Bad_Name"][1] or "")
    assert find_secret(config, env, "new-key").value == "v1"
    assert find_secret(config, env, "api-token").value == PROD_TOKEN  # never deleted


def test_diff_names_keys_and_store_only_entries(project: Path) -> None:
    store = Memory()
    config, env = _ctx(project)
    sync.push(config, env, URL, opener=store.opener)
    assert not sync.diff(config, env, URL, opener=store.opener).drift
    store.entries["app-db"] = Secret("app-db", "prod", None, {
        "user": "app", "password": "changed", "port": 5432})
    store.entries["extra"] = Secret("extra", "prod", "x")
    drift = sync.diff(config, env, URL, opener=store.opener).drift
    assert [(c.name, c.action, c.keys) for c in drift] == [
        ("app-db", "update", ["password"]), ("extra", "delete", [])]


def test_store_url_from_the_config_or_a_usage_error(project: Path) -> None:
    config, env = _ctx(project)
    with pytest.raises(UsageError) as caught:
        sync.push(config, env, None, opener=Memory().opener)
    assert "environments.prod.store" in (caught.value.hint or "")
    path = project / ".secretsfile.yaml"
    path.write_text(path.read_text() + "    store: mem://from-config\n")
    config, env = _ctx(project)
    plan = sync.push(config, env, None, dry_run=True, opener=Memory().opener)
    assert plan.url == "mem://from-config"
    assert sync.store_url(env, "mem://given") == "mem://given"


def test_pull_into_an_environment_without_a_file(project: Path) -> None:
    store = Memory({"app-db": Secret("app-db", "x", None, {"port": 6543, "tls": True})})
    config, env = _ctx(project)
    path = project / "secrets" / "prod.yaml"
    path.unlink()
    plan = sync.pull(config, env, URL, opener=store.opener)
    assert [(c.name, c.action) for c in plan.changes] == [("app-db", "create")]
    assert find_secret(config, env, "app-db").values == {"port": 6543, "tls": True}
    assert "6543" not in path.read_text()
