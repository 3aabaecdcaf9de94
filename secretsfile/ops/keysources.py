"""``keysources list``: every key backend, whether it works here, what it needs and where
its identities come from. Read from the registry at run time (a new backend shows up
without a change here), plus the sops key kinds no backend handles: a file using them keeps
those entries when secretsfile rewrites it, but they cannot open it.

Cheap: ``unusable()`` looks for binaries, extras and credentials without any network call;
``reports()`` reads local key files and variables (the age source parses its key files).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from secretsfile.errors import SecretsfileError
from secretsfile.keysources import registry
from secretsfile.keysources.interface import KeySource

USABLE = "usable"
UNUSABLE = "unusable"
SOPS_ONLY = "sops-only"
_SOPS_ONLY_REASON = "kept on rewrite, not usable (no secretsfile backend yet)"


@dataclass(frozen=True)
class Backend:
    kind: str  # the sops metadata list name: age, pgp, hc_vault, ...
    title: str
    status: str  # USABLE, UNUSABLE or SOPS_ONLY
    reason: str | None  # why it is not usable here (None when it is)
    needs: str
    config_fields: tuple[str, ...]  # .sops.yaml / creation-rule fields
    options: tuple[str, ...]  # command-line options (encrypt, updatekeys)
    identities: tuple[str, ...] = field(default=())  # where identities are looked for

    @property
    def usable(self) -> bool:
        return self.status == USABLE

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "title": self.title, "status": self.status,
                "usable": self.usable, "reason": self.reason, "needs": self.needs,
                "config_fields": list(self.config_fields), "options": list(self.options),
                "identities": list(self.identities)}


def _options(source: KeySource) -> tuple[str, ...]:
    cli = source.cli
    names = [f"--{cli.name}" + (f"/{cli.short}" if cli.short else ""), f"--rm-{cli.name}"]
    if cli.own_key_flag:
        names.append(f"--{cli.own_key_flag}")
    names += [f"--{extra.name}" for extra in getattr(source, "cli_extras", ())]
    return tuple(names)


def _describe(source: KeySource) -> Backend:
    try:
        reason = source.unusable()
    except SecretsfileError as error:
        reason = error.message
    try:
        identities = tuple(map(str, source.reports()))
    except SecretsfileError as error:
        identities = (f"unknown ({error.message})",)
    return Backend(source.kind, source.title, UNUSABLE if reason else USABLE, reason,
                   source.needs, source.config_fields, _options(source), identities)


def list_backends() -> list[Backend]:
    """The registry's backends in decryption order, then the sops-only kinds."""
    found = [_describe(registry.get(kind)) for kind in registry.supported_kinds()]
    sops_only: dict[str, list[str]] = {}
    for name, kind in registry.config_fields().items():
        if not registry.supports(kind):
            sops_only.setdefault(kind, []).append(name)
    for kind, names in sops_only.items():
        found.append(Backend(kind, kind, SOPS_ONLY, _SOPS_ONLY_REASON,
                             "a later secretsfile (sops can open these entries)",
                             tuple(names), ()))
    return found
