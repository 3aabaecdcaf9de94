"""The secrets page's JSON API as pure functions over the library: no HTTP here.

Each function takes the page's ``Ctx`` (the project config and the git readers the CLI
hands in) and the request's parts, and returns ``(status, body)``. Names, keys, schemas and
dates only: no response ever holds a value. Writes go through the same locked,
minimal-diff ops functions as ``secretsfile secret``; a value from a request body is held
masked (in a ``Secret``) from the moment it is checked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from secretsfile.config.project import Environment, ProjectConfig
from secretsfile.errors import (
    ConflictError,
    FormatError,
    InputNotFoundError,
    KeySourceError,
    KeyUnavailableError,
    SecretsfileError,
    UsageError,
)
from secretsfile.ops.history import FileHistory
from secretsfile.ops.secrets import DatesOf, secret_shapes
from secretsfile.secrets.model import Secret

Reply = tuple[int, dict[str, Any] | None]
Query = Mapping[str, str]
Body = Mapping[str, Any]


@dataclass(frozen=True)
class Ctx:
    """What the page works on: the project, and git handed in by the CLI (``dates_of`` for
    created/updated, ``histories`` for the stale check); None leaves dates empty."""

    config: ProjectConfig
    dates_of: DatesOf | None = None
    histories: Callable[[], list[FileHistory]] | None = None


class NotFound(UsageError):
    """An environment or secret the request names does not exist (404)."""


def failure(error: SecretsfileError, env: str | None = None) -> Reply:
    """An error as ``(status, {"error", "hint"})``; its message never holds a value."""
    status = 500
    if isinstance(error, (NotFound, InputNotFoundError)):
        status = 404
    elif isinstance(error, UsageError) or (isinstance(error, FormatError) and not error.path):
        status = 400  # (a FormatError naming no file: a value sent that cannot be stored)
    elif isinstance(error, ConflictError):
        status = 409
    elif isinstance(error, (KeyUnavailableError, KeySourceError)):
        status = 422
    hint = error.hint
    if status == 422 and not hint:
        from secretsfile.ops.whoami import no_key_hint

        hint = no_key_hint(env)
    return status, {"error": f"{error.where()}{error.message}", "hint": hint}


def _environment(ctx: Ctx, name: object) -> Environment:
    for env in ctx.config.environments:
        if env.name == name:
            return env
    known = ", ".join(e.name for e in ctx.config.environments) or "none"
    raise NotFound(f"unknown environment {str(name)[:64]!r}", hint=f"environments: {known}")


def session(ctx: Ctx) -> Reply:
    """The project, its environments and which of them your keys open (no file: whether
    you are among its configured recipients)."""
    from secretsfile.ops.whoami import whoami

    access = whoami(ctx.config).environments
    return 200, {
        "project": ctx.config.root.name,
        "environments": [env.name for env in ctx.config.environments],
        "you_can_read": {a.name: (a.configured if a.readable is None else a.readable)
                         for a in access},
    }


def list_secrets(ctx: Ctx, query: Query) -> Reply:
    """Every secret's name, env, keys, schema, private, created, updated (no key needed)."""
    from secretsfile.ops.secrets import list_entries

    envs = list(ctx.config.environments)
    if query.get("env"):
        envs = [_environment(ctx, query["env"])]
    entries = list_entries(ctx.config, envs, ctx.dates_of, query.get("sort") or "name")
    return 200, {"secrets": [entry.to_dict() for entry in entries]}


def schemas(ctx: Ctx) -> Reply:
    """The built-in and project schemas with their fields (a default only when the field
    is not secret)."""
    from secretsfile.secrets.schemas import BUILTIN, user_schemas

    found = {**BUILTIN, **user_schemas(ctx.config.raw.get("schemas"))}
    return 200, {"schemas": [
        {"name": s.name, "description": s.description,
         "fields": [{"name": f.name, "type": f.type, "required": f.required,
                     "secret": f.secret, "export": f.export,
                     "default": None if f.secret else f.default} for f in s.fields]}
        for s in found.values()]}


def naming(ctx: Ctx, query: Query) -> Reply:
    """The naming rule on ``name``: ``{ok, problem, suggestion}``."""
    from secretsfile.ops.secrets import policy

    rule = policy(ctx.config)
    name = query.get("name", "")
    problem = rule.problem(name)
    return 200, {"ok": problem is None, "problem": problem,
                 "suggestion": None if problem is None else rule.suggest(name)}


def _text(body: Body, field: str, required: bool = True) -> str | None:
    value = body.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise UsageError(f"{field!r} must be a non-empty string",
                         hint=f'send {{"{field}": "..."}} in the JSON body')
    return value


