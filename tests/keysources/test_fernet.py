"""Fernet through the key-source contract."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from secretsfile.keysources import registry
from secretsfile.ops.keygen import keygen
from tests.keysources.contract import KeySourceContract


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

    def test_bare_key_id_in_a_fernet_field(self) -> None:
        assert registry.config_recipients("fernet", "0123abcd") == [("fernet", "0123abcd")]


def test_loaded_keys_never_show_in_a_repr() -> None:
    from cryptography.fernet import Fernet

    from secretsfile.keysources import fernet

    key = Fernet.generate_key().decode()
    loaded = fernet._parse(f"# team key\n{key}\n", "a file")
    assert list(loaded.keys.values()) == [key]
    assert key not in repr(loaded) and "1 key" in repr(loaded)
