"""Register what references need (``secretsfile check --create-missing``): the secrets that
references name but no environment holds, grouped by name, and one locked write per
environment to create them.

Grouping: ``{{ app-db.user }}`` and ``{{ app-db.password }}`` need one group secret
``app-db`` with the keys ``user`` and ``password``; ``{{ token }}`` a single value. A name
referenced both ways cannot be created (reported instead).

Schema: the schema whose name is the secret's name or one of its ``-``/``_`` separated
words (``app-postgres``), else the only known schema (built in or under ``schemas:``) whose
fields cover every referenced key; none when several do (``user``/``password``) or none.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from secretsfile.config.project import Environment, ProjectConfig
from secretsfile.core.values import Branch
from secretsfile.errors import ConflictError, KeyUnavailableError, UsageError
from secretsfile.ops.references import check_files
from secretsfile.ops.secrets import env_keys, modify_file, policy, refuse_variable_collisions
from secretsfile.secrets.model import Secret, secret_to_tree
from secretsfile.secrets.schemas import BUILTIN, Schema, find_schema, user_schemas


@dataclass(frozen=True)
class Needed:
    """A secret that references name and the environment lacks (``keys`` empty: one
    value). ``problem``: why it cannot be created."""

    env: str
    name: str
    keys: tuple[str, ...]
    schema: str | None
    where: tuple[str, ...]
    problem: str | None = None

    def describe(self) -> str:
        shape = f"keys: {', '.join(self.keys)}" if self.keys else "one value"
        schema = f"; schema {self.schema}" if self.schema else ""
        return f"{self.name} ({shape}{schema}) referenced at {', '.join(self.where[:3])}" + (
            f" and {len(self.where) - 3} more" if len(self.where) > 3 else "")

    def as_dict(self) -> dict[str, object]:
        return {"env": self.env, "name": self.name, "keys": list(self.keys),
                "schema": self.schema, "where": list(self.where), "problem": self.problem}


def choose_schema(name: str, keys: Sequence[str], config_raw: Mapping[str, object]
                  ) -> str | None:
    """The schema a new group secret is created with (see the module docstring)."""
    if not keys:
        return None
    known: dict[str, Schema] = {**BUILTIN, **user_schemas(config_raw.get("schemas"))}
    covering = [s for s in known.values() if set(keys) <= set(s.field_names())]
    words = {name, *re.split(r"[-_]", name)}
    named = [s.name for s in covering if s.name in words]
    if named:
        return named[0]
    return covering[0].name if len(covering) == 1 else None


def needed_secrets(config: ProjectConfig, paths: Sequence[Path] | None = None,
                   env: str | None = None) -> list[Needed]:
    """Every secret that the references (files and the config's ``exports:``) name and
    their environment lacks, in the order first referenced."""
    report = check_files(list(paths or []), env=env, config=config)
    found: dict[tuple[str, str], tuple[list[str | None], list[str]]] = {}
    for shown, problem in report.problems:
        if problem.code != "secret-not-found" or problem.env is None:
            continue
        ref = problem.reference
        keys, where = found.setdefault((problem.env, ref.name), ([], []))
        if ref.key not in keys:
            keys.append(ref.key)
        if f"{shown}:{ref.line}" not in where:
            where.append(f"{shown}:{ref.line}")
    needed = []
    for (env_name, name), (keys, where) in found.items():
        named = tuple(k for k in keys if k is not None)
        why = None
        if None in keys and named:
            why = (f"referenced both as {{{{ {name} }}}} and {{{{ {name}.KEY }}}}: "
                   "fix the references first")
        schema = None if why else choose_schema(name, named, config.raw)
        needed.append(Needed(env_name, name, named, schema, tuple(where), why))
    return needed


def new_secret(config: ProjectConfig, needed: Needed, values: Mapping[str, str] | str
               ) -> Secret:
    """The secret to create from what was typed: checked by its schema, and holding every
    referenced key. Errors name keys, never values."""
    policy(config).check(needed.name)
    if isinstance(values, str):
        return Secret(needed.name, needed.env, values, {}, None, False)
    pairs: dict[str, Any] = {k: v for k, v in values.items() if v != ""}
    if needed.schema:
        pairs = find_schema(needed.schema, config.raw).validate(pairs)
    absent = [key for key in needed.keys if key not in pairs]
    if absent:
        raise UsageError(f"{needed.name}: no value for the referenced key "
                         f"{', '.join(repr(k) for k in absent)}",
                         hint="nothing was written; run it again and fill those keys")
    return Secret(needed.name, needed.env, None, pairs, needed.schema, False)


def ensure_writable(config: ProjectConfig, env: Environment) -> None:
    """Refuse before anything is typed when the environment's file exists and none of your
    keys can open it (the values would be lost at the write)."""
    from secretsfile.ops.whoami import no_key_hint, whoami

    access = next(a for a in whoami(config).environments if a.name == env.name)
    if access.readable is False:
        raise KeyUnavailableError(f"none of your keys can open {access.file} ({env.name})",
                                  hint=no_key_hint(env.name))


def register_secrets(config: ProjectConfig, env: Environment, secrets: Sequence[Secret]
                     ) -> None:
    """Add ``secrets`` to the environment's file in one locked read-modify-write; refuses
    (writing nothing) when one of the names exists by then, or would give an environment
    variable another secret gives (``secret set``'s rule: app-db-user next to app-db.user)."""
    for secret in secrets:
        policy(config).check(secret.name)

    def change(doc: Branch) -> None:
        clash = [s.name for s in secrets if s.name in doc]
        if clash:
            raise ConflictError(f"secret {clash[0]!r} appeared in {env.name} meanwhile",
                                hint="nothing was written; run the command again")
        for secret in secrets:  # each checked against the file as it is, earlier ones in
            refuse_variable_collisions(secret, doc, config.private_path(env), env.exports)
            doc[secret.name] = secret_to_tree(secret)

    with env_keys(env.name):
        modify_file(config, config.env_path(env), change)
