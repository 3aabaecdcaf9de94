"""References, pure part: finding, validating and rendering {{name.key}} in text."""

from __future__ import annotations

import configparser
import json
from collections.abc import Mapping

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from secretsfile.errors import ConfigError, FormatError, UsageError
from secretsfile.secrets.naming import NamingPolicy, key_problem
from secretsfile.secrets.placing import Typed
from secretsfile.secrets.references import (
    ValidationLevel,
    find_references,
    format_for_template,
    parse_level,
    render_text,
    validate,
)

SHAPES: Mapping[str, tuple[str, ...] | None] = {
    "db": ("user", "password", "port"),
    "api-token": None,
    "snowflake-user": ("account", "password"),
    "empty-group": (),
}
VALUES: dict[str, str | dict[str, str]] = {
    "db": {"user": "admin", "password": "pw-PLANTED-1", "port": "5432"},
    "api-token": "tok-PLANTED-2",
    "snowflake-user": {"account": "acme", "password": "sf-PLANTED-3"},
    "empty-group": {},
}


def lookup_in(values: Mapping[str, str | dict[str, str]]):  # type: ignore[no-untyped-def]
    def lookup(name: str, key: str | None) -> str:
        value = values[name]
        if key is None:
            assert isinstance(value, str)
            return value
        assert isinstance(value, dict)
        return value[key]

    return lookup


def render(text: str, fmt: str = "text", values: Mapping[str, str | dict[str, str]] = VALUES,
           shapes: Mapping[str, tuple[str, ...] | None] | None = None) -> str:
    if shapes is None:
        shapes = {n: (tuple(v) if isinstance(v, dict) else None) for n, v in values.items()}
    return render_text(text, lookup_in(values), fmt=fmt, shapes=shapes, env="prod",
                       path="t")


# --- finding ------------------------------------------------------------------------------

def test_finds_references_with_line_and_column_and_tolerates_spaces() -> None:
    text = "a: {{db.user}}\nb: x {{  db.password  }} y {{ api-token }}\n"
    refs = find_references(text)
    assert [(r.kind, r.name, r.key, r.line, r.column) for r in refs] == [
        ("ref", "db", "user", 1, 4),
        ("ref", "db", "password", 2, 6),
        ("ref", "api-token", None, 2, 28),
    ]
    assert refs[1].label == "{{  db.password  }}"


@pytest.mark.parametrize("text", [
    "${{ secrets.GITHUB_TOKEN }}",  # GitHub Actions
    "{{{ triple }}}",  # Handlebars
    "{{ .Values.image }}",  # Helm
    "{{- if .Values.x }}",
    "{{ 'literal' }}",
    "{ {db.user} }",
    "{{ }}",
])
def test_other_tools_syntax_is_not_a_reference(text: str) -> None:
    assert find_references(text) == []


def test_escaped_reference_is_a_literal() -> None:
    (ref,) = find_references("x: \\{{ db.password }}")
    assert ref.kind == "escaped"
    assert render("x: \\{{ db.password }}") == "x: {{ db.password }}"
    # an escaped backslash does not escape: the reference renders after it
    assert render("x: \\\\{{ db.user }}") == "x: \\\\admin"
    # a backslash before braces that start no reference is left alone (a regex)
    assert render("re: \\{{2}") == "re: \\{{2}"


def test_broken_references_are_found() -> None:
    refs = find_references("a: {{ db.password }\nb: {{ db. }}\nc: {{ db | upper }}\nd: {{ db")
    assert [(r.kind, r.line, r.problem) for r in refs] == [
        ("broken", 1, "missing '}}'"),
        ("broken", 2, "empty key after '.'"),
        ("other", 3, refs[2].problem),
        ("broken", 4, "missing '}}'"),
    ]
    assert refs[0].label == "{{ db.password }"


@pytest.mark.parametrize("key", ["2fa_seed", "user", "A-1", "_schema_unencrypted", "_x"])
def test_a_reference_key_is_what_the_key_rule_accepts(key: str) -> None:
    refs = find_references(f"{{{{ db.{key} }}}}")
    parsed = len(refs) == 1 and refs[0].kind == "ref" and refs[0].key == key
    assert parsed is (key_problem(key) is None)  # one rule: naming.KEY_PATTERN


# --- validating ---------------------------------------------------------------------------

