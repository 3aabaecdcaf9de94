"""Named secrets in environment files: read, create, update, delete; private overrides.

Each environment's file (``secrets/<env>.yaml`` unless configured) holds that
environment's secrets. ``--private`` secrets live in a personal file outside the repo
(``$XDG_CONFIG_HOME/secretsfile/private/<project>/<env>.yaml``), encrypted to the user's
own age key and laid over the team's file (``secrets.overlay``: a private group key by
key). A write is refused when it would give an environment variable another secret
already gives (``app-db-user`` and ``app-db.user`` are both ``APP_DB_USER``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from secretsfile._fileio import locked, write_atomic
from secretsfile.config.project import Environment, ProjectConfig
from secretsfile.core.values import Branch
from secretsfile.errors import ConfigError, ConflictError, NotEncryptedError, UsageError
from secretsfile.ops import files
from secretsfile.ops.document import seal
from secretsfile.ops.envfile import (
    open_env_document,
    parse_env_file,
    read_env_file,
)
from secretsfile.ops.recipients import KeyOptions, own_age_recipients, plan_for
from secretsfile.secrets.model import (
    RESERVED_PREFIX,
    SCHEMA_KEY,
    Scalar,
    Secret,
    secret_from_tree,
    secret_to_tree,
    typed,
)
from secretsfile.secrets.naming import (
    KEY_RULE,
    NamingPolicy,
    check_variable_collisions,
    closest_hint,
    key_problem,
    suggest_key,
)
from secretsfile.secrets.overlay import overlay, overlay_secret
from secretsfile.secrets.schemas import find_schema
from secretsfile.stores import format_for_path


def policy(config: ProjectConfig) -> NamingPolicy:
    return NamingPolicy.from_config(config.raw.get("naming"))


def env_keys(env: str) -> contextlib.AbstractContextManager[None]:
    """Use ``SECRETSFILE_AGE_KEY_<ENV>`` (e.g. a CI key for prod) besides the usual keys."""
    from secretsfile.keysources.age import for_environment

    return for_environment(env)


def _read(config: ProjectConfig, path: Path, env: str, private: bool) -> dict[str, Secret]:
    return read_env_file(path, env, private, config.requires_tag(path)) or {}


def read_secrets(config: ProjectConfig, env: Environment, include_private: bool = True
                 ) -> dict[str, Secret]:
    """Every secret of the environment, private ones laid over the team's (``overlay``)."""
    secrets = _read(config, config.env_path(env), env.name, private=False)
    if include_private:
        secrets = overlay(secrets, _read(config, config.private_path(env), env.name,
                                         private=True))
    return secrets


def _group_keys(node: object) -> tuple[str, ...] | None:
    """A group's keys (metadata keys left out); None for a single-value secret."""
    if not isinstance(node, dict):
        return None
    return tuple(k for k in node if isinstance(k, str) and not k.startswith(RESERVED_PREFIX))


def secret_shapes(path: Path) -> dict[str, tuple[str, ...] | None]:
    """name -> group keys (None: one value), read without any key (names are in clear)."""
    document = parse_env_file(path)
    if document is None:
        return {}
    return {name: _group_keys(node) for name, node in document.docs[0].items()
            if isinstance(name, str)}


def environment_shapes(config: ProjectConfig, env: Environment
                       ) -> dict[str, tuple[str, ...] | None]:
    """The environment's secret names and keys, private ones over the team's; no key used."""
    shapes = secret_shapes(config.env_path(env))
    with contextlib.suppress(NotEncryptedError):
        shapes.update(secret_shapes(config.private_path(env)))
    return shapes


def _own_keys() -> KeyOptions:
    own = own_age_recipients()
    if not own:
        raise ConfigError("private secrets need your own age key", hint="run 'secretsfile keygen'")
    return KeyOptions(age=(own[0],))


