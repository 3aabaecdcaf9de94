"""The contract every key backend (age, Fernet, later Vault transit, KMS) fulfils.

A key source wraps the file's data key (or a Shamir share of it) for one recipient and
unwraps it again with whatever identities the user has. It reports where it looked, so a
failure can say exactly which identity sources were tried and why each failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from secretsfile.core.metadata import MasterKey


@dataclass(frozen=True)
class Recipient:
    """Who a data key is wrapped for: a key kind and its public identifier."""

    kind: str  # the metadata list name: "age", "fernet", ...
    value: str  # an age recipient, a Fernet key id, ...


@dataclass(frozen=True)
class SourceReport:
    """One place an identity was looked for, and what was found there."""

    label: str
    detail: str

    def __str__(self) -> str:
        return f"{self.label} ({self.detail})"


class KeySource(Protocol):
    kind: str

    def wrap(self, recipient: str, data_key: bytes) -> MasterKey:
        """Wrap ``data_key`` for one recipient; raises KeySourceError on a bad recipient."""
        ...

    def unwrap(self, key: MasterKey) -> bytes:
        """Unwrap with the user's identities; raises KeySourceError saying why it failed."""
        ...

    def reports(self) -> list[SourceReport]:
        """Every identity source consulted, for the 'nothing could open it' message."""
        ...