def _flag(value: object, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in (None, "", "0", "false"):
        return False
    if value in ("1", "true"):
        return True
    raise UsageError(f"{field!r} must be true or false")


def _masked(name: str, env: str, body: Body) -> Secret:
    """The body's ``values`` checked (text, number or bool per key; empty text dropped: an
    empty password field keeps the stored value) and held masked at once."""
    values = body.get("values", {})
    if not isinstance(values, dict):
        raise UsageError("'values' must be an object of key: value",
                         hint='send {"values": {"user": "...", "password": "..."}}')
    pairs: dict[str, str | int | float | bool] = {}
    for key, value in values.items():
        if isinstance(value, bool | int | float | str) and value != "":
            pairs[str(key)] = value
        elif value != "":
            raise UsageError(f"value of key {str(key)[:64]!r} must be text, a number or a bool")
    return Secret(name, env, None, pairs)


def _writable(ctx: Ctx, env: Environment, private: bool) -> None:
    """The clear no-key refusal before any write to the team's file."""
    if not private:
        from secretsfile.ops.register import ensure_writable

        ensure_writable(ctx.config, env)


def _shapes(ctx: Ctx, env: Environment, private: bool) -> dict[str, tuple[str, ...] | None]:
    path: Path = ctx.config.private_path(env) if private else ctx.config.env_path(env)
    return secret_shapes(path)


def _existing(ctx: Ctx, env: Environment, name: str, private: bool) -> None:
    if name not in _shapes(ctx, env, private):
        where = f"{env.name} (private)" if private else env.name
        raise NotFound(f"secret {name[:64]!r} not found in {where}")


def _keys_of(ctx: Ctx, env: Environment, name: str, private: bool) -> list[str]:
    """The secret's keys as written, read in clear (no decryption)."""
    return list(_shapes(ctx, env, private).get(name) or ())


def _done(secret_name: str, env: Environment, private: bool, keys: list[str]) -> dict[str, Any]:
    return {"name": secret_name, "env": env.name, "keys": keys, "private": private}


def create(ctx: Ctx, body: Body) -> Reply:
    """``POST /api/secrets`` ``{name, env, schema?, private, values}`` -> 201."""
    from secretsfile.ops.secrets import create_secret, policy

    name, env = str(_text(body, "name")), _environment(ctx, _text(body, "env"))
    schema, private = _text(body, "schema", required=False), _flag(body.get("private"),
                                                                     "private")
    policy(ctx.config).check(name)
    secret = _masked(name, env.name, body)
    if name in _shapes(ctx, env, private):
        raise ConflictError(f"secret {name!r} already exists in {env.name}",
                            hint="change it with PATCH /api/secrets/ENV/NAME")
    _writable(ctx, env, private)
    stored = create_secret(ctx.config, env, name, secret.values, schema, private)
    return 201, _done(name, env, private, list(stored))


def update(ctx: Ctx, env_name: str, name: str, query: Query, body: Body) -> Reply:
    """``PATCH /api/secrets/ENV/NAME?private=`` ``{values, remove}``: the keys sent are
    merged over the stored ones (the others keep value and ciphertext)."""
    from secretsfile.ops.secrets import update_secret

    env, private = _environment(ctx, env_name), _flag(query.get("private"), "private")
    remove = body.get("remove", [])
    if not isinstance(remove, list) or not all(isinstance(k, str) for k in remove):
        raise UsageError("'remove' must be a list of key names")
    secret = _masked(name, env.name, body)
    _existing(ctx, env, name, private)
    _removable(ctx, env, name, private, remove, secret.keys)
    _writable(ctx, env, private)
    update_secret(ctx.config, env, name, private, lambda _schema: secret.text_values,
                  None, remove_keys=remove)
    return 200, _done(name, env, private, _keys_of(ctx, env, name, private))


def _removable(ctx: Ctx, env: Environment, name: str, private: bool, remove: list[str],
               sent: list[str]) -> None:
    """Refuse a ``remove`` naming a key the secret lacks (404), or leaving it no key (400):
    a secret without keys is deleted, not emptied."""
    if not remove:
        return
    shape = _shapes(ctx, env, private).get(name)
    instead = f"delete the secret instead (DELETE /api/secrets/{env.name}/{name})"
    if shape is None:
        raise UsageError(f"secret {name[:64]!r} is a single value: it has no keys to remove",
                         hint=instead)
    missing = [key for key in remove if key not in shape]
    if missing:
        raise NotFound(f"secret {name[:64]!r} has no key {missing[0][:64]!r}",
                       hint=f"its keys: {', '.join(shape)[:200]}")
    if not set(shape) - set(remove) and not set(sent) - set(remove):
        raise UsageError(f"removing {', '.join(remove)[:200]} would leave secret "
                         f"{name[:64]!r} with no keys", hint=instead)


def delete(ctx: Ctx, env_name: str, name: str, query: Query) -> Reply:
    """``DELETE /api/secrets/ENV/NAME?private=`` -> 204."""
    from secretsfile.ops.secrets import delete_secret

    env, private = _environment(ctx, env_name), _flag(query.get("private"), "private")
    _existing(ctx, env, name, private)
    _writable(ctx, env, private)
    delete_secret(ctx.config, env, name, private)
    return 204, None
