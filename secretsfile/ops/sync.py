"""``sync push|pull|diff``: an environment's named secrets and an external store
(Vault/OpenBao KV v2, AWS Secrets Manager; ``secretsfile.remotes``).

The git file is the source of truth: ``push`` makes the store follow it (private secrets
are never pushed, nothing is deleted without ``prune``), ``pull`` brings the store's
entries into the team's file in one locked write through the path of ``secret set``
(``modify_file`` + ``store_into``: unchanged values keep their ciphertext, so ``git diff``
shows one line per changed value) and ``diff`` names what differs. A plan names secrets
and keys, never values.

Nothing aborts for one secret: a malformed store entry, a name or key the rules refuse, a
pulled secret that would change shape (without ``force``) or fail its schema, a push over
another environment's entry (without ``force``) become ``skip`` changes with
``problem=True`` (the CLI exits 1 after doing the rest). ``prune`` deletes only entries
secretsfile wrote for the same environment. Refused or unreachable stores still abort.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from secretsfile.config.project import Environment, ProjectConfig
from secretsfile.core.values import Branch
from secretsfile.errors import FormatError, NotEncryptedError, UsageError
from secretsfile.ops.secret_moves import differing
from secretsfile.ops.secrets import (
    env_keys,
    modify_file,
    new_bad_key,
    new_key_problem,
    policy,
    read_secrets,
    refuse_variable_collisions,
    secret_shapes,
    store_into,
)
from secretsfile.remotes.interface import Location, Remote
from secretsfile.secrets.model import Secret, secret_from_tree, text_of, typed
from secretsfile.secrets.naming import NamingPolicy, closest_hint, key_problem, suggest_key
from secretsfile.secrets.schemas import find_schema

Advance = Callable[[str], None]  # called once per secret read or written, with its name
Opener = Callable[[str], tuple[Remote, Location]]
ACTIONS = ("create", "update", "delete", "same", "skip")


@dataclass(frozen=True)
class Change:
    """What a sync does (or would do) to one secret: names and keys only. ``kept``: the
    file's keys a pull leaves as they are (the store lacks them); ``problem``: a skip that
    needs someone's attention (not the plain "only in the store")."""

    name: str
    action: str  # one of ACTIONS
    keys: list[str] = field(default_factory=list)
    note: str | None = None
    kept: list[str] = field(default_factory=list)
    problem: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "action": self.action, "keys": list(self.keys),
                "note": self.note, "kept": list(self.kept), "problem": self.problem}


def _refused(name: str, why: str) -> Change:
    return Change(name, "skip", note=why, problem=True)


@dataclass(frozen=True)
class SyncPlan:
    url: str
    changes: list[Change]
    written: bool = False  # False for a dry run and for diff

    @property
    def drift(self) -> list[Change]:
        return [c for c in self.changes if c.action in ("create", "update", "delete")
                or c.problem]

    @property
    def problems(self) -> list[Change]:
        return [c for c in self.changes if c.problem]

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


def _check_only(config: ProjectConfig, env: Environment, only: Collection[str],
                known: Collection[str]) -> None:
    for name in only:
        if name in known:
            continue
        try:
            private = secret_shapes(config.private_path(env))
        except NotEncryptedError:
            private = {}
        if name in private:
            raise UsageError(f"secret {name!r} is private: private secrets are never pushed "
                             "or pulled", hint="sync works on the team file's secrets")
        raise UsageError(f"secret {name!r} is neither in the file nor in the store",
                         hint=closest_hint(name, known))


Read = tuple[list[str], dict[str, Secret], dict[str, str]]


def _read_remote(remote: Remote, loc: Location, env: str, only: Collection[str],
                 advance: Advance) -> Read:
    """Every name under the prefix, the entries (only ``only`` when given), masked, and
    why each malformed entry cannot be read (the error without the entry's URL)."""
    names = remote.names(loc)
    found: dict[str, Secret] = {}
    broken: dict[str, str] = {}
    for name in names:
        if only and name not in only:
            continue
        try:
            secret = remote.read(loc, name, env)
        except FormatError as error:
            why = error.diagnostics()
            broken[name] = why.removeprefix(f"{loc.entry(name)}: ")
            continue
        finally:
            advance(name)
        if secret is not None:
            found[name] = secret
    return names, found, broken


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


