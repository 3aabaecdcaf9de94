"""Secret values as given on the command line, read without a CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from secretsfile.errors import FormatError, UsageError
from secretsfile.ops.secret_input import (
    gather_pairs,
    pairs_from_args,
    pairs_from_values,
    schema_keys,
    utf8_value,
)
from secretsfile.secrets.schemas import find_schema


def test_values_from_json_and_yaml(tmp_path: Path) -> None:
    assert pairs_from_values('{"user": "app", "port": 5432, "ok": true}') == {
        "user": "app", "port": "5432", "ok": "true"}
    yaml_file = tmp_path / "v.yaml"
    yaml_file.write_text("pin: 0123\nflag: on\n")
    assert pairs_from_values(f"@{yaml_file}") == {"pin": "0123", "flag": "on"}  # as written
    for bad in ("[1, 2]", '{"a": {"b": 1}}', "{not json"):
        with pytest.raises(FormatError):
            pairs_from_values(bad)


def test_args_and_one_source_only(tmp_path: Path) -> None:
    secret = tmp_path / "pw.txt"
    secret.write_text("hunter2\n")
    assert pairs_from_args([f"--password=@{secret}", "--user=app"]) == {
        "password": "hunter2", "user": "app"}
    with pytest.raises(UsageError) as caught:
        pairs_from_args(["--password", "hunter2"])
    assert "hunter2" not in str(caught.value)
    with pytest.raises(UsageError):
        gather_pairs(["--a=b"], '{"a": "b"}', None)
    assert gather_pairs([], None, lambda: {"k": "v"}) == {"k": "v"}


def test_schema_keys_and_utf8() -> None:
    schema = find_schema("aws")
    field = schema.field_names()[0]
    assert schema_keys({field.replace("_", "-"): "x", "other-key": "y"}, schema) == {
        field: "x", "other-key": "y"}
    assert schema_keys({"a-b": "x"}, None) == {"a-b": "x"}
    with pytest.raises(FormatError):
        utf8_value(b"\xff", "stdin")
