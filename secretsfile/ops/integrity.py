"""Re-sealing a file after review: a fresh integrity tag when sops (or a reviewed hand
edit) left the file without one, or with one that no longer matches; with
``ignore_mac``, also a fresh MAC when a hand-resolved merge broke it."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from secretsfile._fileio import locked, write_atomic
from secretsfile.core.integrity import structure_tag, tag_matches
from secretsfile.errors import IntegrityError, warn
from secretsfile.ops.document import open_document, read_encrypted_file, seal

TagState = Literal["ok", "missing", "mismatch", "mac"]


def warn_ignored_mac(path: Path | str) -> None:
    """The loud warning every ``--ignore-mac`` reader gives."""
    warn(f"{path}: THE MAC AND THE INTEGRITY TAG WERE NOT VERIFIED (--ignore-mac): each value "
         "still authenticated on its own, but values may have been removed, reordered or "
         "copied between keys by whoever last changed the file; review it (git diff), then "
         f"run 'secretsfile reseal --ignore-mac {path}'")


def reseal(path: Path, input_type: str | None = None, ignore_mac: bool = False) -> TagState:
    """Verify the sops MAC, then write a fresh structure tag; every value keeps its
    ciphertext. Returns the tag's state before (nothing is written when it was ``ok``).
    ``ignore_mac``: a MAC that does not match (a hand-resolved merge) is replaced too
    (state ``mac``); every value must still authenticate on its own.

    The tag is what vouches for key names, types and empty values, so this is the moment
    a person accepts them: run it after reviewing the change, never blindly in CI."""
    with locked(path):
        document = read_encrypted_file(path, input_type)
        try:
            opened = open_document(document, verify_tag=False)
        except IntegrityError:
            if not ignore_mac:
                raise
            opened = open_document(document, verify_mac=False)
            write_atomic(path, seal(opened))
            return "mac"
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

