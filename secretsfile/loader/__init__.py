"""The loader for builds: an environment's secrets, decrypted in memory, masked when printed.

::

    import secretsfile

    secrets = secretsfile.load("prod")          # env: argument, SECRETSFILE_ENV, default_env
    connect(password=secrets["db-password"].reveal())
    print(secrets["db-password"])               # **********
    db = secrets["db"]                          # a key group: a read-only mapping
    db["user"].reveal(), db.reveal()            # 'admin', {'user': 'admin', 'password': ...}

    secretsfile.values("prod")                  # {'db-password': '…', 'db': {'user': …}}
    secretsfile.values("prod", as_environ=True) # {'DB_PASSWORD': '…', 'DB_USER': …}
    secretsfile.get_secret("db", "user")        # 'admin' (plaintext, like hosted services)
    secretsfile.SecretsClient("prod").get_secret("api-token")
    secretsfile.redact_logging()                # loaded values never reach a log line

Each file is decrypted once per process (cached by path, mtime, size and inode; a changed
file is read again), under a lock, and never written anywhere. Private secrets (your own
file outside the repo) override the team's, as everywhere else.

This module imports no CLI, git or rich code; the heavy modules (YAML, crypto, age) are
imported on the first ``load``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from secretsfile.errors import (
    InputNotFoundError,
    UsageError,
)
from secretsfile.secrets.model import MASK, SecretValue
from secretsfile.secrets.naming import closest_hint
from secretsfile.secrets.redaction import RedactingFilter, redact_logging, remember

if TYPE_CHECKING:  # pragma: no cover
    from secretsfile.config.project import ProjectConfig
    from secretsfile.secrets.model import Secret
    from secretsfile.secrets.schemas import Schema
    from secretsfile.secrets.variables import Variable, Variables

__all__ = [
    "MASK",
    "RedactingFilter",
    "SecretGroup",
    "SecretNotFoundError",
    "SecretValue",
    "Secrets",
    "SecretsClient",
    "clear_cache",
    "get_secret",
    "load",
    "redact_logging",
    "values",
]



class SecretNotFoundError(UsageError, KeyError):
    """A secret or key that the environment does not hold (a KeyError too, so ``in``,
    ``.get()`` and ``except KeyError`` work as on any mapping). Names only, never values."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.diagnostics()


# -- values ---------------------------------------------------------------------------------


class SecretGroup(Mapping[str, SecretValue]):
    """A key group (``db: {user: …, password: …}``): a read-only mapping of key ->
    SecretValue. ``.reveal()`` returns a plain ``dict[str, str]``."""

    __slots__ = ("_env", "_name", "_values")

    def __init__(self, name: str, values: Mapping[str, str | SecretValue], env: str = ""
                 ) -> None:
        self._name = name
        self._env = env
        self._values = {key: value if isinstance(value, SecretValue) else SecretValue(value)
                        for key, value in values.items()}

    @property
    def name(self) -> str:
        return self._name

    def __getitem__(self, key: str) -> SecretValue:
        try:
            return self._values[key]
        except KeyError:
            where = f" in {self._env}" if self._env else ""
            raise SecretNotFoundError(f"secret {self._name!r}{where} has no key {key!r}",
                                      hint=closest_hint(key, self._values)) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def reveal(self) -> dict[str, str]:
        return {key: value.reveal() for key, value in self._values.items()}

    def __repr__(self) -> str:
        return f"SecretGroup({self._name!r}, keys={sorted(self._values)!r})"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("a SecretGroup cannot be pickled; pickle .reveal() if you mean to")


Entry = SecretValue | SecretGroup


