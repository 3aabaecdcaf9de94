"""The one list of key backends, and every question the rest of the tool asks about keys.

A new backend is one module (a ``KeySource``, see ``interface.py``) and one line in
``BACKENDS``. Config parsing, the CLI options, ``run``'s key-variable stripping, metadata
labels and the decryption order all read it from here, so nothing else changes.
Backend modules are imported on first use and import their crypto library later still.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from secretsfile._lazy import resolve
from secretsfile.errors import KeySourceError
from secretsfile.keysources.interface import CliOption, KeySource, Recipient

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from typing import Any

    from secretsfile.core.metadata import MasterKey

# kind -> "module:class". The order is the decryption order (sops tries age first; local
# keys before remote services) and the order of the CLI options.
BACKENDS = {
    "age": "secretsfile.keysources.age:AgeKeySource",
    "pgp": "secretsfile.keysources.pgp:PgpKeySource",
    "fernet": "secretsfile.keysources.fernet:FernetKeySource",
    "kms": "secretsfile.keysources.kms:KmsKeySource",
    "hc_vault": "secretsfile.keysources.hc_vault:HcVaultKeySource",
}
DEFAULT_KIND = "age"  # whose own key a file is for when nobody says

# sops key types no backend handles yet: the .sops.yaml field naming each, so a creation rule
# using them still reads (encrypting for one then says "cannot use ... keys yet"), and the
# metadata fields that may identify an entry, for messages. A backend supersedes its line.
_SOPS_ONLY_FIELDS = {"gcp_kms": "gcp_kms",
                     "azure_keyvault": "azure_kv", "hckms": "hckms"}
_ID_FIELDS = ("recipient", "key_id", "fp", "arn", "resource_id", "key_name", "vault_url")


def supported_kinds() -> tuple[str, ...]:
    return tuple(BACKENDS)


def supports(kind: str) -> bool:
    return kind in BACKENDS


def get(kind: str) -> KeySource:
    """A fresh source (it remembers what it tried, for the failure report)."""
    if kind not in BACKENDS:
        raise KeySourceError(
            f"secretsfile cannot use {kind} keys yet",
            hint=f"supported: {', '.join(BACKENDS)}",
        )
    source: KeySource = resolve(BACKENDS[kind])()
    return source


@functools.cache
def _described(kind: str) -> KeySource:
    """One shared instance per kind for the questions that need no state."""
    return get(kind)


def sources() -> list[KeySource]:
    return [_described(kind) for kind in BACKENDS]


def default_source() -> KeySource:
    return _described(DEFAULT_KIND)


def decryption_rank(kind: str) -> int:
    order = list(BACKENDS)
    return order.index(kind) if kind in order else len(order)


# -- metadata entries -----------------------------------------------------------------------


def recipient_id(key: MasterKey) -> str:
    """Who a metadata entry is wrapped for: age recipient, Fernet key id, KMS ARN, ..."""
    if key.kind in BACKENDS:
        return _described(key.kind).recipient_id(key.fields)
    return next((str(key.fields[name]) for name in _ID_FIELDS if key.fields.get(name)), "")


def describe(key: MasterKey) -> str:
    """A metadata entry for messages: ``age age1…``, ``fernet <key id>``, ``pgp <fp>``."""
    ident = recipient_id(key)
    return f"{key.kind} {ident}" if ident else key.kind


# -- recipient syntax -----------------------------------------------------------------------


def shown(text: str) -> str:
    """A recipient for a message; a private key pasted by mistake is never echoed."""
    markers = tuple(m for s in sources() for m in s.private_key_markers)
    if text.strip().upper().startswith(markers):
        return "a private key (not shown)"
    return repr(text.strip()[:20])


def parse_recipient(text: str, kind: str | None = None) -> Recipient:
    """A recipient as written in a recipients list (``age1…``, ``fernet:<id>``), or in a
    config field of ``kind`` (whose source then takes what no other source claims)."""
    # the first source (in BACKENDS order) that claims it; later backends are not imported
    source = next((s for s in map(_described, BACKENDS) if s.claims(text)), None)
    if source is None and kind is not None and kind in BACKENDS:
        source = _described(kind)
    elif source is None:
        syntaxes = ", or ".join(s.syntax for s in sources())
        raise KeySourceError(f"{shown(text)} is not a recipient", hint=f"use {syntaxes}")
    return Recipient(source.kind, source.parse_recipient(text))


def spell(recipient: Recipient) -> str:
    """How a recipients list writes ``recipient`` (parsed back by ``parse_recipient``)."""
    if recipient.kind in BACKENDS:
        return _described(recipient.kind).spell(recipient.value)
    return f"{recipient.kind}:{recipient.value}"


def config_fields() -> dict[str, str]:
    """``.sops.yaml``/creation-rule field -> key kind, in sops' field order."""
    fields = dict(_SOPS_ONLY_FIELDS)
    for source in sources():
        for name in [f for f, kind in fields.items() if kind == source.kind]:
            del fields[name]
        fields.update(dict.fromkeys(source.config_fields, source.kind))
    return fields


def config_recipients(kind: str, raw: Any,
                      rule: Mapping[str, Any] | None = None) -> list[Recipient]:
    """The recipients one config field of ``kind`` holds (KeySourceError when malformed);
    ``rule``, the creation rule or key group holding it, for a source whose entries read a
    sibling field (``kms`` and ``aws_profile``: its ``config_entries_in``)."""
    if kind in BACKENDS:
        source = _described(kind)
        in_rule = getattr(source, "config_entries_in", None)
        texts = in_rule(raw, rule or {}) if in_rule else source.config_entries(raw)
        return [parse_recipient(text, kind) for text in texts]
    return [Recipient(kind, text) for text in _sops_entries(raw)]


def _sops_entries(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(",") if part.strip()]
    if isinstance(raw, list):
        return [str(item.get("arn") or item.get("resource_id") or item.get("vaultUrl") or item)
                if isinstance(item, Mapping) else str(item) for item in raw]
    return [str(raw)]


# -- environment and command line -----------------------------------------------------------


def key_variable_prefixes() -> tuple[str, ...]:
    """Every variable starting with one of these holds key material or says where it is:
    a child process (``run``, exports) must not inherit it."""
    return tuple(prefix for source in sources() for prefix in source.key_variables)


def is_key_variable(name: str) -> bool:
    return name.upper().startswith(key_variable_prefixes())


def cli_options() -> list[tuple[str, CliOption]]:
    return [(source.kind, source.cli) for source in sources()]


def generators() -> list[str]:
    """The kinds ``keygen`` can create (local keys)."""
    return [s.kind for s in sources() if s.default_key_file() is not None]
