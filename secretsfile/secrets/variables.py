"""An environment's secrets as environment variables: the one place that names them.

Pure: secrets (masked) + the environment's ``exports:`` + schemas in, variables out.

* Default names: ``db-password`` -> ``DB_PASSWORD``, a group key -> ``DB_USER``. Two secrets
  mapping to one name conflict (an error only when that variable is selected).
* ``exports:`` (``AWS_ACCESS_KEY_ID: '{{ aws-deploy.access_key_id }}'``) add variables; one
  naming a missing secret or key is an error; one taking a default name with another value
  is a conflict naming both (an error only when that variable is selected).
* Every name, whatever its source, must be ``[A-Za-z_][A-Za-z0-9_]*`` (``check_variable_name``;
  ``select`` and the deny-list refuse others).
* Schema names (``Field.export``: AWS_ACCESS_KEY_ID, PGHOST, ...) are added for a secret with
  a schema when it is the environment's only secret of that schema; with two or more, none
  gets them and ``notes`` says to pick one with ``exports:``. ``exports:`` and default names
  win over a schema name.

``select`` applies ``--only`` / ``--exclude``: secret names or variable names, globs allowed.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from secretsfile.core.suggest import close_matches, did_you_mean
from secretsfile.errors import ConflictError, UsageError
from secretsfile.secrets.model import Secret, SecretValue
from secretsfile.secrets.naming import env_var_name, is_variable_name
from secretsfile.secrets.references import find_references
from secretsfile.secrets.schemas import Schema

__all__ = ["Variable", "Variables", "check_variable_name", "environment_variables",
           "export_problem", "select", "variable_name_problem"]

NAME_HINT = "letters, digits and '_', not starting with a digit"
EXPORT_HINT = ("e.g. AWS_ACCESS_KEY_ID: '{{ name }}' or '{{ name.key }}' (one secret, or one "
               "key of a group)")


def variable_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be an environment variable (the one name-syntax rule for
    default, ``exports:`` and schema names alike), or None."""
    return None if is_variable_name(name) else f"{name!r} is not a variable name"


def check_variable_name(name: str, origin: str) -> None:
    """A UsageError (exit 2) naming where a name that is no variable name came from."""
    problem = variable_name_problem(name)
    if problem is not None:
        raise UsageError(f"{problem} (from {origin})", hint=NAME_HINT)


def export_problem(var: str, template: str) -> str | None:
    """Why an ``exports:`` entry is not ``VARIABLE: '{{ name }}'`` / ``'{{ name.key }}'``
    (one well-formed reference, nothing around it), or None. ``check`` and ``run`` share it."""
    problem = variable_name_problem(var)
    if problem is not None:
        return problem
    refs = find_references(template)
    if len(refs) != 1 or refs[0].kind != "ref" or template.strip() != refs[0].text.strip():
        return "expected one reference"
    return None
_GLOB = re.compile(r"[*?\[]")


@dataclass(frozen=True)
class Variable:
    """One variable: its value (masked), the secret (and key) it comes from, and where its
    name comes from (``origin``, for messages). ``conflict``: why it cannot be set."""

    name: str
    value: SecretValue
    secret: str
    key: str | None
    origin: str
    conflict: str | None = None

    def same_source(self, other: Variable) -> bool:
        return (self.secret, self.key) == (other.secret, other.key) or self.value == other.value


@dataclass(frozen=True)
class Variables:
    env: str
    variables: dict[str, Variable]  # name -> Variable, in a stable order
    notes: tuple[str, ...] = ()


def _what(secret: str, key: str | None) -> str:
    return f"secret {secret!r}" + (f" (key {key!r})" if key is not None else "")


def _pairs(secret: Secret) -> list[tuple[str | None, SecretValue]]:
    if secret.masked_value is not None:
        return [(None, secret.masked_value)]
    return list(secret.masked_values.items())


def _defaults(env: str, secrets: Mapping[str, Secret]) -> dict[str, Variable]:
    out: dict[str, Variable] = {}
    for name, secret in secrets.items():
        for key, value in _pairs(secret):
            var = env_var_name(name, key)
            made = Variable(var, value, name, key, _what(name, key))
            if var in out:
                first = out[var]
                made = Variable(var, value, name, key, made.origin, (
                    f"secrets {first.origin.removeprefix('secret ')} and "
                    f"{made.origin.removeprefix('secret ')} in {env} both map to the variable "
                    f"{var}"))
            out[var] = made
    return out


