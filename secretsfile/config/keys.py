"""Who files are encrypted for, as the config says: recipients lists, creation rules' key
fields and key groups, and the selector fields that go with them.

Each recipient is parsed by the key source that owns its syntax (``keysources.registry``):
``age1…``/``ssh-…`` for age, ``fernet:<key id>``; each ``.sops.yaml`` key field (``age``,
``pgp``, ``kms``, ``hc_vault_transit_uri``, ...) by the source of its kind. A malformed one
is a ConfigError naming where it is, and a private key pasted by mistake is never echoed.
"""

from __future__ import annotations

from collections.abc import Mapping

from secretsfile.core.record import Record, field
from secretsfile.errors import ConfigError, KeySourceError
from secretsfile.keysources import registry
from secretsfile.keysources.interface import Recipient

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from typing import Any

    from secretsfile._fileio import StrPath

KeyRef = Recipient  # (key kind, public id): ("age", "age1…"), ("fernet", "<key id>")
SELECTORS = (
    "unencrypted_suffix", "encrypted_suffix", "unencrypted_regex", "encrypted_regex",
    "unencrypted_comment_regex", "encrypted_comment_regex", "mac_only_encrypted",
)


class KeyPlan(Record, frozen=True):
    """Who a file is encrypted for, and which values: what encrypt needs from the config."""

    groups: tuple[tuple[Recipient, ...], ...]
    shamir_threshold: int = 0
    selector: Mapping[str, Any] = field(default_factory=dict)


def selector_of(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {name: raw[name] for name in SELECTORS if raw.get(name)}


def _config_error(error: KeySourceError, where: str, source: StrPath) -> ConfigError:
    return ConfigError(f"{where}: {error.message}", path=str(source), hint=error.hint)


def parse_recipient(text: str, where: str, source: StrPath) -> Recipient:
    """One entry of a recipients list: ``age1…``, ``ssh-ed25519 …``, ``fernet:<key id>``."""
    try:
        return registry.parse_recipient(text)
    except KeySourceError as error:
        raise _config_error(error, where, source) from None


def _group(raw: Mapping[str, Any], where: str, source: StrPath) -> tuple[Recipient, ...]:
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


def _key_groups(groups_raw: Any, where: str, source: StrPath) -> tuple[tuple[Recipient, ...], ...]:
    """``key_groups``: a non-empty list of maps, each naming at least one recipient (sops
    refuses anything else; dropping an entry would encrypt for fewer people than meant)."""
    if not isinstance(groups_raw, list) or not groups_raw:
        raise ConfigError(f"{where}: key_groups must be a non-empty list of key groups",
                          path=str(source))
    groups = []
    for index, raw in enumerate(groups_raw):
        here = f"{where} key group {index}"
        if not isinstance(raw, dict):
            raise ConfigError(f"{here}: must be a map of key fields (age:, pgp:, kms:, ...), "
                              f"not {type(raw).__name__}", path=str(source))
        group = _group(raw, here, source)
        if not group:
            raise ConfigError(f"{here}: names no recipient", path=str(source),
                              hint="add recipients to the key group or remove it")
        groups.append(group)
    return tuple(groups)


def _threshold(raw: Mapping[str, Any], groups: int, where: str, source: StrPath) -> int:
    threshold = raw.get("shamir_threshold")
    if threshold is None:
        return 0
    if isinstance(threshold, bool) or not isinstance(threshold, int):
        raise ConfigError(f"{where}: shamir_threshold must be an integer", path=str(source))
    # 0: every group (sops' default); with one group there is nothing to split (ignored)
    if threshold < 0 or (groups > 1 and threshold != 0 and not 2 <= threshold <= groups):
        raise ConfigError(f"{where}: shamir_threshold must be between 2 and {groups} for "
                          f"{groups} key groups (got {threshold})", path=str(source))
    return threshold


def key_plan(raw: Mapping[str, Any], source: StrPath, where: str) -> KeyPlan:
    """A creation rule's recipients (flat fields, or ``key_groups`` for Shamir), threshold
    and selector."""
    if "key_groups" in raw and raw["key_groups"] is not None:
        groups = _key_groups(raw["key_groups"], where, source)
    else:
        flat = _group(raw, where, source)
        groups = (flat,) if flat else ()
    return KeyPlan(groups, _threshold(raw, len(groups), where, source), selector_of(raw))
