"""Flattening for formats that cannot nest: sops' reversible metadata naming and ENV."""

from __future__ import annotations

import pytest

from secretsfile.core.record import FrozenInstanceError
from secretsfile.core.values import Branch
from secretsfile.errors import FormatError
from secretsfile.stores.flatten import ENV, SOPS, Separators, flatten, unflatten_metadata


def test_separators_are_frozen_values() -> None:
    assert Separators("__", "__") == ENV and hash(ENV) == hash(Separators("__", "__"))
    assert repr(SOPS) == "Separators(map='__map_', list='__list_')"
    with pytest.raises(FrozenInstanceError):
        SOPS.map = "_"  # type: ignore[misc]


def test_sops_naming_round_trips_and_env_naming_reads_as_variables() -> None:
    tree: Branch = {"key_groups": [{"age": [{"recipient": "age1x"}]}], "shamir_threshold": 2,
            "mac_only_encrypted": True}
    flat = flatten(tree, SOPS)
    assert flat["key_groups__list_0__map_age__list_0__map_recipient"] == "age1x"
    assert unflatten_metadata({str(k): str(v) for k, v in flat.items()}) == tree
    assert flatten({"db": {"hosts": ["a", "b"]}}, ENV) == {"db__hosts__0": "a",
                                                           "db__hosts__1": "b"}


def test_malformed_metadata_keys_are_one_format_error() -> None:
    with pytest.raises(FormatError, match="malformed sops_"):
        unflatten_metadata({"x__list_9999": "v"})
