"""The one list of file formats. A new format is one module (a ``Store`` subclass, see
``stores/interface.py``) and one line in ``_FORMATS``.

Names and extensions are plain data, so telling a file's format imports no format code;
the store class is imported on first use (the YAML one without PyYAML: most encrypted
files are read by the fast reader).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path, PurePath

from secretsfile.errors import UsageError
from secretsfile.stores.interface import Store


@dataclass(frozen=True)
class Format:
    name: str  # what --input-type / --output-type take, and EncryptedDocument.fmt
    extensions: tuple[str, ...]  # lower-case suffixes; the first is the one hints name
    store: str  # "module:Class", imported on first use
    file_names: tuple[str, ...] = ()  # whole names ("x") or name prefixes ("x.")


# sops' order of precedence is by extension, the same for every format; order here only
# decides how hints list them.
_FORMATS = (
    Format("yaml", (".yaml", ".yml"), "secretsfile.stores.yaml_store:YamlStore"),
    Format("json", (".json",), "secretsfile.stores.json_store:JsonStore"),
    Format("dotenv", (".env",), "secretsfile.stores.dotenv_store:DotenvStore", (".env", ".env.")),
)
_BY_NAME = {fmt.name: fmt for fmt in _FORMATS}
_BY_EXTENSION = {ext: fmt.name for fmt in _FORMATS for ext in fmt.extensions}
FORMATS = tuple(_BY_NAME)
_stores: dict[str, Store] = {}


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def names_text() -> str:
    """"yaml, json or dotenv": for help texts and hints."""
    return _listed(list(FORMATS))


def extensions_text() -> str:
    """".yaml, .json or .env" (each format's first extension): for help texts and hints."""
    return _listed([fmt.extensions[0] for fmt in _FORMATS])


def check_name(name: str, what: str = "format") -> str:
    """``name`` if it is a known format, else a UsageError listing them."""
    if name not in _BY_NAME:
        raise UsageError(f"unknown {what} {name!r}", hint=f"use {names_text()}")
    return name


def format_for_name(path: str | PurePath) -> str | None:
    """The format a file name implies by its extension (or whole name), or None."""
    pure = PurePath(path)
    by_extension = _BY_EXTENSION.get(pure.suffix.lower())
    if by_extension is not None:
        return by_extension
    for fmt in _FORMATS:
        for pattern in fmt.file_names:
            if pure.name == pattern or (pattern.endswith(".") and pure.name.startswith(pattern)):
                return fmt.name
    return None


def format_for_path(path: str | PurePath, explicit: str | None = None) -> str:
    """``explicit`` (checked) or the format ``path``'s name implies; else a UsageError."""
    if explicit:
        return check_name(explicit)
    found = format_for_name(path)
    if found is not None:
        return found
    if Path(path).is_dir():  # only on the error path: costs nothing otherwise
        raise UsageError(f"{path} is a directory, not a file", hint="name a secrets file")
    raise UsageError(
        f"cannot tell the format of {PurePath(path).name!r} from its extension",
        hint=f"name it {extensions_text()}, or pass --input-type",
    )


def get(name: str) -> Store:
    """The store of a format (one instance per process)."""
    store = _stores.get(name)
    if store is None:
        module, _, cls = _BY_NAME[check_name(name)].store.partition(":")
        store = _stores[name] = getattr(importlib.import_module(module), cls)()
    return store
