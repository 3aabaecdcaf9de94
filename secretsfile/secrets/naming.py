"""Secret names: one policy, configurable, with a suggested fix for a bad name.

Default (as hosted ML secret services): 3 to 36 characters, a leading letter, then
lowercase letters, digits and hyphens. ``naming:`` in ``.secretsfile.yaml`` may change
``min_length``, ``max_length`` and ``pattern``.

A group's keys follow one fixed rule (``KEY_PATTERN``, ``key_problem``): 1 to 100
characters, a letter or digit first, then letters, digits, ``_`` and ``-`` (a leading
``_`` marks the file's own metadata keys). ``{{ name.key }}`` references parse the same
pattern. Only keys new to what is written are checked (a file's secret, a store's entry, a
schema's fields when the config is read): files and store entries holding other keys
still read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from secretsfile.core.suggest import suggestion
from secretsfile.errors import ConfigError, UsageError


@dataclass(frozen=True)
class NamingPolicy:
    min_length: int = 3
    max_length: int = 36
    pattern: str = r"^[a-z][a-z0-9-]*$"

    @classmethod
    def from_config(cls, raw: Mapping[str, Any] | None) -> NamingPolicy:
        if not raw:
            return cls()
        try:
            policy = cls(
                int(raw.get("min_length", cls.min_length)),
                int(raw.get("max_length", cls.max_length)),
                str(raw.get("pattern", cls.pattern)),
            )
            re.compile(policy.pattern)
        except (TypeError, ValueError, re.error) as error:
            raise ConfigError(f"naming: invalid policy ({error})") from None
        return policy

    def describe(self) -> str:
        return f"{self.min_length}-{self.max_length} characters matching {self.pattern}"

    def problem(self, name: str) -> str | None:
        if not self.min_length <= len(name) <= self.max_length:
            return f"must be {self.min_length} to {self.max_length} characters long"
        if not re.search(self.pattern, name):
            if self.pattern == NamingPolicy.pattern:
                return "must start with a letter and use only lowercase letters, digits and '-'"
            return f"must match {self.pattern}"
        return None

    def suggest(self, name: str) -> str | None:
        """A name that passes, close to the one given (snowflake_user -> snowflake-user)."""
        fixed = re.sub(r"[^a-z0-9-]+", "-", name.strip().lower()).strip("-")
        fixed = re.sub(r"-{2,}", "-", fixed)
        fixed = re.sub(r"^[^a-z]+", "", fixed)[: self.max_length].rstrip("-")
        return fixed if fixed and self.problem(fixed) is None else None

    def check(self, name: str) -> None:
        problem = self.problem(name)
        if problem is None:
            return
        fixed = self.suggest(name)
        raise UsageError(
            f"invalid secret name {name!r}: {problem}",
            hint=f"try {fixed!r}" if fixed else self.describe(),
        )


KEY_MAX = 100
# One definition of a group key: what ``{{ name.key }}`` parses and what a write accepts.
# A leading ``_`` is the file's metadata (``_schema_unencrypted``; model.RESERVED_PREFIX),
# never a key; a leading digit is fine (``2fa_seed`` -> ``APP_2FA_SEED``).
KEY_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]*"
KEY_RULE = f"1 to {KEY_MAX} characters: a letter or digit, then letters, digits, '_' or '-'"
_KEY = re.compile(KEY_PATTERN + r"\Z")


def key_problem(key: str, what: str = "key") -> str | None:
    """Why ``key`` cannot be a new key of a group secret (names it, never a value), or
    None. '.', '/' and spaces would make unreadable variables (``APP_A_B____C``) and
    paths. ``what``: how the message names it (``schema x: field``)."""
    if not key:
        return f"an empty {what} name"
    shown = repr(key[:60]) + ("…" if len(key) > 60 else "")
    if len(key) > KEY_MAX:
        return f"{what} {shown} is longer than {KEY_MAX} characters"
    if not _KEY.match(key):
        fixed = suggest_key(key)
        return f"{what} {shown}: use {KEY_RULE}" + (f" (e.g. {fixed!r})" if fixed else "")
    return None


def suggest_key(key: str) -> str | None:
    """A key name that passes, close to ``key`` (``api.key`` -> ``api_key``), or None."""
    fixed = re.sub(r"[^A-Za-z0-9_-]+", "_", key.strip()).lstrip("_-")[:KEY_MAX]
    return fixed if fixed and _KEY.match(fixed) else None


_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def is_variable_name(name: str) -> bool:
    """Letters, digits and ``_``, not starting with a digit: what a shell, ``os.environ``
    and every CI runner accept as a variable name (the one rule for all of them)."""
    return bool(_VARIABLE.match(name))


def env_var_name(secret: str, key: str | None = None) -> str:
    """``db-password`` -> ``DB_PASSWORD``; a group key joins with ``_`` (``DB_USER``)."""
    base = secret if key is None else f"{secret}_{key}"
    return re.sub(r"[^A-Za-z0-9]", "_", base).upper()


def variables_of(name: str, keys: Iterable[str] | None) -> list[tuple[str, str]]:
    """(variable, what it holds: ``app-db.user``) for a secret with these group keys
    (None: one value)."""
    if keys is None:
        return [(env_var_name(name), name)]
    return [(env_var_name(name, key), f"{name}.{key}") for key in keys]


def check_variable_collisions(name: str, keys: Iterable[str] | None,
                              others: Mapping[str, Iterable[str] | None],
                              exports: Mapping[str, str] | None = None) -> None:
    """A UsageError when secret ``name`` (with ``keys``) would give a variable that another
    secret of ``others`` (name -> keys), another of its own keys, or an entry of the
    environment's ``exports:`` (variable -> '{{ name.key }}') naming something else already
    gives: ``app-db-user`` and ``app-db.user`` are both ``APP_DB_USER``. Names only."""
    from secretsfile.secrets.references import find_references

    taken: dict[str, tuple[str, str]] = {}  # variable -> (what it holds, shown as)
    for variable, template in (exports or {}).items():
        refs = [r for r in find_references(template) if r.kind == "ref"]
        holds = (f"{refs[0].name}.{refs[0].key}" if refs[0].key else refs[0].name) if refs \
            else template.strip()
        taken[variable] = (holds, f"exports {variable}: '{{{{ {holds} }}}}' in the config")
    for other, other_keys in others.items():
        if other != name:
            taken.update((var, (label, label)) for var, label in variables_of(other, other_keys))
    for variable, label in variables_of(name, keys):
        if variable in taken and taken[variable][0] != label:
            raise UsageError(
                f"{label} ({variable}) collides with {taken[variable][1]}",
                hint=f"rename one of them: both would be the variable {variable}")
        taken[variable] = (label, label)


_ENV_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,35}\Z")


# An environment's key variable is SECRETSFILE_AGE_KEY_<ENV>: these names would make it
# another variable (SECRETSFILE_AGE_KEY_FILE is the key file's path, _CMD a key command).
_RESERVED_ENV_NAMES = ("file", "cmd")


def check_env_name(name: str) -> None:
    """Environment names: a leading letter, then lowercase letters, digits, '-' or '_'."""
    if name in _RESERVED_ENV_NAMES:
        raise UsageError(
            f"the environment name {name!r} is reserved: its key variable "
            f"SECRETSFILE_AGE_KEY_{name.upper()} already means something else",
            hint=f"use e.g. {name}s or {name}-env",
        )
    if not _ENV_NAME.match(name):
        fixed = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_")
        fixed = re.sub(r"^[^a-z]+", "", fixed)[:36]
        raise UsageError(
            f"invalid environment name {name!r}",
            hint=f"try {fixed!r}" if fixed else "use e.g. dev, staging, prod",
        )


def closest_hint(name: str, names: Iterable[str]) -> str:
    """'did you mean …?' with the closest names, else the known ones."""
    known = sorted(set(names))
    if not known:
        return "the environment is empty"
    return suggestion(name, known,
                      f"known: {', '.join(known[:10])}" + (", …" if len(known) > 10 else ""))
