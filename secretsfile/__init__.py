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

TYPE_CHECKING = False  # not ``from typing``: importing typing costs start-up (issue 14)

__version__ = "0.1.0"

# The public API, listed once. Each name is imported on first use from the first of _HOMES
# that has it (cheapest first), so ``import secretsfile`` loads nothing and ``load`` never
# imports the file verbs. The TYPE_CHECKING block below only tells type checkers where the
# names come from; tests/test_public_api.py checks that it matches this list.
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

_HOMES = ("secretsfile.errors", "secretsfile.loader", "secretsfile.api")

if TYPE_CHECKING:  # pragma: no cover
    from secretsfile.api import (
        decrypt_file,
        encrypt_file,
        get_value,
        load_file,
        resolve,
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


def __getattr__(name: str) -> object:
    if name in __all__:
        from secretsfile._lazy import module as load_module  # here: `import secretsfile`
        for home in _HOMES:
            module = load_module(home)
            if hasattr(module, name):
                value = getattr(module, name)
                globals()[name] = value
                return value
    raise AttributeError(f"module 'secretsfile' has no attribute {name!r}")
