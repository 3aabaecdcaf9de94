"""The external secret store backends, by URL scheme.

Adding a store (GCP Secret Manager, Azure Key Vault) is one module with a ``BACKEND``
that implements ``interface.Remote``, one line in ``_MODULES`` and one test file that
subclasses ``tests/remotes/contract.py``. Backends import their client libraries inside
their methods only, so importing this registry stays cheap.
"""

from __future__ import annotations

import importlib

from secretsfile.errors import UsageError
from secretsfile.remotes.interface import Location, Remote
from secretsfile.secrets.model import Secret
from secretsfile.secrets.naming import NamingPolicy

# scheme -> module defining BACKEND; the order is the order in messages and --help
_MODULES = (
    ("vault", "secretsfile.remotes.vault_kv"),
    ("awssm", "secretsfile.remotes.aws_sm"),
)


def backends() -> list[Remote]:
    """Every backend, in registry order."""
    return [_load(module) for _, module in _MODULES]


def _load(module: str) -> Remote:
    backend: Remote = importlib.import_module(module).BACKEND
    return backend


def schemes() -> list[str]:
    return [scheme for scheme, _ in _MODULES]


def backend_for(url: str) -> Remote:
    """The backend of a URL's scheme; UsageError listing the schemes otherwise."""
    scheme = url.partition("://")[0].strip().lower() if "://" in url else ""
    for known, module in _MODULES:
        if scheme == known:
            return _load(module)
    examples = ", ".join(b.example for b in backends())
    shown = f"{scheme}://" if scheme else repr(url[:60])
    raise UsageError(f"{shown} is not a secret store URL",
                     hint=f"use one of: {examples}")


def open_remote(url: str) -> tuple[Remote, Location]:
    """The backend and parsed location of a store URL (nothing is contacted yet)."""
    backend = backend_for(url)
    return backend, backend.parse(url)


# the default naming policy's characters without its minimum length: a store's short
# names (``db``) stay readable, names ``sync pull`` refuses for their characters do not
LOADABLE = NamingPolicy(min_length=1)


def read_all(url: str, env: str, naming: NamingPolicy | None = None) -> dict[str, Secret]:
    """Every named secret directly under the URL's prefix, masked, as secrets of ``env``
    (deleted entries left out), by name in sorted order. Entries whose name ``naming``
    (default ``LOADABLE``) refuses are not the project's secrets and are left out. Keys are
    never a reason to leave a secret out: as a file with such keys still reads, so does a
    store's entry (``naming.key_problem`` is for keys new to what is written: ``sync push``
    refuses them for the store, ``sync pull`` for the file)."""
    backend, loc = open_remote(url)
    rule = naming or LOADABLE
    found: dict[str, Secret] = {}
    for name in backend.names(loc):
        if rule.problem(name):
            continue
        secret = backend.read(loc, name, env)
        if secret is not None:
            found[name] = secret
    return found