def _resolve(env: str, var: str, template: str, secrets: Mapping[str, Secret]) -> Variable:
    """One ``exports:`` entry -> its Variable; errors name the line and the reference."""
    where = f"environment {env}: exports {var}: {template.strip()!r}"
    problem = export_problem(var, template)
    if problem is not None:
        raise UsageError(f"{where}: {problem}",
                         hint=NAME_HINT if not is_variable_name(var) else EXPORT_HINT)
    ref = find_references(template)[0]
    secret = secrets.get(ref.name)
    if secret is None:
        raise UsageError(f"{where}: no secret {ref.name!r} in {env}",
                         hint=did_you_mean(close_matches(ref.name, secrets))
                         or f"secrets: {', '.join(sorted(secrets)) or 'none'}")
    origin = f"exports {var}: '{{{{ {ref.name}{'.' + ref.key if ref.key else ''} }}}}'"
    if secret.masked_value is not None:
        if ref.key is not None:
            raise UsageError(f"{where}: secret {ref.name!r} is a single value, it has no key "
                             f"{ref.key!r}", hint=f"write '{{{{ {ref.name} }}}}'")
        return Variable(var, secret.masked_value, ref.name, None, origin)
    keys = list(secret.masked_values)
    if ref.key is None or ref.key not in secret.masked_values:
        close = did_you_mean(close_matches(ref.key, keys)) if ref.key else None
        problem = (f"secret {ref.name!r} is a group" if ref.key is None
                   else f"secret {ref.name!r} has no key {ref.key!r}")
        raise UsageError(f"{where}: {problem}", hint=close or "name a key: " + ", ".join(
            f"{{{{ {ref.name}.{key} }}}}" for key in keys))
    return Variable(var, secret.masked_values[ref.key], ref.name, ref.key, origin)


def _schema_names(env: str, secrets: Mapping[str, Secret], schemas: Mapping[str, Schema],
                  taken: Iterable[str]) -> tuple[list[Variable], list[str]]:
    """Schema default names for a schema's only secret; notes for schemas with several."""
    taken = set(taken)
    by_schema: dict[str, list[str]] = {}
    for name, secret in secrets.items():
        if secret.schema is not None and secret.schema in schemas and secret.is_group:
            by_schema.setdefault(secret.schema, []).append(name)
    found: list[Variable] = []
    notes: list[str] = []
    for schema_name, names in by_schema.items():
        fields = [f for f in schemas[schema_name].fields if f.export and f.export not in taken
                  and any(f.name in secrets[name].masked_values for name in names)]
        if len(names) > 1:
            if fields:
                notes.append(f"{len(names)} secrets use schema {schema_name} in {env} "
                             f"({', '.join(names)}): none is exported as "
                             f"{', '.join(str(f.export) for f in fields)}; pick one with "
                             f"'exports:' in .secretsfile.yaml")
            continue
        secret = secrets[names[0]]
        found += [Variable(str(f.export), secret.masked_values[f.name], names[0], f.name,
                           f"{_what(names[0], f.name)}, schema {schema_name}")
                  for f in fields if f.name in secret.masked_values]
    return found, notes


def environment_variables(env: str, secrets: Mapping[str, Secret],
                          exports: Mapping[str, str] | None = None,
                          schemas: Mapping[str, Schema] | None = None) -> Variables:
    """Every variable the environment defines (masked), with where each name comes from."""
    out = _defaults(env, secrets)
    for var, template in (exports or {}).items():
        made = _resolve(env, var, template, secrets)
        default = out.get(var)
        if default is not None and not made.same_source(default):  # fails only when selected
            made = replace(made, conflict=f"environment {env}: {made.origin} and "
                           f"{default.origin} both set {var}, to different values")
        out[var] = made
    found, notes = _schema_names(env, secrets, schemas or {}, out)
    out.update({variable.name: variable for variable in found})
    return Variables(env, out, tuple(notes))


def _matches(pattern: str, variable: Variable) -> bool:
    return (fnmatch.fnmatchcase(variable.name, pattern)
            or fnmatch.fnmatchcase(variable.secret, pattern))


def _check_patterns(found: Variables, patterns: list[str], flag: str) -> None:
    known = list(dict.fromkeys([v.secret for v in found.variables.values()]
                               + list(found.variables)))
    for pattern in patterns:  # a glob may match nothing; a plain name is a typo then
        if not _GLOB.search(pattern) and not any(
                _matches(pattern, v) for v in found.variables.values()):
            kind = "secret or variable" if flag == "--only" else "secret or variable to exclude"
            raise UsageError(f"{flag} {pattern!r}: {kind} not found in {found.env}",
                             hint=did_you_mean(close_matches(pattern, known))
                             or f"secrets: {', '.join(sorted(set(known))[:12])}")


def select(found: Variables, only: Iterable[str] | None = None,
           exclude: Iterable[str] | None = None) -> dict[str, Variable]:
    """The variables ``--only`` picks (secret names, variable names or globs; all by
    default) minus those ``--exclude`` names. A selected conflict is a ConflictError; a
    selected name that is no variable name (a schema's ``export: "X\\nLD_PRELOAD"``, a
    secret ``1db`` under a custom naming policy) a UsageError."""
    only_list = list(only or [])
    exclude_list = list(exclude or [])
    _check_patterns(found, only_list, "--only")
    _check_patterns(found, exclude_list, "--exclude")
    chosen = {name: v for name, v in found.variables.items()
              if (not only_list or any(_matches(p, v) for p in only_list))
              and not any(_matches(p, v) for p in exclude_list)}
    for variable in chosen.values():
        check_variable_name(variable.name, variable.origin)
        if variable.conflict is not None:
            raise ConflictError(variable.conflict, hint="rename the secret, export another "
                                "variable name, or leave one out with --only / --exclude")
    return chosen
