"""secrets.naming.key_problem: the one rule for the keys of group secrets."""

from __future__ import annotations

import pytest

from secretsfile.secrets.naming import KEY_MAX, key_problem


@pytest.mark.parametrize("key", ["user", "Password", "db_port", "tls-ca", "a", "A1_b-2",
                                 "k" * KEY_MAX])
def test_good_keys(key: str) -> None:
    assert key_problem(key) is None


@pytest.mark.parametrize(("key", "says"), [
    ("", "empty"), ("a.b", "'a.b'"), ("a b/../c", "'a b/../c'"), ("_schema", "'_schema'"),
    ("1st", "'1st'"), ("-x", "'-x'"), ("<script>", "'<script>'"), ("ключ", "'ключ'"),
    ("k" * (KEY_MAX + 1), f"longer than {KEY_MAX}"),
])
def test_bad_keys_are_named_with_the_rule(key: str, says: str) -> None:
    problem = key_problem(key)
    assert problem is not None and says in problem
    assert len(problem) < 200  # a long key is cut in the message
