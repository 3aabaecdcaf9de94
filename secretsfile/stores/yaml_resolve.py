"""How go-yaml v3 types an untagged plain scalar, and when it must quote a string.

sops reads YAML with go-yaml, which follows YAML 1.2 (``yes`` is a string, ``0777`` is
511, ``2024-01-02`` is a time). Reading and writing with these rules keeps the typed tree,
and therefore the MAC, identical to what sops computes.
"""

from __future__ import annotations

import math

from secretsfile.core.pattern import Pattern
from secretsfile.core.values import Scalar, parse_timestamp
from secretsfile.errors import FormatError

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_SPECIAL_FLOATS = {
    ".inf": float("inf"), ".Inf": float("inf"), ".INF": float("inf"),
    "+.inf": float("inf"), "+.Inf": float("inf"), "+.INF": float("inf"),
    "-.inf": float("-inf"), "-.Inf": float("-inf"), "-.INF": float("-inf"),
    ".nan": float("nan"), ".NaN": float("nan"), ".NAN": float("nan"),
}  # fmt: skip
_GO_INT = Pattern(r"^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)\Z")
_YAML_FLOAT = Pattern(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INT64_MAX = 2**63 - 1
_UINT64_MAX = 2**64 - 1
_UINT64_DIGITS = 20  # longer decimals cannot fit, and int() refuses past 4,300 digits
# YAML 1.1 words that go-yaml still quotes on output, so old readers do not misread them.
_OLD_BOOLS = frozenset(
    "y Y yes Yes YES n N no No NO true True TRUE false False FALSE on On ON off Off OFF".split()  # noqa: SIM905
)
# A string that starts with a letter or "_" (so it is no number, time or special float)
# needs quoting exactly when it is one of these words.
QUOTED_WORDS = _OLD_BOOLS | _NULLS - {"", "~"}
_BASE60 = Pattern(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")


def _parse_go_int(text: str) -> int | None:
    match = _GO_INT.match(text)
    if match is None:
        return None
    sign, digits = match.groups()
    lowered = digits[:2].lower()
    if lowered == "0x":
        number = int(digits[2:], 16)
    elif lowered == "0o":
        number = int(digits[2:], 8)
    elif lowered == "0b":
        number = int(digits[2:], 2)
    elif len(digits) > 1 and digits[0] == "0":
        number = int(digits[1:], 8)  # legacy octal, as Go's ParseInt with base 0
    elif len(digits) > _UINT64_DIGITS:
        return None  # not a 64-bit integer: go-yaml tries it as a float next
    else:
        number = int(digits)
    return -number if sign == "-" else number


def resolve_plain(text: str) -> Scalar:
    """The typed value of an untagged plain scalar, as go-yaml decodes it into interface{}."""
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    if not text or text[0] not in "+-.0123456789":
        return text
    if text[4:5] == "-" and text[0].isdigit():  # a time starts with 4 digits and "-"
        moment = parse_timestamp(text)
        if moment is not None:
            return moment
    plain = text.replace("_", "")
    dots = plain.count(".")  # no int has one, no float two ("3.11.0" runs no regex)
    number = _parse_go_int(plain) if not dots else None
    if number is not None:
        if -_INT64_MAX - 1 <= number <= _INT64_MAX:
            return number
        if 0 <= number <= _UINT64_MAX:
            raise FormatError(
                "an integer does not fit in 64 bits", hint="quote it to keep it as a string"
            )
    if dots < 2 and _YAML_FLOAT.match(plain):
        real = float(plain)
        if not math.isinf(real):
            return real
        # Go's ParseFloat refuses what overflows a float64, so go-yaml keeps the text
    return text


def must_quote(text: str) -> bool:
    """True when a plain ``text`` would not read back as the same string in go-yaml."""
    if text in _OLD_BOOLS or _BASE60.match(text):
        return True
    try:
        return not isinstance(resolve_plain(text), str)
    except FormatError:
        return True
