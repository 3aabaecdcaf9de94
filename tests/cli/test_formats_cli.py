"""INI and binary files through the CLI, and format names (interop with the sops binary is
in tests/interop/test_formats_interop.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import Runner

PLANTED = "hunter2-PLANTED-INI"
INI = f"""\
; database settings
[database]
user = admin
password = {PLANTED} ; keep safe
port = 5432

[app]
name_unencrypted = visible
"""
GO_INI = f"""\
; database settings
[database]
user     = admin
; keep safe
password = {PLANTED}
port     = 5432

[app]
name_unencrypted = visible
"""
RAW = b"\x00\x01binary\xff\xfe not utf-8\r\n" + PLANTED.encode() + b"\n"


def _encrypt(run: Runner, source: Path, target: Path, *flags: str) -> None:
    result = run("encrypt", *flags, "--output", target, source)
    assert result.code == 0, result.stderr
    assert PLANTED not in target.read_text("utf-8", "surrogateescape") + result.output


def _decrypt(run: Runner, path: Path, out: Path, *flags: str) -> bytes:
    result = run("decrypt", *flags, "--output", out, path)
    assert result.code == 0, result.stderr
    assert PLANTED not in result.output
    data = out.read_bytes()
    out.unlink()
    return data


def test_ini_round_trip_is_go_ini_text(run: Runner, age_key: str, tmp_path: Path) -> None:
    plain, enc = tmp_path / "app.ini", tmp_path / "app.enc.ini"
    plain.write_text(INI)
    _encrypt(run, plain, enc)
    text = enc.read_text()
    assert "[sops]\n" in text and "name_unencrypted = visible\n" in text
    assert "; ENC[AES256_GCM," in text  # comments are encrypted, as sops does
    assert _decrypt(run, enc, tmp_path / "out.ini").decode() == GO_INI
    as_yaml = run("decrypt", "--output-type", "yaml", enc)
    assert as_yaml.code == 0 and "DEFAULT: {}\ndatabase:\n" in as_yaml.stdout
    got = run("get", enc, "database.port")
    assert (got.code, got.stdout) == (0, "5432\n")


def test_input_and_output_type_name_ini(run: Runner, age_key: str, tmp_path: Path) -> None:
    plain, enc = tmp_path / "settings.conf", tmp_path / "settings.enc"
    plain.write_text(INI)
    _encrypt(run, plain, enc, "--input-type", "ini")
    assert "[database]\n" in enc.read_text()
    assert _decrypt(run, enc, tmp_path / "o", "--input-type", "ini").decode() == GO_INI
    yaml_file = tmp_path / "s.yaml"
    yaml_file.write_text(f"db:\n    password: {PLANTED}\n    port: 1\n")
    enc_yaml = tmp_path / "s.enc.yaml"
    _encrypt(run, yaml_file, enc_yaml)
    out = _decrypt(run, enc_yaml, tmp_path / "o", "--output-type", "ini")
    assert out.decode() == f"[db]\npassword = {PLANTED}\nport     = 1\n"


@pytest.mark.parametrize("name", ["blob.dat", "key", ".env.local"])
def test_binary_bytes_round_trip(run: Runner, age_key: str, tmp_path: Path, name: str) -> None:
    """Any name no format claims is binary (as sops); ``.env.*`` stays dotenv for
    plaintext, and a binary document found there (sops wrote it) decrypts as binary."""
    plain, enc = tmp_path / "plain.bin", tmp_path / name
    plain.write_bytes(RAW)
    _encrypt(run, plain, enc)
    document = json.loads(enc.read_text())
    assert list(document) == ["data", "sops"] and document["data"].startswith("ENC[")
    assert _decrypt(run, enc, tmp_path / "out") == RAW
    as_json = run("decrypt", "--output-type", "json", enc)
    assert as_json.code == 0 and as_json.stdout.startswith('{\n\t"data": ')


def test_input_type_binary_on_any_name(run: Runner, age_key: str, tmp_path: Path) -> None:
    plain, enc = tmp_path / "notes.yaml", tmp_path / "notes.enc.yaml"
    plain.write_bytes(RAW)
    _encrypt(run, plain, enc, "--input-type", "binary", "--output-type", "json")
    assert json.loads(enc.read_text())["data"].startswith("ENC[")
    assert _decrypt(run, enc, tmp_path / "o", "--input-type", "json",
                    "--output-type", "binary") == RAW


def test_binary_encrypted_file_is_not_encrypted_twice(run: Runner, age_key: str,
                                                      tmp_path: Path) -> None:
    plain, enc = tmp_path / "a.bin", tmp_path / "b.bin"
    plain.write_bytes(RAW)
    _encrypt(run, plain, enc)
    again = run("encrypt", enc)
    assert again.code != 0 and "already encrypted" in again.stderr and again.stdout == ""


def test_binary_output_needs_a_data_value(run: Runner, age_key: str, tmp_path: Path) -> None:
    plain, enc = tmp_path / "s.yaml", tmp_path / "s.enc.yaml"
    plain.write_text(f"password: {PLANTED}\n")
    _encrypt(run, plain, enc)
    result = run("decrypt", "--output-type", "binary", enc)
    assert result.code != 0 and result.stdout == "" and PLANTED not in result.stderr
    assert "no binary data" in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("args", [
    ("encrypt", "--input-type", "bogus", "{f}"),
    ("encrypt", "--output-type", "bogus", "{f}"),
    ("decrypt", "--input-type", "bogus", "{f}"),
    ("decrypt", "--output-type", "bogus", "{f}"),
])  # fmt: skip
def test_unknown_format_name_exits_2_with_one_line(run: Runner, age_key: str, tmp_path: Path,
                                                   args: tuple[str, ...]) -> None:
    plain = tmp_path / "app.ini"
    plain.write_text(INI)
    result = run(*(a.format(f=plain) for a in args))
    assert result.code == 2 and result.stdout == ""
    what = "output format" if "--output-type" in args else "format"
    assert result.stderr.splitlines() == [
        f"error: unknown {what} 'bogus' (use yaml, json, dotenv, ini or binary)"]


@pytest.mark.parametrize("selector", [("--unencrypted-regex", "data"),
                                      ("--encrypted-regex", "nothing"),
                                      ("--unencrypted-suffix", "a")])
def test_selectors_never_leave_binary_data_in_plaintext(
    run: Runner, age_key: str, tmp_path: Path, selector: tuple[str, str]
) -> None:
    """As sops 3.11: selectors are ignored (said on stderr) and the data is encrypted."""
    plain = tmp_path / "blob.dat"
    plain.write_bytes(RAW)
    result = run("encrypt", *selector, plain)
    assert result.code == 0 and PLANTED not in result.output
    assert "selectors do not apply to binary files" in result.stderr
    document = json.loads(result.stdout)
    assert document["data"].startswith("ENC[") and "unencrypted_suffix" not in document["sops"]
    assert not any(key.endswith(("_regex", "_suffix")) for key in document["sops"])
