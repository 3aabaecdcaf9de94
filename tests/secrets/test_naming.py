"""secrets.naming.key_problem: the one rule for the keys of group secrets."""

from __future__ import annotations

import pytest

from secretsfile.secrets.naming import KEY_MAX, key_problem, suggest_key


@pytest.mark.parametrize("key", ["user", "Password", "db_port", "tls-ca", "a", "A1_b-2",
                                 "k" * KEY_MAX, "1st", "2fa_seed", "9"])
def test_good_keys(key: str) -> None:
    assert key_problem(key) is None


@pytest.mark.parametrize(("key", "says"), [
    ("", "empty"), ("a.b", "'a.b'"), ("a b/../c", "'a b/../c'"), ("_schema", "'_schema'"),
    ("_x", "'_x'"), ("-x", "'-x'"), ("<script>", "'<script>'"), ("ключ", "'ключ'"),
    ("k" * (KEY_MAX + 1), f"longer than {KEY_MAX}"),
])
def test_bad_keys_are_named_with_the_rule(key: str, says: str) -> None:
    problem = key_problem(key)
    assert problem is not None and says in problem
    assert len(problem) < 200  # a long key is cut in the message


@pytest.mark.parametrize(("key", "fixed"), [("api.key", "api_key"), ("_schema", "schema"),
                                            ("a b/../c", "a_b_c"), ("ключ", None)])
def test_a_bad_key_comes_with_a_fix(key: str, fixed: str | None) -> None:
    assert suggest_key(key) == fixed
    assert (f"(e.g. {fixed!r})" in (key_problem(key) or "")) is (fixed is not None)
    assert fixed is None or key_problem(fixed) is None


def test_the_message_names_what_the_key_is() -> None:
    assert (key_problem("api.key", "schema legacy: field") or "").startswith(
        "schema legacy: field 'api.key': use 1 to 100 characters")
