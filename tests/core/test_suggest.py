"""The one 'did you mean' helper behind every unknown-name hint."""

from __future__ import annotations

from secretsfile.core.suggest import close_matches, did_you_mean, suggestion


def test_closest_first_and_at_most_n() -> None:
    names = ["db-password", "db-passwords", "api-token", "db-user"]
    assert close_matches("db-pasword", names)[:2] == ("db-password", "db-passwords")
    assert len(close_matches("db", ["db1", "db2", "db3", "db4"], n=2)) == 2
    assert close_matches("zzz", names) == ()


def test_wording() -> None:
    assert did_you_mean(("prod",)) == "did you mean 'prod'?"
    assert did_you_mean(("a", "b")) == "did you mean 'a' or 'b'?"
    assert did_you_mean(()) is None
    assert suggestion("prdo", ["prod", "dev"], "known: prod, dev", n=1) == "did you mean 'prod'?"
    assert suggestion("xyz", ["prod", "dev"], "known: prod, dev") == "known: prod, dev"
