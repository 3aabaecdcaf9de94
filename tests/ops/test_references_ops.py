"""References against real environment files: check without a key, render, resolve."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from secretsfile.config.project import ProjectConfig, load_project_config
from secretsfile.errors import ConfigError, FormatError, KeyUnavailableError, UsageError
from secretsfile.keysources.age import default_key_file
from secretsfile.ops.keygen import keygen
from secretsfile.ops.references import (
    check_files,
    environment_shapes,
    render_file,
    render_string,
    resolve,
    validation_level,
)
from secretsfile.ops.secrets import save_secret
from secretsfile.secrets.model import Secret
from secretsfile.secrets.references import ValidationLevel
from tests.references_project import seed_project

PLANTED = ("pw-PLANTED-prod-1", "pw-PLANTED-dev-2", "tok-PLANTED-3", "mine-PLANTED-4")


@pytest.fixture
def proj(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ProjectConfig:
    """dev and prod, encrypted for the user's own age key."""
    monkeypatch.chdir(tmp_path)
    key = keygen("age")
    return seed_project(tmp_path, key.public, PLANTED[0], PLANTED[2], PLANTED[1])


def no_value_in(*texts: str) -> None:
    for text in texts:
        for value in PLANTED:
            assert value not in text


def drop_key() -> None:
    default_key_file().unlink()


def test_shapes_are_read_without_a_key(proj: ProjectConfig) -> None:
    drop_key()
    assert environment_shapes(proj, proj.choose("prod")) == {
        "database": ("user", "password", "port"), "api-token": None}
    assert environment_shapes(proj, proj.choose("dev")) == {
        "database": ("user", "password", "port")}


def test_private_secrets_count_for_their_owner(proj: ProjectConfig) -> None:
    prod = proj.choose("prod")
    save_secret(proj, prod, Secret("mine", "prod", value=PLANTED[3], private=True), create=True)
    assert environment_shapes(proj, prod)["mine"] is None
    assert render_string("x={{ mine }}", env="prod", config=proj) == f"x={PLANTED[3]}"


def test_check_needs_no_key_and_reports_every_environment(proj: ProjectConfig,
                                                          tmp_path: Path) -> None:
    drop_key()
    app = tmp_path / "app.yaml"
    app.write_text("user: {{ database.user }}\ntoken: {{ api-token }}\n"
                   "pw: {{ databse.password }}\n")
    report = check_files([app], config=proj)
    assert report.envs == ("dev", "prod")
    assert report.lines() == [
        "app.yaml:2:8: {{ api-token }}: secret 'api-token' not found in dev",
        "app.yaml:3:5: {{ databse.password }}: secret 'databse' not found in dev "
        "(did you mean 'database'?)",
        "app.yaml:3:5: {{ databse.password }}: secret 'databse' not found in prod "
        "(did you mean 'database'?)",
    ]
    only_prod = check_files([app], env="prod", config=proj)
    assert [p.code for _, p in only_prod.problems] == ["secret-not-found"]
    assert only_prod.references == 3
    no_value_in(*report.lines(), json.dumps(report.as_dict()))


