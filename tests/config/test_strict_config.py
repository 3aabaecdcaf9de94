"""Config parsing refuses what it would otherwise lose or misread: an unknown field in a
recipient mapping (a typo drops the label), a quoted 'false' in a schema (a non-empty
string is true), an export that no shell could set."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from secretsfile.config.project import load_project_config
from secretsfile.errors import ConfigError
from secretsfile.secrets.schemas import user_schemas

A = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"


def test_a_recipient_mapping_with_an_unknown_field_is_refused(tmp_path: Path) -> None:
    path = tmp_path / ".secretsfile.yaml"
    path.write_text(f"environments:\n  prod:\n    recipients:\n      - {{key: {A}, nam: x}}\n")
    with pytest.raises(ConfigError) as refused:
        load_project_config(path)
    message = refused.value.diagnostics()
    assert "environment prod" in message and "'nam'" in message
    assert "{key: age1…, name: alice}" in message
    path.write_text(f"environments:\n  prod:\n    recipients:\n      - {{key: {A}, name: x}}\n")
    env = load_project_config(path).environments[0]
    assert list(env.names.values()) == ["x"]


def _schema(field: str) -> dict[str, object]:
    import yaml

    return {"svc": {"fields": [yaml.safe_load(field)]}}


@pytest.mark.parametrize(("field", "words"), [
    ("{name: host, secret: 'false'}", "field 'host': secret must be true or false"),
    ("{name: host, secret: 0}", "field 'host': secret must be true or false"),
    ("{name: host, required: 'no'}", "field 'host': required must be true or false"),
    ("{name: host, export: 'MY-HOST'}", "field 'host': export 'MY-HOST' is not a variable"),
    ("{name: host, export: '1HOST'}", "field 'host': export '1HOST' is not a variable"),
    ("{name: host, export: 'A B'}", "field 'host': export 'A B' is not a variable"),
    ("{name: host, export: 5}", "field 'host': export 5 is not a variable"),
])
def test_schema_fields_are_checked(field: str, words: str) -> None:
    with pytest.raises(ConfigError) as refused:
        user_schemas(_schema(field))
    assert f"schema svc: {words}" in refused.value.diagnostics()


def test_a_well_formed_schema_field() -> None:
    spec = user_schemas(_schema("{name: host, secret: false, required: true, "
                                "export: _MY_HOST2}"))["svc"].fields[0]
    assert (spec.secret, spec.required, spec.export) == (False, True, "_MY_HOST2")


def test_the_cli_says_it_in_one_line(tmp_path: Path) -> None:
    (tmp_path / ".secretsfile.yaml").write_text(
        "environments: [dev]\nschemas:\n  svc:\n    fields:\n"
        "      - {name: host, secret: 'false'}\n")
    done = subprocess.run(["secretsfile", "schema", "list"], cwd=tmp_path, text=True,
                          capture_output=True, check=False)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "secret must be true or false" in done.stderr
