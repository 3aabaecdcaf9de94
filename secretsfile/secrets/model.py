"""Named secrets: how an environment file holds them.

An environment file is a mapping whose top-level keys are secret names. A secret is either
one value (``api-token: ENC[...]``) or a group of key/value pairs (``db: {user: ..,
password: ..}``), as hosted ML secret services and ZenML model them. Inside a group, keys
starting with ``_`` are secretsfile's own metadata, never values: ``_schema_unencrypted``
names the schema the group was validated against (left in clear by the default selector,
so ``check`` and ``secret list`` can read it without a key).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from secretsfile.errors import FormatError

SCHEMA_KEY = "_schema_unencrypted"
RESERVED_PREFIX = "_"


def text_of(value: Any) -> str:
    """A scalar as the string a program sees (YAML booleans as ``true``/``false``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    text = getattr(value, "text", None)  # GoTime
    return text if isinstance(text, str) else str(value)


@dataclass(frozen=True)
class Secret:
    """One named secret of one environment; ``values`` is empty for a single-value secret."""

    name: str
    env: str
    value: str | None = None
    values: Mapping[str, str] = field(default_factory=dict)
    schema: str | None = None
    private: bool = False

    @property
    def is_group(self) -> bool:
        return self.value is None

    @property
    def keys(self) -> list[str]:
        return list(self.values)

    def get(self, key: str | None = None) -> str:
        """The value, or one key's value of a group (KeyError names the key, not values)."""
        if key is None:
            if self.value is None:
                raise KeyError(f"secret {self.name!r} is a group; name a key: {self.keys}")
            return self.value
        if key not in self.values:
            raise KeyError(f"secret {self.name!r} has no key {key!r}")
        return self.values[key]


def secret_from_tree(name: str, env: str, node: Any, private: bool = False) -> Secret:
    """Build a Secret from a decrypted top-level entry of an environment file."""
    if isinstance(node, Mapping):
        values: dict[str, str] = {}
        schema = None
        for key, value in node.items():
            if not isinstance(key, str):
                continue  # a comment
            if key == SCHEMA_KEY:
                schema = text_of(value)
            elif not key.startswith(RESERVED_PREFIX):
                if isinstance(value, (Mapping, list)):
                    raise FormatError(
                        f"secret {name!r}: key {key!r} holds a nested structure",
                        hint="a secret is one value or one level of key/value pairs",
                    )
                values[key] = text_of(value)
        return Secret(name, env, None, values, schema, private)
    if isinstance(node, list):
        raise FormatError(f"secret {name!r} is a list", hint="use a value or key/value pairs")
    return Secret(name, env, text_of(node), {}, None, private)


def secret_to_tree(secret: Secret) -> Any:
    """The plaintext entry written for a secret."""
    if not secret.is_group:
        return secret.value
    node: dict[str, Any] = {}
    if secret.schema:
        node[SCHEMA_KEY] = secret.schema
    node.update(secret.values)
    return node
