"""The private overlay and typed group values, at the model level."""

from __future__ import annotations

import pickle

import pytest

from secretsfile.secrets.model import Secret, secret_from_tree, secret_to_tree, secret_view
from secretsfile.secrets.overlay import overlay, overlay_secret

PW = "pw-PLANTED-overlay"


def _team() -> Secret:
    return Secret("db", "dev", None, {"user": "u", "password": "team-PLANTED", "port": 5432})


def test_group_over_group_is_key_by_key() -> None:
    merged = overlay_secret(_team(), Secret("db", "dev", None, {"password": PW}, private=True))
    assert merged.values == {"user": "u", "password": PW, "port": 5432}
    assert merged.origins == {"user": "team", "password": "private", "port": "team"}
    assert merged.origin("password") == "private" and merged.private and merged.note is None
    assert merged.get("port") == "5432" and merged.text_values["port"] == "5432"
    for shown in (repr(merged), str(merged), str(secret_view(merged, reveal=False))):
        assert PW not in shown and "team-PLANTED" not in shown
    with pytest.raises(TypeError):
        pickle.dumps(merged)


def test_value_over_group_wins_wholesale_with_a_note() -> None:
    merged = overlay({"db": _team(), "other": Secret("other", "dev", "x")},
                     {"db": Secret("db", "dev", PW, private=True)})
    assert merged["db"].value == PW and merged["db"].origin() == "private"
    assert merged["db"].note and "user, password, port" in merged["db"].note
    assert merged["other"].value == "x" and merged["other"].origin() == "team"
    single = overlay_secret(Secret("t", "dev", "a"), Secret("t", "dev", "b", private=True))
    assert single.value == "b" and single.note is None
    reverse = overlay_secret(Secret("t", "dev", "a"),
                             Secret("t", "dev", None, {"k": "v"}, private=True))
    assert reverse.values == {"k": "v"} and reverse.note and "single value" in reverse.note


def test_typed_values_round_trip_through_the_tree() -> None:
    secret = secret_from_tree("s", "dev", {"port": 5432, "on": True, "ratio": 0.5, "t": "1"})
    assert secret.values == {"port": 5432, "on": True, "ratio": 0.5, "t": "1"}
    assert [type(v) for v in secret.values.values()] == [int, bool, float, str]
    assert secret.text_values == {"port": "5432", "on": "true", "ratio": "0.5", "t": "1"}
    assert secret_to_tree(secret) == {"port": 5432, "on": True, "ratio": 0.5, "t": "1"}
    assert secret_view(secret, reveal=True)["values"]["port"] == 5432
