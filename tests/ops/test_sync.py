"""ops.sync: plans, push, pull and diff against an in-memory store (a test double of the
``remotes.interface.Remote`` protocol); the round trips on real servers are in
``tests/cli/test_sync_cli.py``."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from secretsfile.config.project import Environment, ProjectConfig, load_project_config
from secretsfile.errors import FormatError, UsageError
from secretsfile.ops import sync
from secretsfile.ops.secrets import change_secret, find_secret, save_secret
from secretsfile.remotes.interface import Described, Location
from secretsfile.secrets.model import Secret
from tests.ops.conftest import PROD_TOKEN

PASSWORD = "pw-PLANTED-77e1"
URL = "mem://app"
SOPS_METADATA = {"mac", "lastmodified", "secretsfile_tag"}  # rewritten by every write


@dataclass
class Memory:
    """An in-memory store: name -> Secret; ``owners``: name -> environment secretsfile
    wrote it for (entries put in ``entries`` directly are not managed)."""

    entries: dict[str, Secret] = field(default_factory=dict)
    writes: list[str] = field(default_factory=list)
    owners: dict[str, str] = field(default_factory=dict)
    broken: set[str] = field(default_factory=set)
    scheme: str = "mem"
    example: str = "mem://PREFIX"

    def parse(self, url: str) -> Location:
        return Location(url, "mem", "", "", url.partition("://")[2])

    def names(self, loc: Location) -> list[str]:
        return sorted({*self.entries, *self.broken})

    def read(self, loc: Location, name: str, env: str) -> Secret | None:
        if name in self.broken:
            raise FormatError(f"{loc.entry(name)}: key 'a' is not a plain value",
                              hint="a secret is one value or one level of key/value pairs")
        found = self.entries.get(name)
        return None if found is None else replace(found, env=env)

    def write(self, loc: Location, secret: Secret) -> None:
        self.writes.append(secret.name)
        self.entries[secret.name] = secret
        self.owners[secret.name] = secret.env

    def delete(self, loc: Location, name: str) -> None:
        self.writes.append(f"-{name}")
        del self.entries[name]

    def describe(self, loc: Location, name: str) -> Described | None:
        found = self.entries.get(name)
        env = self.owners.get(name)
        return None if found is None else Described(name, found.keys, found.schema,
                                                    env=env, managed=env is not None)

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
    store = Memory({"old-one": Secret("old-one", "prod", "x")}, owners={"old-one": "prod"})
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


def test_pull_whose_work_a_concurrent_pull_did_leaves_the_file_alone(project: Path) -> None:
    """The plan (before the lock) sees a change; a concurrent pull writes it first; the
    re-check under the lock finds nothing to do: no rewrite (no new mac/lastmodified)."""
    store = Memory()
    config, env = _ctx(project)
    sync.push(config, env, URL, opener=store.opener)
    store.entries["app-db"] = replace(store.entries["app-db"], values={
        "user": "app", "password": "new-PLANTED-pw", "port": 5432})
    path = project / "secrets" / "prod.yaml"
    concurrent: list[tuple[bytes, int]] = []

    def advance(_name: str) -> None:  # runs while the outer pull reads, before its lock
        if not concurrent:
            concurrent.append((b"", 0))
            assert sync.pull(config, env, URL, opener=store.opener).written
            concurrent.append((path.read_bytes(), path.stat().st_ino))

    plan = sync.pull(config, env, URL, opener=store.opener, advance=advance)
    assert not plan.written and not [c for c in plan.changes if c.action == "update"]
    # an atomic write replaces the file (a new inode): the same inode = not rewritten
    assert (path.read_bytes(), path.stat().st_ino) == concurrent[-1]
    assert find_secret(config, env, "app-db").values["password"] == "new-PLANTED-pw"


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
    store.owners["extra"] = "prod"
    store.entries["foreign"] = Secret("foreign", "prod", "x")  # not written by secretsfile
    plan = sync.diff(config, env, URL, opener=store.opener)
    assert [(c.name, c.action, c.keys) for c in plan.drift] == [
        ("app-db", "update", ["password"]), ("extra", "delete", [])]
    assert [(c.name, c.action, c.problem) for c in plan.changes if c.action == "skip"] == [
        ("foreign", "skip", False)]


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


def _pg(project: Path) -> None:
    config, env = _ctx(project)
    save_secret(config, env, Secret("pg-db", "prod", None, {
        "user": "app", "password": PASSWORD, "host": "db", "port": 5432, "database": "app"},
        "postgres"), create=True)


def test_pull_merges_keys_and_never_drops_the_files(project: Path) -> None:
    store = Memory({"app-db": Secret("app-db", "x", None, {"user": "other", "tls": True})})
    config, env = _ctx(project)
    dry = sync.pull(config, env, URL, dry_run=True, opener=store.opener)
    assert [(c.action, c.keys, c.kept) for c in dry.changes if c.name == "app-db"] == [
        ("update", ["tls", "user"], ["password", "port"])]
    sync.pull(config, env, URL, opener=store.opener)
    assert find_secret(config, env, "app-db").values == {
        "user": "other", "password": PASSWORD, "port": 5432, "tls": True}


def test_pull_refuses_a_shape_change_unless_forced(project: Path) -> None:
    store = Memory({"app-db": Secret("app-db", "x", "one-value"),
                    "api-token": Secret("api-token", "x", None, {"a": "b"})})
    config, env = _ctx(project)
    plan = sync.pull(config, env, URL, opener=store.opener)
    notes = {c.name: c.note or "" for c in plan.problems}
    assert "--force" in notes["app-db"] and "secret update" in notes["app-db"]
    assert "--force" in notes["api-token"] and "secret set" in notes["api-token"]
    assert find_secret(config, env, "app-db").values["password"] == PASSWORD
    forced = sync.pull(config, env, URL, force=True, only=["app-db"], opener=store.opener)
    assert not forced.problems and find_secret(config, env, "app-db").value == "one-value"


def test_pull_checks_the_schema_and_skips_what_fails(project: Path) -> None:
    _pg(project)
    config, env = _ctx(project)
    store = Memory({"pg-db": Secret("pg-db", "x", None, {"port": "notanint"}),
                    "other": Secret("other", "x", None, {"k": "v"}, "no such schema"),
                    "fine": Secret("fine", "x", "v")})
    plan = sync.pull(config, env, URL, opener=store.opener)
    notes = {c.name: c.note or "" for c in plan.problems}
    assert "'port' must be int" in notes["pg-db"] and "unknown schema" in notes["other"]
    assert [c.name for c in plan.changes if c.action == "create"] == ["fine"]
    assert find_secret(config, env, "pg-db").values["port"] == 5432
    assert "notanint" not in str(plan.to_dict())
    bad = Memory({"pg-db": Secret("pg-db", "x", None, {"user": "u", "extra": "x"})})
    skipped = sync.pull(config, env, URL, dry_run=True, opener=bad.opener)
    assert "unknown field 'extra'" in (skipped.problems[0].note or "")


def test_pull_skips_new_keys_the_key_rule_refuses(project: Path) -> None:
    store = Memory({"app-db": Secret("app-db", "x", None, {"a b/../c": "v"}),
                    "new-one": Secret("new-one", "x", None, {"": "v", "ok": "w"})})
    config, env = _ctx(project)
    plan = sync.pull(config, env, URL, opener=store.opener)
    assert [(c.name, c.action) for c in plan.changes] == [
        ("app-db", "skip"), ("new-one", "skip")]
    assert "'a b/../c'" in (plan.changes[0].note or "")
    assert "empty key" in (plan.changes[1].note or "")
    with pytest.raises(UsageError, match=r"key 'a\.b': use 1 to 100 characters"):
        save_secret(config, env, Secret("app-db", "prod", None, {"a.b": "v"}), create=None)


def test_push_and_diff_skip_keys_new_to_the_entry_that_the_key_rule_refuses(project: Path
                                                                           ) -> None:
    config, env = _ctx(project)
    legacy = Secret("legacy", "prod", None, {"2fa_seed": "s", "api.key": "k"})
    change_secret(config, env, "legacy", False, lambda _now: legacy, create=True,
                  carried=legacy.keys)  # as an older version wrote it
    store = Memory()
    plan = sync.push(config, env, URL, opener=store.opener)
    skipped = {c.name: c.note or "" for c in plan.problems}
    assert list(skipped) == ["legacy"] and "legacy" not in store.entries
    assert "key 'api.key': use 1 to 100 characters" in skipped["legacy"]
    assert "secretsfile secret update legacy --env prod --api_key=… --remove-key 'api.key'" \
        in skipped["legacy"]
    assert [c.name for c in sync.diff(config, env, URL, opener=store.opener).problems] == [
        "legacy"]
    store.entries["legacy"] = Secret("legacy", "prod", None, {"api.key": "old"})
    updated = sync.push(config, env, URL, opener=store.opener)  # the entry holds the key
    assert not updated.problems and store.entries["legacy"].values == legacy.values
    assert sync.pull(config, env, URL, opener=store.opener).problems == []


def test_a_malformed_entry_is_skipped_not_fatal(project: Path) -> None:
    store = Memory(broken={"bad"})
    config, env = _ctx(project)
    pushed = sync.push(config, env, URL, prune=True, opener=store.opener)
    assert [(c.name, c.action, c.problem) for c in pushed.changes] == [
        ("api-token", "create", False), ("app-db", "create", False), ("bad", "skip", True)]
    assert pushed.problems[0].note == ("key 'a' is not a plain value (a secret is one value "
                                       "or one level of key/value pairs)")
    assert [c.name for c in sync.diff(config, env, URL, opener=store.opener).drift] == ["bad"]
    store.entries["new-one"] = Secret("new-one", "prod", "v")
    pulled = sync.pull(config, env, URL, opener=store.opener)
    assert [c.name for c in pulled.problems] == ["bad"]
    assert find_secret(config, env, "new-one").value == "v"


def test_prune_and_push_respect_the_entries_owner(project: Path) -> None:
    store = Memory({"foreign": Secret("foreign", "x", "v"), "dev-one": Secret("dev-one", "x", "v"),
                    "app-db": Secret("app-db", "x", "v")},
                   owners={"dev-one": "dev", "app-db": "dev"})
    config, env = _ctx(project)
    plan = sync.push(config, env, URL, prune=True, opener=store.opener)
    by_name = {c.name: c for c in plan.changes}
    assert by_name["foreign"].note == "not written by secretsfile for env prod; left alone"
    assert by_name["dev-one"].action == "skip" and not by_name["dev-one"].problem
    assert by_name["app-db"].problem and "env dev" in (by_name["app-db"].note or "")
    assert set(store.entries) == {"foreign", "dev-one", "app-db", "api-token"}
    assert store.entries["app-db"].value == "v"
    forced = sync.push(config, env, URL, force=True, opener=store.opener)
    assert not forced.problems and store.entries["app-db"].values["password"] == PASSWORD


def test_only_a_private_secret_says_it_is_never_synced(project: Path) -> None:
    config, env = _ctx(project)
    save_secret(config, env, Secret("mine", "prod", "my-own", private=True), create=True)
    with pytest.raises(UsageError, match="private secrets are never pushed"):
        sync.push(config, env, URL, only=["mine"], opener=Memory().opener)
