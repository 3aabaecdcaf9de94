"""The data key: wrap it for key groups (split with Shamir), recover it group by group.

Recovery follows sops: the groups in file order, inside a group the keys in decryption
order (``registry.decryption_rank``: age first, local keys before remote services), and the
first key that opens a group wins. One deliberate difference: sops tries every group even
after enough shares are back (a Vault or KMS that does not answer costs its full timeout);
we stop once ``shamir_threshold`` groups succeeded, which gives the same data key with fewer
network calls and prompts. ``recover`` is the one copy of this loop: ``unwrap_data_key``
uses it to open a file, ``ops.keycheck`` (``status --check``) to probe every key.

There is no overall time budget across keys: each remote key is bounded by its own source's
timeouts (Vault, KMS, gpg), so a file whose keys all point at silent servers costs the sum
of them (four silent Vault keys: about a minute) before the failure is reported.
"""

from __future__ import annotations

from secretsfile.core.cipher import DATA_KEY_SIZE
from secretsfile.core.metadata import MasterKey, Metadata
from secretsfile.core.record import Record, field
from secretsfile.errors import (
    ConfigError,
    IntegrityError,
    KeySourceError,
    KeyUnavailableError,
)
from secretsfile.keysources import registry
from secretsfile.keysources.interface import KeySource, Recipient, SourceReport


def wrap_data_key(data_key: bytes, groups: list[list[Recipient]], threshold: int = 0
                  ) -> tuple[list[list[MasterKey]], int]:
    """Wrap the data key for every recipient; several groups split it with Shamir."""
    if not groups or not all(groups):
        # an empty group would hold a Shamir share nobody can open
        raise ConfigError("every key group needs at least one recipient",
                          hint="add recipients to the empty key group or remove it")
    if len(groups) == 1:
        parts = [data_key]
        threshold = 0
    else:
        threshold = threshold or len(groups)
        if not 2 <= threshold <= len(groups):
            raise ConfigError(f"shamir_threshold must be between 2 and {len(groups)} "
                              f"for {len(groups)} key groups (got {threshold})")
        from secretsfile.core import shamir  # several key groups only (issue 14)

        parts = shamir.split(data_key, len(groups), threshold)
    wrapped: list[list[MasterKey]] = []
    for part, group in zip(parts, groups, strict=True):
        wrapped.append([registry.get(r.kind).wrap(r.value, part) for r in group])
    return wrapped, threshold


# -- recovery -------------------------------------------------------------------------------


class KeyResult(Record):
    """One master key tried: ``error`` None when it opened its share."""

    group: int
    key: MasterKey
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class GroupResult(Record):
    index: int
    keys: list[KeyResult] = field(default_factory=list)
    part: bytes | None = field(default=None, repr=False)  # the share: never shown

    @property
    def ok(self) -> bool:
        return self.part is not None


class Recovery(Record):
    """What trying a file's key groups gave: per group, per key; the sources' reports."""

    groups: list[GroupResult]
    total: int  # key groups in the file
    needed: int  # groups that must open (1 without Shamir)
    tried: dict[str, list[SourceReport]] = field(default_factory=dict)

    @property
    def recovered(self) -> int:
        return sum(group.ok for group in self.groups)

    @property
    def enough(self) -> bool:
        return self.recovered >= self.needed

    def data_key(self) -> bytes | None:
        """The data key, when enough shares came back and they combine to one;
        IntegrityError when the shares are malformed (empty, mixed lengths, duplicates)."""
        parts = [group.part for group in self.groups if group.part is not None]
        if not self.enough or not parts:
            return None
        if self.total <= 1:
            key = parts[0]
        else:
            from secretsfile.core import shamir  # several key groups only (issue 14)

            key = shamir.combine(parts[:self.needed])
        return key if len(key) == DATA_KEY_SIZE else None


def needed_groups(metadata: Metadata) -> int:
    if len(metadata.key_groups) <= 1:
        return 1
    return max(metadata.shamir_threshold, 2)


def _sorted_for_decryption(group: list[MasterKey]) -> list[MasterKey]:
    return sorted(group, key=lambda key: registry.decryption_rank(key.kind))


def recover(metadata: Metadata, *, every_key: bool = False) -> Recovery:
    """Try the groups in order. By default stop inside a group at the first key that opens
    it and stop once enough groups opened; ``every_key`` tries every key of every group."""
    result = Recovery([], len(metadata.key_groups), needed_groups(metadata))
    sources: dict[str, KeySource] = {}  # one per kind: its report covers what it tried
    for index, group in enumerate(metadata.key_groups):
        if not every_key and result.enough:
            break
        outcome = GroupResult(index)
        result.groups.append(outcome)
        for key in _sorted_for_decryption(group):
            try:
                source = sources.get(key.kind) or sources.setdefault(key.kind,
                                                                     registry.get(key.kind))
                part = source.unwrap(key)
            except KeySourceError as error:
                outcome.keys.append(KeyResult(index, key, error.message))
                if key.kind in sources:
                    result.tried[key.kind] = sources[key.kind].reports()
                continue
            outcome.keys.append(KeyResult(index, key))
            if outcome.part is None:
                outcome.part = part
            if not every_key:
                break
    return result


def unwrap_data_key(metadata: Metadata, path: str) -> bytes:
    """Recover the data key; on failure, say what the file is for and what was tried."""
    recovery = recover(metadata)
    try:
        data_key = recovery.data_key()
    except IntegrityError as error:  # shares that do not combine: name the file
        raise IntegrityError(f"cannot recover the data key: {error.message}", path=path,
                             hint="the file's key groups were tampered with or mixed "
                             "up; restore it from git") from None
    if data_key is not None:
        return data_key
    raise KeyUnavailableError(describe_failure(metadata, recovery), path=path,
                              hint=_no_key_hint())


def _no_key_hint() -> str:
    from secretsfile.ops.whoami import no_key_hint

    return no_key_hint()


def _failure(result: KeyResult) -> str:
    return f"{registry.describe(result.key)}: {result.error}"


def describe_failure(metadata: Metadata, recovery: Recovery) -> str:
    """One line. One group: who the file is for and where identities were looked for. Key
    groups: sops' report in one line: each group's SUCCESS or FAILED with every failed key
    and its reason, then how many groups the file needs and how many were recovered."""
    sources = "; ".join(f"{kind}: " + ", ".join(map(str, reports))
                        for kind, reports in recovery.tried.items())
    if recovery.total <= 1:
        recipients = ", ".join(map(registry.describe, metadata.master_keys())) or "nobody"
        text = f"no identity could open the data key; the file is encrypted for: {recipients}"
        failures = [_failure(r) for g in recovery.groups for r in g.keys if not r.ok]
        if sources:
            return f"{text}; looked in {sources}"
        return f"{text}; " + "; ".join(failures) if failures else text
    groups = []
    for group in recovery.groups:
        if group.ok:
            groups.append(f"Group {group.index}: SUCCESS")
        else:
            reasons = ", ".join(f"{registry.describe(r.key)}: FAILED - {r.error}"
                                for r in group.keys) or "no keys"
            groups.append(f"Group {group.index}: FAILED ({reasons})")
    text = (f"no identity could open enough key groups ({recovery.total} key groups, "
            f"{recovery.needed} needed, {recovery.recovered} recovered): " + "; ".join(groups))
    if recovery.enough:  # shares came back but do not combine: a tampered or mixed file
        text += "; the recovered shares do not combine into a data key"
    if sources:
        text += f"; looked in {sources}"
    return text
