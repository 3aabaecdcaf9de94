"""Nested values as one level of names, for formats that cannot nest (dotenv, later INI).

One walk, two deliberately different namings (``Separators``):

- ``SOPS``: ``key_groups__list_0__map_age``, sops' ``FlattenMetadata``. Reversible (each
  step says map or list, so :func:`unflatten_metadata` rebuilds the tree) and byte for
  byte what sops writes for the metadata of dotenv files (and of INI files' ``[sops]``
  section). Never change it: sops could no longer read our files.
- ``ENV``: ``db__password``, ``hosts__0``: what ``decrypt --output-type dotenv`` prints
  for nested plaintext, readable as variable names and not meant to be read back (sops
  refuses nested values in dotenv instead).
"""

from __future__ import annotations

from secretsfile.core.pattern import Pattern
from secretsfile.core.record import Record
from secretsfile.core.values import MAX_DEPTH, Branch, Comment, Value
from secretsfile.errors import FormatError

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from typing import Any


class Separators(Record, frozen=True):
    map: str
    list: str


SOPS = Separators("__map_", "__list_")
ENV = Separators("__", "__")


def flatten(branch: Branch, separators: Separators, prefix: str = "") -> Branch:
    """``branch`` with nested maps and lists as ``prefix<sep>key`` names (top-level keys
    as they are). Comments in maps stay where they were; comments in lists are dropped
    and the items numbered without them; scalars keep their type."""
    flat: Branch = {}
    for key, value in branch.items():
        if isinstance(key, Comment):
            flat[key] = None
            continue
        name = f"{prefix}{separators.map}{key}" if prefix else key
        _flatten_value(value, separators, name, flat)
    return flat


def _flatten_value(value: Value, separators: Separators, name: str, flat: Branch) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(key, Comment):
                flat[key] = None
            else:
                _flatten_value(child, separators, f"{name}{separators.map}{key}", flat)
    elif isinstance(value, list):
        items = [child for child in value if not isinstance(child, Comment)]
        for index, child in enumerate(items):
            _flatten_value(child, separators, f"{name}{separators.list}{index}", flat)
    else:
        flat[name] = value


_SEPARATOR = Pattern(r"__(map|list)_")  # compiled when a dotenv/INI file is read
_MAX_LIST_INDEX = 1000  # metadata lists are short; a huge index must not allocate


def unflatten_metadata(flat: dict[str, str]) -> dict[str, Any]:
    """The metadata tree back from its ``SOPS``-flattened keys (without their prefix)."""
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
    """Flattened metadata is text; the two non-text fields get their type back."""
    if name == "mac_only_encrypted":
        return text.lower() == "true"
    if name == "shamir_threshold":
        number = float(text)  # sops writes an integer; "2.0" is read as 2 all the same
        if not number.is_integer():  # also NaN and infinity
            raise ValueError("not an integer")
        return int(number)
    return text