def modify_file(config: ProjectConfig, path: Path, change: Callable[[Branch], bool | None],
                private: bool = False) -> None:
    """Apply ``change`` to the file's plaintext mapping and write it back; a missing file is
    created, encrypted for the environment's recipients in ``config`` (or your own key
    when private). A ``change`` that returns False changed nothing: the file is left
    byte for byte (no new mac or lastmodified, so no diff to review)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700 if private else 0o777)
    with locked(path):
        if path.exists():
            opened = files.open_file(path, config=config)
            if change(opened.plain[0]) is not False:
                write_atomic(path, seal(opened))
            return
        doc: Branch = {}
        change(doc)
        plan = plan_for(path, _own_keys() if private else KeyOptions(), config=config)
        write_atomic(path, files.seal_new([doc], format_for_path(path), plan, None, str(path)),
                     private=private)


def _target(config: ProjectConfig, env: Environment, private: bool) -> Path:
    return config.private_path(env) if private else config.env_path(env)


def save_secret(config: ProjectConfig, env: Environment, secret: Secret, *,
                create: bool | None, force: bool = False) -> bool:
    """Create (``create=True``: refuse an existing name), replace (``False``: refuse a
    missing one) or either (``None``). Returns whether the name existed. Replacing a group
    by one value (or the reverse) needs ``force``."""
    return change_secret(config, env, secret.name, secret.private,
                         lambda current: secret, create=create, force=force)


def refuse_shape_change(current: Secret, new: Secret) -> None:
    """A ConflictError when ``new`` would drop ``current``'s value or keys (names only)."""
    where = f"secret {current.name!r} in {current.env}" + (" (private)" if current.private
                                                            else "")
    if current.is_group and not new.is_group and current.keys:
        raise ConflictError(
            f"{where} is a group (keys: {', '.join(current.keys)}); one value would "
            "replace them all",
            hint="change keys with 'secretsfile secret update NAME --KEY=...', or pass "
            "--force to replace the group")
    if not current.is_group and new.is_group:
        raise ConflictError(
            f"{where} holds one value; making it a group of keys would drop that value",
            hint="change the value with 'secretsfile secret set', or pass --force to "
            "replace it by the keys")


def refuse_variable_collisions(new: Secret, doc: Branch, other_file: Path,
                               exports: Mapping[str, str] | None = None) -> None:
    """A UsageError when ``new`` would give an environment variable another secret of its
    file (``doc``), of the environment's other file (team / private) or an ``exports:``
    entry of the environment gives. Names and keys only, read in clear."""
    keys = new.keys if new.is_group else None
    check_variable_collisions(new.name, keys, {name: _group_keys(node) for name, node
                                               in doc.items() if isinstance(name, str)},
                              exports)
    with contextlib.suppress(NotEncryptedError):
        check_variable_collisions(new.name, keys, secret_shapes(other_file))


def change_secret(config: ProjectConfig, env: Environment, name: str, private: bool,
                  change: Callable[[Secret | None], Secret], *,
                  create: bool | None = False, force: bool = False,
                  carried: Collection[str] = ()) -> bool:
    """Read-modify-write one secret under the file's lock: ``change`` gets the current
    secret (None when absent) and returns the new one. Returns whether it existed.
    Turning a group into one value or the reverse needs ``force``."""
    policy(config).check(name)
    path = _target(config, env, private)
    existed: list[bool] = []

    def apply(doc: Branch) -> None:
        exists = name in doc
        if create is True and exists:
            raise UsageError(f"secret {name!r} already exists in {env.name}",
                             hint="use 'secretsfile secret update'")
        if create is False and not exists:
            raise UsageError(f"secret {name!r} not found in {env.name}"
                             + (" (private)" if private else ""),
                             hint=closest_hint(name, [str(k) for k in doc]))
        current = secret_from_tree(name, env.name, doc[name], private) if exists else None
        new = change(current)
        if current is not None and not force:
            refuse_shape_change(current, new)
        refuse_variable_collisions(new, doc, _target(config, env, not private), env.exports)
        store_into(doc, name, new, carried)
        existed.append(exists)

    with env_keys(env.name):
        modify_file(config, path, apply, private)
    return existed[0]


