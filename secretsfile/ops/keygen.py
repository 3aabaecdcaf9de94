"""Creating keys: a new local key of any kind that has one (age identity, Fernet key), in a
0600 file that is never overwritten (an existing one is reported with its public id, read
from the header keygen and age-keygen write). Remote keys (KMS, Vault transit) are made
elsewhere."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from secretsfile._fileio import write_new_private
from secretsfile.errors import KeySourceError, UsageError
from secretsfile.keysources import registry


@dataclass(frozen=True)
class NewKey:
    kind: str
    path: Path
    public: str  # the age recipient, or the Fernet key id
    existed: bool = False  # the file was there already: nothing was written


# "# public key: age1…" (age-keygen, keygen), "# key id: <id>" (Fernet keygen)
_HEADER = re.compile(r"^#\s*(?:public key|key id|recipient):\s*(\S+)\s*$", re.IGNORECASE)


def default_path(kind: str) -> Path:
    path = registry.get(kind).default_key_file() if registry.supports(kind) else None
    if path is None:
        raise UsageError(f"unknown key type {kind!r}",
                         hint=f"use {' or '.join(registry.generators())}")
    return path


def keygen(kind: str = registry.DEFAULT_KIND, output: Path | None = None) -> NewKey:
    default = default_path(kind)  # first: refuses kinds keygen cannot create
    target = output or default
    if target.exists():
        return NewKey(kind, target, existing_public(kind, target), existed=True)
    text, public = registry.get(kind).generate()
    write_new_private(target, text)
    return NewKey(kind, target, public)


def existing_public(kind: str, path: Path) -> str:
    """The public id a key file's header names (never anything else from the file);
    UsageError when it names none, as before: the file is never overwritten."""
    refusal = UsageError(f"{path} already exists",
                         hint="refusing to overwrite a key; choose --output")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        raise refusal from None
    source = registry.get(kind)
    for line in lines:
        match = _HEADER.match(line.strip())
        if match is None or match.group(1).upper().startswith(source.private_key_markers):
            continue
        try:
            return source.parse_recipient(match.group(1))
        except KeySourceError:
            continue
    raise refusal