class Secrets(Mapping[str, Entry]):
    """An environment's secrets: a read-only mapping of name -> SecretValue (one value) or
    SecretGroup (a key group). Shows names, never values."""

    def __init__(self, env: str, secrets: Mapping[str, Secret],
                 exports: Mapping[str, str] | None = None,
                 schemas: Mapping[str, Schema] | None = None) -> None:
        """``exports``: the environment's ``exports:`` (variable -> '{{ name.key }}');
        ``schemas``: name -> Schema for schema variable names (default: the built-in ones)."""
        self._env = env
        self._secrets = dict(secrets)
        self._exports = dict(exports or {})
        from secretsfile.secrets.schemas import BUILTIN

        self._schemas = dict(BUILTIN if schemas is None else schemas)
        self._computed: Variables | None = None
        self._entries: dict[str, Entry] = {
            name: (SecretGroup(name, s.masked_values, env) if s.masked_value is None
                   else s.masked_value)
            for name, s in self._secrets.items()
        }

    @property
    def env(self) -> str:
        """The environment's name."""
        return self._env

    def __getitem__(self, name: str) -> Entry:
        try:
            return self._entries[name]
        except KeyError:
            raise SecretNotFoundError(f"secret {name!r} not found in {self._env}",
                                      hint=closest_hint(name, self._entries)) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        names = sorted(self._entries)
        more = f", … {len(names) - 8} more" if len(names) > 8 else ""
        return f"Secrets(env={self._env!r}, names=[{', '.join(map(repr, names[:8]))}{more}])"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("Secrets cannot be pickled; pickle .reveal() if you mean to")

    def secret(self, name: str) -> Secret:
        """The underlying ``Secret`` (name, env, value or values, schema, private); it
        masks its values like SecretValue does."""
        self[name]  # the not-found error, with suggestions
        return self._secrets[name]

    def reveal(self) -> dict[str, Any]:
        """Plain data: name -> str, or name -> {key: value} for groups, typed as stored
        (a schema's ``port: 5432`` an int; ``environ()`` and ``SecretGroup`` hold text)."""
        return {name: (s.get() if not s.is_group else s.values)
                for name, s in self._secrets.items()}

    @property
    def notes(self) -> tuple[str, ...]:
        """What naming the variables left out (two secrets of one schema: neither gets the
        schema's names, e.g. AWS_ACCESS_KEY_ID; pick one with ``exports:``)."""
        return self._variables().notes

    def _variables(self) -> Variables:
        if self._computed is None:
            from secretsfile.secrets.variables import environment_variables

            self._computed = environment_variables(self._env, self._secrets, self._exports,
                                                   self._schemas)
        return self._computed

    def variables(self, only: Iterable[str] | None = None,
                  exclude: Iterable[str] | None = None) -> dict[str, Variable]:
        """The variables ``environ()`` sets, still masked, each with its origin (the
        secret and key, and whether ``exports:`` or a schema named it)."""
        from secretsfile.secrets.variables import select

        return select(self._variables(), only, exclude)

    def environ(self, only: Iterable[str] | None = None,
                exclude: Iterable[str] | None = None) -> dict[str, str]:
        """Environment variables: ``db-password`` -> ``DB_PASSWORD``, a group key ->
        ``DB_USER``, plus the environment's ``exports:`` and, for the only secret of a
        schema, the schema's names (``AWS_ACCESS_KEY_ID``). ``only`` / ``exclude``: secret
        names, variable names or globs. Two secrets mapping to one variable is a
        ConflictError."""
        return {var: v.value.reveal() for var, v in self.variables(only, exclude).items()}

    def export_to_environ(self, override: bool = False, only: Iterable[str] | None = None,
                          allow: Collection[str] = (), exclude: Iterable[str] | None = None
                          ) -> list[str]:
        """Set the variables in ``os.environ`` (as python-dotenv's ``load_dotenv``): an
        existing variable wins unless ``override``. Returns the names set. Values in
        ``os.environ`` are plain strings again: prefer ``reveal()`` where you need them.
        Names that change how programs run (PATH, LD_PRELOAD, PYTHONPATH, ...: the
        deny-list of ``run`` and ``ci export``) raise DeniedVariableError unless in
        ``allow``: child processes inherit ``os.environ``."""
        from secretsfile.ops.exporting import check_variables

        chosen = self.variables(only, exclude)
        check_variables(dict.fromkeys(chosen, ""), {v: c.origin for v, c in chosen.items()},
                        allow)
        set_names = [var for var in chosen if override or var not in os.environ]
        for var in set_names:
            problem = _unfit_for_environ(chosen[var].value)
            if problem is not None:
                raise UsageError(f"the value for {var} {problem}: it cannot be an "
                                 "environment variable", hint="read it with reveal()")
        for var in set_names:
            os.environ[var] = chosen[var].value.reveal()
        return set_names


def _unfit_for_environ(value: SecretValue) -> str | None:
    """Why ``os.environ`` would refuse the value, checked first: its error would leave the
    plaintext in the locals of the frame that raised it."""
    text = value.reveal()
    if "\0" in text:
        return "holds a NUL character"
    try:
        os.fsencode(text)
    except UnicodeEncodeError:
        return "is not valid text"
    return None


# -- decrypting, once per file ----------------------------------------------------------------

_lock = threading.RLock()
_files: dict[str, tuple[tuple[int, int, int], dict[str, Secret]]] = {}


def clear_cache() -> None:
    """Forget every decrypted file (the next ``load`` decrypts again)."""
    with _lock:
        _files.clear()


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise UsageError(f"{path}: {error.strerror}") from None
    return (info.st_mtime_ns, info.st_size, info.st_ino)


