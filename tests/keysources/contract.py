"""The contract every key source honours. Each backend's test module subclasses
``KeySourceContract`` (``tests/keysources/test_<kind>.py``) and fills in how to make a
recipient and how to take the user's identities away."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from secretsfile.errors import KeySourceError
from secretsfile.keysources import registry
from secretsfile.keysources.interface import KeySource, Recipient


class KeySourceContract:
    kind = ""

    def make_recipient(self) -> str:
        """A recipient whose identity the user holds (the value ``wrap`` takes)."""
        raise NotImplementedError

    def forget_identities(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        raise NotImplementedError

    @pytest.fixture
    def source(self) -> KeySource:
        return registry.get(self.kind)

    # -- wrapping --------------------------------------------------------------------------

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

    # -- what the rest of the tool asks the source -------------------------------------------

    def test_metadata_entry_names_its_recipient(self, source: KeySource) -> None:
        recipient = self.make_recipient()
        entry = source.wrap(recipient, os.urandom(32))
        assert registry.recipient_id(entry) == recipient.strip()
        assert registry.describe(entry) == f"{self.kind} {recipient.strip()}"

    def test_recipient_syntax_round_trips(self, source: KeySource) -> None:
        recipient = Recipient(self.kind, self.make_recipient())
        spelled = registry.spell(recipient)
        assert source.claims(spelled)
        assert registry.parse_recipient(spelled) == recipient

    def test_config_fields_read_recipients(self, source: KeySource) -> None:
        recipient = self.make_recipient()
        assert source.config_fields
        for name in source.config_fields:
            kind = registry.config_fields()[name]
            assert kind == self.kind
            assert registry.config_recipients(kind, [recipient]) == [(self.kind, recipient)]

    def test_a_private_key_is_never_echoed(self, source: KeySource) -> None:
        for marker in source.private_key_markers:
            with pytest.raises(KeySourceError) as caught:
                registry.parse_recipient(marker + "PLANTED")
            assert "PLANTED" not in str(caught.value)

    def test_key_variables_are_stripped(self, source: KeySource) -> None:
        for prefix in source.key_variables:
            assert registry.is_key_variable(prefix)
            assert registry.is_key_variable(prefix + "_FILE")

    def test_cli_options(self, source: KeySource) -> None:
        assert (self.kind, source.cli) in registry.cli_options()
        assert source.cli.name and source.cli.help and source.cli.remove_help

    def test_own_recipient_is_a_usable_recipient(self, source: KeySource) -> None:
        self.make_recipient()  # the user now holds a key of this kind
        own = source.own_recipient()
        if own is not None:
            data_key = os.urandom(32)
            assert source.unwrap(source.wrap(own, data_key)) == data_key
