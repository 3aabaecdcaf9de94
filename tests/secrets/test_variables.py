"""secrets/variables.py: default names, exports:, schema names, --only/--exclude, and errors
that name the config line without any value."""

from __future__ import annotations

import pytest

from secretsfile.errors import ConflictError, UsageError
from secretsfile.ops.exporting import check_variables, checked_values
from secretsfile.secrets.model import Secret
from secretsfile.secrets.schemas import BUILTIN, Field, Schema
from secretsfile.secrets.variables import environment_variables, export_problem, select

AWS = {"access_key_id": "AKIA-PLANTED-1", "secret_access_key": "sk-PLANTED-2"}
AWS2 = {"access_key_id": "AKIA-PLANTED-3", "secret_access_key": "sk-PLANTED-4"}
PG = {"user": "app", "password": "pg-PLANTED-5", "host": "db", "port": "5432",
      "database": "app"}


def secrets(**groups: dict[str, str] | str) -> dict[str, Secret]:
    schema = {"aws-deploy": "aws", "aws-other": "aws", "db": "postgres"}
    out = {}
    for key, data in groups.items():
        name = key.replace("_", "-")
        out[name] = (Secret(name, "prod", data) if isinstance(data, str)
                     else Secret(name, "prod", None, data, schema.get(name)))
    return out


def plain(found: dict[str, object]) -> dict[str, str]:
    return {var: v.value.reveal() for var, v in found.items()}  # type: ignore[attr-defined]


def environ(held: dict[str, Secret], exports: dict[str, str] | None = None,
            only: list[str] | None = None, exclude: list[str] | None = None) -> dict[str, str]:
    return plain(select(environment_variables("prod", held, exports, BUILTIN), only, exclude))


def test_defaults_and_the_only_schema_secret_get_schema_names() -> None:
    got = environ(secrets(aws_deploy=AWS, db=PG, api_token="tok-PLANTED-6"))
    assert got["AWS_DEPLOY_ACCESS_KEY_ID"] == got["AWS_ACCESS_KEY_ID"] == "AKIA-PLANTED-1"
    assert got["AWS_SECRET_ACCESS_KEY"] == "sk-PLANTED-2"
    assert "AWS_SESSION_TOKEN" not in got  # the secret has no session_token
    assert got["PGPASSWORD"] == got["DB_PASSWORD"] == "pg-PLANTED-5"
    assert got["PGHOST"] == "db" and got["PGPORT"] == "5432"
    assert got["API_TOKEN"] == "tok-PLANTED-6"


def test_two_secrets_of_a_schema_get_no_schema_names_and_a_note() -> None:
    found = environment_variables("prod", secrets(aws_deploy=AWS, aws_other=AWS2), {}, BUILTIN)
    assert "AWS_ACCESS_KEY_ID" not in found.variables
    assert found.notes and "aws-deploy, aws-other" in found.notes[0]
    assert "exports:" in found.notes[0] and "AWS_SESSION_TOKEN" not in found.notes[0]


def test_exports_pick_one_and_win_over_schema_names() -> None:
    held = secrets(aws_deploy=AWS, aws_other=AWS2)
    got = environ(held, {"AWS_ACCESS_KEY_ID": "{{ aws-other.access_key_id }}",
                         "AWS_SECRET_ACCESS_KEY": "{{aws-other.secret_access_key}}"})
    assert got["AWS_ACCESS_KEY_ID"] == "AKIA-PLANTED-3"
    assert got["AWS_SECRET_ACCESS_KEY"] == "sk-PLANTED-4"
    assert got["AWS_DEPLOY_ACCESS_KEY_ID"] == "AKIA-PLANTED-1"  # default names stay
    found = environment_variables("prod", held, {"AWS_ACCESS_KEY_ID":
                                                 "{{ aws-other.access_key_id }}"}, BUILTIN)
    assert "AWS_ACCESS_KEY_ID" not in found.notes[0]  # only what is still unnamed
    # one schema secret: the export still wins over its schema name
    got = environ(secrets(aws_deploy=AWS, api_token="tok-PLANTED-6"),
                  {"AWS_SECRET_ACCESS_KEY": "{{ api-token }}"})
    assert got["AWS_SECRET_ACCESS_KEY"] == "tok-PLANTED-6"


def test_export_of_a_default_name_same_source_is_fine() -> None:
    got = environ(secrets(api_token="tok-PLANTED-6"), {"API_TOKEN": "{{ api-token }}"})
    assert got == {"API_TOKEN": "tok-PLANTED-6"}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ aws-deploi.access_key_id }}", "no secret 'aws-deploi' in prod"),
        ("{{ aws-deploy.acess_key_id }}", "has no key 'acess_key_id'"),
        ("{{ aws-deploy }}", "is a group"),
        ("{{ api-token.x }}", "is a single value"),
        ("x{{ api-token }}", "expected one reference"),
        ("plain", "expected one reference"),
    ],
)
def test_bad_export_names_line_and_reference(template: str, expected: str) -> None:
    with pytest.raises(UsageError) as caught:
        environment_variables("prod", secrets(aws_deploy=AWS, api_token="tok-PLANTED-6"),
                              {"MY_VAR": template}, BUILTIN)
    text = caught.value.diagnostics()
    assert "exports MY_VAR" in text and expected in text
    assert "PLANTED" not in text


def test_did_you_mean_for_a_missing_secret_and_key() -> None:
    for template, close in (("{{ aws-deploi.access_key_id }}", "'aws-deploy'"),
                            ("{{ aws-deploy.acess_key_id }}", "'access_key_id'")):
        with pytest.raises(UsageError) as caught:
            environment_variables("prod", secrets(aws_deploy=AWS), {"K": template}, BUILTIN)
        assert f"did you mean {close}" in caught.value.diagnostics()


