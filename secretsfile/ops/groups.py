"""Key groups of an existing file, as ``sops groups add`` / ``sops groups delete`` change
them: the data key stays (values keep their ciphertext) and is split again with Shamir for
the new number of groups, so every remaining group's keys wrap a fresh share.

The threshold is the one given, else the file's (0: every group). A delete that would
leave fewer groups than the threshold is refused, like sops. Each call returns the
re-sealed file text; ``in_place`` writes it atomically under the file's lock instead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from secretsfile._fileio import locked, write_atomic
from secretsfile.core.metadata import Metadata
from secretsfile.errors import UsageError
from secretsfile.keysources.interface import Recipient
from secretsfile.ops.datakey import wrap_data_key
from secretsfile.ops.document import read_encrypted_file, seal
from secretsfile.ops.files import open_read
from secretsfile.ops.rekey import groups_of

if TYPE_CHECKING:
    from secretsfile.config.project import ProjectConfig

Groups = list[list[Recipient]]


def add_group(path: Path, recipients: Sequence[Recipient], threshold: int = 0,
              input_type: str | None = None, config: ProjectConfig | None = None,
              in_place: bool = False) -> str:
    """A new last key group holding ``recipients``; needs a key that opens the file."""
    if not recipients:
        raise UsageError("the new key group needs at least one key",
                         hint="pass --age, --pgp, --kms or --hc-vault-transit", path=str(path))

    def change(groups: Groups) -> Groups:
        return [*groups, list(dict.fromkeys(recipients))]

    return _regroup(path, change, threshold, input_type, config, in_place)


def delete_group(path: Path, index: int, threshold: int = 0,
                 input_type: str | None = None, config: ProjectConfig | None = None,
                 in_place: bool = False) -> str:
    """Without key group ``index`` (0 is the first, as sops counts)."""

    def change(groups: Groups) -> Groups:
        if not 0 <= index < len(groups):
            raise UsageError(f"has {len(groups)} key group(s): no group {index}",
                             hint=f"give an index from 0 to {len(groups) - 1}", path=str(path))
        if len(groups) == 1:
            raise UsageError("refusing to delete the only key group: nobody could open the "
                             "file", hint="add another group first", path=str(path))
        return groups[:index] + groups[index + 1:]

    return _regroup(path, change, threshold, input_type, config, in_place)


def _regroup(path: Path, change: Callable[[Groups], Groups], threshold: int,
             input_type: str | None, config: ProjectConfig | None, in_place: bool) -> str:
    with locked(path):
        # checked on the metadata first: a refusal needs no key and says one line
        document = read_encrypted_file(path, input_type)
        _new_groups(path, document.metadata, change, threshold)
        opened = open_read(document, path, True, config)
        metadata = opened.source.metadata
        groups, wanted = _new_groups(path, metadata, change, threshold)
        wrapped, used = wrap_data_key(opened.cipher.data_key, groups, wanted)
        metadata.key_groups = wrapped
        # sops keeps an explicit threshold even for one group; we do the same
        metadata.shamir_threshold = used or (threshold if len(groups) == 1 else 0)
        text = seal(opened)
        if in_place:
            write_atomic(path, text)
    return text


def _new_groups(path: Path, metadata: Metadata, change: Callable[[Groups], Groups],
                threshold: int) -> tuple[Groups, int]:
    """The groups after ``change`` and the threshold to split for; refuses a threshold
    above the number of groups left."""
    groups = change(groups_of(metadata.key_groups))
    wanted = threshold or metadata.shamir_threshold
    if wanted > len(groups):
        raise UsageError(
            f"the Shamir threshold is {wanted} but only {len(groups)} key group(s) would "
            "be left", hint=f"pass --shamir-secret-sharing-threshold {len(groups)} or less",
            path=str(path))
    return groups, wanted
