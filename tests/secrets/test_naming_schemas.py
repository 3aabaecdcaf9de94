"""Naming policy and schemas: bad input names the fix or the field at fault."""

from __future__ import annotations

import pytest

from secretsfile.errors import ConfigError, UsageError
from secretsfile.secrets.naming import NamingPolicy, env_var_name
from secretsfile.secrets.schemas import BUILTIN, find_schema, user_schemas


@pytest.mark.parametrize("name", ["db-password", "openai-api-key", "abc", "a" * 36, "s3-bucket"])
def test_good_names(name: str) -> None:
    NamingPolicy().check(name)


@pytest.mark.parametrize(
    ("name", "suggestion"),
    [("snowflake_user", "snowflake-user"), ("OpenAI_Key", "openai-key"), ("1password", "password"),
     ("my secret", "my-secret"), ("x" * 40, "x" * 36)],
)
def test_bad_names_suggest_a_fix(name: str, suggestion: str) -> None:
    with pytest.raises(UsageError) as caught:
        NamingPolicy().check(name)
    assert caught.value.hint == f"try {suggestion!r}"


def test_too_short_without_a_suggestion() -> None:
    with pytest.raises(UsageError, match="3 to 36"):
        NamingPolicy().check("db")


def test_configured_policy() -> None:
    policy = NamingPolicy.from_config({"min_length": 2, "pattern": "^[a-z_]+$"})
    policy.check("db")
    policy.check("snake_case")
    with pytest.raises(ConfigError):
        NamingPolicy.from_config({"pattern": "("})


def test_env_var_names() -> None:
    assert env_var_name("db-password") == "DB_PASSWORD"
    assert env_var_name("app-db", "user") == "APP_DB_USER"


def test_builtin_schemas_are_there() -> None:
    assert {"aws", "gcp-service-account", "postgres", "mysql", "snowflake", "basic-auth",
            "api-key"} <= set(BUILTIN)


def test_schema_fills_defaults_and_names_the_field() -> None:
    postgres = find_schema("postgres")
    filled = postgres.validate({"user": "u", "password": "p", "host": "h", "database": "d"})
    assert filled["port"] == 5432  # typed: an int field is stored as an int
    with pytest.raises(UsageError, match="missing required field 'password'"):
        postgres.validate({"user": "u", "host": "h", "database": "d"})
    with pytest.raises(UsageError, match="field 'port' must be int"):
        postgres.validate({"user": "u", "password": "p", "host": "h", "database": "d",
                           "port": "five"})
    with pytest.raises(UsageError) as caught:
        postgres.validate({"usr": "u"})
    assert caught.value.hint == "did you mean 'user'?"


def test_aws_session_token_is_optional() -> None:
    aws = find_schema("aws")
    assert aws.validate({"access_key_id": "a", "secret_access_key": "b"}) == {
        "access_key_id": "a", "secret_access_key": "b"}


def test_user_defined_schema() -> None:
    config = {"schemas": {"svc": {"fields": [{"name": "token"},
                                              {"name": "port", "type": "int", "default": 443}]}}}
    schema = find_schema("svc", config)
    assert schema.validate({"token": "t"}) == {"token": "t", "port": 443}
    with pytest.raises(ConfigError, match="unknown type"):
        user_schemas({"bad": {"fields": [{"name": "x", "type": "date"}]}})
    with pytest.raises(UsageError, match="did you mean 'postgres'"):
        find_schema("postgre")


@pytest.mark.parametrize(("kind", "given", "stored"), [
    ("int", "5433", 5433), ("int", 5433, 5433), ("int", " 7 ", 7),
    ("float", "1.5", 1.5), ("float", 2, 2.0),
    ("bool", "true", True), ("bool", "False", False), ("bool", True, True),
    ("str", 5432, "5432"), ("str", True, "true"),
])
def test_typed_fields_are_stored_typed(kind: str, given: object, stored: object) -> None:
    config = {"schemas": {"svc": {"fields": [{"name": "v", "type": kind}]}}}
    got = find_schema("svc", config).validate({"v": given})["v"]  # type: ignore[dict-item]
    assert got == stored and type(got) is type(stored)


@pytest.mark.parametrize(("kind", "given"), [
    ("int", "five"), ("int", 1.5), ("int", True), ("float", "x"), ("bool", "yes"),
    ("bool", 1),
])
def test_typed_fields_refuse_other_types(kind: str, given: object) -> None:
    config = {"schemas": {"svc": {"fields": [{"name": "v", "type": kind}]}}}
    with pytest.raises(UsageError, match=f"field 'v' must be {kind}"):
        find_schema("svc", config).validate({"v": given})  # type: ignore[dict-item]


def test_variable_collisions_name_both() -> None:
    from secretsfile.secrets.naming import check_variable_collisions

    with pytest.raises(UsageError, match=r"app-db-user \(APP_DB_USER\) collides with "
                       r"app-db.user") as caught:
        check_variable_collisions("app-db-user", None, {"app-db": ("user", "password")})
    assert caught.value.hint and "rename" in caught.value.hint
    with pytest.raises(UsageError, match=r"app-db.user \(APP_DB_USER\) collides with "
                       r"app-db-user"):
        check_variable_collisions("app-db", ["user"], {"app-db-user": None})
    with pytest.raises(UsageError, match=r"db.a_b \(DB_A_B\) collides with db.a-b"):
        check_variable_collisions("db", ["a-b", "a_b"], {})
    check_variable_collisions("app-db", ["user"], {"app-db": ("user",), "api": None})


@pytest.mark.parametrize("field", ["api.key", "_hidden", "a b", "x" * 101])
def test_a_schema_field_breaking_the_key_rule_is_refused_on_load(field: str) -> None:
    raw = {"legacy": {"fields": [{"name": "2fa_seed"}, {"name": field}]}}
    with pytest.raises(ConfigError) as caught:
        user_schemas(raw)
    text = caught.value.diagnostics()
    assert "schema legacy: field" in text and "schemas:" in text and "\n" not in text
    assert "letter or digit" in text or "longer than 100" in text


def test_a_leading_digit_is_a_good_field() -> None:
    schema = user_schemas({"legacy": {"fields": [{"name": "2fa_seed"}]}})["legacy"]
    assert schema.validate({"2fa_seed": "v"}) == {"2fa_seed": "v"}
