"""Who files are encrypted for, as the config says: recipients lists, creation rules' key
fields and key groups, and the selector fields that go with them.

Each recipient is parsed by the key source that owns its syntax (``keysources.registry``):
``age1…``/``ssh-…`` for age, ``fernet:<key id>``; each ``.sops.yaml`` key field (``age``,
``pgp``, ``kms``, ``hc_vault_transit_uri``, ...) by the source of its kind. A malformed one
is a ConfigError naming where it is, and a private key pasted by mistake is never echoed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from secretsfile.errors import ConfigError, KeySourceError
from secretsfile.keysources import registry
from secretsfile.keysources.interface import Recipient

KeyRef = Recipient  # (key kind, public id): ("age", "age1…"), ("fernet", "<key id>")
SELECTORS = (
    "unencrypted_suffix", "encrypted_suffix", "unencrypted_regex", "encrypted_regex",
    "unencrypted_comment_regex", "encrypted_comment_regex", "mac_only_encrypted",
)


@dataclass(frozen=True)
class KeyPlan:
    """Who a file is encrypted for, and which values: what encrypt needs from the config."""

    groups: tuple[tuple[Recipient, ...], ...]
    shamir_threshold: int = 0
    selector: Mapping[str, Any] = field(default_factory=dict)


def selector_of(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {name: raw[name] for name in SELECTORS if raw.get(name)}


def _config_error(error: KeySourceError, where: str, source: Path) -> ConfigError:
    return ConfigError(f"{where}: {error.message}", path=str(source), hint=error.hint)


def parse_recipient(text: str, where: str, source: Path) -> Recipient:
    """One entry of a recipients list: ``age1…``, ``ssh-ed25519 …``, ``fernet:<key id>``."""
    try:
        return registry.parse_recipient(text)
    except KeySourceError as error:
        raise _config_error(error, where, source) from None


def _group(raw: Mapping[str, Any], where: str, source: Path) -> tuple[Recipient, ...]:
    keys: list[Recipient] = []
    for field_name, kind in registry.config_fields().items():
        try:
            found = registry.config_recipients(kind, raw.get(field_name), raw)
        except KeySourceError as error:
            raise _config_error(error, where, source) from None
        keys += [key for key in found if key not in keys]
    for nested in raw.get("merge") or []:
        if isinstance(nested, dict):
            keys += [k for k in _group(nested, where, source) if k not in keys]
    return tuple(keys)


def key_plan(raw: Mapping[str, Any], source: Path, where: str) -> KeyPlan:
    """A creation rule's recipients (flat fields, or ``key_groups`` for Shamir), threshold
    and selector."""
    groups_raw = raw.get("key_groups")
    if groups_raw:
        if not isinstance(groups_raw, list):
            raise ConfigError(f"{where}: key_groups must be a list", path=str(source))
        groups = tuple(_group(g, f"{where} key group", source) for g in groups_raw
                       if isinstance(g, dict))
    else:
        flat = _group(raw, where, source)
        groups = (flat,) if flat else ()
    threshold = raw.get("shamir_threshold") or 0
    if not isinstance(threshold, int):
        raise ConfigError(f"{where}: shamir_threshold must be an integer", path=str(source))
    return KeyPlan(groups, threshold, selector_of(raw))
