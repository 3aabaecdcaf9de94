"""The JSON API's functions over a real project: names and dates without a key, writes
through the CLI's locked minimal-diff path, no value in any reply."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from secretsfile.config.project import ProjectConfig, load
from secretsfile.errors import SecretsfileError
from secretsfile.ops.secrets import find_secret, save_secret
from secretsfile.secrets.model import Secret
from secretsfile.webui import api
from secretsfile.webui.api import Ctx
from tests.webui.conftest import PLANTED, git

METADATA = ("lastmodified:", "mac:", "secretsfile_tag:")


def call(function: Callable[..., api.Reply], *args: Any) -> api.Reply:
    """The reply the server sends: an error mapped like the server maps it."""
    try:
        reply = function(*args)
    except SecretsfileError as error:
        reply = api.failure(error)
    assert not any(value in json.dumps(reply) for value in PLANTED), reply
    return reply


def value_of(project: Path, env: str, name: str, key: str) -> str:
    config = load(project)
    return find_secret(config, config.environment(env), name).get(key)


def changed_lines(project: Path) -> tuple[list[str], list[str]]:
    """The diff's added and removed lines, the sops metadata's stamps left out."""
    diff = git(project, "diff", "-U0").splitlines()
    added = [line[1:] for line in diff if line.startswith("+") and not line.startswith("+++")]
    removed = [line[1:] for line in diff if line.startswith("-") and not line.startswith("---")]

    def mine(lines: list[str]) -> list[str]:
        return [line for line in lines if not line.strip().startswith(METADATA)]

    return mine(added), mine(removed)


def test_list_has_names_keys_schema_and_git_dates(ctx: Ctx) -> None:
    status, body = call(api.list_secrets, ctx, {})
    assert status == 200 and body is not None
    rows = {(row["env"], row["name"]): row for row in body["secrets"]}
    assert set(rows) == {("dev", "app-db"), ("prod", "api-key")}
    db = rows["dev", "app-db"]
    assert db["schema"] == "postgres" and db["private"] is False
    assert {"user", "password", "host", "port", "database"} <= set(db["keys"])
    assert db["created"] and db["updated"]


@pytest.mark.parametrize(("query", "names"), [
    ({"sort": "name"}, ["api-key", "app-db"]),
    ({"sort": "env"}, ["app-db", "api-key"]),
    ({"env": "prod"}, ["api-key"]),
])
def test_list_sorts_and_filters(ctx: Ctx, query: dict[str, str], names: list[str]) -> None:
    status, body = call(api.list_secrets, ctx, query)
    assert status == 200 and body is not None
    assert [row["name"] for row in body["secrets"]] == names


@pytest.mark.parametrize(("query", "status"), [({"sort": "value"}, 400), ({"env": "qa"}, 404)])
def test_list_refuses_bad_queries(ctx: Ctx, query: dict[str, str], status: int) -> None:
    got, body = call(api.list_secrets, ctx, query)
    assert got == status and body is not None and body["error"]


def test_list_works_without_any_key(ctx: Ctx, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "stranger"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "stranger" / ".config"))
    status, body = call(api.list_secrets, ctx, {})
    assert status == 200 and body is not None and len(body["secrets"]) == 2


def test_session(ctx: Ctx) -> None:
    status, body = call(api.session, ctx)
    assert status == 200 and body is not None
    assert body["project"] == "repo" and body["environments"] == ["dev", "prod"]
    assert body["you_can_read"] == {"dev": True, "prod": True}


def test_schemas_show_fields_and_only_open_defaults(ctx: Ctx) -> None:
    status, body = call(api.schemas, ctx)
    assert status == 200 and body is not None
    postgres = next(s for s in body["schemas"] if s["name"] == "postgres")
    fields = {f["name"]: f for f in postgres["fields"]}
    assert fields["password"]["secret"] is True and fields["password"]["required"] is True
    assert fields["port"] == {"name": "port", "type": "int", "required": False,
                              "secret": False, "export": "PGPORT", "default": "5432"}


@pytest.mark.parametrize(("name", "ok", "suggestion"), [
    ("billing-db", True, None),
    ("Billing_DB", False, "billing-db"),
    ("x", False, None),
])
def test_naming(ctx: Ctx, name: str, ok: bool, suggestion: str | None) -> None:
    status, body = call(api.naming, ctx, {"name": name})
    assert status == 200 and body is not None
    assert body["ok"] is ok and body["suggestion"] == suggestion
    assert (body["problem"] is None) is ok


def test_create_is_a_minimal_diff(ctx: Ctx, project: Path) -> None:
    status, body = call(api.create, ctx, {
        "name": "billing-db", "env": "dev", "schema": "postgres", "private": False,
        "values": {"user": "bill", "password": "pw-PLANTED-new", "host": "h", "port": "6543",
                   "database": "billing", "sslmode": ""}})
    assert status == 201, body
    assert body == {"name": "billing-db", "env": "dev", "private": False,
                    "keys": ["user", "password", "host", "port", "database"]}
    added, removed = changed_lines(project)
    assert removed == []
    assert added[0] == "billing-db:" and all(line.startswith("    ") for line in added[1:])
    assert len(added) == 7  # the name, five keys and the schema tag
    assert value_of(project, "dev", "billing-db", "password") == "pw-PLANTED-new"
    assert git(project, "diff", "--stat", "--", "secrets/prod.yaml") == ""


@pytest.mark.parametrize(("body", "status", "words"), [
    ({"name": "app-db", "env": "dev", "values": {"a": "b"}}, 409, "already exists"),
    ({"name": "Bad_Name", "env": "dev", "values": {"a": "b"}}, 400, "bad-name"),
    ({"name": "new-one", "env": "qa", "values": {"a": "b"}}, 404, "environments: dev, prod"),
    ({"name": "new-one", "env": "dev", "values": {}}, 400, "no values"),
    ({"name": "new-one", "env": "dev", "values": {"a": ["x"]}}, 400, "must be text"),
    ({"name": "new-one", "env": "dev", "values": "x"}, 400, "object"),
    ({"name": "new-one", "env": "dev", "private": "maybe", "values": {"a": "b"}}, 400,
     "true or false"),
    ({"env": "dev", "values": {"a": "b"}}, 400, "'name'"),
    ({"name": "new-one", "env": "dev", "schema": "postgres", "values": {"user": "u"}}, 400,
     "password"),
    ({"name": "new-one", "env": "dev", "schema": "postgres",
      "values": {"user": "u", "password": "p", "host": "h", "database": "d", "port": "x"}},
     400, "must be int"),
])
def test_create_refusals(ctx: Ctx, project: Path, body: dict[str, Any], status: int,
                         words: str) -> None:
    got, reply = call(api.create, ctx, body)
    assert got == status and reply is not None
    assert words in reply["error"] + str(reply["hint"])
    assert git(project, "status", "--porcelain") == ""


def test_a_write_without_the_key_is_422_with_the_hint(ctx: Ctx, project: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "stranger"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "stranger" / ".config"))
    for reply in (call(api.create, ctx, {"name": "new-one", "env": "dev", "values": {"a": "b"}}),
                  call(api.update, ctx, "dev", "app-db", {}, {"values": {"host": "x"}}),
                  call(api.delete, ctx, "dev", "app-db", {})):
        status, body = reply
        assert status == 422 and body is not None
        assert "none of your keys can open" in body["error"]
        assert "secretsfile keygen" in body["hint"]
    assert git(project, "status", "--porcelain") == ""


def test_update_merges_the_keys_sent(ctx: Ctx, project: Path) -> None:
    status, body = call(api.update, ctx, "dev", "app-db", {},
                        {"values": {"host": "db2.internal", "password": ""}})
    assert status == 200 and body is not None
    assert body["keys"][:3] == ["user", "password", "host"]
    added, removed = changed_lines(project)
    assert [line.split(":")[0].strip() for line in added + removed] == ["host", "host"]
    assert value_of(project, "dev", "app-db", "password") == PLANTED[0]
    assert value_of(project, "dev", "app-db", "host") == "db2.internal"


def test_update_removes_keys(ctx: Ctx, project: Path) -> None:
    status, body = call(api.update, ctx, "dev", "app-db", {"private": "0"},
                        {"values": {"sslmode": "require"}})
    assert status == 200, body
    status, body = call(api.update, ctx, "dev", "app-db", {"private": "0"},
                        {"values": {}, "remove": ["sslmode"]})
    assert status == 200 and body is not None and "sslmode" not in body["keys"]
    status, body = call(api.update, ctx, "dev", "app-db", {}, {"remove": ["database"]})
    assert status == 400 and body is not None and "database" in body["error"]


def test_update_refuses_removing_a_missing_key_or_the_last_one(
        ctx: Ctx, project: Path, config: ProjectConfig) -> None:
    status, body = call(api.update, ctx, "dev", "app-db", {}, {"remove": ["no-such-key"]})
    assert status == 404 and body is not None and "'no-such-key'" in body["error"]
    assert "user" in body["hint"]
    assert call(api.create, ctx, {"name": "solo", "env": "dev", "values": {"k": "v"}})[0] == 201
    status, body = call(api.update, ctx, "dev", "solo", {}, {"remove": ["k"]})
    assert status == 400 and body is not None and "no keys" in body["error"]
    assert "DELETE /api/secrets/dev/solo" in body["hint"]
    assert call(api.update, ctx, "dev", "solo", {}, {"remove": ["k"],
                                                     "values": {"j": "w"}})[0] == 200
    save_secret(config, config.environment("dev"), Secret("one", "dev", "v"), create=True)
    status, body = call(api.update, ctx, "dev", "one", {}, {"remove": ["value"]})
    assert status == 400 and body is not None and "single value" in body["error"]
    assert find_secret(load(project), config.environment("dev"), "one").value == "v"


def test_an_integer_past_64_bits_is_400(ctx: Ctx, project: Path) -> None:
    status, body = call(api.create, ctx, {"name": "bigint", "env": "dev",
                                          "values": {"v": 10**30}})
    assert status == 400 and body is not None and "64 bits" in body["error"]
    assert git(project, "status", "--porcelain") == ""


@pytest.mark.parametrize(("env", "name", "status"), [("dev", "nope", 404), ("qa", "app-db", 404),
                                                     ("prod", "app-db", 404)])
def test_update_and_delete_of_unknown_names(ctx: Ctx, env: str, name: str, status: int) -> None:
    assert call(api.update, ctx, env, name, {}, {"values": {"a": "b"}})[0] == status
    assert call(api.delete, ctx, env, name, {})[0] == status


def test_delete(ctx: Ctx, project: Path) -> None:
    assert call(api.delete, ctx, "prod", "api-key", {}) == (204, None)
    _, body = call(api.list_secrets, ctx, {})
    assert body is not None and [row["name"] for row in body["secrets"]] == ["app-db"]
    added, removed = changed_lines(project)
    assert added == [] and removed[0] == "api-key:"


def test_private_create_goes_to_your_own_file(ctx: Ctx, project: Path) -> None:
    status, body = call(api.create, ctx, {"name": "my-token", "env": "dev", "private": True,
                                          "values": {"token": "t-PLANTED-mine"}})
    assert status == 201 and body is not None and body["private"] is True
    assert git(project, "status", "--porcelain") == ""
    _, listed = call(api.list_secrets, ctx, {})
    assert listed is not None
    assert {"name": "my-token", "private": True}.items() <= next(
        row for row in listed["secrets"] if row["name"] == "my-token").items()
    assert call(api.delete, ctx, "dev", "my-token", {"private": "1"}) == (204, None)
