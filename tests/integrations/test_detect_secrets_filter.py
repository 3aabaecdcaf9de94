"""The detect-secrets filter, run by the real detect-secrets (its --filter and baselines)."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("detect_secrets")

from secretsfile.integrations.detect_secrets import (
    is_encrypted_file,
    is_sops_encrypted,
)

FILTER = "secretsfile.integrations.detect_secrets.is_sops_encrypted"
PLAIN_SECRET = "wJalrXUtnFEMIK7MDENGbPxRfiCYzQ9kLmN3pR7t"


def enc(seed: int, size: int) -> str:
    def b64(n: int, salt: int) -> str:
        data = bytes((seed * 131 + salt * 17 + i * 29) % 256 for i in range(n))
        return base64.b64encode(data).decode()

    return f"ENC[AES256_GCM,data:{b64(size, 1)},iv:{b64(32, 2)},tag:{b64(16, 3)},type:str]"


SOPS_FILE = f"""db_password: {enc(1, 24)}
api_token: {enc(2, 40)}
sops:
    age:
        - recipient: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p
          enc: |
            -----BEGIN AGE ENCRYPTED FILE-----
            YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBBQ0RFRkdISUpLTE1OT1BR
            -----END AGE ENCRYPTED FILE-----
    lastmodified: "2026-01-01T00:00:00Z"
    mac: {enc(3, 32)}
    unencrypted_suffix: _unencrypted
    version: 3.9.0
"""


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "secrets.enc.yaml").write_text(SOPS_FILE)
    (tmp_path / "settings.py").write_text(f'password = "{enc(4, 24)}"\n')  # no sops block
    (tmp_path / "app.py").write_text(f'aws_secret_access_key = "{PLAIN_SECRET}"\n')
    return tmp_path


def detect_secrets(cwd: Path, *args: str) -> dict[str, list[dict[str, object]]]:
    done = subprocess.run([sys.executable, "-m", "detect_secrets", "scan", "--all-files", *args],
                          cwd=cwd, capture_output=True, text=True, check=True)  # fmt: skip
    results: dict[str, list[dict[str, object]]] = json.loads(done.stdout)["results"]
    return results


def test_detect_secrets_reports_ciphertext_without_the_filter(tree: Path) -> None:
    assert set(detect_secrets(tree)) == {"secrets.enc.yaml", "settings.py", "app.py"}


def test_filter_drops_encrypted_files_and_values_only(tree: Path) -> None:
    found = detect_secrets(tree, "--filter", FILTER)
    assert set(found) == {"app.py"}  # a real plaintext secret is still reported


def test_filter_is_kept_in_the_baseline_for_the_hook(tree: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tree, check=True)
    done = subprocess.run([sys.executable, "-m", "detect_secrets", "scan", "--all-files",
                           "--filter", FILTER], cwd=tree, capture_output=True, text=True,
                          check=True)  # fmt: skip
    assert {"path": FILTER} in json.loads(done.stdout)["filters_used"]
    (tree / ".secrets.baseline").write_text(done.stdout)
    (tree / "later.enc.yaml").write_text(SOPS_FILE)
    hook = [sys.executable, "-m", "detect_secrets.pre_commit_hook"]
    assert subprocess.run([*hook, "later.enc.yaml"], cwd=tree, capture_output=True).returncode == 1
    with_baseline = [*hook, "--baseline", ".secrets.baseline", "later.enc.yaml"]
    assert subprocess.run(with_baseline, cwd=tree, capture_output=True).returncode == 0


def test_filter_function(tree: Path) -> None:
    line = f"password: {enc(5, 24)}"
    secret = line.split("data:")[1].split(",")[0]
    assert is_sops_encrypted("missing.txt", secret, line)
    assert not is_sops_encrypted(str(tree / "app.py"), PLAIN_SECRET, f'k = "{PLAIN_SECRET}"')
    assert is_encrypted_file(str(tree / "secrets.enc.yaml"))
    assert not is_encrypted_file(str(tree / "settings.py"))
    assert not is_encrypted_file(str(tree / "nope"))


def test_filter_drops_lines_never_whole_files(tmp_path: Path) -> None:
    """R2 F4/F5: in a sops file only ciphertext and known metadata lines are dropped."""
    token = "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d"
    text = SOPS_FILE.replace("    mac:", f"    github_token: {token}\n    mac:")
    text = f"aws_secret_access_key_unencrypted: {PLAIN_SECRET}\n" + text
    (tmp_path / "secrets.enc.yaml").write_text(text)
    (tmp_path / "fake.py").write_text(f'P = "ENC[AES256_GCM,"; T = "{PLAIN_SECRET}"\n')
    found = detect_secrets(tmp_path, "--filter", FILTER)
    assert {s["line_number"] for s in found["secrets.enc.yaml"]} == {1, 12}
    assert set(found) == {"secrets.enc.yaml", "fake.py"}


def test_look_alike_metadata_is_no_encrypted_file(tmp_path: Path) -> None:
    fake = tmp_path / "fake.yaml"
    fake.write_text(SOPS_FILE.replace("    mac: ENC[AES256_GCM,", "    mac: ENC[AES256_GCM,x"))
    assert not is_encrypted_file(str(fake))
    line = "            YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBBQ0RFRkdISUpLTE1OT1BR"
    assert not is_sops_encrypted(str(fake), line.strip(), line)
    assert is_sops_encrypted(str(tmp_path / "nothing"), "abc", "abc") is False
