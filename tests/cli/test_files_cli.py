"""The everyday CLI on real files and real keys: keygen, encrypt, decrypt, set/get/unset,
keys, status, rotate, updatekeys, and the minimal-diff promise."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
import yaml

from tests.cli.conftest import PLANTED, SAMPLE_YAML, Runner

SEALS = ["mac", "secretsfile_tag"]  # rewritten on every change


def _changed_lines(before: str, after: str) -> list[int]:
    old, new = before.splitlines(), after.splitlines()
    assert len(old) == len(new)
    return [i for i, (a, b) in enumerate(zip(old, new, strict=True)) if a != b]


def test_keygen_writes_private_key_and_never_overwrites(run: Runner, tmp_path: Path) -> None:
    target = tmp_path / "k.txt"
    first = run("keygen", "--output", target)
    assert first.code == 0
    assert first.stdout.startswith("age1")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    before = target.read_bytes()
    again = run("keygen", "--output", target)
    assert again.code == 0 and again.stdout == first.stdout
    assert "already exists" in again.stderr and target.read_bytes() == before


def test_keygen_fernet_prints_key_id(run: Runner) -> None:
    result = run("keygen", "--type", "fernet")
    assert result.code == 0
    assert len(result.stdout.strip()) == 16


def test_encrypt_decrypt_round_trip(run: Runner, age_key: str, plain_yaml: Path) -> None:
    encrypted = run("encrypt", plain_yaml)
    assert encrypted.code == 0
    assert "ENC[AES256_GCM," in encrypted.stdout and age_key in encrypted.stdout
    assert all(secret not in encrypted.stdout for secret in PLANTED)
    assert "visible_unencrypted: hello" in encrypted.stdout
    out = plain_yaml.with_name("out.yaml")
    out.write_text(encrypted.stdout)
    decrypted = run("decrypt", out)
    assert decrypted.code == 0
    assert yaml.safe_load(decrypted.stdout) == yaml.safe_load(SAMPLE_YAML.replace("- on", "- 'on'"))
    assert "# database settings" in decrypted.stdout


def test_encrypt_refuses_encrypted_file(run: Runner, enc_yaml: Path) -> None:
    result = run("encrypt", "--in-place", enc_yaml)
    assert result.code == 6
    assert "already encrypted" in result.stderr


def test_decrypt_extract_and_output_types(run: Runner, enc_yaml: Path) -> None:
    assert run("decrypt", "--extract", '["db"]["user"]', enc_yaml).stdout == "admin"
    assert run("decrypt", "--extract", "db.port", enc_yaml).stdout == "5432"
    as_json = json.loads(run("decrypt", "--output-type", "json", enc_yaml).stdout)
    assert as_json["db"]["port"] == 5432
    dotenv = run("decrypt", "--output-type", "dotenv", enc_yaml).stdout
    assert "db__user=admin" in dotenv


def test_decrypt_to_file_is_private(run: Runner, enc_yaml: Path, tmp_path: Path) -> None:
    target = tmp_path / "plain.out.yaml"
    result = run("decrypt", "--output", target, enc_yaml)
    assert result.code == 0 and result.stdout == ""
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_set_get_unset_keep_other_ciphertexts(run: Runner, enc_yaml: Path) -> None:
    before = enc_yaml.read_text()
    assert run("set", enc_yaml, "db.user", "--value-stdin", stdin="root\n").code == 0
    after = enc_yaml.read_text()
    changed = [after.splitlines()[i].split(":")[0].strip() for i in _changed_lines(before, after)]
    # the value, sops' MAC and our structure tag: nothing else (stable ciphertexts)
    assert [name for name in changed if name != "lastmodified"] == ["user", *SEALS]
    assert run("get", enc_yaml, "db.user").stdout == "root\n"
    assert run("unset", enc_yaml, '["api_token"]').code == 0
    assert "api_token" not in run("keys", enc_yaml).stdout
    assert "# database settings" in run("decrypt", enc_yaml).stdout


def test_set_creates_missing_path_and_parses_json(run: Runner, enc_yaml: Path) -> None:
    assert run("set", enc_yaml, "new.port", "--json", "--value-stdin", stdin="8080").code == 0
    assert run("get", enc_yaml, "new", "--json").stdout.strip() == '{\n  "port": 8080\n}'


def test_set_value_on_argv_warns(run: Runner, enc_yaml: Path) -> None:
    result = run("set", enc_yaml, "db.user", "--value", "x")
    assert result.code == 0
    assert "shell history" in result.stderr


def test_keys_and_status_need_no_key(run: Runner, enc_yaml: Path, tmp_path: Path) -> None:
    key_file = Path(os.environ["XDG_CONFIG_HOME"]) / "secretsfile" / "age" / "keys.txt"
    key_file.rename(tmp_path / "moved-away.txt")
    keys = run("keys", enc_yaml)
    assert keys.code == 0
    assert keys.stdout.splitlines() == [
        '["db"]["user"]', '["db"]["password"]', '["db"]["port"]', '["api_token"]',
        '["flags"][0]', '["flags"][1]', '["visible_unencrypted"]',
    ]
    status = json.loads(run("status", "--json", enc_yaml).stdout)
    assert status["encrypted"] is True
    assert status["recipients"][0]["type"] == "age"
    assert status["plaintext_values"] == ['["visible_unencrypted"]']
    assert run("decrypt", enc_yaml).code == 3


def test_status_of_plaintext(run: Runner, plain_yaml: Path) -> None:
    result = run("status", plain_yaml)
    assert result.code == 0 and "not encrypted" in result.stdout


def test_rotate_changes_every_ciphertext(run: Runner, enc_yaml: Path) -> None:
    before = run("decrypt", enc_yaml).stdout
    old_text = enc_yaml.read_text()
    assert run("rotate", enc_yaml).code == 0
    new_text = enc_yaml.read_text()
    assert run("decrypt", enc_yaml).stdout == before
    old_values = {line for line in old_text.splitlines() if "ENC[" in line}
    assert not old_values & {line for line in new_text.splitlines() if "ENC[" in line}


def test_updatekeys_adds_and_removes_recipients(
    run: Runner, enc_yaml: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other_file = tmp_path / "other.txt"
    other = run("keygen", "--output", other_file).stdout.strip()
    values_before = [line for line in enc_yaml.read_text().splitlines() if "ENC[" in line]
    assert run("updatekeys", enc_yaml, "--age", other).code == 0
    values_after = [line for line in enc_yaml.read_text().splitlines() if "ENC[" in line]
    assert values_before[:-1] == values_after[:-1]  # all but the MAC kept their ciphertext
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "nobody"))
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_FILE", str(other_file))
    assert run("get", enc_yaml, "db.user").stdout == "admin\n"
    monkeypatch.delenv("SECRETSFILE_AGE_KEY_FILE")
    assert run("get", enc_yaml, "db.user").code == 3


def test_encrypt_output_onto_existing_file_keeps_unchanged_ciphertext(
    run: Runner, enc_yaml: Path, tmp_path: Path
) -> None:
    plain = tmp_path / "edited.yaml"
    plain.write_text(run("decrypt", enc_yaml).stdout.replace("admin", "operator"))
    before = enc_yaml.read_text()
    assert run("encrypt", plain, "--output", enc_yaml).code == 0
    after = enc_yaml.read_text()
    changed = [after.splitlines()[i].split(":")[0].strip() for i in _changed_lines(before, after)]
    # the value, sops' MAC and our structure tag: nothing else (stable ciphertexts)
    assert [name for name in changed if name != "lastmodified"] == ["user", *SEALS]


def test_no_key_lists_recipients_and_sources(
    run: Runner, enc_yaml: Path, age_key: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "empty"))
    result = run("decrypt", enc_yaml)
    assert result.code == 3
    assert age_key in result.stderr
    assert "SECRETSFILE_AGE_KEY (not set)" in result.stderr
    assert "SOPS_AGE_KEY_FILE (not set)" in result.stderr
    assert "Traceback" not in result.output


def test_fernet_only_file(run: Runner, tmp_path: Path) -> None:
    assert run("keygen", "--type", "fernet").code == 0
    plain = tmp_path / "f.env"
    plain.write_text("TOKEN=abc\n")
    assert run("encrypt", "--fernet", "--in-place", plain).code == 0
    assert "sops_fernet__list_0__map_key_id=" in plain.read_text()
    assert run("decrypt", plain).stdout == "TOKEN=abc\n"


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "secretsfile", "--help"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "encrypt" in result.stdout


def test_key_options_come_from_the_registry(run: Runner, tmp_path: Path) -> None:
    """--fernet-id and --rm-fernet-id are generated like --age/--rm-age: every key source
    gets its options on encrypt, edit and updatekeys without CLI code of its own."""
    key_id = run("keygen", "--type", "fernet").stdout.strip()
    age = run("keygen").stdout.strip()
    plain = tmp_path / "s.yaml"
    plain.write_text("token: abc\n")
    assert run("encrypt", "--fernet-id", key_id, "--in-place", plain).code == 0
    assert run("updatekeys", plain, "--age", age, "--rm-fernet-id", key_id).code == 0
    status = run("status", plain, "--json")
    assert [(r["type"], r["id"]) for r in json.loads(status.stdout)["recipients"]] == [
        ("age", age)]
    nothing = run("updatekeys", plain)
    assert nothing.code == 2 and "--rm-fernet-id" in nothing.stderr
