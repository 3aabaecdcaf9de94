"""age through the key-source contract, plus age's own identity sources."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from secretsfile.keysources import registry
from secretsfile.ops.keygen import keygen
from tests.keysources.contract import KeySourceContract


class TestAge(KeySourceContract):
    kind = "age"

    def make_recipient(self) -> str:
        return keygen("age").public

    def forget_identities(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "nowhere"))

    def test_identity_from_environment_text(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from secretsfile.keysources.age import generate_identity

        text, public = generate_identity()
        monkeypatch.setenv("SOPS_AGE_KEY", text)
        source = registry.get("age")
        data_key = os.urandom(32)
        assert source.unwrap(source.wrap(public, data_key)) == data_key

    def test_ssh_ed25519_recipient(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        private = Ed25519PrivateKey.generate()
        ssh_dir = Path(os.environ["HOME"]) / ".ssh"
        ssh_dir.mkdir()
        (ssh_dir / "id_ed25519").write_bytes(private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption()))
        public = private.public_key().public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        ).decode()
        source = registry.get("age")
        data_key = os.urandom(32)
        assert source.unwrap(source.wrap(public, data_key)) == data_key
        assert registry.parse_recipient(public) == ("age", public)

    def test_per_environment_variable_is_a_key_variable(self) -> None:
        from secretsfile.keysources.age import env_key_var

        assert registry.is_key_variable(env_key_var("x-file"))
        assert not registry.is_key_variable("SOPS_AGE_RECIPIENTS")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_one_key_file_named_twice_is_read_and_warned_about_once(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from secretsfile import errors
    from secretsfile.keysources.age import clear_cache, generate_identity

    text, public = generate_identity()
    key_file = tmp_path / "keys.txt"
    key_file.write_text(text)
    key_file.chmod(0o644)
    for var in ("SECRETSFILE_AGE_KEY_FILE", "SOPS_AGE_KEY_FILE"):
        monkeypatch.setenv(var, str(key_file))
    seen: list[str] = []
    monkeypatch.setattr(errors, "_warning_sink", [seen.append])
    clear_cache()
    source = registry.get("age")
    data_key = os.urandom(32)
    assert source.unwrap(source.wrap(public, data_key)) == data_key
    assert [w for w in seen if "readable by others" in w] == [
        f"key file {key_file} is readable by others (mode 0644); run: chmod 600 {key_file}"]
    clear_cache()