@dataclass(frozen=True)
class _Pull:
    """What a pull checks each secret against."""

    naming: NamingPolicy
    config_raw: Mapping[str, Any]
    force: bool


def _shape_refusal(stored: Secret, current: Secret) -> str:
    if current.is_group:
        return (f"the store holds one value, the file a group (keys: "
                f"{', '.join(current.keys)}); pull --force replaces the group, or change "
                "it by hand with 'secretsfile secret update'")
    return ("the store holds a group of keys, the file one value; pull --force replaces "
            "the value, or change it by hand with 'secretsfile secret set'")


def _pulled(stored: Secret, current: Secret | None, rules: _Pull) -> Secret | str:
    """The secret a pull writes: the store's keys merged over the file's (keys only in
    the file stay), checked against its schema; or why it is refused."""
    if current is not None and current.is_group != stored.is_group and not rules.force:
        return _shape_refusal(stored, current)
    new = as_local(stored, current)
    if current is not None and current.is_group and new.is_group:
        new = replace(new, values={**current.values, **new.values})
    problem = new_key_problem(new, dict(current.values) if current is not None else None)
    if problem:
        return problem
    if new.is_group and new.schema:
        try:
            schema = find_schema(new.schema, rules.config_raw)
            new = replace(new, values=schema.validate(new.values))
        except UsageError as error:  # names fields and schemas, never values
            return error.diagnostics()
    return new


def _pull_one(name: str, stored: Secret, current: Secret | None, rules: _Pull
              ) -> tuple[Change, Secret | None]:
    problem = rules.naming.problem(name) if current is None else None
    if problem:
        fixed = rules.naming.suggest(name)
        return _refused(name, f"invalid name: {problem}"
                        + (f"; try {fixed!r}" if fixed else "")), None
    new = _pulled(stored, current, rules)
    if isinstance(new, str):
        return _refused(name, new), None
    change = _compare(name, new, current)
    if current is not None and current.is_group and stored.is_group:
        change = replace(change, kept=[k for k in current.keys if k not in stored.values])
    return change, new


def _pull_plan(local: Mapping[str, Secret], stored: Mapping[str, Secret],
               broken: Mapping[str, str], rules: _Pull) -> list[Change]:
    """The file follows the store: never deleting, merging keys, skipping refusals."""
    changes = [_refused(name, why) for name, why in broken.items()]
    changes += [_pull_one(name, stored[name], local.get(name), rules)[0] for name in stored]
    return sorted(changes, key=lambda c: c.name)


def _keys_of(secret: Secret | None) -> dict[str, object]:
    return dict(secret.values) if secret is not None and secret.is_group else {}


def _push_plan(local: Mapping[str, Secret], stored: Mapping[str, Secret],
               broken: Mapping[str, str], owner: Callable[[str], tuple[bool, str | None]],
               env: str, *, prune: bool, force: bool) -> list[Change]:
    """The store follows the file. ``owner(name)``: (managed, env) of a store entry, asked
    only before an update or a delete."""
    changes = []
    for name in sorted({*local, *stored, *broken}):
        change = _compare(name, local.get(name), stored.get(name))
        bad = (new_bad_key(local[name], _keys_of(stored.get(name)))
               if change.action in ("create", "update") else None)
        if name in broken:
            change = _refused(name, broken[name])
        elif bad is not None:  # the key rule, as pull: only keys new to the entry
            change = _refused(name, f"{key_problem(bad)}; to push it, move that value: "
                              f"secretsfile secret update {name} --env {env} "
                              f"--{suggest_key(bad) or 'new_key'}=… --remove-key {bad!r}")
        elif change.action == "delete" and not prune:
            change = Change(name, "skip", note="only in the store; --prune deletes it")
        elif change.action == "delete" and owner(name) != (True, env):
            change = Change(name, "skip",
                            note=f"not written by secretsfile for env {env}; left alone")
        elif change.action == "update" and not force:
            other = owner(name)[1]
            if other and other != env:
                change = _refused(name, f"the store's entry was written for env {other}; "
                                  f"--force pushes {env} over it")
        changes.append(change)
    return changes


