"""A Secret holds its plaintext masked (SecretValue): printing, logging, asdict, pickle and
traceback locals never show it; value, values and get() still return it."""

from __future__ import annotations

import copy
import io
import logging
import pickle
from dataclasses import asdict, replace

import pytest

from secretsfile.errors import FormatError
from secretsfile.secrets.model import MASK, Secret, SecretValue, secret_from_tree
from tests.tracebacks import recorded_locals

PLANTED = "model-PLANTED-value"


def _one() -> Secret:
    return Secret("api-token", "prod", PLANTED)


def _group() -> Secret:
    return Secret("db", "prod", None, {"user": "admin", "password": PLANTED}, "postgres")


def shown(secret: Secret) -> str:
    stream = io.StringIO()
    logger = logging.getLogger("test-model-masking")
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    try:
        logger.warning("%s %r", secret, secret)
        logger.warning(secret)
    finally:
        logger.removeHandler(handler)
    return "\n".join([repr(secret), str(secret), f"{secret}", f"{secret!r}",
                      str(asdict(secret)), repr(asdict(secret)), repr(vars(secret)),
                      repr(copy.deepcopy(secret)), stream.getvalue()])


@pytest.mark.parametrize("make", [_one, _group])
def test_a_secret_never_shows_its_value(make: object) -> None:
    secret = make()  # type: ignore[operator]
    text = shown(secret)
    assert PLANTED not in text and MASK in text
    assert secret.name in text  # names are fine


@pytest.mark.parametrize("make", [_one, _group])
def test_a_secret_cannot_be_pickled(make: object) -> None:
    with pytest.raises(TypeError, match="cannot be pickled") as caught:
        pickle.dumps(make())  # type: ignore[operator]
    assert PLANTED not in str(caught.value)


def test_plaintext_is_still_there_for_who_asks() -> None:
    one, group = _one(), _group()
    assert one.value == PLANTED and one.get() == PLANTED and one.values == {}
    assert not one.is_group and one.keys == []
    assert group.value is None and group.is_group and group.keys == ["user", "password"]
    assert group.values == {"user": "admin", "password": PLANTED}
    assert group.get("password") == PLANTED and group.schema == "postgres"
    assert one == Secret("api-token", "prod", PLANTED) and one != Secret("api-token", "prod", "x")
    with pytest.raises(AttributeError):
        one.name = "other"  # type: ignore[misc]


def test_replace_keeps_what_it_does_not_change() -> None:
    group = _group()
    renamed = replace(group, private=True)
    assert renamed.values == group.values and renamed.private and renamed.schema == "postgres"
    merged = replace(group, values={**group.values, "port": "5432"})
    assert merged.values == {"user": "admin", "password": PLANTED, "port": "5432"}
    single = replace(group, value="new", values={}, schema=None)
    assert single.value == "new" and not single.is_group and single.values == {}
    assert replace(_one(), schema="s").value == PLANTED


def test_missing_keys_leave_no_value_in_traceback_locals() -> None:
    for secret, key in ((_group(), None), (_group(), "nope"), (_one(), "nope")):
        with pytest.raises(KeyError) as caught:
            secret.get(key)
        assert PLANTED not in recorded_locals(caught.value)
        assert PLANTED not in str(caught.value)


@pytest.mark.parametrize("node", [
    {"password": PLANTED, "nested": {"deeper": PLANTED}},
    {"password": PLANTED, "list": [PLANTED]},
    [PLANTED],
    {"password": PLANTED, "huge": 10 ** 5000},  # str() of it raises ValueError
], ids=["nested", "list-in-group", "list", "huge-integer"])
def test_bad_entries_leave_no_value_in_traceback_locals(node: object) -> None:
    with pytest.raises(FormatError) as caught:
        secret_from_tree("db", "prod", node)
    assert PLANTED not in recorded_locals(caught.value)
    assert PLANTED not in str(caught.value) and "'db'" in str(caught.value)


def test_secret_values_compare_whatever_they_hold() -> None:
    odd = "\udcff\ud800-PLANTED"  # lone surrogates: .encode() would raise, with the value
    assert SecretValue(odd) == SecretValue(odd) and SecretValue(odd) != SecretValue("x")
