"""``Record``: the dataclass shape without ``dataclasses``, and its ``replace``."""

from __future__ import annotations

import dataclasses
import pickle
from collections.abc import Callable

import pytest

from secretsfile.core.record import FrozenInstanceError, Record, field, replace


class Point(Record, frozen=True):
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)
    secret: str = field(default="", repr=False, compare=False)


class Key(Record, frozen=True):
    name: str
    secret: str = field(default="", compare=False)


class Counter(Record):
    name: str
    seen: list[str] = field(default_factory=list)
    checks: int = 0

    def __post_init__(self) -> None:
        self.checks += 1


@dataclasses.dataclass(frozen=True)
class DataPoint:
    x: int
    y: int = 0
    tags: list[str] = dataclasses.field(default_factory=list)
    secret: str = dataclasses.field(default="", repr=False, compare=False)


def test_construction_defaults_repr_and_equality_follow_dataclasses() -> None:
    point = Point(1, tags=["a"], secret="hunter2")
    assert (point.x, point.y, point.tags, point.secret) == (1, 0, ["a"], "hunter2")
    assert repr(point) == "Point(x=1, y=0, tags=['a'])"
    assert repr(DataPoint(1, tags=["a"], secret="hunter2")) == "DataPoint(x=1, y=0, tags=['a'])"
    assert Point(1).tags is not Point(1).tags
    with pytest.raises(TypeError, match="missing argument 'x'"):
        Point()  # type: ignore[call-arg]


def test_compare_false_fields_are_left_out_of_eq_and_hash() -> None:
    one, other = Point(1, 2, secret="a"), Point(1, 2, secret="b")
    assert one == other and hash(Key("k", "a")) == hash(Key("k", "b")) and Key("k") == Key("k")
    assert DataPoint(1, 2, secret="a") == DataPoint(1, 2, secret="b")
    assert Point(1, 2) != Point(1, 3)


def test_frozen_records_refuse_assignment() -> None:
    point = Point(1)
    with pytest.raises(FrozenInstanceError):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del point.x  # type: ignore[misc]


def test_replace_copies_with_changes_as_dataclasses_replace_does() -> None:
    point = Point(1, 2, tags=["a"], secret="s")
    moved = replace(point, y=5)
    assert moved == Point(1, 5, tags=["a"]) and moved.secret == "s"
    assert moved is not point and point.y == 2
    assert moved.tags is point.tags  # fields are carried over, factories not re-run
    data = DataPoint(1, 2, tags=["a"], secret="s")
    assert dataclasses.replace(data, y=5).tags is data.tags
    with pytest.raises(FrozenInstanceError):
        moved.y = 6  # type: ignore[misc]
    assert replace(point) == point and replace(point) is not point


def test_replace_runs_post_init_and_refuses_unknown_fields() -> None:
    counter = Counter("c")
    assert counter.checks == 1
    assert replace(counter, name="d").checks == 2  # post_init runs on the copy, as dataclasses
    with pytest.raises(TypeError, match="no field 'nope'"):
        replace(counter, nope=1)
    with pytest.raises(TypeError):
        dataclasses.replace(DataPoint(1), nope=1)  # type: ignore[call-arg]


def test_mutable_records_are_unhashable_and_frozen_ones_pickle() -> None:
    with pytest.raises(TypeError):
        hash(Counter("c"))
    point = Point(1, 2, tags=["a"], secret="s")
    copy = pickle.loads(pickle.dumps(point))
    assert copy == point and copy.secret == "s"


def test_fields_are_set_in_field_order_whatever_the_call() -> None:
    assert list(vars(Point(1, 2))) == ["x", "y", "tags", "secret"]
    assert list(vars(Point(secret="s", tags=[], x=1))) == ["x", "y", "tags", "secret"]
    assert list(vars(Counter(seen=["a"], name="c"))) == ["name", "seen", "checks"]


# an unknown keyword is named before a missing field (the call is wrong either way)
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: Point(1, 2, [], "s", "x"), r"Point\(\) takes 4"),  # type: ignore[call-arg]
        (lambda: Point(1, nope=2), "unexpected or repeated argument 'nope'"),  # type: ignore[call-arg]
        (lambda: Point(1, x=2), "unexpected or repeated argument 'x'"),  # type: ignore[misc]
        (lambda: Point(nope=2), "unexpected or repeated argument 'nope'"),  # type: ignore[call-arg]
        (lambda: Point(y=2), "missing argument 'x'"),  # type: ignore[call-arg]
    ],
)
def test_wrong_calls_name_the_argument(call: Callable[[], object], message: str) -> None:
    with pytest.raises(TypeError, match=message):
        call()


def test_a_post_init_set_to_none_means_none() -> None:
    class Plain(Record):
        value: int
        __post_init__ = None  # type: ignore[misc]  # "no hook", as a subclass may say

    assert Plain(1).value == 1
