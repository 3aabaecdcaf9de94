"""Scalar values as sops (Go) sees them: the typed tree, type tags and their byte forms.

The tree is plain Python: ``dict`` for maps (insertion-ordered; a ``Comment`` may stand as
a key), ``list`` for sequences (a ``Comment`` may stand as an element), and scalars
``str | int | float | bool | None | GoTime``. The byte form of a scalar (``to_bytes``)
is what gets encrypted and what feeds the MAC, so it must match Go byte for byte.
"""

from __future__ import annotations

import math
import re

from secretsfile.core.pattern import Pattern
from secretsfile.core.record import Record

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:  # datetime and decimal are imported where used: a decrypt rarely needs them
    import datetime as _dt
    from typing import TypeAlias


class Comment:
    """A comment line (text after ``#``). Hashable by identity so it can be a dict key."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return f"Comment({self.text!r})"


class GoTime(Record, frozen=True):
    """A YAML timestamp, kept as Go's ``time.MarshalText`` form (RFC 3339, ns precision)."""

    text: str

    def to_datetime(self) -> _dt.datetime:
        import datetime as _dt

        text = self.text.replace("Z", "+00:00")
        match = re.match(r"^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(.*)$", text)
        if match is None:  # pragma: no cover - text is produced by parse_timestamp
            return _dt.datetime.fromisoformat(text)
        head, frac, zone = match.groups()
        micro = (frac or "").ljust(6, "0")[:6]
        return _dt.datetime.fromisoformat(f"{head}.{micro}{zone}")


# strings: only mypy reads these aliases, and a run never needs typing's Union for them
Scalar: TypeAlias = "str | int | float | bool | GoTime | None"
Value: TypeAlias = "Scalar | Comment | Branch | list[Value]"
Branch: TypeAlias = "dict[str | Comment, Value]"

# How deeply maps and lists may nest. The readers refuse deeper input before anything walks
# it recursively (Python's recursion limit is about 1,000 frames; a walk takes one or two
# per level); no secrets file comes close.
MAX_DEPTH = 200



def nesting_exceeds(value: object, limit: int) -> bool:
    """Whether maps and lists nest more than ``limit`` levels deep (found without recursing)."""
    pending = [(value, 1)] if isinstance(value, (dict, list)) else []
    while pending:
        node, level = pending.pop()
        if level > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        pending.extend((child, level + 1) for child in children if isinstance(child, (dict, list)))
    return False


TYPE_STR = "str"
TYPE_INT = "int"
TYPE_FLOAT = "float"
TYPE_BOOL = "bool"
TYPE_TIME = "time"
TYPE_COMMENT = "comment"
TYPE_BYTES = "bytes"
_EXACT_TAGS: dict[type, str] = {str: TYPE_STR, bool: TYPE_BOOL, int: TYPE_INT,
                                float: TYPE_FLOAT}  # fmt: skip


def type_tag(value: Scalar | Comment) -> str:
    """The sops type tag of a scalar (the ``type:`` field of ``ENC[...]``)."""
    tag = _EXACT_TAGS.get(type(value))  # the common types in one lookup, per value
    if tag is not None:
        return tag
    if isinstance(value, bool):
        return TYPE_BOOL
    if isinstance(value, str):
        return TYPE_STR
    if isinstance(value, int):
        return TYPE_INT
    if isinstance(value, float):
        return TYPE_FLOAT
    if isinstance(value, GoTime):
        return TYPE_TIME
    if isinstance(value, Comment):
        return TYPE_COMMENT
    raise TypeError(f"cannot encrypt a value of type {type(value).__name__}")


