"""sops habits on the file commands, through the CLI: set's positional JSON VALUE,
set/unset --idempotent, stdin ('-' or no FILE) with --filename-override/--input-type,
--indent, .sops.yaml `stores:`, --config / SOPS_CONFIG, --ignore-mac on a tampered file.
The same command lines against the real sops binary: tests/interop/test_sops_habits_interop."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from secretsfile.keysources.age import default_key_file
from tests.cli.conftest import PLANTED, SAMPLE_YAML, Runner

NESTED = 'a:\n  b:\n    - x\n    - "y": 1\n'
PLAIN = "db:\n    password: hunter2-PLANTED-SECRET\nport: 5432\n"


@pytest.fixture
def nested(run: Runner, age_key: str, tmp_path: Path) -> Path:
    path = tmp_path / "nested.yaml"
    path.write_text(NESTED)
    assert run("encrypt", "--in-place", path).code == 0
    return path


def _no_leak(*texts: str) -> None:
    for text in texts:
        for planted in PLANTED:
            assert planted not in text


def test_set_positional_value_is_json_like_sops(run: Runner, enc_yaml: Path) -> None:
    assert run("set", enc_yaml, '["db"]["user"]', '"root"').code == 0
    assert run("set", enc_yaml, '["db"]["port"]', "6543").code == 0
    result = run("set", enc_yaml, '["new"]["map"]', '{"on": true, "list": [1, "two"]}')
    assert result.code == 0, result.stderr
    assert "shell history" in result.stderr  # the same warning as --value
    data = yaml.safe_load(run("decrypt", enc_yaml).stdout)
    assert data["db"]["user"] == "root" and data["db"]["port"] == 6543
    assert data["new"]["map"] == {"on": True, "list": [1, "two"]}


def test_set_positional_value_not_json_is_one_line(run: Runner, enc_yaml: Path) -> None:
    before = enc_yaml.read_bytes()
    result = run("set", enc_yaml, "db.password", "hunter2-PLANTED-SECRET")
    assert result.code != 0 and "Traceback" not in result.output
    assert "VALUE is not JSON" in result.stderr and '\'"text"\'' in result.stderr
    _no_leak(result.stdout, result.stderr)
    assert enc_yaml.read_bytes() == before


def test_set_positional_value_and_an_option_is_refused(run: Runner, enc_yaml: Path) -> None:
    result = run("set", enc_yaml, "db.user", '"x"', "--value-stdin", stdin="y")
    assert result.code == 2 and "give the value one way" in result.stderr


@pytest.mark.parametrize("value", ["-1", "-1.5e-3", "-0"])
def test_set_negative_number_value_as_sops(run: Runner, enc_yaml: Path, value: str) -> None:
    result = run("set", enc_yaml, '["db"]["port"]', value)
    assert result.code == 0, result.stderr
    ours = yaml.safe_load(run("decrypt", enc_yaml).stdout)["db"]["port"]
    assert ours == json.loads(value)
    if shutil.which("sops") is None:
        return
    copy = enc_yaml.with_name("copy.yaml")
    copy.write_bytes(enc_yaml.read_bytes())
    env = {**os.environ, "SOPS_AGE_KEY_FILE": str(default_key_file())}
    subprocess.run(["sops", "set", str(copy), '["db"]["port"]', value], env=env, check=True,
                   capture_output=True)
    theirs = subprocess.run(["sops", "decrypt", str(copy)], env=env, check=True,
                            capture_output=True, text=True).stdout
    assert yaml.safe_load(theirs)["db"]["port"] == ours


@pytest.mark.parametrize("args", [["--valeu", "x"], ["--valeu"], ["-x"], ["-1", "--nope"]])
def test_set_option_typos_stay_usage_errors(run: Runner, enc_yaml: Path,
                                            args: list[str]) -> None:
    before = enc_yaml.read_bytes()
    result = run("set", enc_yaml, "db.user", *args)
    assert result.code == 2 and "Traceback" not in result.output
    assert "No such option" in result.stderr or "no such option" in result.stderr
    assert enc_yaml.read_bytes() == before
    result = run("set", "--valeu", "x", enc_yaml, "db.user")
    assert result.code == 2 and "no such option" in result.stderr.lower()


def test_set_idempotent_writes_nothing_when_the_value_is_there(
    run: Runner, enc_yaml: Path
) -> None:
    assert run("set", enc_yaml, "db.port", "5432").code == 0
    before = enc_yaml.read_bytes()
    result = run("set", "--idempotent", enc_yaml, '["db"]["port"]', "5432")
    assert result.code == 0 and "not written" in result.stderr
    assert enc_yaml.read_bytes() == before  # byte-identical: no new lastmodified or MAC
    assert run("set", "--idempotent", enc_yaml, "db.port", '"5432"').code == 0  # a str now
    assert enc_yaml.read_bytes() != before
    assert yaml.safe_load(run("decrypt", enc_yaml).stdout)["db"]["port"] == "5432"


def test_unset_idempotent_missing_key_is_no_error_and_no_write(
    run: Runner, enc_yaml: Path
) -> None:
    before = enc_yaml.read_bytes()
    result = run("unset", "--idempotent", enc_yaml, '["db"]["nope"]')
    assert result.code == 0 and "nothing to remove" in result.stderr
    assert enc_yaml.read_bytes() == before
    assert run("unset", enc_yaml, '["db"]["nope"]').code == 2
    assert run("unset", "--idempotent", enc_yaml, "db.user").code == 0
    assert "user" not in yaml.safe_load(run("decrypt", enc_yaml).stdout)["db"]


@pytest.mark.parametrize("file_args", [["-"], []])
def test_encrypt_and_decrypt_stdin_with_filename_override(
    run: Runner, age_key: str, tmp_path: Path, file_args: list[str]
) -> None:
    encrypted = run("encrypt", *file_args, "--filename-override", "x.yaml", stdin=PLAIN)
    assert encrypted.code == 0, encrypted.stderr
    _no_leak(encrypted.stdout)
    assert "sops:" in encrypted.stdout
    decrypted = run("decrypt", *file_args, "--filename-override", "x.yaml",
                    stdin=encrypted.stdout)
    assert decrypted.code == 0 and decrypted.stdout == PLAIN
    by_type = run("decrypt", *file_args, "--input-type", "yaml", stdin=encrypted.stdout)
    assert by_type.stdout == decrypted.stdout


def test_stdin_without_a_type_is_one_line(run: Runner, age_key: str) -> None:
    for command in ("encrypt", "decrypt"):
        result = run(command, "-", stdin=SAMPLE_YAML)
        assert result.code == 2 and "--filename-override NAME or --input-type" in result.stderr
        assert "Traceback" not in result.output
    in_place = run("encrypt", "-i", "-", "--input-type", "yaml", stdin=SAMPLE_YAML)
    assert in_place.code == 2 and "--in-place needs a FILE" in in_place.stderr


def test_bad_stdin_is_named_by_its_override(run: Runner, age_key: str) -> None:
    result = run("decrypt", "--filename-override", "a.yaml", "--input-type", "json", "-",
                 stdin="{bad")
    assert result.code != 0 and "a.yaml (stdin):1: invalid JSON" in result.stderr
    result = run("decrypt", "--input-type", "json", "-", stdin="{bad")
    assert result.code != 0 and "stdin:1: invalid JSON" in result.stderr


def test_filename_override_with_a_file_chooses_the_format(
    run: Runner, age_key: str, tmp_path: Path
) -> None:
    plain = tmp_path / "secrets.txt"
    plain.write_text('{"k": "v"}')
    encrypted = run("encrypt", "--filename-override", "x.json", plain)
    assert encrypted.code == 0, encrypted.stderr
    assert json.loads(encrypted.stdout)["k"].startswith("ENC[")
    stored = tmp_path / "stored.txt"
    stored.write_text(encrypted.stdout)
    assert json.loads(run("decrypt", "--filename-override", "x.json", stored).stdout) == {"k": "v"}


def test_filename_override_picks_the_creation_rule(
    run: Runner, age_key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = run("keygen", "--output", tmp_path / "other.txt").stdout.strip()
    (tmp_path / ".sops.yaml").write_text(
        f"creation_rules:\n  - path_regex: ^prod/\n    age: {other}\n  - age: {age_key}\n")
    monkeypatch.chdir(tmp_path)
    for name, recipient in (("prod/x.yaml", other), ("dev/x.yaml", age_key)):
        result = run("encrypt", "--filename-override", name, stdin="k: v\n")
        assert result.code == 0, result.stderr
        assert yaml.safe_load(result.stdout)["sops"]["age"][0]["recipient"] == recipient


def test_indent_on_decrypt_encrypt_and_set(run: Runner, nested: Path, tmp_path: Path) -> None:
    assert run("decrypt", "--indent", "2", nested).stdout == NESTED
    assert run("decrypt", "--indent", "0", nested).stdout.startswith("a:\n    b:\n")
    assert run("set", "--indent", "2", nested, '["a"]["c"]', '"z"').code == 0
    assert nested.read_text().startswith("a:\n  b:\n    - ENC[")
    as_json = run("decrypt", "--output-type", "json", nested).stdout
    assert as_json.startswith('{\n\t"a": {\n\t\t"b"')  # JSON's default: a TAB
    zero = run("decrypt", "--output-type", "json", "--indent", "0", nested).stdout
    assert zero.startswith('{\n"a": {\n"b"')
    plain = tmp_path / "p.json"
    plain.write_text('{"a": {"b": 1}}')
    encrypted = run("encrypt", "--indent", "3", plain).stdout
    assert encrypted.startswith('{\n   "a": {\n      "b": "ENC[')
    assert run("decrypt", "--indent", "-1", nested).code == 2


def test_sops_yaml_stores_indent_and_config_choices(
    run: Runner, nested: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(".sops.yaml").write_text("stores:\n  yaml:\n    indent: 2\n  json:\n    indent: 3\n")
    assert run("decrypt", nested).stdout == NESTED
    assert run("decrypt", "--output-type", "json", nested).stdout.startswith('{\n   "a"')
    assert run("decrypt", "--indent", "0", nested).stdout.startswith("a:\n    b:")  # flag wins
    Path(".sops.yaml").rename("other.yaml")
    assert run("decrypt", nested).stdout.startswith("a:\n    b:")
    assert run("decrypt", "--config", "other.yaml", nested).stdout == NESTED
    monkeypatch.setenv("SOPS_CONFIG", "other.yaml")
    assert run("decrypt", nested).stdout == NESTED
    assert run("set", nested, '["a"]["c"]', "1").code == 0
    assert nested.read_text().startswith("a:\n  b:\n")
    monkeypatch.setenv("SOPS_CONFIG", "missing.yaml")
    result = run("decrypt", nested)
    assert result.code != 0 and "SOPS_CONFIG" in result.stderr


def test_bad_stores_setting_is_one_line(
    run: Runner, nested: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(".sops.yaml").write_text("stores:\n  yaml:\n    indent: two\n")
    result = run("decrypt", nested)
    assert result.code != 0 and "Traceback" not in result.output
    assert ".sops.yaml" in result.stderr and "stores.yaml.indent" in result.stderr


def test_ignore_mac_opens_a_tampered_file_loudly(
    run: Runner, enc_yaml: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = enc_yaml.read_text().splitlines(keepends=True)
    enc_yaml.write_text("".join(line for line in lines if not line.startswith("api_token:")))
    refused = run("decrypt", enc_yaml)
    assert refused.code == 4 and refused.stdout == ""
    opened = run("decrypt", "--ignore-mac", enc_yaml)
    assert opened.code == 0
    assert "NOT VERIFIED (--ignore-mac)" in opened.stderr and "reseal --ignore-mac" in opened.stderr
    assert PLANTED[0] in opened.stdout and PLANTED[1] not in opened.stdout
    _no_leak(opened.stderr, refused.stdout, refused.stderr)
    monkeypatch.setenv("EDITOR", "true")
    assert run("edit", enc_yaml).code == 4
    edited = run("edit", "--ignore-mac", enc_yaml)
    assert edited.code == 0 and "NOT VERIFIED" in edited.stderr


def test_rotate_in_place_flag_is_accepted_like_sops(run: Runner, enc_yaml: Path) -> None:
    before = enc_yaml.read_text()
    result = run("rotate", "-i", enc_yaml)
    assert result.code == 0, result.stderr
    assert result.stdout == "" and enc_yaml.read_text() != before
    assert yaml.safe_load(run("decrypt", enc_yaml).stdout) == yaml.safe_load(
        run("decrypt", enc_yaml).stdout)


def test_updatekeys_yes_flag_is_accepted_like_sops(run: Runner, enc_yaml: Path,
                                                   age_key: str) -> None:
    (enc_yaml.parent / ".sops.yaml").write_text(f"creation_rules:\n  - age: {age_key}\n")
    result = run("updatekeys", "-y", enc_yaml)  # sops scripts pass -y; we never ask
    assert result.code == 0, result.stderr
    assert "all files match the config" in result.stderr


def test_edit_takes_indent_like_encrypt(run: Runner, nested: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITOR", "sed -i s/x/changed-x/")
    result = run("edit", "--indent", "2", nested)
    assert result.code == 0, result.stderr
    assert "\n  b:\n" in nested.read_text()  # written with 2 spaces (it was 4)
    assert yaml.safe_load(run("decrypt", nested).stdout)["a"]["b"][0] == "changed-x"
