"""Which secret keys each commit added, changed or removed, and which secrets went stale.

Pure computation over the versions of an environment file that the caller hands in (the
CLI passes ``secretsfile.git.history.versions_of``; ops never runs git). Each version is
compared with its parents' versions (git's rewritten parents, so branches and merges are
followed: a merge reports only what differs from every parent):

- by decrypted value when a key opens both versions: the data key is unwrapped once per
  distinct set of wrapped keys (1,000 versions under one data key unwrap it once), values
  are reduced to keyed digests at once, and never leave this module;
- by ciphertext otherwise: a value that did not change keeps its ciphertext, so a changed
  ``ENC[...]`` means a changed value, except after a new data key (``rotate``), where every
  value looks changed. Each commit says which comparison it used.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from secretsfile.errors import SecretsfileError, UsageError, scrubbed
from secretsfile.secrets.model import RESERVED_PREFIX

ADDED, CHANGED, REMOVED = "added", "changed", "removed"
BY_VALUE, BY_CIPHERTEXT = "value", "ciphertext"


class VersionLike(Protocol):
    """One committed version of a file (``secretsfile.git.history.Version``)."""

    @property
    def commit(self) -> str: ...
    @property
    def parents(self) -> tuple[str, ...]: ...
    @property
    def when(self) -> _dt.datetime: ...
    @property
    def author(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def text(self) -> str | None: ...


VersionReader = Callable[[Path], Sequence[VersionLike]]  # path -> versions, oldest first


@dataclass(frozen=True)
class Change:
    """One secret (``key`` None) or one key of a group secret added, changed or removed."""

    name: str
    key: str | None
    change: str

    @property
    def label(self) -> str:
        return self.name if self.key is None else f"{self.name}.{self.key}"


@dataclass(frozen=True)
class CommitChanges:
    env: str
    file: str
    commit: str
    when: _dt.datetime
    author: str
    email: str
    subject: str
    compared: str  # BY_VALUE or BY_CIPHERTEXT
    changes: tuple[Change, ...]
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"env": self.env, "file": self.file, "commit": self.commit,
                "date": self.when.isoformat(), "author": self.author, "email": self.email,
                "subject": self.subject, "compared": self.compared,
                "changes": [{"secret": c.name, "key": c.key, "path": c.label,
                             "change": c.change} for c in self.changes],
                "notes": list(self.notes)}


@dataclass
class FileHistory:
    """The commits of one environment file, oldest first, and the secrets of its newest
    version."""

    env: str
    file: str
    commits: list[CommitChanges] = field(default_factory=list)
    current: tuple[str, ...] = ()

    @property
    def compared(self) -> str:
        """BY_VALUE when every commit was compared by value, else BY_CIPHERTEXT."""
        by_value = all(c.compared == BY_VALUE for c in self.commits)
        return BY_VALUE if by_value else BY_CIPHERTEXT


Item = tuple[str, str | None]  # (secret name, key inside the group or None)


@dataclass
class _State:
    """What one version holds, as comparable fingerprints (never values)."""

    cipher: dict[Item, str]
    values: dict[Item, bytes] | None  # None: not decrypted
    wrapping: tuple[Any, ...] = ()  # the wrapped data keys
    key_id: bytes | None = None  # digest of the data key, when it was unwrapped
    notes: list[str] = field(default_factory=list)


class _Keys:
    """Data keys per distinct wrapping, unwrapped at most once; digests keyed per run."""

    def __init__(self, env: str, use_key: bool) -> None:
        self.env = env
        self.use_key = use_key
        self.cache: dict[tuple[Any, ...], bytes | None] = {}
        self.salt = os.urandom(32)

    def data_key(self, wrapping: tuple[Any, ...], metadata: Any, path: str) -> bytes | None:
        if not self.use_key:
            return None
        if wrapping not in self.cache:
            from secretsfile.keysources.age import for_environment
            from secretsfile.ops.document import unwrap_data_key

            try:
                with for_environment(self.env):
                    self.cache[wrapping] = unwrap_data_key(metadata, path)
            except SecretsfileError:
                self.cache[wrapping] = None
        return self.cache[wrapping]

    def digest(self, value: object) -> bytes:
        text = f"{type(value).__name__}:{value!r}".encode("utf-8", "surrogatepass")
        return hashlib.blake2b(text, key=self.salt, digest_size=16).digest()


def _items(doc: Mapping[Any, Any], leaf: Callable[[object], Any]) -> dict[Item, Any]:
    """(secret, key) -> leaf(value): top-level names, and the keys of group secrets
    (secretsfile's own ``_`` keys left out; deeper levels joined with dots)."""
    found: dict[Item, Any] = {}
    for name, node in doc.items():
        if not isinstance(name, str):
            continue
        if isinstance(node, dict):
            for key, value in _flatten(node, ""):
                found[(name, key)] = leaf(value)
        else:
            found[(name, None)] = leaf(node)
    return found


def _flatten(node: Mapping[Any, Any], prefix: str) -> Iterable[tuple[str, object]]:
    for key, value in node.items():
        if not isinstance(key, str) or (not prefix and key.startswith(RESERVED_PREFIX)):
            continue
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _read(text: str | None, path: str, keys: _Keys) -> _State:
    """One version's fingerprints; unreadable text is a note and no secrets."""
    if text is None:
        return _State({}, {} if keys.use_key else None)
    from secretsfile.ops.document import read_encrypted
    from secretsfile.stores import format_for_path

    try:
        document = read_encrypted(text, format_for_path(path), path)
    except SecretsfileError as error:
        return _State({}, None, notes=[f"the file could not be read here ({error.message})"])
    if not document.docs:
        return _State({}, None)
    metadata = document.metadata
    wrapping = (metadata.shamir_threshold,
                tuple(tuple((k.kind, k.enc) for k in group) for group in metadata.key_groups))
    state = _State(_items(document.docs[0], repr), None, wrapping)
    data_key = keys.data_key(wrapping, metadata, path)
    if data_key is not None:
        state.key_id = keys.digest(data_key)
        _decrypt_into(state, document, data_key, keys)
    return state


def _decrypt_into(state: _State, document: Any, data_key: bytes, keys: _Keys) -> None:
    """Fill ``state.values`` with digests of the decrypted values (MAC checked)."""
    from secretsfile.core.cipher import ValueCipher
    from secretsfile.core.tree import decrypt_documents
    from secretsfile.ops.document import verify

    cipher = ValueCipher(data_key, remember=False)
    try:
        plain, mac = decrypt_documents(document.docs, cipher, document.metadata.selector)
    except SecretsfileError:
        state.notes.append("a value could not be decrypted: compared by ciphertext")
        return
    state.values = _items(plain[0], keys.digest)
    try:
        verify(document, cipher, mac)
    except SecretsfileError:
        state.notes.append("the MAC does not verify (changed outside secretsfile or sops)")


def _diff(mine: Mapping[Item, Any], theirs: Sequence[Mapping[Item, Any]]) -> list[Change]:
    """What differs from every parent (one parent: a plain diff; none: all added)."""
    parents = list(theirs) or [{}]
    changes = []
    for item, value in mine.items():
        if not any(item in p for p in parents):
            changes.append(Change(item[0], item[1], ADDED))
        elif all(p.get(item) != value for p in parents):
            changes.append(Change(item[0], item[1], CHANGED))
    gone = {item for p in parents for item in p if item not in mine}
    for item in sorted(gone, key=lambda i: (i[0], i[1] or "")):
        if all(item in p for p in parents):
            changes.append(Change(item[0], item[1], REMOVED))
    return changes


def _commit(version: VersionLike, env: str, path: str, state: _State,
            parents: list[_State]) -> CommitChanges:
    by_value = state.values is not None and all(p.values is not None for p in parents)
    if by_value:
        changes = _diff(state.values or {}, [p.values or {} for p in parents])
    else:
        changes = _diff(state.cipher, [p.cipher for p in parents])
    notes = list(state.notes)
    if parents and state.wrapping and all(p.wrapping and p.wrapping != state.wrapping
                                          for p in parents):
        if state.key_id is not None and all(p.key_id not in (None, state.key_id)
                                            for p in parents):
            notes.append("new data key (rotate): values compared by decrypted value")
        elif by_value:
            notes.append("recipients changed (same data key)")
        else:
            notes.append("the data key was re-wrapped (rotate, updatekeys or recipients); "
                         "after a rotate every value looks changed by ciphertext")
    return CommitChanges(env, path, version.commit, version.when, version.author,
                         version.email, version.subject, BY_VALUE if by_value
                         else BY_CIPHERTEXT, tuple(changes), tuple(notes))


@scrubbed
def file_history(versions: Sequence[VersionLike], env: str, path: str,
                 use_key: bool = True) -> FileHistory:
    """Per commit (oldest first), the secrets and group keys it added, changed or
    removed. ``use_key=False`` compares by ciphertext only (as without a key). Errors
    leave without the frames that hold decrypted values."""
    return _file_history(versions, env, path, _Keys(env, use_key))


def _file_history(versions: Sequence[VersionLike], env: str, path: str,
                  keys: _Keys) -> FileHistory:
    history = FileHistory(env, path)
    states: dict[str, _State] = {}
    last: _State | None = None
    for version in versions:
        state = _read(version.text, path, keys)
        parents = [states[sha] for sha in version.parents if sha in states]
        if not state.cipher and state.notes and parents:
            state = _State(parents[0].cipher, parents[0].values, parents[0].wrapping,
                           parents[0].key_id, state.notes)  # unreadable: nothing changed
        states[version.commit] = last = state
        history.commits.append(_commit(version, env, path, state, parents))
    if last is not None:
        history.current = tuple(dict.fromkeys(name for name, _ in last.cipher))
    return history


def only_secret(history: FileHistory, name: str) -> FileHistory:
    """The commits that touched secret ``name`` (any key of it), with only its changes."""
    commits = []
    for commit in history.commits:
        changes = tuple(c for c in commit.changes if c.name == name)
        if changes:
            commits.append(CommitChanges(**{**commit.__dict__, "changes": changes}))
    return FileHistory(history.env, history.file, commits, history.current)


@dataclass(frozen=True)
class Dates:
    created: _dt.datetime
    updated: _dt.datetime
    commit: str = ""


def secret_dates(history: FileHistory) -> dict[str, Dates]:
    """Secret name -> (first commit with it, last commit that changed any of its keys),
    for the secrets of the newest version."""
    dates: dict[str, Dates] = {}
    for commit in history.commits:
        for name in dict.fromkeys(c.name for c in commit.changes):
            first = dates[name].created if name in dates else commit.when
            dates[name] = Dates(first, commit.when, commit.commit)
    return {name: dates[name] for name in history.current if name in dates}


def dates_from(reader: VersionReader) -> Callable[[Path], dict[str, Dates]]:
    """``secret list``'s dates reader: by ciphertext (it needs no key)."""
    return lambda path: secret_dates(file_history(reader(path), "", str(path), False))


_DURATION = re.compile(r"(\d{1,6})([dwmy])")
_UNIT_DAYS = {"d": 1, "w": 7, "m": 30, "y": 365}


def parse_age(text: str) -> _dt.timedelta:
    """``90d``, ``12w``, ``6m`` (30-day months), ``1y`` (365 days)."""
    match = _DURATION.fullmatch(text.strip().lower())
    if match is None or int(match.group(1)) == 0:
        raise UsageError(f"bad duration {text!r}",
                         hint="a number and a unit: 90d (days), 12w (weeks), 6m (months of "
                         "30 days) or 1y (365 days)")
    return _dt.timedelta(days=int(match.group(1)) * _UNIT_DAYS[match.group(2)])


@dataclass(frozen=True)
class Stale:
    env: str
    name: str
    changed: _dt.datetime
    commit: str
    days: int
    compared: str

    def to_dict(self) -> dict[str, Any]:
        return {"env": self.env, "secret": self.name, "last_changed": self.changed.isoformat(),
                "commit": self.commit, "age_days": self.days, "compared": self.compared}


def stale_secrets(histories: Iterable[FileHistory], older_than: _dt.timedelta,
                  now: _dt.datetime) -> list[Stale]:
    """Secrets of the newest versions whose value (any key of a group) last changed
    before ``now - older_than``; oldest first."""
    found = []
    for history in histories:
        for name, dates in secret_dates(history).items():
            age = now - dates.updated
            if age > older_than:
                found.append(Stale(history.env, name, dates.updated, dates.commit, age.days,
                                   history.compared))
    return sorted(found, key=lambda s: (s.changed, s.env, s.name))
