"""Data-key recovery across key groups (age + Fernet, Shamir 2 of 3): group order, first key
wins inside a group, stop at the threshold, and a failure that names each failed group."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from secretsfile.core.metadata import Metadata
from secretsfile.errors import KeyUnavailableError
from secretsfile.keysources import registry
from secretsfile.keysources.age import generate_identity
from secretsfile.keysources.fernet import generate_key
from secretsfile.keysources.interface import Recipient
from secretsfile.ops.datakey import recover, unwrap_data_key, wrap_data_key


@dataclass
class Key:
    kind: str
    secret: str  # the key material, as its variable takes it
    public: str

    @property
    def recipient(self) -> Recipient:
        return Recipient(self.kind, self.public)


def _age() -> Key:
    text, public = generate_identity()
    return Key("age", text, public)


def _fernet() -> Key:
    text, ident = generate_key()
    return Key("fernet", text.splitlines()[-1], ident)


def _hold(monkeypatch: pytest.MonkeyPatch, *keys: Key) -> None:
    """Give the user exactly these keys."""
    ages = "\n".join(k.secret for k in keys if k.kind == "age")
    fernets = ",".join(k.secret for k in keys if k.kind == "fernet")
    for var, value in (("SECRETSFILE_AGE_KEY", ages), ("SECRETSFILE_FERNET_KEY", fernets)):
        if value:
            monkeypatch.setenv(var, value)
        else:
            monkeypatch.delenv(var, raising=False)


@pytest.fixture
def keys() -> list[Key]:
    return [_age(), _fernet(), _age()]


def _file(monkeypatch: pytest.MonkeyPatch, groups: list[list[Key]], threshold: int = 2
          ) -> tuple[Metadata, bytes]:  # fmt: skip
    _hold(monkeypatch, *(k for g in groups for k in g))  # a Fernet key wraps with itself
    data_key = os.urandom(32)
    wrapped, threshold = wrap_data_key(data_key, [[k.recipient for k in g] for g in groups],
                                       threshold)
    return Metadata(key_groups=wrapped, shamir_threshold=threshold), data_key


def test_two_of_three_with_one_group_missing(keys: list[Key],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    metadata, data_key = _file(monkeypatch, [[k] for k in keys])
    for held in ((keys[0], keys[1]), (keys[0], keys[2]), (keys[1], keys[2])):
        _hold(monkeypatch, *held)
        assert unwrap_data_key(metadata, "f.yaml") == data_key


def test_stops_once_the_threshold_is_met(keys: list[Key],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    metadata, _ = _file(monkeypatch, [[k] for k in keys])
    _hold(monkeypatch, *keys)
    recovery = recover(metadata)
    assert [g.index for g in recovery.groups] == [0, 1]  # group 2 is never tried
    assert len(recover(metadata, every_key=True).groups) == 3


def test_two_missing_groups_are_named_with_their_reasons(
    keys: list[Key], monkeypatch: pytest.MonkeyPatch
) -> None:
    metadata, data_key = _file(monkeypatch, [[k] for k in keys])
    _hold(monkeypatch, keys[0])
    with pytest.raises(KeyUnavailableError) as caught:
        unwrap_data_key(metadata, "f.yaml")
    message = caught.value.message
    assert "\n" not in message
    assert "(3 key groups, 2 needed, 1 recovered)" in message
    assert "Group 0: SUCCESS; " in message
    assert f"Group 1: FAILED (fernet {keys[1].public}: FAILED - " in message
    assert f"Group 2: FAILED (age {keys[2].public}: FAILED - none of 1 age identities" in message
    for secret in (data_key.hex(), *(k.secret for k in keys)):
        assert secret not in str(caught.value) and secret not in repr(caught.value)


def test_first_key_in_decryption_order_wins_in_a_group(keys: list[Key],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    metadata, data_key = _file(monkeypatch, [[keys[1], keys[0]], [keys[2]]])
    _hold(monkeypatch, *keys)
    recovery = recover(metadata)
    assert [r.key.kind for r in recovery.groups[0].keys] == ["age"]  # age before fernet
    assert recovery.data_key() == data_key
    assert data_key.hex() not in repr(recovery)
    _hold(monkeypatch, keys[1], keys[2])  # no age key for group 0: fernet opens it
    outcome = recover(metadata).groups[0]
    assert [(r.key.kind, r.ok) for r in outcome.keys] == [("age", False), ("fernet", True)]


def test_single_group_message_is_unchanged(keys: list[Key],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    metadata, _ = _file(monkeypatch, [[keys[0], keys[1]]])
    _hold(monkeypatch)
    with pytest.raises(KeyUnavailableError) as caught:
        unwrap_data_key(metadata, "f.yaml")
    assert caught.value.message.startswith(
        f"no identity could open the data key; the file is encrypted for: age {keys[0].public},"
        f" fernet {keys[1].public}; looked in age: ")


def test_unknown_kind_in_a_group_is_a_reason_not_a_crash(
    keys: list[Key], monkeypatch: pytest.MonkeyPatch
) -> None:
    from secretsfile.core.metadata import MasterKey

    metadata, _ = _file(monkeypatch, [[keys[0]], [keys[2]]])
    metadata.key_groups[1].insert(0, MasterKey("gcp_kms", {"resource_id": "projects/p/k",
                                                           "enc": "x"}))
    _hold(monkeypatch, keys[0])
    with pytest.raises(KeyUnavailableError, match="gcp_kms projects/p/k: FAILED - secretsfile "
                                                  "cannot use gcp_kms keys"):
        unwrap_data_key(metadata, "f.yaml")


@pytest.mark.parametrize("bad", [b"", b"\x07", bytes(20) + b"\x01"])
def test_malformed_shares_are_a_one_line_error_naming_the_file(
        keys: list[Key], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, bad: bytes) -> None:
    """A share that unwraps to empty/short bytes: IntegrityError naming the file on open;
    ``status --check`` still reports every key, and the file as not openable."""
    from secretsfile.errors import IntegrityError
    from secretsfile.ops import files
    from secretsfile.ops.keycheck import check_file

    age1, _, age2 = keys
    _hold(monkeypatch, age1, age2)
    path = tmp_path / "s.yaml"
    path.write_text("a: 1\n")
    files.encrypt_file(path, files.EncryptOptions(
        key_groups=((age1.recipient,), (age2.recipient,)), shamir_threshold=2), in_place=True)
    raw = yaml.safe_load(path.read_text())
    raw["sops"]["key_groups"][0]["age"][0]["enc"] = registry.get("age").wrap(
        age1.public, bad).fields["enc"]
    path.write_text(yaml.safe_dump(raw))
    with pytest.raises(IntegrityError) as caught:
        files.get_value(path, "a")
    assert caught.value.path == str(path) and "Shamir part" in caught.value.message
    checked = check_file(path)
    assert [k.ok for k in checked.keys] == [True, True] and not checked.can_open
    assert checked.problem is not None and "Shamir part" in checked.problem