def format_float_positional(value: float) -> str:
    """Go ``strconv.FormatFloat(v, 'f', -1, 64)``: shortest digits, never an exponent."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    text = repr(value)
    if "e" in text:  # only exponent forms need the exact decimal expansion
        from decimal import Decimal

        text = format(Decimal(text), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _shortest_digits(value: float) -> tuple[str, int]:
    """Shortest round-trip digits of |value| and the decimal point position (Go's digs.dp),
    read off ``repr`` (what ``Decimal(repr(v)).as_tuple()`` gives, without importing decimal)."""
    mantissa, _, exponent_text = repr(abs(value)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    coefficient = (whole + fraction).lstrip("0") or "0"
    point = len(coefficient) + int(exponent_text or 0) - len(fraction)
    return coefficient.rstrip("0") or "0", point


def _exponent_form(digits: str, point: int, min_exp_digits: int) -> str:
    exp = point - 1
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    sign = "-" if exp < 0 else "+"
    return f"{mantissa}e{sign}{str(abs(exp)).zfill(min_exp_digits)}"


def scalar_text(value: Value) -> str:
    """A scalar as plain text, the one way everywhere: dotenv values, ``get`` and
    ``decrypt --extract`` output, environment variables of named secrets. Booleans are
    ``true``/``false`` (what YAML and JSON wrote), floats Go's ``%f``-style positional digits
    (as sops prints them in dotenv), times as written, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_float_positional(value)
    if isinstance(value, GoTime):
        return value.text
    return str(value)


def format_float_yaml(value: float) -> str:
    """How go-yaml writes a float64: ``FormatFloat(v, 'g', -1, 64)`` and YAML specials."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    digits, point = _shortest_digits(value)
    exp = point - 1
    if exp < -4 or exp >= 6:  # Go uses precision 6 for this decision with shortest digits
        return ("-" if value < 0 else "") + _exponent_form(digits, point, 2)
    return format_float_positional(value)


def format_float_json(value: float) -> str:
    """How Go ``encoding/json`` writes a float64 (ES6-style: exponent below 1e-6 or from 1e21)."""
    if math.isnan(value) or math.isinf(value):
        raise ValueError("JSON cannot represent NaN or infinity")
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    magnitude = abs(value)
    if magnitude < 1e-6 or magnitude >= 1e21:
        digits, point = _shortest_digits(value)
        sign = "-" if value < 0 else ""
        return sign + _exponent_form(digits, point, 1)
    return format_float_positional(value)


def format_time(moment: _dt.datetime, nanos: int | None = None) -> str:
    """Go ``time.MarshalText``: RFC 3339 with trimmed fractional seconds, ``Z`` for UTC."""
    frac_ns = moment.microsecond * 1000 if nanos is None else nanos
    text = moment.strftime("%Y-%m-%dT%H:%M:%S") + _fraction(frac_ns)
    offset = moment.utcoffset()
    if not offset:  # None or a zero timedelta
        return text + "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{text}{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _fraction(nanos: int) -> str:
    """Go's trimmed fractional seconds: "" for none, ".5" for 500 ms."""
    return "." + str(nanos).rjust(9, "0").rstrip("0") if nanos else ""


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _valid_utc(year: int, month: int, day: int, clock: tuple[int, int, int]) -> bool:
    """Whether ``datetime`` would take these fields, for years strftime pads to 4 digits."""
    if year < 1000 or not 1 <= month <= 12 or day < 1:
        return False
    leap = month == 2 and year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    hour, minute, second = clock
    return day <= _MONTH_DAYS[month - 1] + leap and hour < 24 and minute < 60 and second < 60


_TIMESTAMP = Pattern(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d))"
    r"|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?))?\Z"
)