def store_into(doc: Branch, name: str, new: Secret, carried: Collection[str] = ()) -> None:
    """``doc[name] = new``; a group written over a group is changed in place, so its
    comments stay where they are, its keys keep their order and unchanged values their
    ciphertext. New keys must pass ``naming.key_problem``: keys already there stay, and so
    do ``carried`` ones (a copy's keys that its source already holds)."""
    node, tree = doc.get(name), secret_to_tree(new)
    bad = new_bad_key(new, node, carried)
    if bad is not None:
        fixed = suggest_key(bad)
        raise UsageError(f"secret {name!r}: {key_problem(bad)}",
                         hint=f"write that value under the key {fixed!r} instead" if fixed
                         else f"keys are {KEY_RULE}")
    if not (isinstance(node, dict) and isinstance(tree, dict)):
        doc[name] = tree
        return
    for key in [k for k in node if isinstance(k, str) and k not in tree]:
        del node[key]
    node.update(tree)


def new_bad_key(new: Secret, node: object, carried: Collection[str] = ()) -> str | None:
    """The first of ``new``'s keys that neither the stored ``node`` nor ``carried`` holds
    and ``naming.key_problem`` refuses, or None (key names only)."""
    old = node if isinstance(node, dict) else {}
    for key in new.keys if new.is_group else ():
        if key not in old and key not in carried and key_problem(key):
            return key
    return None


def new_key_problem(new: Secret, node: object) -> str | None:
    """Why one of ``new``'s keys that the stored ``node`` lacks cannot be written, or None."""
    bad = new_bad_key(new, node)
    return None if bad is None else key_problem(bad)


def delete_secret(config: ProjectConfig, env: Environment, name: str, private: bool) -> None:
    path = _target(config, env, private)

    def change(doc: Branch) -> None:
        if name not in doc:
            raise UsageError(f"secret {name!r} not found in {env.name}",
                             hint=closest_hint(name, [str(k) for k in doc]))
        del doc[name]

    if not path.exists():
        raise UsageError(f"secret {name!r} not found in {env.name}")
    with env_keys(env.name):
        modify_file(config, path, change, private)


def find_secret(config: ProjectConfig, env: Environment, name: str,
                private: bool | None = None) -> Secret:
    """A secret by name: your private one laid over the team's (``overlay``) unless
    ``private`` says which file. Each file is read once; a missing name is reported from
    the names in clear, before any decryption."""
    candidates = []
    if private is not True:
        candidates.append((config.env_path(env), False))
    if private is not False:
        candidates.append((config.private_path(env), True))
    known: list[str] = []
    found: list[Secret] = []
    for path, is_private in candidates:
        try:
            document = parse_env_file(path)
        except NotEncryptedError:
            continue
        if document is None:
            continue
        names = [str(k) for k in document.docs[0] if isinstance(k, str)]
        if name in names:
            strict = config.requires_tag(path)
            found.append(open_env_document(document, env.name, is_private, strict)[name])
        known += names
    if not found:
        raise UsageError(f"secret {name!r} not found in {env.name}",
                         hint=closest_hint(name, known))
    return found[0] if len(found) == 1 else overlay_secret(found[0], found[1])


def merged(secret: Secret, values: Mapping[str, Scalar] | None, value: str | None,
           schema: str | None) -> Secret:
    """An updated copy: group keys merged over the old ones (new text for a key stored as
    an int, float or bool keeps that type when it reads as one), or a new single value."""
    if value is not None:
        return replace(secret, value=value, values={}, schema=None)
    new = {key: typed(v, secret.kinds.get(key)) if isinstance(v, str) else v
           for key, v in (values or {}).items()}
    combined = {**secret.values, **new}
    return replace(secret, value=None, values=combined, schema=schema or secret.schema)


