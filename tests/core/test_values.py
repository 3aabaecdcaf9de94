"""Go scalar semantics: the byte forms that are encrypted and hashed (sops' ToBytes)."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from secretsfile.core.values import (
    Comment,
    GoTime,
    Value,
    format_float_json,
    format_float_positional,
    format_float_yaml,
    format_time,
    from_bytes,
    parse_timestamp,
    scalar_text,
    to_bytes,
    type_tag,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.5, "0.5"), (3.0, "3"), (1e21, "1000000000000000000000"), (1.5e-10, "0.00000000015"),
     (1e-06, "0.000001"), (-0.0, "-0"), (0.0, "0"), (math.inf, "+Inf"), (-math.inf, "-Inf"),
     (math.nan, "NaN"), (0.1 + 0.2, "0.30000000000000004"), (1e20, "100000000000000000000"),
     (-2.5, "-2.5"), (5e-324, "0." + "0" * 323 + "5")],
)  # fmt: skip
def test_float_bytes_are_go_formatfloat_f(value: float, expected: str) -> None:
    assert format_float_positional(value) == expected
    assert to_bytes(value) == expected.encode()


@pytest.mark.parametrize(
    ("value", "yaml", "json"),
    [(1e21, "1e+21", "1e+21"), (1.5e-10, "1.5e-10", "1.5e-10"), (1e-06, "1e-06", "0.000001"),
     (1e20, "1e+20", "100000000000000000000"), (123456.0, "123456", "123456"),
     (1234567.0, "1.234567e+06", "1234567"), (0.0001, "0.0001", "0.0001"),
     (0.00001, "1e-05", "0.00001"), (-0.0, "-0", "-0"), (2.5e-7, "2.5e-07", "2.5e-7")],
)  # fmt: skip
def test_float_text_in_yaml_and_json_output(value: float, yaml: str, json: str) -> None:
    """How sops prints floats after decrypt (go-yaml 'g' format; encoding/json ES6 style)."""
    assert format_float_yaml(value) == yaml
    assert format_float_json(value) == json


def test_yaml_float_specials() -> None:
    assert [format_float_yaml(v) for v in (math.inf, -math.inf, math.nan)] == [
        ".inf", "-.inf", ".nan"]  # fmt: skip
    with pytest.raises(ValueError):
        format_float_json(math.nan)


def test_bool_bytes_are_title_case() -> None:
    assert to_bytes(True) == b"True" and to_bytes(False) == b"False"
    assert type_tag(True) == "bool" and type_tag(1) == "int"


@pytest.mark.parametrize("text", ["1", "t", "T", "TRUE", "true", "True"])
def test_bool_parse_accepts_go_parsebool_true(text: str) -> None:
    assert from_bytes("bool", text.encode()) is True


@pytest.mark.parametrize("text", ["0", "f", "F", "FALSE", "false", "False"])
def test_bool_parse_accepts_go_parsebool_false(text: str) -> None:
    assert from_bytes("bool", text.encode()) is False


@pytest.mark.parametrize(("tag", "text"), [("bool", "yes"), ("int", "0x10"), ("int", "1_0"),
                                           ("int", "1.0"), ("float", "1_0.5"), ("time", "x"),
                                           ("nope", "1")])  # fmt: skip
def test_from_bytes_rejects_what_go_rejects(tag: str, text: str) -> None:
    with pytest.raises(ValueError):
        from_bytes(tag, text.encode())


def test_from_bytes_round_trips_every_type() -> None:
    for value in ("héllo", 42, -7, 2.5, True, GoTime("2024-01-02T00:00:00Z")):
        assert from_bytes(type_tag(value), to_bytes(value)) == value
    comment = from_bytes("comment", b" hi")
    assert isinstance(comment, Comment) and comment.text == " hi"
    assert from_bytes("bytes", b"raw") == "raw"


def test_invalid_utf8_strings_round_trip_bytes() -> None:
    raw = b"\xff\x00bin"
    value = from_bytes("str", raw)
    assert to_bytes(value) == raw


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2024-01-02", "2024-01-02T00:00:00Z"),
     ("2001-12-14 21:59:43.10", "2001-12-14T21:59:43.1Z"),
     ("2001-12-14t21:59:43.10-05:00", "2001-12-14T21:59:43.1-05:00"),
     ("2001-12-14T21:59:43.123456789Z", "2001-12-14T21:59:43.123456789Z"),
     ("2001-2-3T4:5:6Z", "2001-02-03T04:05:06Z"),
     ("2024-01-02T10:20:30+00:00", "2024-01-02T10:20:30Z")],
)  # fmt: skip
def test_timestamps_become_go_marshaltext(text: str, expected: str) -> None:
    parsed = parse_timestamp(text)
    assert parsed == GoTime(expected)
    assert to_bytes(parsed) == expected.encode()


@pytest.mark.parametrize("text", ["2024-13-01", "2024-01-02T10:20", "1:20", "2024-01-02 x"])
def test_not_timestamps(text: str) -> None:
    assert parse_timestamp(text) is None


def test_format_time_and_back() -> None:
    moment = dt.datetime(2024, 5, 6, 7, 8, 9, 120000, tzinfo=dt.timezone(dt.timedelta(hours=-3)))
    assert format_time(moment) == "2024-05-06T07:08:09.12-03:00"
    assert GoTime("2024-05-06T07:08:09.12-03:00").to_datetime() == moment


@pytest.mark.parametrize(("value", "text"), [
    (None, ""), (True, "true"), (False, "false"), (7, "7"), (1e-05, "0.00001"),
    (1e20, "100000000000000000000"), (2.5, "2.5"), (float("inf"), "+Inf"),
    (GoTime("2026-01-01T00:00:00Z"), "2026-01-01T00:00:00Z"), ("x\ny", "x\ny"),
])  # fmt: skip
def test_scalar_text_is_the_one_plain_text_of_a_value(value: Value, text: str) -> None:
    """What dotenv files, get, decrypt --extract and named secrets' variables all print."""
    from secretsfile.secrets.model import text_of

    assert scalar_text(value) == text and text_of(value) == text