def parse_timestamp(text: str) -> GoTime | None:
    """The timestamp layouts go-yaml accepts for untagged plain scalars, or None."""
    match = _TIMESTAMP.match(text)
    if match is None:
        return None
    groups = match.groups()
    year, month, day = int(groups[0]), int(groups[1]), int(groups[2])
    if groups[3] is not None:
        hour, minute, second, frac, zone = groups[3], groups[4], groups[5], groups[6], groups[7]
    elif groups[8] is not None:
        hour, minute, second, frac, zone = groups[8], groups[9], groups[10], groups[11], "Z"
    else:
        hour, minute, second, frac, zone = "0", "0", "0", None, "Z"
    nanos = int(frac.ljust(9, "0")) if frac else 0
    clock = (int(hour), int(minute), int(second))
    if zone == "Z" and _valid_utc(year, month, day, clock):  # without importing datetime
        text = f"{year:04d}-{month:02d}-{day:02d}T{clock[0]:02d}:{clock[1]:02d}:{clock[2]:02d}"
        return GoTime(text + _fraction(nanos) + "Z")
    import datetime as _dt

    try:
        tz = _dt.timezone.utc
        if zone != "Z":
            sign = 1 if zone[0] == "+" else -1
            tz = _dt.timezone(sign * _dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
        moment = _dt.datetime(year, month, day, *clock, tzinfo=tz)
    except ValueError:
        return None
    return GoTime(format_time(moment, nanos))


# Lone surrogates that are not undecodable bytes kept by "surrogateescape": a JSON
# "\ud800" escape gives one. Go's JSON reader turns them into U+FFFD.
_LONE_SURROGATE = Pattern("[\ud800-\udc7f\udd00-\udfff]")


def has_lone_surrogate(text: str) -> bool:
    """Whether ``text`` holds a character that is not UTF-8 text (a JSON ``"\\ud800"``);
    undecodable bytes kept by "surrogateescape" do not count."""
    return not text.isascii() and _LONE_SURROGATE.search(text) is not None


def encode_text(text: str) -> bytes:
    """UTF-8 bytes of text read from a file: undecodable bytes (kept as surrogates when the
    file was read) come back as they were; any other lone surrogate becomes U+FFFD."""
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text).encode("utf-8", "surrogateescape")


def to_bytes(value: Scalar | Comment) -> bytes:
    """Go ``sops.ToBytes``: the plaintext bytes that are encrypted and hashed into the MAC."""
    if type(value) is str:  # the common case, before the isinstance chain
        try:
            return value.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return encode_text(value)
    if isinstance(value, str):
        return encode_text(value)
    if isinstance(value, bool):
        return b"True" if value else b"False"
    if isinstance(value, int):
        return str(value).encode()
    if isinstance(value, float):
        return format_float_positional(value).encode()
    if isinstance(value, GoTime):
        return value.text.encode()
    if isinstance(value, Comment):
        return encode_text(value.text)
    raise TypeError(f"cannot convert a value of type {type(value).__name__} to bytes")


_GO_INT = Pattern(r"^[+-]?[0-9]{1,19}\Z")  # Go's Atoi: int64, longer never fits
_INT64 = range(-(2**63), 2**63)
_GO_INFINITY = frozenset({"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"})
_GO_BOOL = {
    "1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
    "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False,
}  # fmt: skip


def from_bytes(tag: str, data: bytes) -> Scalar | Comment:
    """Parse decrypted bytes according to the type tag, as sops' decryptor does."""
    text = data.decode("utf-8", "surrogateescape")
    if tag in (TYPE_STR, TYPE_BYTES):
        return text
    if tag == TYPE_COMMENT:
        return Comment(text)
    if tag == TYPE_INT:
        if not _GO_INT.match(text) or (whole := int(text)) not in _INT64:
            raise ValueError("not a 64-bit decimal integer")
        return whole
    if tag == TYPE_FLOAT:
        if "_" in text:
            raise ValueError("not a float")
        number = float(text)
        if math.isinf(number) and text.lower() not in _GO_INFINITY:
            raise ValueError("overflows a float64")  # Go's ParseFloat refuses it
        return number
    if tag == TYPE_BOOL:
        if text not in _GO_BOOL:
            raise ValueError("not a boolean")
        return _GO_BOOL[text]
    if tag == TYPE_TIME:
        parsed = parse_timestamp(text)
        if parsed is None:
            raise ValueError("not an RFC 3339 time")
        return parsed
    raise ValueError("unknown type tag")
