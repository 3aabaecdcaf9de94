"""``status FILE`` names each key's backend; ``--check`` tries every master key (no value
decrypted, no MAC needed), says ok or why not per key, and exits 1 when the file cannot open."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest

from secretsfile.keysources import registry
from secretsfile.keysources.age import generate_identity
from secretsfile.keysources.fernet import generate_key
from secretsfile.keysources.interface import Recipient
from secretsfile.ops import files
from tests.cli.conftest import Runner

PLANTED = "planted-value-9931"


@pytest.fixture
def groups_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, list[str]]:
    """age A | Fernet F | age B, threshold 2; returns the file and [A, F, B] key material."""
    (a_text, a_pub), (b_text, b_pub) = generate_identity(), generate_identity()
    f_text, f_id = generate_key()
    f_key = f_text.splitlines()[-1]
    monkeypatch.setenv("SECRETSFILE_FERNET_KEY", f_key)  # a Fernet key wraps with itself
    groups = ((Recipient("age", a_pub),), (Recipient("fernet", f_id),), (Recipient("age", b_pub),))
    text = files.encrypt_text(f"token: {PLANTED}\n", "g.yaml",
                              files.EncryptOptions(key_groups=groups, shamir_threshold=2))
    monkeypatch.delenv("SECRETSFILE_FERNET_KEY")
    path = tmp_path / "g.yaml"
    path.write_text(text)
    return path, [a_text, f_key, b_text]


def test_status_names_each_backend(run: Runner, groups_file: tuple[Path, list[str]]) -> None:
    path, _ = groups_file
    result = run("status", path)
    assert result.code == 0, result.stderr
    assert re.search(r"  fernet: \w+ \(Fernet\)\n", result.stdout)
    assert re.search(r"  age: age1\w+ \(age\)\n", result.stdout)
    data = json.loads(run("status", "--json", path).stdout)
    assert [r["backend"] for r in data["recipients"]] == ["age", "Fernet", "age"]
    assert "check" not in data


def test_check_two_of_three_opens(run: Runner, groups_file: tuple[Path, list[str]],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    path, (a_key, f_key, _) = groups_file
    monkeypatch.setenv("SECRETSFILE_AGE_KEY", a_key)
    monkeypatch.setenv("SECRETSFILE_FERNET_KEY", f_key)
    result = run("status", "--check", path)
    assert result.code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert re.fullmatch(r"  age: age1\w+ \(age, group 0\): ok", lines[3])
    assert re.fullmatch(r"  fernet: \w+ \(Fernet, group 1\): ok", lines[4])
    assert re.fullmatch(r"  age: age1\w+ \(age, group 2\): FAILED - none of 1 age identities "
                        r"matches", lines[5])  # every key is tried, even past the threshold
    assert "  can open: yes (2 of 3 key group(s) open, 2 needed)" in lines
    check = json.loads(run("status", "--check", "--json", path).stdout)["check"]
    assert (check["can_open"], check["needed"], check["recovered"]) == (True, 2, 2)
    assert [k["ok"] for k in check["keys"]] == [True, True, False]
    assert PLANTED not in result.output and a_key not in result.output


def test_check_fails_with_two_groups_missing(run: Runner, groups_file: tuple[Path, list[str]],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    path, (_, _, b_key) = groups_file
    monkeypatch.setenv("SECRETSFILE_AGE_KEY", b_key)
    result = run("status", "--check", path)
    assert result.code == 1
    assert result.stdout.count("FAILED - ") == 2
    assert re.search(r"\(Fernet, group 1\): FAILED - Fernet key \w+ not found", result.stdout)
    assert "can open: no (1 of 3 key group(s) open, 2 needed)" in result.stdout
    assert json.loads(run("status", "--check", "--json", path).stdout)["check"]["can_open"] \
        is False


def test_check_decrypts_no_value_and_needs_no_mac(run: Runner, age_key: str,
                                                  tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(f"token: {PLANTED}\n")
    assert run("encrypt", "--in-place", path).code == 0
    text = path.read_text()
    # a broken MAC and a broken value: opening the file fails, its keys still work
    broken = re.sub(r"mac: ENC\[AES256_GCM,data:\w", "mac: ENC[AES256_GCM,data:A", text)
    broken = re.sub(r"token: ENC\[AES256_GCM,data:[^,]+", "token: ENC[AES256_GCM,data:AAAA",
                    broken)
    path.write_text(broken)
    assert run("decrypt", path).code != 0
    result = run("status", "--check", path)
    assert result.code == 0, result.stderr
    assert f"  age: {age_key} (age, group 0): ok" in result.stdout
    assert "can open: yes" in result.stdout


def test_check_on_a_plaintext_file_exits_1(run: Runner, tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("a: 1\n")
    result = run("status", "--check", path)
    assert result.code == 1 and "not encrypted" in result.stdout


@pytest.mark.skipif(not registry.supports("hc_vault"), reason="no hc_vault backend")
def test_check_says_an_unreachable_vault_is_unreachable(
    run: Runner, age_key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    path = tmp_path / "v.yaml"
    path.write_text(f"token: {PLANTED}\n")
    assert run("encrypt", "--in-place", path).code == 0
    entry = (f"    hc_vault:\n        - vault_address: http://127.0.0.1:{port}\n"
             "          engine_path: transit\n          key_name: k1\n"
             "          created_at: \"2026-01-01T00:00:00Z\"\n          enc: vault:v1:AAAA\n")
    path.write_text(path.read_text().replace("sops:\n", "sops:\n" + entry, 1))
    monkeypatch.setenv("VAULT_TOKEN", "planted-token-5521")
    result = run("status", "--check", path)
    assert result.code == 0, result.stderr  # the age key opens the file
    vault_line = next(line for line in result.stdout.splitlines() if "hc_vault:" in line)
    assert f"http://127.0.0.1:{port}/v1/transit/keys/k1 (Vault transit, group 0): FAILED" \
        in vault_line
    assert "planted-token-5521" not in result.output
