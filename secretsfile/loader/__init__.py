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
    secretsfile.load("prod", source="vault://vault.internal:8200/secret/myapp")  # a store

Each file is decrypted once per process (cached by path, mtime, size and inode; a changed
file is read again), under a lock, and never written anywhere; a secret store (``source=``)
is read on every call. Private secrets (your own file outside the repo) override the
team's, as everywhere else. The masked mapping itself lives in ``loader.mapping``.

This module imports no CLI, git or rich code; the heavy modules (YAML, crypto, age) are
imported on the first ``load``.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from secretsfile.errors import InputNotFoundError, SecretsfileError, UsageError, without_frames
from secretsfile.loader.mapping import SecretGroup, SecretNotFoundError, Secrets
from secretsfile.secrets.model import MASK, SecretValue
from secretsfile.secrets.redaction import RedactingFilter, redact_logging, remember

if TYPE_CHECKING:  # pragma: no cover
    from secretsfile.config.project import ProjectConfig
    from secretsfile.secrets.model import Secret

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


def _read_store(url: str, env: str | None, project: ProjectConfig
                ) -> tuple[str, dict[str, Secret]]:
    """(environment name, name -> Secret) read from a secret store on every call: no cache,
    nothing on disk. The name: ``env``, else the project's choice (``SECRETSFILE_ENV``,
    ``default_env``, the only one); with no environments configured, ``env`` or
    ``SECRETSFILE_ENV``."""
    name = (project.choose(env).name if project.environments
            else env or os.environ.get("SECRETSFILE_ENV"))
    if not name:
        raise UsageError("load(source=...): which environment do these secrets belong to?",
                         hint="pass it: load('prod', source=...), or set SECRETSFILE_ENV")
    from secretsfile.remotes.registry import read_all

    try:
        secrets = read_all(url, name)
    except SecretsfileError as error:  # the backend's frames may hold an answer's values
        raise without_frames(error) from None
    for secret in secrets.values():
        remember(secret)
    return name, secrets


def load(env: str | None = None, *, config: str | Path | None = None,
         path: str | Path | None = None, include_private: bool = True,
         source: str | None = None) -> Secrets:
    """An environment's secrets as a read-only mapping of name -> SecretValue / SecretGroup.

    ``env``: the argument, else ``SECRETSFILE_ENV``, else the config's ``default_env``, else
    the only environment. ``config``: a ``.secretsfile.yaml`` (default: ``SECRETSFILE_CONFIG``,
    else the nearest one above the working directory). ``path``: read this one encrypted
    file instead of a configured environment. Identities: ``SECRETSFILE_AGE_KEY_<ENV>``
    (e.g. ``SECRETSFILE_AGE_KEY_PROD``), then the usual age lookup.

    ``source``: read the secrets straight from a secret store instead of the files, for
    services that do not hold the repository: ``vault://HOST:PORT/MOUNT/PREFIX`` (KV v2,
    ``VAULT_TOKEN``) or ``awssm://REGION/PREFIX`` (the AWS credential chain), one entry
    per secret under the prefix, as ``sync push`` writes them. Read on every call (no
    cache, nothing written); no project is needed, and a project's ``exports:`` and
    schemas apply as for files.
    """
    if path is not None:  # one file, no environment: no exports
        if source is not None:
            raise UsageError("load(): give path= or source=, not both")
        return Secrets(*read_environment(env, config=config, path=path))
    project = _config(config)
    if source is not None:
        name, secrets = _read_store(source, env, project)
    else:
        name, secrets = read_environment(env, config=config, include_private=include_private)
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
