"""An ssh private key readable by others gets the same warning as an age key file, from
every place ssh identities are read: SOPS_AGE_SSH_PRIVATE_KEY_FILE, ~/.ssh/id_ed25519 and
~/.ssh/id_rsa."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from secretsfile import errors
from secretsfile.keysources import registry
from tests.cli.conftest import Runner
from tests.cli.conftest import run as run  # the fixture


def _write_ssh_key(path: Path, kind: str, mode: int) -> str:
    """A new ssh private key at ``path``; returns its public key (an age recipient)."""
    private = (ed25519.Ed25519PrivateKey.generate() if kind == "ed25519"
               else rsa.generate_private_key(public_exponent=65537, key_size=2048))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(private.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.OpenSSH,
                                           serialization.NoEncryption()))
    path.chmod(mode)
    return private.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                             serialization.PublicFormat.OpenSSH).decode()


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    monkeypatch.setattr(errors, "_warning_sink", [seen.append])
    return seen


SOURCES = [("explicit", "ed25519"), ("id_ed25519", "ed25519"), ("id_rsa", "rsa")]


def _key_path(where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if where == "explicit":
        path = tmp_path / "keys" / "deploy_key"
        monkeypatch.setenv("SOPS_AGE_SSH_PRIVATE_KEY_FILE", str(path))
        return path
    return Path(os.environ["HOME"]) / ".ssh" / where


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
@pytest.mark.parametrize(("where", "kind"), SOURCES)
@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600])
def test_ssh_key_readable_by_others_warns(where: str, kind: str, mode: int, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          warnings: list[str]) -> None:
    path = _key_path(where, tmp_path, monkeypatch)
    recipient = _write_ssh_key(path, kind, mode)
    source = registry.get("age")
    data_key = os.urandom(32)
    assert source.unwrap(source.wrap(recipient, data_key)) == data_key
    if mode == 0o600:
        assert warnings == []
    else:
        assert warnings == [f"key file {path} is readable by others (mode {mode:04o}); "
                            f"run: chmod 600 {path}"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_the_cli_prints_the_warning(run: Runner, tmp_path: Path) -> None:
    key = Path(os.environ["HOME"]) / ".ssh" / "id_ed25519"
    recipient = _write_ssh_key(key, "ed25519", 0o644)
    plain = tmp_path / "s.yaml"
    plain.write_text("token: ssh-PLANTED-value\n")
    assert run("encrypt", "--in-place", "--age", recipient, plain).code == 0
    result = run("decrypt", plain)
    assert result.code == 0 and "ssh-PLANTED-value" in result.stdout
    assert f"warning: key file {key} is readable by others (mode 0644)" in result.stderr
