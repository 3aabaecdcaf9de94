"""What can be known about an encrypted file without any key: its keys and its status."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from secretsfile.core.tree import Selector, plaintext_paths, render_path
from secretsfile.errors import NotEncryptedError
from secretsfile.keysources import registry
from secretsfile.ops import treepath
from secretsfile.ops.document import read_encrypted_file
from secretsfile.stores import format_for_path


@dataclass
class FileStatus:
    path: str
    format: str
    encrypted: bool
    recipients: list[dict[str, str]] = field(default_factory=list)
    key_groups: int = 0
    shamir_threshold: int = 0
    lastmodified: str | None = None
    version: str | None = None
    selector: dict[str, Any] = field(default_factory=dict)
    plaintext_values: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def status(path: Path, input_type: str | None = None) -> FileStatus:
    fmt = format_for_path(path, input_type)
    try:
        document = read_encrypted_file(path, fmt)
    except NotEncryptedError:
        return FileStatus(str(path), fmt, encrypted=False)
    metadata = document.metadata
    recipients = [
        {"group": str(index), "type": key.kind, "id": registry.recipient_id(key) or key.kind}
        for index, group in enumerate(metadata.key_groups)
        for key in group
    ]
    everything = Selector()  # list every value in clear, allowed by the selector or not
    plaintext = [render_path(p) for doc in document.docs for p in plaintext_paths(doc, everything)]
    fields = metadata.selector.to_fields()
    if metadata.selector.mac_only_encrypted:
        fields["mac_only_encrypted"] = True
    return FileStatus(
        str(path), fmt, True, recipients, len(metadata.key_groups), metadata.shamir_threshold,
        metadata.lastmodified, metadata.version, fields, plaintext,
    )


def list_keys(path: Path, input_type: str | None = None) -> list[str]:
    """Every key path in the file, in order; values are never read."""
    document = read_encrypted_file(path, input_type)
    return [render_path(p) for doc in document.docs for p in treepath.leaf_paths(doc)]