def test_export_taking_a_default_name_with_another_value_fails_only_when_selected() -> None:
    held = secrets(api_token="tok-PLANTED-6", aws_deploy=AWS)
    found = environment_variables("prod", held,
                                  {"API_TOKEN": "{{ aws-deploy.access_key_id }}"}, BUILTIN)
    with pytest.raises(ConflictError) as caught:
        select(found)
    text = caught.value.diagnostics()
    assert "exports API_TOKEN" in text and "secret 'api-token'" in text
    assert "PLANTED" not in text
    assert plain(select(found, ["AWS_*"])) == {  # --only works around it
        "AWS_DEPLOY_ACCESS_KEY_ID": "AKIA-PLANTED-1",
        "AWS_DEPLOY_SECRET_ACCESS_KEY": "sk-PLANTED-2", "AWS_ACCESS_KEY_ID": "AKIA-PLANTED-1",
        "AWS_SECRET_ACCESS_KEY": "sk-PLANTED-2"}
    assert "AWS_DEPLOY_ACCESS_KEY_ID" in select(found, exclude=["API_TOKEN"])


@pytest.mark.parametrize("export", ["X\nLD_PRELOAD", "bad name", "1X"])
def test_a_schema_name_that_is_no_variable_name_is_refused(export: str) -> None:
    schema = Schema("evil", (Field("token", export=export),))
    held = {"tok": Secret("tok", "prod", None, {"token": "tok-PLANTED-7"}, "evil")}
    found = environment_variables("prod", held, {}, {"evil": schema})
    with pytest.raises(UsageError) as caught:
        select(found)
    text = caught.value.diagnostics()
    assert "is not a variable name" in text and "schema evil" in text
    assert "PLANTED" not in text and text.count("\n") <= 1
    with pytest.raises(UsageError, match="not a variable name"):  # the deny-list's own check
        checked_values(found.variables, allow=[export])
    assert plain(select(found, exclude=[export])) == {"TOK_TOKEN": "tok-PLANTED-7"}


@pytest.mark.parametrize("name", ["X\nLD_PRELOAD", "bad name", "9A", "A-B"])
def test_check_variables_refuses_any_name_that_is_no_variable_name(name: str) -> None:
    with pytest.raises(UsageError, match=r"not a variable name.*from exports"):
        check_variables({name: ""}, {name: "exports thing"}, allow=[name])


def test_a_default_name_that_is_no_variable_name_is_refused_when_selected() -> None:
    held = {"1db": Secret("1db", "prod", "pw-PLANTED-8"),
            "ok-one": Secret("ok-one", "prod", "v")}
    found = environment_variables("prod", held)
    with pytest.raises(UsageError, match=r"'1DB' is not a variable name.*secret '1db'"):
        select(found)
    assert plain(select(found, ["ok-one"])) == {"OK_ONE": "v"}


@pytest.mark.parametrize(("var", "template"), [
    ("1A", "{{ api-token }}"), ("A", "pre{{ api-token }}"),
    ("A", "{{ api-token }}{{ api-token }}"), ("", "{{ api-token }}"), ("A", "plain")])
def test_export_problem_is_the_shape_rule(var: str, template: str) -> None:
    assert export_problem(var, template) is not None
    with pytest.raises(UsageError):
        environment_variables("prod", secrets(api_token="t"), {var: template})
    assert export_problem("A", " {{ api-token }} ") is None


def test_bad_variable_name() -> None:
    with pytest.raises(UsageError, match="not a variable name"):
        environment_variables("prod", secrets(api_token="t"), {"1X": "{{ api-token }}"})


def test_only_and_exclude_take_secrets_variables_and_globs() -> None:
    held = secrets(aws_deploy=AWS, db=PG, api_token="tok-PLANTED-6")
    assert set(environ(held, only=["api-token"])) == {"API_TOKEN"}
    assert set(environ(held, only=["PGHOST", "API_TOKEN"])) == {"PGHOST", "API_TOKEN"}
    assert set(environ(held, only=["AWS_*"])) == {
        "AWS_DEPLOY_ACCESS_KEY_ID", "AWS_DEPLOY_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY"}
    # a secret name selects every variable it gives, schema names included
    assert "AWS_ACCESS_KEY_ID" in environ(held, only=["aws-deploy"])
    left = environ(held, exclude=["AWS_*", "db"])
    assert set(left) == {"API_TOKEN"}
    assert environ(held, exclude=["NOPE_*"]) == environ(held)  # a glob may match nothing


@pytest.mark.parametrize("flag", ["only", "exclude"])
def test_unknown_plain_name_is_an_error_with_a_suggestion(flag: str) -> None:
    found = environment_variables("prod", secrets(api_token="t", db=PG), {}, BUILTIN)
    with pytest.raises(UsageError) as caught:
        select(found, **{flag: ["api-tokn"]})
    assert "did you mean 'api-token'" in caught.value.diagnostics()


def test_two_secrets_one_name_conflict_only_when_selected() -> None:
    held = {"db-user": Secret("db-user", "prod", "a-PLANTED"),
            "db": Secret("db", "prod", None, {"user": "b-PLANTED"}),
            "api-token": Secret("api-token", "prod", "t")}
    found = environment_variables("prod", held)
    with pytest.raises(ConflictError) as caught:
        select(found)
    assert "DB_USER" in caught.value.diagnostics()
    assert "PLANTED" not in caught.value.diagnostics()
    assert plain(select(found, exclude=["DB_USER"])) == {"API_TOKEN": "t"}


def test_values_stay_masked_in_reprs() -> None:
    found = environment_variables("prod", secrets(aws_deploy=AWS, db=PG), {}, BUILTIN)
    assert "PLANTED" not in repr(found)
