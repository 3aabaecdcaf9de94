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
    assert filled["port"] == "5432"
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
    assert schema.validate({"token": "t"}) == {"token": "t", "port": "443"}
    with pytest.raises(ConfigError, match="unknown type"):
        user_schemas({"bad": {"fields": [{"name": "x", "type": "date"}]}})
    with pytest.raises(UsageError, match="did you mean 'postgres'"):
        find_schema("postgre")
