"""Moving named secrets: rename within an environment, copy (promote) between
environments, and export one secret's plaintext in a chosen format.

Rename is one locked write of the environment's file: the entry keeps its place and its
comments; its values are encrypted again under the new name (sops authenticates each value
with its key path, so a ciphertext cannot move to another name) and the MAC and integrity
tag are written afresh by ``ops.document.seal``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from secretsfile._fileio import read_text
from secretsfile.config.project import Environment, ProjectConfig
from secretsfile.core.values import Branch
from secretsfile.errors import ConflictError, NotEncryptedError, UsageError
from secretsfile.ops.exporting import checked_values, dotenv
from secretsfile.ops.references import configured_files
from secretsfile.ops.secrets import (
    change_secret,
    env_keys,
    find_secret,
    modify_file,
    policy,
    read_secrets,
    secret_shapes,
)
from secretsfile.secrets.model import Secret
from secretsfile.secrets.naming import check_variable_collisions, closest_hint
from secretsfile.secrets.references import find_references
from secretsfile.secrets.schemas import BUILTIN, user_schemas
from secretsfile.secrets.variables import Variable, environment_variables, select

EXPORT_FORMATS = ("json", "dotenv", "yaml")


@dataclass(frozen=True)
class StaleReference:
    """A ``{{old…}}`` reference left pointing at a renamed secret (file, line, text)."""

    path: Path
    line: int
    text: str


def rename_secret(config: ProjectConfig, env: Environment, old: str, new: str,
                  private: bool = False) -> list[StaleReference]:
    """Rename ``old`` to ``new`` in one locked write; returns the references in the
    project's templates and config that still name ``old``."""
    policy(config).check(new)
    path = config.private_path(env) if private else config.env_path(env)
    other = config.env_path(env) if private else config.private_path(env)
    where = env.name + (" (private)" if private else "")
    if not path.exists():
        raise UsageError(f"secret {old!r} not found in {where}")

    def change(doc: Branch) -> None:
        if old not in doc:
            raise UsageError(f"secret {old!r} not found in {where}",
                             hint=closest_hint(old, [str(k) for k in doc]))
        if new in doc:
            raise ConflictError(f"secret {new!r} already exists in {where}",
                                hint=f"pick another name, or delete {new} first")
        refuse_collisions(old, new, path, other, env.exports)
        items = list(doc.items())
        doc.clear()
        for key, node in items:
            doc[new if key == old else key] = node

    with env_keys(env.name):
        modify_file(config, path, change, private)
    return references_to(config, old)


def refuse_collisions(old: str, new: str, path: Path, other: Path,
                      exports: Mapping[str, str] | None = None) -> None:
    """A UsageError when ``new`` would give a variable another secret of the environment
    (either file) or an ``exports:`` entry naming something else gives: names and keys
    only, read in clear (under the caller's lock)."""
    shapes = secret_shapes(path)
    keys = shapes.get(old)
    check_variable_collisions(new, keys, {n: k for n, k in shapes.items() if n != old},
                              exports)
    with contextlib.suppress(NotEncryptedError):
        check_variable_collisions(new, keys, secret_shapes(other))


def references_to(config: ProjectConfig, name: str) -> list[StaleReference]:
    """Every ``{{name…}}`` in the files of ``references:`` and in the config itself
    (``exports:`` templates), read without any key."""
    paths = configured_files(config)
    if config.path is not None and config.path not in paths:
        paths.append(config.path)
    found = []
    for path in paths:
        text = read_text(path)
        if "\x00" in text:
            continue
        found += [StaleReference(path, ref.line, ref.label) for ref in find_references(text)
                  if ref.kind == "ref" and ref.name == name]
    return found


def differing(current: Secret, new: Secret) -> list[str]:
    """The keys whose values differ (names only); ``(value)`` for single values."""
    if not current.is_group or not new.is_group:
        return [] if current.value == new.value and current.values == new.values else ["(value)"]
    old_values, new_values = current.values, new.values
    return sorted(k for k in {*old_values, *new_values}
                  if old_values.get(k) != new_values.get(k))


def copy_secret(config: ProjectConfig, source: Environment, target: Environment, name: str,
                new_name: str | None = None, force: bool = False) -> tuple[bool, list[str]]:
    """Copy the team's ``name`` of ``source`` into ``target`` (as ``new_name``), encrypted
    for the target's recipients. An existing secret there is replaced only with ``force``;
    the refusal names the keys that differ. Returns (existed, differing keys)."""
    if source.name == target.name and (new_name or name) == name:
        raise UsageError("copying a secret onto itself",
                         hint="give another --to environment or --as NAME")
    found = find_secret(config, source, name, private=False)
    copied = replace(found, name=new_name or name, env=target.name, private=False)
    changed: list[str] = []

    def change(current: Secret | None) -> Secret:
        if current is not None:
            changed.extend(differing(current, copied))
            if changed and not force:
                raise ConflictError(
                    f"secret {copied.name!r} already exists in {target.name} and differs "
                    f"(keys: {', '.join(changed)})",
                    hint="pass --force to replace it")
        return copied

    # keys the source already holds are carried as they are; the key rule is for new keys
    existed = change_secret(config, target, copied.name, False, change, create=None,
                            force=force, carried=found.keys if found.is_group else ())
    return existed, changed


def export_text(secret: Secret, fmt: str) -> str:
    """One secret's plaintext as json/yaml: a group's keys as a mapping (a single value as
    ``{name: value}``). dotenv needs the environment's names: ``export_secret``."""
    if fmt not in EXPORT_FORMATS or fmt == "dotenv":
        raise UsageError(f"unknown format {fmt!r}", hint="use json or yaml")
    data = dict(secret.values) if secret.is_group else {secret.name: secret.value or ""}
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    import yaml

    return str(yaml.safe_dump(data, default_flow_style=False, allow_unicode=True,
                              sort_keys=False))


def secret_variables(config: ProjectConfig, env: Environment, secret: Secret
                     ) -> dict[str, Variable]:
    """The variables ``run --env ENV`` gives ``secret`` (the one given, laid into the
    environment's secrets): default names, ``exports:`` naming it, schema names. A
    conflict or a bad name among them is an error, as in ``run --only NAME``."""
    others = read_secrets(config, env)
    others[secret.name] = secret
    schemas = {**BUILTIN, **user_schemas(config.raw.get("schemas"))}
    found = environment_variables(env.name, others, env.exports, schemas)
    return {var: variable for var, variable in select(found, [secret.name]).items()
            if variable.secret == secret.name}


def export_secret(config: ProjectConfig, env: Environment, name: str, fmt: str,
                  private: bool | None = None, allow: Collection[str] = ()) -> str:
    """The text of ``secret export``: the format checked before anything is decrypted;
    dotenv names and checks the variables as ``run`` and ``ci export`` do (the deny-list,
    ``allow``)."""
    if fmt not in EXPORT_FORMATS:
        raise UsageError(f"unknown format {fmt!r}", hint=f"use {', '.join(EXPORT_FORMATS)}")
    secret = find_secret(config, env, name, private=private)
    if fmt != "dotenv":
        return export_text(secret, fmt)
    return dotenv.render(checked_values(secret_variables(config, env, secret), allow))