def create_secret(config: ProjectConfig, env: Environment, name: str,
                  pairs: Mapping[str, Scalar], schema: str | None, private: bool
                  ) -> Mapping[str, Scalar]:
    """A new group secret from ``pairs`` (checked and completed by ``schema``); returns the
    pairs stored."""
    if schema:
        pairs = find_schema(schema, config.raw).validate(pairs)
    if not pairs:
        raise UsageError("no values given", hint="add --KEY=VALUE options, --values or -i")
    save_secret(config, env, Secret(name, env.name, None, pairs, schema, private), create=True)
    return pairs


def update_secret(config: ProjectConfig, env: Environment, name: str, private: bool,
                  pairs_for: Callable[[str | None], dict[str, str]], schema: str | None, *,
                  remove_keys: Collection[str] = (), force: bool = False) -> None:
    """Merge new keys over a group secret's (the others keep value and ciphertext), drop
    ``remove_keys``, check against the schema. ``pairs_for(schema)`` is asked for the new
    pairs once the current secret (and so its schema) is known."""

    def change(current: Secret | None) -> Secret:
        assert current is not None  # change_secret refuses a missing name
        schema_name = schema or current.schema
        pairs = pairs_for(schema_name)
        if not current.is_group and not pairs:
            raise UsageError(f"{name} is a single-value secret",
                             hint="use 'secretsfile secret set'")
        updated = merged(current, pairs, None, schema_name)
        kept = {k: v for k, v in updated.values.items() if k not in remove_keys}
        if schema_name:
            kept = find_schema(schema_name, config.raw).validate(kept)
        return replace(updated, values=kept)

    change_secret(config, env, name, private, change, force=force)


def plain_values(secrets: dict[str, Secret]) -> dict[str, Any]:
    """name -> value, or name -> {key: value} for groups."""
    return {name: (s.value if not s.is_group else dict(s.values)) for name, s in secrets.items()}


@dataclass(frozen=True)
class Entry:
    """What ``secret list`` shows: everything but values (read without a key)."""

    name: str
    env: str
    keys: list[str]
    schema: str | None
    private: bool
    created: str | None = None
    updated: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


DatesOf = Callable[[Path], Mapping[str, Any]]  # path -> name -> (created, updated) dates


def _entries(path: Path, env: str, private: bool, dates_of: DatesOf | None) -> list[Entry]:
    document = parse_env_file(path)
    if document is None:
        return []
    dates = dates_of(path) if dates_of is not None and not private else {}
    out = []
    for name, node in document.docs[0].items():
        if not isinstance(name, str):
            continue
        keys, schema = list(_group_keys(node) or ()), None
        if isinstance(node, dict):
            raw_schema = node.get(SCHEMA_KEY)
            if isinstance(raw_schema, str) and not raw_schema.startswith("ENC["):
                schema = raw_schema
        when = dates.get(name)
        out.append(Entry(name, env, keys, schema, private,
                         when.created.isoformat() if when else None,
                         when.updated.isoformat() if when else None))
    return out


SORT_KEYS = ("name", "env", "created")


def list_entries(config: ProjectConfig, envs: list[Environment],
                 dates_of: DatesOf | None = None, sort: str = "name") -> list[Entry]:
    """Every secret's entry, without a key, sorted by ``sort`` (then name, environment).
    ``dates_of`` (the git history reader, handed in by the caller) dates the team's
    secrets."""
    if sort not in SORT_KEYS:
        raise UsageError(f"cannot sort by {sort!r}", hint="use name, env or created")
    entries: list[Entry] = []
    for env in envs:
        entries += _entries(config.env_path(env), env.name, False, dates_of)
        entries += _entries(config.private_path(env), env.name, True, dates_of)
    entries.sort(key=lambda e: (getattr(e, sort) or "", e.name, e.env))
    return entries
