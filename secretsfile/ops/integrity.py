"""Re-sealing a file after review: a fresh integrity tag when sops (or a reviewed hand
edit) left the file without one, or with one that no longer matches."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from secretsfile._fileio import locked, write_atomic
from secretsfile.core.integrity import structure_tag, tag_matches
from secretsfile.ops.document import open_document, read_encrypted_file, seal

TagState = Literal["ok", "missing", "mismatch"]


def reseal(path: Path, input_type: str | None = None) -> TagState:
    """Verify the sops MAC, then write a fresh structure tag; every value keeps its
    ciphertext. Returns the tag's state before (nothing is written when it was ``ok``).

    The tag is what vouches for key names, types and empty values, so this is the moment
    a person accepts them: run it after reviewing the change, never blindly in CI."""
    with locked(path):
        document = read_encrypted_file(path, input_type)
        opened = open_document(document, verify_tag=False)
        metadata = document.metadata
        computed = structure_tag(opened.cipher.data_key, opened.plain, metadata.selector)
        if not metadata.tag:
            state: TagState = "missing"
        elif tag_matches(metadata.tag, computed):
            return "ok"
        else:
            state = "mismatch"
        write_atomic(path, seal(opened))
    return state
