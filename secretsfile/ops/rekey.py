"""Re-keying a file: rotate (a new data key for the same recipients) and updatekeys (the
data key re-wrapped for a changed recipient list, values keeping their ciphertext)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from secretsfile._fileio import locked, write_atomic
from secretsfile.core.cipher import DATA_KEY_SIZE, ValueCipher
from secretsfile.core.metadata import MasterKey
from secretsfile.errors import UsageError, scrubbed
from secretsfile.keysources import registry
from secretsfile.keysources.interface import Recipient
from secretsfile.ops.document import seal, wrap_data_key
from secretsfile.ops.files import open_file

if TYPE_CHECKING:
    from secretsfile.config.project import ProjectConfig


@scrubbed
def rotate(path: Path, input_type: str | None = None,
           config: ProjectConfig | None = None) -> None:
    """A new data key wrapped for the same recipients; every value re-encrypted."""
    with locked(path):
        opened = open_file(path, input_type, True, config)
        metadata = opened.source.metadata
        groups = groups_of(metadata.key_groups)
        data_key = os.urandom(DATA_KEY_SIZE)
        metadata.key_groups, metadata.shamir_threshold = wrap_data_key(
            data_key, groups, metadata.shamir_threshold
        )
        opened.cipher = ValueCipher(data_key)
        write_atomic(path, seal(opened))


def groups_of(key_groups: list[list[MasterKey]]) -> list[list[Recipient]]:
    groups: list[list[Recipient]] = []
    for group in key_groups:
        recipients: list[Recipient] = []
        for key in group:
            ident = registry.recipient_id(key)
            if not registry.supports(key.kind) or not ident:
                raise UsageError(
                    f"cannot re-wrap the data key for {registry.describe(key)}",
                    hint=f"secretsfile supports {', '.join(registry.supported_kinds())} keys; "
                    "use sops for this file",
                )
            recipients.append(Recipient(key.kind, str(ident)))
        groups.append(recipients)
    return groups


@dataclass(frozen=True)
class KeyChange:
    add: tuple[Recipient, ...] = ()
    remove: tuple[Recipient, ...] = ()


@scrubbed
def updatekeys(path: Path, change: KeyChange, input_type: str | None = None,
               rotate_key: bool = False, config: ProjectConfig | None = None) -> bool:
    """Re-wrap the data key for a changed recipient list (one key group); values keep their
    ciphertext. With ``rotate_key`` (a recipient is being removed), a new data key is drawn
    in the same write. Returns False when nothing changed."""
    with locked(path):
        opened = open_file(path, input_type, True, config)
        metadata = opened.source.metadata
        if len(metadata.key_groups) > 1:
            raise UsageError("updatekeys works on files with one key group",
                             hint="edit key groups with sops")
        current = groups_of(metadata.key_groups)[0] if metadata.key_groups else []
        wanted = [r for r in current if r not in change.remove]
        wanted += [r for r in change.add if r not in wanted]
        missing = [r for r in change.remove if r not in current]
        if missing:
            raise UsageError(f"{missing[0].kind} {missing[0].value} is not a recipient of {path}")
        if wanted == current and not rotate_key:
            return False
        if not wanted:
            raise UsageError("refusing to remove every recipient: nobody could open the file")
        if rotate_key:
            data_key = os.urandom(DATA_KEY_SIZE)
            metadata.key_groups, _ = wrap_data_key(data_key, [wanted])
            opened.cipher = ValueCipher(data_key)
        else:
            keep = {(k.kind, registry.recipient_id(k)): k for k in metadata.key_groups[0]}
            data_key = opened.cipher.data_key
            metadata.key_groups = [[keep.get((r.kind, r.value))
                                    or wrap_data_key(data_key, [[r]])[0][0][0] for r in wanted]]
        write_atomic(path, seal(opened))
    return True
