"""dotenv <-> typed tree, as naive as sops' store: ``KEY=value`` lines, ``#`` comments.

No quote or ``export`` handling (so sops and secretsfile agree byte for byte), empty lines
are dropped, a literal ``\\n`` in a value is a newline. Metadata is flattened into sorted
``sops_…`` keys with ``__map_<key>`` / ``__list_<index>`` separators.
"""

from __future__ import annotations

import re
from typing import Any

from secretsfile.core.values import (
    MAX_DEPTH,
    Branch,
    Comment,
    GoTime,
    Value,
    format_float_positional,
)
from secretsfile.errors import FormatError

PREFIX = "sops_"
_SEPARATOR = re.compile(r"__(map|list)_")


def load_dotenv(text: str, path: str = "<dotenv>") -> list[Branch]:
    branch: Branch = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line:
            continue
        if line.startswith("#"):
            branch[Comment(line[1:])] = None
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise FormatError(
                "invalid dotenv line: expected KEY=VALUE", path=path, line=number,
                hint="every non-comment line needs an '='",
            )  # fmt: skip
        if key in branch:
            raise FormatError(f"duplicate key {key!r}", path=path, line=number)
        branch[key] = value.replace("\\n", "\n")
    return [branch]


def _text(value: Value) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float):
        return format_float_positional(value)
    if isinstance(value, GoTime):
        return value.text
    return str(value)


def flatten(value: Any, prefix: str, out: dict[str, str], top: bool = False) -> None:
    """Nested values become ``prefix__map_key`` / ``prefix__list_i`` keys (``key`` at top)."""
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(key, Comment):
                continue
            flatten(child, str(key) if top else f"{prefix}__map_{key}", out)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            flatten(child, f"{prefix}__list_{index}", out)
    elif value is not None:
        out[prefix] = _text(value)


def dump_dotenv(docs: list[Branch], metadata: dict[str, Any] | None = None) -> str:
    if len(docs) != 1:
        raise FormatError("dotenv holds exactly one document")
    lines: list[str] = []
    for key, value in docs[0].items():
        if isinstance(key, Comment):
            lines.append("#" + key.text)
        elif isinstance(value, (dict, list)):
            flat: dict[str, str] = {}
            flatten(value, key, flat)
            lines.extend(f"{k}={v}".replace("\n", "\\n") for k, v in flat.items())
        else:
            lines.append(f"{key}={_text(value)}".replace("\n", "\\n"))
    if metadata is not None:
        flat_meta: dict[str, str] = {}
        flatten(metadata, "", flat_meta, top=True)
        for key in sorted(flat_meta):
            lines.append(f"{PREFIX}{key}={flat_meta[key]}".replace("\n", "\\n"))
    return "".join(line + "\n" for line in lines)


def split_metadata(branch: Branch) -> tuple[Branch, dict[str, Any] | None]:
    """Separate the ``sops_*`` keys and rebuild the nested metadata from them."""
    data: Branch = {}
    flat: dict[str, str] = {}
    for key, value in branch.items():
        if isinstance(key, str) and key.startswith(PREFIX):
            flat[key[len(PREFIX) :]] = str(value)
        else:
            data[key] = value
    if not flat:
        return data, None
    return data, _unflatten(flat)


_MAX_LIST_INDEX = 1000  # metadata lists are short; a huge index must not allocate


def _unflatten(flat: dict[str, str]) -> dict[str, Any]:
    try:
        return _build(flat)
    except (ValueError, TypeError, AttributeError, IndexError, KeyError):
        raise FormatError(
            "malformed sops_* metadata keys", hint="restore the file from git"
        ) from None


def _build(flat: dict[str, str]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for key, text in flat.items():
        parts = _SEPARATOR.split(key)
        tokens: list[tuple[str, str]] = [("map", parts[0])]
        tokens += [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]
        if len(tokens) > MAX_DEPTH:
            raise ValueError("nested too deeply")
        node: Any = root
        for depth, (kind, name) in enumerate(tokens):
            last = depth == len(tokens) - 1
            nxt: Any = None if last else ({} if tokens[depth + 1][0] == "map" else [])
            if kind == "map":
                if last:
                    node[name] = _typed(name, text)
                else:
                    node = node.setdefault(name, nxt)
            else:
                index = int(name)
                if not 0 <= index <= _MAX_LIST_INDEX:
                    raise ValueError(name)
                while len(node) <= index:
                    node.append(None)
                if last:
                    node[index] = text
                else:
                    if node[index] is None:
                        node[index] = nxt
                    node = node[index]
    return root


def _typed(name: str, text: str) -> Any:
    if name == "mac_only_encrypted":
        return text.lower() == "true"
    if name == "shamir_threshold":
        number = float(text)  # sops writes an integer; "2.0" is read as 2 all the same
        if not number.is_integer():  # also NaN and infinity
            raise ValueError("not an integer")
        return int(number)
    return text
