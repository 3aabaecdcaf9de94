"""The one list of file formats. A new format is one module (a ``Store`` subclass, see
``stores/interface.py``) and one line in ``_FORMATS``.

Names and extensions are plain data, so telling a file's format imports no format code;
the store class is imported on first use (the YAML one without PyYAML: most encrypted
files are read by the fast reader).
"""

from __future__ import annotations

import os

from secretsfile._lazy import resolve
from secretsfile.core.record import Record
from secretsfile.errors import UsageError
from secretsfile.stores.interface import Store


class Format(Record, frozen=True):
    name: str  # what --input-type / --output-type take, and EncryptedDocument.fmt
    extensions: tuple[str, ...]  # suffixes, matched case-sensitively; the first is in hints
    store: str  # "module:Class", imported on first use
    file_names: tuple[str, ...] = ()  # whole names ("x") or name prefixes ("x.")


# sops' order of precedence is by extension, the same for every format; order here only
# decides how hints list them.
_FORMATS = (
    Format("yaml", (".yaml", ".yml"), "secretsfile.stores.yaml_store:YamlStore"),
    Format("json", (".json",), "secretsfile.stores.json_store:JsonStore"),
    Format("dotenv", (".env",), "secretsfile.stores.dotenv_store:DotenvStore", (".env", ".env.")),
    Format("ini", (".ini",), "secretsfile.stores.ini_store:IniStore"),
    Format("binary", (), "secretsfile.stores.binary_store:BinaryStore"),
)
# Like sops, a name no format claims is binary, and extensions match case-sensitively
# (``x.YAML`` is a binary file to sops: reading it as YAML would break both ways).
# Unlike sops, ``.env.*`` names are dotenv
# (our convention for environment files); a file sops wrote there as binary (a JSON object
# with ``data`` and ``sops``) is recognised by its content.
FALLBACK = "binary"
_SNIFFED = ("dotenv", "ini")  # formats whose files never start with "{"
_BY_NAME = {fmt.name: fmt for fmt in _FORMATS}
_BY_EXTENSION = {ext: fmt.name for fmt in _FORMATS for ext in fmt.extensions}
FORMATS = tuple(_BY_NAME)
_stores: dict[str, Store] = {}


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} or {items[-1]}"


def names_text() -> str:
    """"yaml, json, dotenv, ini or binary": for help texts and hints."""
    return _listed(list(FORMATS))


def extensions_text() -> str:
    """".yaml, .json, .env or .ini" (each format's first extension): for help texts."""
    return _listed([fmt.extensions[0] for fmt in _FORMATS if fmt.extensions])


def check_name(name: str, what: str = "format") -> str:
    """``name`` if it is a known format, else a UsageError listing them."""
    if name not in _BY_NAME:
        raise UsageError(f"unknown {what} {name!r}", hint=f"use {names_text()}")
    return name


def sops_format_for_name(path: str | os.PathLike[str]) -> str:
    """sops' own choice: by extension only (case-sensitive), anything else binary. Not
    ours for plaintext: ``.env.local`` is binary to sops, dotenv to ``format_for_name``."""
    return _BY_EXTENSION.get(_suffix(_name(path)), "binary")


def _name(path: str | os.PathLike[str]) -> str:
    """The last component, as ``PurePosixPath(path).name`` (no pathlib on the hot path)."""
    parts = [part for part in os.fspath(path).split("/") if part and part != "."]
    return parts[-1] if parts else ""


def _suffix(name: str) -> str:
    """``PurePosixPath(name).suffix``: a leading or trailing dot is no suffix."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def format_for_name(path: str | os.PathLike[str]) -> str | None:
    """The format a file name implies by its extension (or whole name), or None."""
    name = _name(path)
    by_extension = _BY_EXTENSION.get(_suffix(name))
    if by_extension is not None:
        return by_extension
    for fmt in _FORMATS:
        for pattern in fmt.file_names:
            if name == pattern or (pattern.endswith(".") and name.startswith(pattern)):
                return fmt.name
    return None


def format_for_path(path: str | os.PathLike[str], explicit: str | None = None) -> str:
    """``explicit`` (checked), else the format ``path``'s name implies, else binary (as
    sops). A dotenv or INI name holding a sops binary document is binary."""
    if explicit:
        return check_name(explicit)
    found = format_for_name(path)
    if found in _SNIFFED:
        return FALLBACK if _holds_binary_document(path) else found
    if found is not None:
        return found
    if os.path.isdir(path):  # only for names no format claims: costs nothing otherwise
        raise UsageError(f"{path} is a directory, not a file", hint="name a secrets file")
    return FALLBACK


def _holds_binary_document(path: str | os.PathLike[str]) -> bool:
    try:
        with open(path, "rb") as handle:
            if handle.read(64).lstrip()[:1] != b"{":
                return False
            handle.seek(0)
            text = handle.read(_SNIFF_LIMIT).decode("utf-8", "surrogateescape")
    except OSError:
        return False  # missing or unreadable: the read itself says so
    from secretsfile.stores.binary_store import looks_encrypted

    return looks_encrypted(text)


_SNIFF_LIMIT = 64 << 20


def get(name: str) -> Store:
    """The store of a format (one instance per process)."""
    store = _stores.get(name)
    if store is None:
        store = _stores[name] = resolve(_BY_NAME[check_name(name)].store)()
    return store
