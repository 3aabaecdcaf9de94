"""secretsfile: git-native encrypted secrets files, sops-compatible.

Library API (the CLI is a thin layer over it)::

    import secretsfile
    data = secretsfile.load_file("secrets/prod.yaml")      # plain Python data, in memory
    text = secretsfile.decrypt_file("secrets/prod.yaml")   # plaintext file text
    secretsfile.encrypt_file("secrets/dev.yaml", in_place=True, age=["age1…"])
    secretsfile.set_value("secrets/dev.yaml", "db.password", "…")

    secrets = secretsfile.load("prod")     # an environment: name -> SecretValue (masked)
    secrets["db-password"].reveal()        # the plaintext, when you ask for it

Names are imported lazily so that ``import secretsfile`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_LAZY = {
    "encrypt_file": "secretsfile.api",
    "decrypt_file": "secretsfile.api",
    "load_file": "secretsfile.api",
    "get_value": "secretsfile.api",
    "set_value": "secretsfile.api",
    "unset_value": "secretsfile.api",
    "rotate": "secretsfile.api",
    "SecretsfileError": "secretsfile.errors",
    "IntegrityError": "secretsfile.errors",
    "KeyUnavailableError": "secretsfile.errors",
    "FormatError": "secretsfile.errors",
    "NotEncryptedError": "secretsfile.errors",
    "AlreadyEncryptedError": "secretsfile.errors",
    "ConfigError": "secretsfile.errors",
    "UsageError": "secretsfile.errors",
    "load": "secretsfile.loader",
    "values": "secretsfile.loader",
    "get_secret": "secretsfile.loader",
    "SecretsClient": "secretsfile.loader",
    "SecretValue": "secretsfile.loader",
    "SecretGroup": "secretsfile.loader",
    "Secrets": "secretsfile.loader",
    "SecretNotFoundError": "secretsfile.loader",
    "redact_logging": "secretsfile.loader",
    "resolve": "secretsfile.ops.references",
}

__all__ = [
    "AlreadyEncryptedError",
    "ConfigError",
    "FormatError",
    "IntegrityError",
    "KeyUnavailableError",
    "NotEncryptedError",
    "SecretGroup",
    "SecretNotFoundError",
    "SecretValue",
    "Secrets",
    "SecretsClient",
    "SecretsfileError",
    "UsageError",
    "decrypt_file",
    "encrypt_file",
    "get_secret",
    "get_value",
    "load",
    "load_file",
    "redact_logging",
    "resolve",
    "rotate",
    "set_value",
    "unset_value",
    "values",
]

if TYPE_CHECKING:  # pragma: no cover
    from secretsfile.api import (
        decrypt_file,
        encrypt_file,
        get_value,
        load_file,
        rotate,
        set_value,
        unset_value,
    )
    from secretsfile.errors import (
        AlreadyEncryptedError,
        ConfigError,
        FormatError,
        IntegrityError,
        KeyUnavailableError,
        NotEncryptedError,
        SecretsfileError,
        UsageError,
    )
    from secretsfile.loader import (
        SecretGroup,
        SecretNotFoundError,
        Secrets,
        SecretsClient,
        SecretValue,
        get_secret,
        load,
        redact_logging,
        values,
    )
    from secretsfile.ops.references import resolve


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'secretsfile' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
