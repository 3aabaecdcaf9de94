"""Creating keys: an age identity or a Fernet key, in a 0600 file that is never overwritten."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from secretsfile._fileio import write_new_private
from secretsfile.errors import UsageError


@dataclass(frozen=True)
class NewKey:
    kind: str
    path: Path
    public: str  # the age recipient, or the Fernet key id


def default_path(kind: str) -> Path:
    if kind == "age":
        from secretsfile.keysources.age import default_key_file

        return default_key_file()
    from secretsfile.keysources.fernet import default_key_file as fernet_default

    return fernet_default()


def keygen(kind: str = "age", output: Path | None = None) -> NewKey:
    if kind == "age":
        from secretsfile.keysources.age import generate_identity

        text, public = generate_identity()
    elif kind == "fernet":
        from secretsfile.keysources.fernet import generate_key

        text, public = generate_key()
    else:
        raise UsageError(f"unknown key type {kind!r}", hint="use age or fernet")
    path = output or default_path(kind)
    write_new_private(path, text)
    return NewKey(kind, path, public)
