"""The contract every key source honours; each backend's test class subclasses it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from secretsfile.errors import KeySourceError
from secretsfile.keysources import registry
from secretsfile.keysources.interface import KeySource
from secretsfile.ops.keygen import keygen


class KeySourceContract:
    kind = ""

    def make_recipient(self) -> str:
        raise NotImplementedError

    def forget_identities(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        raise NotImplementedError

    @pytest.fixture
    def source(self) -> KeySource:
        return registry.get(self.kind)

    def test_wrap_then_unwrap(self, source: KeySource) -> None:
        data_key = os.urandom(32)
        entry = source.wrap(self.make_recipient(), data_key)
        assert entry.kind == self.kind and entry.enc
        assert source.unwrap(entry) == data_key

    def test_share_of_33_bytes_round_trips(self, source: KeySource) -> None:
        share = os.urandom(33)
        assert source.unwrap(source.wrap(self.make_recipient(), share)) == share

    def test_unwrap_without_identity_says_why(
        self, source: KeySource, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
    ) -> None:
        entry = source.wrap(self.make_recipient(), os.urandom(32))
        self.forget_identities(monkeypatch, tmp_path)
        with pytest.raises(KeySourceError) as caught:
            source.unwrap(entry)
        assert caught.value.message
        assert source.reports(), "a failure must be explainable"

    def test_wrapped_key_does_not_contain_the_data_key(self, source: KeySource) -> None:
        data_key = os.urandom(32)
        entry = source.wrap(self.make_recipient(), data_key)
        assert data_key.hex() not in repr(entry.fields)


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


class TestFernet(KeySourceContract):
    kind = "fernet"

    def make_recipient(self) -> str:
        return keygen("fernet").public

    def forget_identities(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "nowhere"))

    def test_key_from_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from secretsfile.keysources.fernet import generate_key

        text, ident = generate_key()
        monkeypatch.setenv("SECRETSFILE_FERNET_KEY", text.splitlines()[-1])
        source = registry.get("fernet")
        data_key = os.urandom(32)
        entry = source.wrap(ident, data_key)
        assert entry.fields["key_id"] == ident
        assert source.unwrap(entry) == data_key


def test_unknown_kind_names_the_supported_ones() -> None:
    with pytest.raises(KeySourceError, match="supported: age, fernet"):
        registry.get("pgp")
