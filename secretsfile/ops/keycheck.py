"""``status FILE --check``: can each master key be unwrapped here, now, and can the file open?

Every key of every group is tried (``datakey.recover(every_key=True)``, the same loop that
opens files), so one unreachable Vault or one missing identity shows up even when another
key of its group works. Only the data key's wrapping is touched: no value is decrypted and
no MAC is checked; the recovered shares are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from secretsfile.core.metadata import MasterKey
from secretsfile.errors import IntegrityError, scrubbed
from secretsfile.keysources import registry
from secretsfile.ops.datakey import recover
from secretsfile.ops.document import read_encrypted_file


def backend_title(kind: str) -> str:
    """The backend that handles ``kind`` ("Vault transit"), or why none does."""
    if registry.supports(kind):
        return registry.get(kind).title
    return f"{kind}, no secretsfile backend"


@dataclass(frozen=True)
class KeyCheck:
    group: int
    kind: str
    recipient: str
    backend: str
    reason: str | None  # None: this key unwraps its share here

    @property
    def ok(self) -> bool:
        return self.reason is None

    def to_dict(self) -> dict[str, Any]:
        return {"group": self.group, "type": self.kind, "id": self.recipient,
                "backend": self.backend, "ok": self.ok, "reason": self.reason}


@dataclass(frozen=True)
class FileCheck:
    path: str
    keys: list[KeyCheck]
    key_groups: int
    needed: int  # key groups that must open (1 without Shamir)
    recovered: int  # key groups that opened
    can_open: bool  # enough shares, and they combine into a data key
    problem: str | None = None  # why the shares did not combine (None: they did, or too few)

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "can_open": self.can_open, "problem": self.problem,
                "key_groups": self.key_groups,
                "needed": self.needed, "recovered": self.recovered,
                "keys": [key.to_dict() for key in self.keys]}


@scrubbed
def check_file(path: Path, input_type: str | None = None) -> FileCheck:
    """Try every master key of an encrypted file (NotEncryptedError when it is not)."""
    metadata = read_encrypted_file(path, input_type).metadata
    recovery = recover(metadata, every_key=True)
    reasons: dict[int, str | None] = {id(result.key): result.error
                                      for group in recovery.groups for result in group.keys}
    keys = [_key_check(index, key, reasons.get(id(key), "not tried"))
            for index, group in enumerate(metadata.key_groups) for key in group]
    try:
        can_open, problem = recovery.data_key() is not None, None
    except IntegrityError as error:  # the keys are still reported one by one
        can_open, problem = False, f"the recovered shares do not combine: {error.message}"
    return FileCheck(str(path), keys, recovery.total, recovery.needed, recovery.recovered,
                     can_open, problem)


def _key_check(group: int, key: MasterKey, reason: str | None) -> KeyCheck:
    return KeyCheck(group, key.kind, registry.recipient_id(key) or key.kind,
                    backend_title(key.kind), reason)