def test_check_uses_secretsfile_env_and_default(proj: ProjectConfig, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    app = tmp_path / "app.txt"
    app.write_text("{{ api-token }}")
    monkeypatch.setenv("SECRETSFILE_ENV", "prod")
    assert check_files([app], config=proj).ok


def test_broken_references_are_reported_once(proj: ProjectConfig, tmp_path: Path) -> None:
    app = tmp_path / "app.json"
    app.write_text('{"a": "{{ database.password }"}\n')
    report = check_files([app], config=proj)
    assert report.lines() == [
        "app.json:1:8: {{ database.password }: broken reference: missing '}}'"]
    assert report.problems[0][1].env is None


def test_validation_level_from_the_environment(proj: ProjectConfig, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    app = tmp_path / "app.yaml"
    app.write_text("a: {{ database.nokey }}\nb: {{ nothere.x }}\nc: {{ database. }}\n")
    assert validation_level() is ValidationLevel.SECRET_AND_KEY_EXISTS
    assert len(check_files([app], env="prod", config=proj).problems) == 3
    monkeypatch.setenv("SECRETSFILE_SECRET_VALIDATION_LEVEL", "SECRET_EXISTS")
    assert [p.code for _, p in check_files([app], env="prod", config=proj).problems] == [
        "secret-not-found", "broken"]
    monkeypatch.setenv("SECRETSFILE_SECRET_VALIDATION_LEVEL", "none")
    report = check_files([app], env="prod", config=proj)
    assert [p.code for _, p in report.problems] == ["broken"]
    assert report.envs == ()
    monkeypatch.setenv("SECRETSFILE_SECRET_VALIDATION_LEVEL", "bogus")
    with pytest.raises(ConfigError):
        check_files([app], config=proj)
    # an explicit level wins over the variable
    assert len(check_files([app], env="prod", level="SECRET_AND_KEY_EXISTS",
                           config=proj).problems) == 3


def test_level_none_reads_no_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.txt").write_text("{{ db.password }")
    report = check_files([tmp_path / "t.txt"], level="NONE")
    assert [p.code for _, p in report.problems] == ["broken"]
    with pytest.raises(ConfigError, match="no environments"):
        check_files([tmp_path / "t.txt"])


def test_unknown_environment_names_the_closest(proj: ProjectConfig, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("{{ api-token }}")
    with pytest.raises(ConfigError, match="unknown environment 'prd'") as caught:
        check_files([tmp_path / "a.txt"], env="prd", config=proj)
    assert "did you mean 'prod'" in caught.value.diagnostics()
    with pytest.raises(ConfigError):
        render_string("{{ api-token }}", env="prd", config=proj)


def test_configured_files_and_binary_files(proj: ProjectConfig, tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "a.yaml").write_text("a: {{ api-token }}\n")
    (tmp_path / "config" / "logo.yaml").write_bytes(b"\x00\x01{{ nope }}")
    cfg = tmp_path / ".secretsfile.yaml"
    cfg.write_text(cfg.read_text() + "references: [config/*.yaml]\n")
    report = check_files(env="prod", config=load_project_config(cfg))
    assert report.files == ["config/a.yaml"]
    assert report.skipped == ["config/logo.yaml"]
    assert report.ok
    cfg.write_text(cfg.read_text().replace("references: [config/*.yaml]",
                                           "references: {files: 3}"))
    with pytest.raises(ConfigError, match="references"):
        check_files(env="prod", config=load_project_config(cfg))


def test_missing_file_is_a_usage_error(proj: ProjectConfig, tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        check_files([tmp_path / "nope.yaml"], config=proj)


def test_render_file_escapes_for_the_format(proj: ProjectConfig, tmp_path: Path) -> None:
    template = tmp_path / "app.json.tmpl"
    template.write_text('{"url": "postgres://{{ database.user }}:{{ database.password }}@db",'
                        ' "port": {{ database.port }}, "token": {{ api-token }}}\n')
    data = json.loads(render_file(template, env="prod", config=proj))
    # port is stored as the string "5432": a string it stays
    assert data == {"url": f"postgres://admin:{PLANTED[0]}@db", "port": "5432",
                    "token": PLANTED[2]}
    dev = json.loads(render_string('{"p": "{{ database.password }}"}', env="dev", fmt="json",
                                   config=proj))
    assert dev == {"p": PLANTED[1]}


def test_render_problems_need_no_key_and_show_no_value(proj: ProjectConfig,
                                                       tmp_path: Path) -> None:
    drop_key()
    template = tmp_path / "app.yaml"
    template.write_text("a: {{ database.password }}\nb: {{ api-tokn }}\n")
    with pytest.raises(UsageError) as caught:
        render_file(template, env="prod", config=proj)
    assert caught.value.diagnostics() == (
        "app.yaml:2: {{ api-tokn }}: secret 'api-tokn' not found in prod "
        "(did you mean 'api-token'?)")
    # no reference to resolve: no key needed either
    assert render_string("plain {{ .Values.x }}", env="prod", config=proj) == (
        "plain {{ .Values.x }}")
    # a good reference needs the key
    good = tmp_path / "ok.yaml"
    good.write_text("a: {{ api-token }}\n")
    with pytest.raises(KeyUnavailableError) as no_key:
        render_file(good, env="prod", config=proj)
    no_value_in(caught.value.diagnostics(), no_key.value.diagnostics())


def test_render_broken_reference_is_a_format_error(proj: ProjectConfig) -> None:
    with pytest.raises(FormatError) as caught:
        render_string("a: {{ database.password }", env="prod", config=proj, source="x.yaml")
    assert caught.value.diagnostics().startswith("x.yaml:1: {{ database.password }: broken")


class Pair(NamedTuple):
    left: str
    right: int


def test_resolve_walks_python_data(proj: ProjectConfig) -> None:
    data: dict[str, Any] = {
        "url": "postgres://{{database.user}}:{{ database.password }}@db:{{ database.port }}",
        "items": ["{{ api-token }}", 3, None, ("{{ database.user }}",)],
        "pair": Pair("{{ database.user }}", 1),
        "helm": "{{ .Values.x }}",
        "flag": True,
    }
    resolved = resolve(data, env="prod", config=proj)
    assert resolved == {
        "url": f"postgres://admin:{PLANTED[0]}@db:5432",
        "items": [PLANTED[2], 3, None, ("admin",)],
        "pair": Pair("admin", 1),
        "helm": "{{ .Values.x }}",
        "flag": True,
    }
    assert data["url"].startswith("postgres://{{")  # the input is not changed
    assert resolve(42, env="prod", config=proj) == 42


def test_resolve_inside_secret_str(proj: ProjectConfig) -> None:
    pydantic = pytest.importorskip("pydantic")
    resolved = resolve({"pw": pydantic.SecretStr("{{ database.password }}")}, env="dev",
                       config=proj)
    assert isinstance(resolved["pw"], pydantic.SecretStr)
    assert resolved["pw"].get_secret_value() == PLANTED[1]


def test_resolve_names_where_a_reference_fails(proj: ProjectConfig) -> None:
    with pytest.raises(UsageError) as caught:
        resolve({"db": {"url": "x{{ database.pasword }}"}}, env="prod", config=proj)
    text = caught.value.diagnostics()
    assert text.startswith("db.url:1: {{ database.pasword }}: secret 'database' has no key")
    assert "did you mean 'password'" in text
    no_value_in(text)


def test_resolve_without_references_reads_nothing(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no project at all
    assert resolve({"a": ["b", 1]}) == {"a": ["b", 1]}


def test_library_export() -> None:
    """The public resolve is the entry point that looks the project config up."""
    import secretsfile
    from secretsfile import api

    assert secretsfile.resolve is api.resolve


def test_check_ignores_default_env(proj: ProjectConfig, tmp_path: Path) -> None:
    cfg = tmp_path / ".secretsfile.yaml"
    cfg.write_text("default_env: prod\n" + cfg.read_text())
    app = tmp_path / "app.txt"
    app.write_text("{{ api-token }}")
    project = load_project_config(cfg)
    report = check_files([app], config=project)
    assert report.envs == ("dev", "prod")
    assert [p.env for _, p in report.problems] == ["dev"]
    # render and resolve use it
    assert render_string("{{ api-token }}", config=project) == PLANTED[2]


def test_render_uses_the_environments_key_variable(proj: ProjectConfig,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_PROD", default_key_file().read_text())
    drop_key()
    assert render_string("{{ api-token }}", env="prod", config=proj) == PLANTED[2]
    assert resolve(["{{ database.user }}"], env="prod", config=proj) == ["admin"]
    with pytest.raises(KeyUnavailableError) as caught:
        render_string("{{ database.user }}", env="dev", config=proj)
    assert "SECRETSFILE_AGE_KEY_DEV" in (caught.value.hint or "")
    no_value_in(caught.value.diagnostics())


def test_schema_choice_for_new_secrets() -> None:
    from secretsfile.ops.register import choose_schema

    assert choose_schema("aws-deploy", ["access_key_id", "secret_access_key"], {}) == "aws"
    assert choose_schema("app-db", ["user", "password"], {}) is None  # several schemas fit
    assert choose_schema("app-postgres", ["user", "password"], {}) == "postgres"
    assert choose_schema("token", [], {}) is None
    custom = {"schemas": {"stripe": {"fields": [{"name": "secret_key"}]}}}
    assert choose_schema("billing", ["secret_key"], custom) == "stripe"


def test_needed_secrets_group_keys_and_skip_existing(proj: ProjectConfig,
                                                     tmp_path: Path) -> None:
    from secretsfile.ops.register import needed_secrets

    default_key_file().unlink()  # names are in clear: no key to find what is missing
    app = tmp_path / "app.yaml"
    app.write_text("a: {{ app-db.user }}\nb: {{ app-db.password }}\nc: {{ app-db.user }}\n"
                   "d: {{ database.password }}\ne: {{ api-token }}\n")
    needed = {(n.env, n.name): n for n in needed_secrets(proj, [app])}
    assert set(needed) == {("dev", "app-db"), ("prod", "app-db"), ("dev", "api-token")}
    assert needed["prod", "app-db"].keys == ("user", "password")
    assert needed["prod", "app-db"].where == ("app.yaml:1", "app.yaml:2", "app.yaml:3")
    assert needed["dev", "api-token"].keys == ()
