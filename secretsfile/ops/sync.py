"""``sync push|pull|diff``: an environment's named secrets and an external store
(Vault/OpenBao KV v2, AWS Secrets Manager; ``secretsfile.remotes``).

The git file is the source of truth: ``push`` makes the store follow it (private secrets
are never pushed, nothing is deleted without ``prune``), ``pull`` brings the store's
entries into the team's file in one locked write through the path of ``secret set``
(``modify_file`` + ``store_into``: unchanged values keep their ciphertext, so ``git diff``
shows one line per changed value) and ``diff`` names what differs. A plan names secrets
and keys, never values.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from secretsfile.config.project import Environment, ProjectConfig
from secretsfile.core.values import Branch
from secretsfile.errors import UsageError
from secretsfile.ops.secret_moves import differing
from secretsfile.ops.secrets import (
    env_keys,
    modify_file,
    policy,
    read_secrets,
    refuse_variable_collisions,
    store_into,
)
from secretsfile.remotes.interface import Location, Remote
from secretsfile.secrets.model import Secret, secret_from_tree, text_of, typed
from secretsfile.secrets.naming import NamingPolicy, closest_hint

Advance = Callable[[str], None]  # called once per secret read or written, with its name
Opener = Callable[[str], tuple[Remote, Location]]
ACTIONS = ("create", "update", "delete", "same", "skip")


@dataclass(frozen=True)
class Change:
    """What a sync does (or would do) to one secret: names and keys only."""

    name: str
    action: str  # one of ACTIONS
    keys: list[str] = field(default_factory=list)
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "action": self.action, "keys": list(self.keys),
                "note": self.note}


@dataclass(frozen=True)
class SyncPlan:
    url: str
    changes: list[Change]
    written: bool = False  # False for a dry run and for diff

    @property
    def drift(self) -> list[Change]:
        return [c for c in self.changes if c.action != "same"]

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "written": self.written,
                "changes": [c.to_dict() for c in self.changes]}


def store_url(env: Environment, given: str | None, option: str = "--to") -> str:
    """``given`` (``--to``/``--from``/``--with``), else the environment's ``store:``."""
    url = given or env.store
    if not url:
        raise UsageError(f"no store for environment {env.name}",
                         hint=f"give {option} URL, or set environments.{env.name}.store "
                         "in the config")
    return url


def _open(env: Environment, given: str | None, option: str,
          opener: Opener | None) -> tuple[Remote, Location]:
    if opener is None:
        from secretsfile.remotes.registry import open_remote

        opener = open_remote
    return opener(store_url(env, given, option))


def _check_only(only: Collection[str], known: Collection[str]) -> None:
    for name in only:
        if name not in known:
            raise UsageError(f"secret {name!r} is neither in the file nor in the store",
                             hint=closest_hint(name, known))


def _read_remote(remote: Remote, loc: Location, env: str, only: Collection[str],
                 advance: Advance) -> tuple[list[str], dict[str, Secret]]:
    """Every name under the prefix, and the entries (only ``only`` when given), masked."""
    names = remote.names(loc)
    found: dict[str, Secret] = {}
    for name in names:
        if only and name not in only:
            continue
        secret = remote.read(loc, name, env)
        advance(name)
        if secret is not None:
            found[name] = secret
    return names, found


def as_local(stored: Secret, current: Secret | None) -> Secret:
    """The store's secret with the value types of the file's ``current`` one: a key the
    file holds as text stays text (``"5432"`` does not become ``5432``), a key it holds as
    an int/float/bool stays one when the text reads as one; new keys keep the store's
    type; the file's schema is kept when the store names none."""
    if current is None or not current.is_group or not stored.is_group:
        return stored
    kept = current.keys
    values = {key: typed(text_of(value), current.kinds.get(key)) if key in kept else value
              for key, value in stored.values.items()}
    return replace(stored, values=values, schema=stored.schema or current.schema)


def _compare(name: str, source: Secret | None, target: Secret | None) -> Change:
    """What making ``target`` equal to ``source`` means (None: absent)."""
    if source is None:
        return Change(name, "delete")
    if target is None:
        return Change(name, "create", source.keys)
    keys = differing(target, source)
    note = "shape changes" if source.is_group != target.is_group else None
    if source.is_group and target.is_group and source.schema != target.schema:
        keys = [*keys, "(schema)"]
    return Change(name, "update" if keys else "same", keys, note)