def codes(text: str, level: ValidationLevel = ValidationLevel.SECRET_AND_KEY_EXISTS,
          shapes: Mapping[str, tuple[str, ...] | None] | None = SHAPES) -> list[str]:
    return [p.code for p in validate(find_references(text), shapes, level=level, env="prod")]


def test_valid_references_have_no_problem() -> None:
    assert codes("{{ db.user }} {{db.port}} {{ api-token }} {{ snowflake-user.account }}") == []


def test_missing_secret_suggests_the_closest_names() -> None:
    (problem,) = validate(find_references("x: {{ dbb.password }}"), SHAPES, env="prod")
    assert problem.code == "secret-not-found"
    assert problem.message == "secret 'dbb' not found in prod (did you mean 'db'?)"
    assert problem.suggestions == ("db",)
    assert problem.line_text("app.yaml") == (
        "app.yaml:1:4: {{ dbb.password }}: secret 'dbb' not found in prod (did you mean 'db'?)")


def test_missing_key_suggests_the_closest_keys() -> None:
    (problem,) = validate(find_references("{{ db.pasword }}"), SHAPES, env="prod")
    assert problem.code == "key-not-found"
    assert problem.message.startswith(
        "secret 'db' has no key 'pasword' in prod (did you mean 'password'")
    assert problem.suggestions[0] == "password"


def test_group_without_key_and_key_of_a_single_value() -> None:
    assert codes("{{ db }}") == ["needs-key"]
    assert codes("{{ api-token.value }}") == ["not-a-group"]
    assert codes("{{ empty-group.x }}") == ["key-not-found"]


def test_misspelled_name_is_reported_with_its_fix() -> None:
    (problem,) = validate(find_references("{{ snowflake_user.account }}"), SHAPES)
    assert problem.suggestions == ("snowflake-user",)


def test_names_that_are_not_secret_names_are_left_alone() -> None:
    # uppercase or underscores (not the default naming pattern) and not close to a secret
    assert codes("{{ FOO }} {{ user_name }} {{ HOME.dir }}") == []
    # spelled like a secret name: a missing secret, even when too short for the policy
    assert codes("{{ ab }}") == ["secret-not-found"]


def test_naming_policy_decides_what_looks_like_a_name() -> None:
    upper = NamingPolicy(pattern=r"^[A-Z][A-Z0-9_]*$")
    problems = validate(find_references("{{ FOO }} {{ bar }}"), SHAPES, policy=upper)
    assert [p.reference.name for p in problems] == ["FOO"]


def test_broken_references_are_problems_when_they_look_like_ours() -> None:
    assert codes("{{ db.password }") == ["broken"]
    assert codes("{{ db. }}") == ["broken"]
    assert codes("{{ db | upper }}") == ["broken"]  # db is a secret
    assert codes("{{ user | upper }}") == []  # Jinja: not a secret
    assert codes("{{ FOO.bar }") == []


def test_validation_levels() -> None:
    text = "{{ nope.x }} {{ db.nokey }} {{ db }} {{ db.password }"
    assert codes(text, ValidationLevel.SECRET_AND_KEY_EXISTS) == [
        "secret-not-found", "key-not-found", "needs-key", "broken"]
    assert codes(text, ValidationLevel.SECRET_EXISTS) == ["secret-not-found", "broken"]
    assert codes(text, ValidationLevel.NONE) == ["broken"]
    assert codes(text, shapes=None) == ["broken"]


def test_parse_level() -> None:
    assert parse_level(None) is ValidationLevel.SECRET_AND_KEY_EXISTS
    assert parse_level("") is ValidationLevel.SECRET_AND_KEY_EXISTS
    assert parse_level(" secret_exists ") is ValidationLevel.SECRET_EXISTS
    assert parse_level("NONE") is ValidationLevel.NONE
    with pytest.raises(ConfigError, match="SECRETSFILE_SECRET_VALIDATION_LEVEL must be one of"):
        parse_level("ALL")