def _selected(secrets: Mapping[str, Secret], only: Collection[str]) -> dict[str, Secret]:
    return {n: s for n, s in secrets.items() if not only or n in only}


def _both(config: ProjectConfig, env: Environment, remote: Remote, loc: Location,
          only: Collection[str], advance: Advance
          ) -> tuple[dict[str, Secret], dict[str, Secret], dict[str, str]]:
    """The team's secrets (private ones never take part), the store's and its malformed
    entries, ``only`` checked against both."""
    local = read_secrets(config, env, include_private=False)
    names, stored, broken = _read_remote(remote, loc, env.name, only, advance)
    _check_only(config, env, only, {*local, *names})
    return _selected(local, only), stored, broken


def _owner(remote: Remote, loc: Location) -> Callable[[str], tuple[bool, str | None]]:
    def owner(name: str) -> tuple[bool, str | None]:
        found = remote.describe(loc, name)
        return (found.managed, found.env) if found is not None else (False, None)

    return owner


def push(config: ProjectConfig, env: Environment, url: str | None = None, *,
         only: Collection[str] = (), dry_run: bool = False, prune: bool = False,
         force: bool = False, advance: Advance = lambda _name: None,
         opener: Opener | None = None) -> SyncPlan:
    """Make the store follow the environment's team file: create and update entries
    (over another environment's entry only with ``force``); with ``prune`` delete
    (recoverably) the entries secretsfile wrote for this environment that the file lacks."""
    remote, loc = _open(env, url, "--to", opener)
    with env_keys(env.name):
        local, stored, broken = _both(config, env, remote, loc, only, advance)
    changes = _push_plan(local, stored, broken, _owner(remote, loc), env.name, prune=prune,
                         force=force)
    plan = SyncPlan(loc.url, changes, written=not dry_run)
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
    (keys that differ), ``delete`` (only in the store), ``skip`` (left alone or
    refused). Nothing is written."""
    remote, loc = _open(env, url, "--with", opener)
    with env_keys(env.name):
        local, stored, broken = _both(config, env, remote, loc, only, advance)
    return SyncPlan(loc.url, _push_plan(local, stored, broken, _owner(remote, loc),
                                        env.name, prune=True, force=False))


def pull(config: ProjectConfig, env: Environment, url: str | None = None, *,
         only: Collection[str] = (), dry_run: bool = False, force: bool = False,
         advance: Advance = lambda _name: None, opener: Opener | None = None) -> SyncPlan:
    """Bring the store's entries into the team's file in one locked write (the path of
    ``secret set``): new names are created, the store's keys merged over the file's (the
    file's value types kept, its other keys left), nothing deleted. Secrets whose name,
    keys, shape (without ``force``) or schema are refused are skipped."""
    remote, loc = _open(env, url, "--from", opener)
    rules = _Pull(policy(config), config.raw, force)
    with env_keys(env.name):
        local, stored, broken = _both(config, env, remote, loc, only, advance)
        changes = _pull_plan(local, stored, broken, rules)
        if dry_run or not any(c.action in ("create", "update") for c in changes):
            return SyncPlan(loc.url, changes)
        applied = [_refused(name, why) for name, why in broken.items()]

        stored_names: list[str] = []

        def apply(doc: Branch) -> bool:  # the plan again, from the file as locked
            for name in stored:
                current = secret_from_tree(name, env.name, doc[name]) if name in doc else None
                change, new = _pull_one(name, stored[name], current, rules)
                if new is not None and change.action in ("create", "update"):
                    new = replace(new, env=env.name, private=False)
                    try:
                        refuse_variable_collisions(new, doc, config.private_path(env),
                                                   env.exports)
                    except UsageError as error:  # names only
                        change = _refused(name, error.diagnostics())
                    else:
                        store_into(doc, name, new)
                        stored_names.append(name)
                        advance(name)
                applied.append(change)
            # a concurrent writer may have done it all already: then the file stays as is
            return bool(stored_names)

        modify_file(config, config.env_path(env), apply)
    return SyncPlan(loc.url, sorted(applied, key=lambda c: c.name), written=bool(stored_names))
