"""Secret values as given on the command line, read without a CLI."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from secretsfile.errors import FormatError, UsageError
from secretsfile.ops.secret_input import (
    gather_pairs,
    pairs_from_args,
    pairs_from_values,
    parse_json,
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


def test_only_secret_fields_typed_inline_warn_about_shell_history(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    warnings: list[str] = []
    monkeypatch.setattr("secretsfile.ops.secret_input.warn", warnings.append)
    postgres = find_schema("postgres")
    secret = tmp_path / "pw.txt"
    secret.write_text("hunter2")
    gather_pairs(["--user=app", "--host=db", f"--password=@{secret}"], None, None, postgres)
    assert warnings == []  # user and host are not secret
    gather_pairs(["--user=app", "--password=hunter2"], None, None, postgres)
    assert len(warnings) == 1 and "hunter2" not in warnings[0]
    gather_pairs(["--user=app"], None, None)  # without a schema every key may be secret
    assert len(warnings) == 2


def test_schema_keys_and_utf8() -> None:
    schema = find_schema("aws")
    field = schema.field_names()[0]
    assert schema_keys({field.replace("_", "-"): "x", "other-key": "y"}, schema) == {
        field: "x", "other-key": "y"}
    assert schema_keys({"a-b": "x"}, None) == {"a-b": "x"}
    with pytest.raises(FormatError):
        utf8_value(b"\xff", "stdin")


def test_at_at_is_a_literal_at_and_unreadable_files_are_not_echoed(tmp_path: Path) -> None:
    assert pairs_from_args(["--password=@@hunter2-PLANTED"]) == {"password": "@hunter2-PLANTED"}
    assert pairs_from_args(["--password=@@@x"]) == {"password": "@@x"}
    with pytest.raises(UsageError) as caught:
        pairs_from_args(["--password=@hunter2-PLANTED"])  # meant literally, no such file
    shown = f"{caught.value} {caught.value.hint}"
    assert "hunter2-PLANTED" not in shown
    assert "--password=@@" in shown
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\xffsecret-PLANTED")
    with pytest.raises(FormatError) as caught_utf8:
        pairs_from_args([f"--key=@{bad}"])
    assert "secret-PLANTED" not in str(caught_utf8.value)


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


PEM = ("-----BEGIN PRIVATE KEY-----\nMIIEv-PLANTED-line1\nline2-PLANTED\n"
       "-----END PRIVATE KEY-----\n")


def test_prompts_show_open_fields_hide_secret_ones_and_read_pem(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    from secretsfile.cli import common

    asked: list[tuple[str, bool]] = []
    real = common._read_line

    def spy(label: str, hidden: bool, newline: bool = True) -> str:
        asked.append((label, hidden))
        return real(label, hidden, newline)

    monkeypatch.setattr(common, "_read_line", spy)
    (tmp_path / "key.pem").write_text(PEM)
    answers = "acct-x\nme\n\n" + PEM + "\nwh\n\n\n\n"  # password skipped: optional
    monkeypatch.setattr(sys, "stdin", FakeTTY(answers))
    pairs = common.prompt_pairs(find_schema("snowflake"))
    assert pairs == {"account": "acct-x", "user": "me", "private_key": PEM, "warehouse": "wh"}
    kinds = {label.split(" ")[0].rstrip(":"): hide for label, hide in asked if label}
    assert kinds["account"] is False and kinds["user"] is False
    assert kinds["password"] is True and kinds["private_key"] is True
    err = capsys.readouterr().err
    assert "-----END" in err and "@path" in err  # the prompt says how
    assert "PLANTED" not in err
    monkeypatch.setattr(sys, "stdin", FakeTTY(f"k1\n@{tmp_path / 'key.pem'}\nk2\n@@at\n\n"))
    assert common.prompt_pairs(None) == {"k1": PEM, "k2": "@at"}


def test_prompts_need_a_terminal_and_an_end_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from secretsfile.cli import common

    monkeypatch.setattr(sys, "stdin", io.StringIO("x\n"))
    with pytest.raises(UsageError):
        common.prompt_pairs(None)
    monkeypatch.setattr(sys, "stdin", FakeTTY("k\n-----BEGIN KEY-----\nabc-PLANTED\n"))
    with pytest.raises(UsageError) as caught:
        common.prompt_pairs(None)
    assert "PLANTED" not in str(caught.value)
    required = FakeTTY("\n\nvalue-1\nbase\n")  # a required field is asked again
    monkeypatch.setattr(sys, "stdin", required)
    assert common.prompt_pairs(find_schema("api-key")) == {"api_key": "value-1",
                                                           "base_url": "base"}


@pytest.mark.parametrize("text", ['"abc"', '""', '"a\\nb"', '"é\u2028"', '"\x7f"', ' "x"',
                                  '"a\\"b"', "12", "-1.5e3", "null", '{"k": [1, "v"]}'])
def test_parse_json_reads_what_json_reads(text: str) -> None:
    assert parse_json(text, "VALUE") == json.loads(text)  # the plain-string path included


@pytest.mark.parametrize("text", ['"a\tb"', '"a"b"', '"', '"x', "hunter2"])
def test_parse_json_refuses_what_json_refuses_without_echoing(text: str) -> None:
    with pytest.raises(FormatError) as caught:
        parse_json(text, "VALUE")
    assert str(caught.value).startswith("VALUE")
    assert text not in str(caught.value)
