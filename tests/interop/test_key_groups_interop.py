"""Key groups with the real sops binary: Shamir 2 of 3 over three age groups written by a
``.sops.yaml`` (key_groups + shamir_threshold), identities from SOPS_AGE_KEY_CMD on both
sides, and a threshold failure that names the same failed groups as sops does."""

from __future__ import annotations

import re
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest

from secretsfile.errors import KeyUnavailableError
from secretsfile.keysources.interface import Recipient
from secretsfile.ops import files
from tests.interop.backend_tools import sops_path
from tests.keysources.bao_server import Bao, bao  # noqa: F401  (the fixture)

from .conftest import AgeKey, Sops


def _sops_with_cmd(sops: Sops, path: Path, command: str) -> subprocess.CompletedProcess[str]:
    """The sops binary with identities from SOPS_AGE_KEY_CMD only (no key file)."""
    env = sops.env(None)
    del env["SOPS_AGE_KEY_FILE"]
    env["SOPS_AGE_KEY_CMD"] = command
    return subprocess.run([sops_path(), "decrypt", str(path)], env=env, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.fixture
def sops_groups_file(sops: Sops, age_keys: list[AgeKey], tmp_path: Path) -> Path:
    groups = "".join(f"      - age: [{key.recipient}]\n" for key in age_keys)
    (tmp_path / ".sops.yaml").write_text(
        f"creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n{groups}")
    (tmp_path / "g.yaml").write_text("token: planted-value-4711\n")
    text = sops.run("encrypt", "g.yaml", cwd=tmp_path).stdout
    path = tmp_path / "g.enc.yaml"
    path.write_text(text)
    return path


def test_sops_groups_open_with_our_key_cmd(sops_groups_file: Path, key_file_for: Any,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    keys = key_file_for(0, 2)
    monkeypatch.setenv("SOPS_AGE_KEY_CMD", f"cat {shlex.quote(str(keys))}")
    assert files.load_file(sops_groups_file) == {"token": "planted-value-4711"}


def test_our_groups_open_with_sops_key_cmd(sops: Sops, age_keys: list[AgeKey],
                                           key_file_for: Any, tmp_path: Path) -> None:
    groups = tuple((Recipient("age", key.recipient),) for key in age_keys)
    options = files.EncryptOptions(key_groups=groups, shamir_threshold=2)
    path = tmp_path / "ours.yaml"
    path.write_text(files.encrypt_text("token: planted-value-4711\n", "ours.yaml", options))
    done = _sops_with_cmd(sops, path, f"cat {shlex.quote(str(key_file_for(1, 2)))}")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "token: planted-value-4711\n"


def _failed_groups(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"Group (\d+): FAILED", text)]


def test_threshold_failure_names_the_same_groups_as_sops(
    sops: Sops, sops_groups_file: Path, age_keys: list[AgeKey], monkeypatch: pytest.MonkeyPatch
) -> None:
    command = f"cat {shlex.quote(str(age_keys[1].path))}"
    theirs = _sops_with_cmd(sops, sops_groups_file, command)
    assert theirs.returncode == 128
    monkeypatch.setenv("SOPS_AGE_KEY_CMD", command)
    with pytest.raises(KeyUnavailableError) as caught:
        files.load_file(sops_groups_file)
    ours = caught.value.message
    assert _failed_groups(ours) == _failed_groups(theirs.stderr) == [0, 2]
    assert "Group 1: SUCCESS" in ours and "Group 1: SUCCESS" in theirs.stderr
    assert "3 key groups, 2 needed, 1 recovered" in ours
    assert "planted-value-4711" not in ours + theirs.stderr + theirs.stdout


# -- mixed groups: age + OpenBao/Vault transit, threshold 2 (a real bao dev server) ---------


@pytest.fixture
def vault_groups(bao: Bao, sops: Sops, age_keys: list[AgeKey], tmp_path: Path,  # noqa: F811
                 monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str]:
    """[age 0] | [Vault transit key] | [age 1], Shamir 2, written by sops from .sops.yaml."""
    uri = bao.key("groups")
    (tmp_path / ".sops.yaml").write_text(
        "creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n"
        f"      - age: [{age_keys[0].recipient}]\n      - hc_vault: [{uri}]\n"
        f"      - age: [{age_keys[1].recipient}]\n")
    (tmp_path / "m.yaml").write_text("token: planted-value-4711\n")
    env = sops.env(None)
    env["VAULT_TOKEN"] = bao.token
    done = subprocess.run([sops_path(), "encrypt", "m.yaml"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    path = tmp_path / "m.enc.yaml"
    path.write_text(done.stdout)
    monkeypatch.setenv("VAULT_TOKEN", bao.token)
    return path, uri


def test_sops_age_vault_groups_open_here(vault_groups: tuple[Path, str], age_keys: list[AgeKey],
                                         bao: Bao,  # noqa: F811
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path, uri = vault_groups
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_FILE", str(age_keys[0].path))
    assert files.load_file(path) == {"token": "planted-value-4711"}  # age 0 + Vault
    monkeypatch.setenv("VAULT_TOKEN", "not-a-valid-token")
    with pytest.raises(KeyUnavailableError) as caught:
        files.load_file(path)
    message = caught.value.message
    assert "Group 0: SUCCESS" in message and _failed_groups(message) == [1, 2]
    assert f"Group 1: FAILED (hc_vault {uri}: FAILED - " in message
    assert "not-a-valid-token" not in str(caught.value) and bao.token not in str(caught.value)


def test_our_age_vault_groups_open_with_sops(sops: Sops, bao: Bao,  # noqa: F811
                                             age_keys: list[AgeKey], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULT_TOKEN", bao.token)
    groups = ((Recipient("age", age_keys[0].recipient),), (Recipient("hc_vault", bao.key("ours")),),
              (Recipient("age", age_keys[1].recipient),))
    options = files.EncryptOptions(key_groups=groups, shamir_threshold=2)
    path = tmp_path / "ours.yaml"
    path.write_text(files.encrypt_text("token: planted-value-4711\n", "ours.yaml", options))
    env = sops.env(age_keys[1].path)
    env["VAULT_TOKEN"] = bao.token
    done = subprocess.run([sops_path(), "decrypt", str(path)], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "token: planted-value-4711\n"


def test_status_check_on_age_vault_groups(vault_groups: tuple[Path, str], age_keys: list[AgeKey],
                                          key_file_for: Any,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from secretsfile.ops.keycheck import check_file

    path, uri = vault_groups
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_FILE", str(key_file_for(0, 1)))
    monkeypatch.setenv("VAULT_TOKEN", "not-a-valid-token")
    checked = check_file(path)
    assert checked.can_open and (checked.recovered, checked.needed) == (2, 2)
    vault = next(key for key in checked.keys if key.kind == "hc_vault")
    assert (vault.group, vault.recipient, vault.backend) == (1, uri, "Vault transit")
    assert vault.reason and "not-a-valid-token" not in vault.reason
