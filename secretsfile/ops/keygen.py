"""Creating keys: a new local key of any kind that has one (age identity, Fernet key), in a
0600 file that is never overwritten. Remote keys (KMS, Vault transit) are made elsewhere."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from secretsfile._fileio import write_new_private
from secretsfile.errors import UsageError
from secretsfile.keysources import registry


@dataclass(frozen=True)
class NewKey:
    kind: str
    path: Path
    public: str  # the age recipient, or the Fernet key id


def default_path(kind: str) -> Path:
    path = registry.get(kind).default_key_file() if registry.supports(kind) else None
    if path is None:
        raise UsageError(f"unknown key type {kind!r}",
                         hint=f"use {' or '.join(registry.generators())}")
    return path


def keygen(kind: str = registry.DEFAULT_KIND, output: Path | None = None) -> NewKey:
    default = default_path(kind)  # first: refuses kinds keygen cannot create
    target = output or default
    text, public = registry.get(kind).generate()
    write_new_private(target, text)
    return NewKey(kind, target, public)