def _read_file(path: Path, env: str, private: bool, strict: bool) -> dict[str, Secret] | None:
    """The secrets of one file (None if it does not exist), decrypted once per version.
    ``strict``: a missing integrity tag is an error (the project's ``integrity: strict``)."""
    stamp = _stamp(path)
    if stamp is None:
        return None
    key = f"{int(private)}:{env}:{path.resolve()}"
    with _lock:
        cached = _files.get(key)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        from secretsfile.ops.envfile import read_env_file

        secrets = read_env_file(path, env, private, strict)
        if secrets is None:
            return None
        _files[key] = (stamp, secrets)
        for secret in secrets.values():
            remember(secret)
        return secrets


def _config(config: str | Path | None) -> ProjectConfig:
    from secretsfile.config.project import load as load_config

    return load_config(override=config)


def read_environment(env: str | None = None, *, config: str | Path | None = None,
                     path: str | Path | None = None, include_private: bool = True
                     ) -> tuple[str, dict[str, Secret]]:
    """(environment name, name -> Secret), private secrets over the team's ones (a private
    group key by key: ``secrets.overlay``)."""
    if path is not None:
        file = Path(path)
        name = env or file.stem
        from secretsfile.config.project import load_for

        found = _read_file(file, name, False, load_for(file, config).requires_tag(file))
        if found is None:
            raise InputNotFoundError(f"{file}: no such file", hint="check the path")
        return name, dict(found)
    project = _config(config)
    environment = project.choose(env)
    team_path = project.env_path(environment)
    team = _read_file(team_path, environment.name, False, project.requires_tag(team_path))
    mine = None
    if include_private:  # outside the project: its own key, no project policy
        mine = _read_file(project.private_path(environment), environment.name, True, False)
    if team is None and mine is None:
        raise InputNotFoundError(
            f"environment {environment.name!r} has no secrets file ({team_path})",
            hint=f"add one with 'secretsfile secret create --env {environment.name} NAME'")
    from secretsfile.secrets.overlay import overlay

    return environment.name, overlay(team, mine)


def load(env: str | None = None, *, config: str | Path | None = None,
         path: str | Path | None = None, include_private: bool = True) -> Secrets:
    """An environment's secrets as a read-only mapping of name -> SecretValue / SecretGroup.

    ``env``: the argument, else ``SECRETSFILE_ENV``, else the config's ``default_env``, else
    the only environment. ``config``: a ``.secretsfile.yaml`` (default: ``SECRETSFILE_CONFIG``,
    else the nearest one above the working directory). ``path``: read this one encrypted
    file instead of a configured environment. Identities: ``SECRETSFILE_AGE_KEY_<ENV>``
    (e.g. ``SECRETSFILE_AGE_KEY_PROD``), then the usual age lookup.
    """
    name, secrets = read_environment(env, config=config, path=path,
                                     include_private=include_private)
    if path is not None:  # one file, no environment: no exports
        return Secrets(name, secrets)
    project = _config(config)
    from secretsfile.secrets.schemas import BUILTIN, user_schemas

    exports = next((e.exports for e in project.environments if e.name == name), {})
    return Secrets(name, secrets, exports,
                   {**BUILTIN, **user_schemas(project.raw.get("schemas"))})


def values(env: str | None = None, *, as_environ: bool = False,
           config: str | Path | None = None, path: str | Path | None = None
           ) -> dict[str, Any]:
    """Plain data for code that needs a dict (as python-dotenv's ``dotenv_values``):
    name -> str, name -> {key: value} for groups (typed, as ``Secrets.reveal()``); or,
    with ``as_environ``, the variables ``run`` sets (``{'DB_PASSWORD': …}``, ``exports:``
    and schema names included)."""
    secrets = load(env, config=config, path=path)
    return dict(secrets.environ()) if as_environ else secrets.reveal()


def get_secret(name: str, key: str | None = None, env: str | None = None, *,
               config: str | Path | None = None) -> Any:
    """One secret's plaintext as ``values()`` holds it: a str for a value; a group's
    ``key`` (or whole dict) typed as stored (a schema's ``port`` is an int)."""
    secrets = load(env, config=config)
    entry = secrets[name]
    if isinstance(entry, SecretGroup):
        values = secrets.secret(name).values  # entry[key]: the missing key's error
        return values if key is None else values[key] if key in values else entry[key]
    if key is not None:
        raise SecretNotFoundError(f"secret {name!r} is a single value, it has no key {key!r}")
    return entry.reveal()


class SecretsClient:
    """For code written against a hosted secret service's client::

        client = SecretsClient()            # or SecretsClient(env="prod")
        token = client.get_secret("api-token")
    """

    def __init__(self, env: str | None = None, *, config: str | Path | None = None) -> None:
        self.env = env
        self.config = config

    def get_secret(self, name: str, key: str | None = None) -> Any:
        return get_secret(name, key, self.env, config=self.config)

    def list_secrets(self) -> list[str]:
        return sorted(load(self.env, config=self.config))

    def __repr__(self) -> str:
        return f"SecretsClient(env={self.env!r})"