@pytest.mark.parametrize(("name", "fmt"), [
    ("app.yaml", "yaml"), ("app.yml", "yaml"), ("a/b.JSON", "json"), ("x.toml", "toml"),
    ("setup.cfg", "ini"), ("a.ini", "ini"), ("app.json.tmpl", "json"), ("v.yaml.j2", "yaml"),
    ("README", "text"), ("notes.txt", "text"), (".env", "dotenv"),
    (".env.production", "dotenv"), ("app.env.tmpl", "dotenv"), (".env.json", "json"),
    (".envrc", "text"),
])
def test_format_for_template(name: str, fmt: str) -> None:
    assert format_for_template(name) == fmt


def test_format_override() -> None:
    assert format_for_template("x.txt", "JSON") == "json"
    assert format_for_template(None, "yml") == "yaml"
    assert format_for_template(None) == "text"
    with pytest.raises(UsageError):
        format_for_template("x", "xml")


# --- rendering ----------------------------------------------------------------------------

def test_render_text_substitutes_and_leaves_other_syntax() -> None:
    text = "u={{ db.user }} t={{api-token}} gh=${{ secrets.X }} helm={{ .Values.x }} {{ FOO }}"
    assert render(text) == (
        "u=admin t=tok-PLANTED-2 gh=${{ secrets.X }} helm={{ .Values.x }} {{ FOO }}")


def test_render_fails_before_reading_any_value() -> None:
    def never(name: str, key: str | None) -> str:
        raise AssertionError("a value was read")

    with pytest.raises(UsageError) as caught:
        render_text("a: {{ db.user }}\nb: {{ dbb.password }}\nc: {{ db.nope }}", never,
                    shapes=SHAPES, env="prod", path="app.yaml")
    assert caught.value.diagnostics() == (
        "app.yaml:2: {{ dbb.password }}: secret 'dbb' not found in prod (did you mean 'db'?) "
        "(1 more problem; run 'secretsfile check')")


def test_broken_reference_is_a_format_error() -> None:
    with pytest.raises(FormatError, match="missing"):
        render("a: {{ db.user }")


def test_text_without_references_is_returned_as_is() -> None:
    text = "plain {{ .Values.x }} text\n"
    assert render_text(text, lookup_in({}), shapes={}) == text


TRICKY = [
    "simple", "", "with space", 'q"uote', "back\\slash", "multi\nline\n", "tab\there",
    "colon: space", "hash # x", "unicode é ✓ 😀", "ctrl\x01\x7f\x85", "'single'", "- dash",
    "{{ db.user }}", "true", "123", "null", "\u2028sep", "  lead", "trail  ",
]


@pytest.mark.parametrize("value", TRICKY)
def test_json_string_and_bare_positions_stay_valid_json(value: str) -> None:
    values = {"secret": value, "db": {"port": value}}
    text = '{"in": "pre-{{ secret }}-post", "bare": {{ db.port }}, "n": [{{secret}}]}'
    data = json.loads(render(text, "json", values))
    assert data["in"] == f"pre-{value}-post"
    assert data["bare"] == value  # a string stays a string, even "true", "123" or "null"
    assert data["n"] == [value]


@pytest.mark.parametrize("value", TRICKY)
def test_yaml_quoted_and_whole_scalars_parse_back(value: str) -> None:
    values = {"secret": value}
    text = ('dq: "pre-{{ secret }}-post"\n'
            "whole: {{ secret }}   # comment\n"
            "list:\n  - {{ secret }}\n")
    one_line = value.isprintable() or value == "tab\there"
    if one_line:
        text += "sq: 'x-{{ secret }}'\n"
    data = yaml.safe_load(render(text, "yaml", values))
    assert data["dq"] == f"pre-{value}-post"
    assert data["whole"] == value  # a string stays a string, even "true", "123" or "null"
    assert data["list"] == [value]
    if one_line:
        assert data["sq"] == f"x-{value}"


@pytest.mark.parametrize("value", ["5432", "true", "0.5", "-3"])
def test_typed_values_are_written_as_literals(value: str) -> None:
    values = {"db": {"port": Typed(value)}}
    rendered = render("p: {{ db.port }}\n", "yaml", values)
    assert yaml.safe_load(rendered) == {"p": yaml.safe_load(value)}
    assert json.loads(render('{"p": {{ db.port }}}', "json", values)) == {"p": json.loads(value)}


