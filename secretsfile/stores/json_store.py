"""JSON <-> typed tree, written the way Go's encoding/json + json.Indent write it (tab indent)."""

from __future__ import annotations

import json
import math
import re
from typing import Any, ClassVar

from secretsfile.core.values import (
    MAX_DEPTH,
    Branch,
    Comment,
    GoTime,
    Value,
    format_float_json,
    nesting_exceeds,
)
from secretsfile.errors import FormatError
from secretsfile.stores.interface import Store

_NEEDS_ESCAPE = re.compile('[\x00-\x1f"\\\\<>&\u2028\u2029\ud800-\udfff\x7f]')
_SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _pairs(path: str) -> Any:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise FormatError(f"duplicate key {key!r}", path=path, hint="keep one of them")
            out[key] = value
        return out

    return hook


class _BadNumber(ValueError):
    """Raised inside the JSON decoder; load_json turns it into one FormatError."""


def _reject_constant(name: str) -> float:
    raise _BadNumber("NaN and Infinity are not JSON")


def _parse_float(text: str) -> float:
    """Go's ParseFloat refuses what overflows a float64 (sops: "cannot unmarshal")."""
    value = float(text)
    if math.isinf(value):
        raise _BadNumber("a number is too large for a 64-bit float")
    return value


_INT64_DIGITS = 19  # longer decimals cannot fit (and int() refuses past 4,300 digits)


def _parse_int(text: str) -> int | float:
    """A JSON integer as sops reads it: int64 when it fits (3.13.2+), else float64 (3.11
    reads every number as float64). ``-0`` stays a negative-zero float so its MAC bytes
    stay ``-0``, as sops 3.11 computes them."""
    if len(text.lstrip("-")) > _INT64_DIGITS:
        return _parse_float(text)
    value = int(text)
    if value == 0 and text.startswith("-"):
        return -0.0
    if -(2**63) <= value < 2**63:
        return value
    return float(text)


def load_json(text: str, path: str = "<json>") -> list[Branch]:
    try:
        data = json.loads(
            text,
            object_pairs_hook=_pairs(path),
            parse_constant=_reject_constant,
            parse_int=_parse_int,
            parse_float=_parse_float,
        )
    except json.JSONDecodeError as error:
        raise FormatError(
            f"invalid JSON: {error.msg}", path=path, line=error.lineno, hint="fix the syntax"
        ) from None
    except _BadNumber as error:
        raise FormatError(f"invalid JSON: {error}", path=path) from None
    except RecursionError:  # the decoder recurses per level: far past MAX_DEPTH
        too_deep = True
    else:
        too_deep = nesting_exceeds(data, MAX_DEPTH)
    if too_deep:
        raise FormatError(f"JSON nested more than {MAX_DEPTH} levels deep", path=path,
                          hint="flatten the structure")
    if not isinstance(data, dict):
        raise FormatError("the top level of a JSON document must be an object", path=path)
    if _SURROGATE.search(text) or "\\u" in text:
        data = _go_strings(data, path)
    return [data]


_SURROGATE = re.compile("[\ud800-\udfff]")  # undecodable bytes, or an escape's half


def _go_strings(value: Any, path: str) -> Any:
    """Strings as Go's JSON reader makes them: bytes that are not UTF-8 (kept as surrogates
    when the file was read) and unpaired surrogate escapes become U+FFFD. Decrypted values
    and the MAC then match what sops computes."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        out = {_go_strings(key, path): _go_strings(child, path) for key, child in value.items()}
        if len(out) != len(value):
            raise FormatError("duplicate key once bytes that are not UTF-8 are replaced",
                              path=path, hint="keep one of them")
        return out
    if isinstance(value, list):
        return [_go_strings(child, path) for child in value]
    return value


def _string(text: str) -> str:
    if not _NEEDS_ESCAPE.search(text):
        return f'"{text}"'
    out = ['"']
    for char in text:
        code = ord(char)
        if char in _SHORT:
            out.append(_SHORT[char])
        elif code < 0x20 or char in "<>&" or code in (0x2028, 0x2029):
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _scalar(value: Value) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise FormatError("JSON cannot hold NaN or infinity", hint="use YAML, or quote it")
        return format_float_json(value)
    if isinstance(value, GoTime):
        return _string(value.text)
    assert isinstance(value, str)
    return _string(value)


def _emit(value: Value, depth: int, indent: str, out: list[str]) -> None:
    if isinstance(value, dict):
        items = [(k, v) for k, v in value.items() if not isinstance(k, Comment)]
        if not items:
            out.append("{}")
            return
        out.append("{\n")
        for index, (key, child) in enumerate(items):
            out.append(indent * (depth + 1) + _string(str(key)) + ": ")
            _emit(child, depth + 1, indent, out)
            out.append(",\n" if index < len(items) - 1 else "\n")
        out.append(indent * depth + "}")
    elif isinstance(value, list):
        elements = [v for v in value if not isinstance(v, Comment)]
        if not elements:
            out.append("[]")
            return
        out.append("[\n")
        for index, child in enumerate(elements):
            out.append(indent * (depth + 1))
            _emit(child, depth + 1, indent, out)
            out.append(",\n" if index < len(elements) - 1 else "\n")
        out.append(indent * depth + "]")
    else:
        out.append(_scalar(value))


def dump_json(docs: list[Branch], indent: int = -1) -> str:
    if len(docs) != 1:
        raise FormatError("JSON holds exactly one document", hint="use YAML for several")
    unit = "\t" if indent < 0 else " " * indent
    out: list[str] = []
    _emit(docs[0], 0, unit, out)
    return "".join(out) + "\n"


class JsonStore(Store):
    name = "json"
    new_file_template: ClassVar[str] = '{\n\t"example_key": "example_value"\n}\n'

    def load(self, text: str, path: str) -> list[Branch]:
        return load_json(text, path)

    def dump(self, docs: list[Branch], indent: int | None) -> str:
        return dump_json(docs, -1 if indent is None else indent)  # -1: a tab, as sops

    def detect_indent(self, text: str) -> int | None:
        """The spaces before the second line's key (None: tabs, sops' default)."""
        for line in text.splitlines()[1:2]:
            stripped = line.lstrip(" ")
            return len(line) - len(stripped) if line.startswith(" ") else None
        return None