def _changes(local: Mapping[str, Secret], remote: Mapping[str, Secret], *,
             naming: NamingPolicy | None = None, prune: bool = False) -> list[Change]:
    """The plan in one direction: without ``naming`` (a push) the store follows the file;
    with it (a pull) the file follows the store, never deleting and skipping names the
    naming rule refuses."""
    changes = []
    for name in sorted({*local, *remote}):
        here, there = local.get(name), remote.get(name)
        if naming is None:
            change = _compare(name, here, there)
            if change.action == "delete" and not prune:
                change = Change(name, "skip", note="only in the store; --prune deletes it")
        elif there is None:
            continue
        else:
            change = _compare(name, as_local(there, here), here)
            problem = naming.problem(name) if here is None else None
            if problem:
                fixed = naming.suggest(name)
                change = Change(name, "skip", note=f"invalid name: {problem}"
                                + (f"; try {fixed!r}" if fixed else ""))
        changes.append(change)
    return changes


def _selected(secrets: Mapping[str, Secret], only: Collection[str]) -> dict[str, Secret]:
    return {n: s for n, s in secrets.items() if not only or n in only}


def _both(config: ProjectConfig, env: Environment, remote: Remote, loc: Location,
          only: Collection[str], advance: Advance) -> tuple[dict[str, Secret],
                                                            dict[str, Secret]]:
    """The team's secrets (private ones never take part) and the store's, ``only`` checked
    against both."""
    local = read_secrets(config, env, include_private=False)
    names, stored = _read_remote(remote, loc, env.name, only, advance)
    _check_only(only, {*local, *names})
    return _selected(local, only), stored


def push(config: ProjectConfig, env: Environment, url: str | None = None, *,
         only: Collection[str] = (), dry_run: bool = False, prune: bool = False,
         advance: Advance = lambda _name: None, opener: Opener | None = None) -> SyncPlan:
    """Make the store follow the environment's team file: create and update entries;
    delete entries the file lacks only with ``prune`` (recoverably)."""
    remote, loc = _open(env, url, "--to", opener)
    with env_keys(env.name):
        local, stored = _both(config, env, remote, loc, only, advance)
    plan = SyncPlan(loc.url, _changes(local, stored, prune=prune), written=not dry_run)
    if dry_run:
        return plan
    for change in plan.changes:
        if change.action in ("create", "update"):
            remote.write(loc, replace(local[change.name], env=env.name, private=False))
        elif change.action == "delete":
            remote.delete(loc, change.name)
        else:
            continue
        advance(change.name)
    return plan


def diff(config: ProjectConfig, env: Environment, url: str | None = None, *,
         only: Collection[str] = (), advance: Advance = lambda _name: None,
         opener: Opener | None = None) -> SyncPlan:
    """What a ``push --prune`` would change: ``create`` (only in the file), ``update``
    (keys that differ), ``delete`` (only in the store). Nothing is written."""
    remote, loc = _open(env, url, "--with", opener)
    with env_keys(env.name):
        local, stored = _both(config, env, remote, loc, only, advance)
    return SyncPlan(loc.url, _changes(local, stored, prune=True))


def pull(config: ProjectConfig, env: Environment, url: str | None = None, *,
         only: Collection[str] = (), dry_run: bool = False,
         advance: Advance = lambda _name: None, opener: Opener | None = None) -> SyncPlan:
    """Bring the store's entries into the team's file in one locked write (the path of
    ``secret set``): new names are created, changed keys rewritten (the file's value
    types kept), nothing deleted. Names the naming rule refuses are skipped."""
    remote, loc = _open(env, url, "--from", opener)
    naming = policy(config)
    with env_keys(env.name):
        local, stored = _both(config, env, remote, loc, only, advance)
        changes = _changes(local, stored, naming=naming)
        if dry_run or not any(c.action in ("create", "update") for c in changes):
            return SyncPlan(loc.url, changes)
        applied: list[Change] = []

        def apply(doc: Branch) -> None:  # the plan again, from the file as locked
            current = {name: secret_from_tree(name, env.name, doc[name])
                       for name in stored if name in doc}
            applied.extend(_changes(current, stored, naming=naming))
            for change in applied:
                if change.action not in ("create", "update"):
                    continue
                new = replace(as_local(stored[change.name], current.get(change.name)),
                              env=env.name, private=False)
                refuse_variable_collisions(new, doc, config.private_path(env), env.exports)
                store_into(doc, change.name, new)
                advance(change.name)

        modify_file(config, config.env_path(env), apply)
    return SyncPlan(loc.url, applied, written=True)