def test_yaml_block_scalar_reindents_each_line() -> None:
    values = {"cert": "-----BEGIN-----\nAAAA\n-----END-----"}
    text = "tls:\n  cert: |\n    {{ cert }}\n  other: 1\n"
    data = yaml.safe_load(render(text, "yaml", values))
    assert data == {"tls": {"cert": "-----BEGIN-----\nAAAA\n-----END-----\n", "other": 1}}


def test_yaml_unquoted_partial_scalar() -> None:
    text = "url: postgres://{{ db.user }}:{{ db.port }}@host/db\n"
    assert yaml.safe_load(render(text, "yaml")) == {"url": "postgres://admin:5432@host/db"}
    with pytest.raises(FormatError, match="unquoted YAML scalar") as caught:
        render(text, "yaml", {"db": {"user": "a b#c", "port": "1"}})
    assert "a b#c" not in caught.value.diagnostics()
    assert caught.value.hint and "double quotes" in caught.value.hint


def test_yaml_apostrophe_in_plain_text_is_not_a_quote() -> None:
    text = "msg: it's {{ db.user }}\nq: 'a{{ db.user }}'\n"
    assert yaml.safe_load(render(text, "yaml")) == {"msg": "it's admin", "q": "aadmin"}


@pytest.mark.parametrize("value", ["a\nb", "bell\x07"])
def test_yaml_single_quotes_refuse_multiline_and_control(value: str) -> None:
    with pytest.raises(FormatError, match="single-quoted"):
        render("x: '{{ secret }}'", "yaml", {"secret": value})
    with pytest.raises(FormatError, match="comment"):
        render("x: 1 # {{ secret }}", "yaml", {"secret": value})


@pytest.mark.parametrize("value", [v for v in TRICKY if v not in ("true", "123")])
def test_toml_strings_and_bare_values_parse_back(value: str) -> None:
    values = {"secret": value}
    text = 'a = "pre-{{ secret }}"\nb = {{ secret }}\nc = """\n{{ secret }}"""\n'
    tomllib = pytest.importorskip("tomllib")
    data = tomllib.loads(render(text, "toml", values))
    assert data == {"a": f"pre-{value}", "b": value, "c": value}


def test_toml_bare_numbers_and_literal_strings() -> None:
    tomllib = pytest.importorskip("tomllib")
    text = "port = {{ db.port }}\nuser = '{{ db.user }}'\n"
    assert tomllib.loads(render(text, "toml")) == {"port": "5432", "user": "admin"}
    typed = {"db": {"port": Typed("5432"), "user": "admin"}}
    assert tomllib.loads(render(text, "toml", typed)) == {"port": 5432, "user": "admin"}
    with pytest.raises(FormatError, match="literal string"):
        render("x = '{{ secret }}'", "toml", {"secret": "it's"})


def test_ini_values_and_multiline_refusal() -> None:
    text = "[db]\nuser = {{ db.user }}\n; {{ db.port }}\n"
    parser = configparser.ConfigParser()
    parser.read_string(render(text, "ini"))
    assert parser["db"]["user"] == "admin"
    with pytest.raises(FormatError, match="INI"):
        render("[x]\nk = {{ secret }}\n", "ini", {"secret": "a\nevil = 1"})


def test_comment_refuses_multiline() -> None:
    with pytest.raises(FormatError, match="comment"):
        render("a: 1  # {{ secret }}\n", "yaml", {"secret": "x\ny: 2"})
    assert render("a: 1  # {{ secret }}\n", "yaml", {"secret": "x"}) == "a: 1  # x\n"


def test_text_is_raw() -> None:
    assert render("v={{ secret }}", "text", {"secret": 'a"b\nc'}) == 'v=a"b\nc'


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=40))
def test_any_value_in_a_json_template_gives_valid_json(value: str) -> None:
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        return  # not encodable as UTF-8: never a secret value
    values = {"secret": value, "db": {"k": value}}
    text = '{"a": "{{ secret }}", "b": {{ db.k }}, "c": ["x{{secret}}y"]}'
    data = json.loads(render(text, "json", values))
    assert data["a"] == value
    assert data["c"] == [f"x{value}y"]


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_value_in_a_double_quoted_yaml_scalar_parses_back(value: str) -> None:
    data = yaml.safe_load(render('a: "{{ secret }}"\nb: {{ secret }}\n', "yaml",
                                 {"secret": value}))
    assert data["a"] == value
    if isinstance(data["b"], str):
        assert data["b"] == value
