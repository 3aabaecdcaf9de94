"""File formats <-> the typed tree. No crypto here.

Each format is a :class:`~secretsfile.stores.interface.Store` listed once in
``stores/registry.py``; the format is chosen from the file name (``.yaml``/``.yml``,
``.json``, ``.env``) unless given explicitly. The functions below are the short names the
other layers use (ops, the git reader, the plaintext guard).
"""

from __future__ import annotations

from secretsfile.core.values import Branch
from secretsfile.stores.registry import FORMATS, check_name, format_for_name, format_for_path
from secretsfile.stores.registry import get as get_store

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from typing import Any

__all__ = ["FORMATS", "check_name", "dump_documents", "format_for_name", "format_for_path",
           "get_store", "load_documents", "split_metadata"]


def load_documents(text: str, fmt: str, path: str) -> list[Branch]:
    """The documents of a file, metadata still in them."""
    return get_store(fmt).load(text, path)


def split_metadata(docs: list[Branch], fmt: str) -> tuple[list[Branch], dict[str, Any] | None]:
    """The documents without their sops metadata, and the metadata (None: plaintext)."""
    return get_store(fmt).split_metadata(docs)


def dump_documents(docs: list[Branch], fmt: str, metadata: dict[str, Any] | None = None,
                   indent: int | None = None) -> str:  # fmt: skip
    """File text; with metadata, each YAML document gets its own copy (as sops does)."""
    return get_store(fmt).write(docs, metadata, indent)
