"""Who a new file is encrypted for, when the caller does not say.

Order: explicit ``--age``/``--fernet`` options; the project config (the environment whose
file it is, else the first matching creation rule of ``.secretsfile.yaml``/``.sops.yaml``);
``SECRETSFILE_AGE_RECIPIENTS`` or ``SOPS_AGE_RECIPIENTS`` (comma-separated); otherwise the
public key of the user's own age identity, so ``secretsfile keygen && secretsfile encrypt
f.yaml`` just works.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from secretsfile.errors import ConfigError
from secretsfile.keysources.interface import Recipient

if TYPE_CHECKING:
    from secretsfile.config.project import ProjectConfig


@dataclass(frozen=True)
class KeyOptions:
    age: tuple[str, ...] = ()
    fernet: tuple[str, ...] = ()  # key ids; "" means the first available Fernet key
    use_fernet: bool = False

    @property
    def explicit(self) -> bool:
        return bool(self.age or self.fernet or self.use_fernet)


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def own_age_recipients() -> list[str]:
    """The public key of this user's first age identity (secretsfile sources first), as a
    list: empty when the user has none."""
    from secretsfile.keysources.age import identities

    for found in identities():
        if found.identities:
            return [str(found.identities[0].to_public())]
    return []


def resolve(options: KeyOptions) -> list[Recipient]:
    recipients = [Recipient("age", r) for r in options.age]
    recipients += [Recipient("fernet", ident) for ident in options.fernet]
    if options.use_fernet and not options.fernet:
        recipients.append(Recipient("fernet", _first_fernet_id()))
    if recipients:
        return _unique(recipients)
    for var in ("SECRETSFILE_AGE_RECIPIENTS", "SOPS_AGE_RECIPIENTS"):
        value = os.environ.get(var)
        if value:
            return _unique([Recipient("age", r) for r in split_list(value)])
    own = own_age_recipients()
    if own:
        return [Recipient("age", own[0])]
    raise ConfigError(
        "no recipients to encrypt for",
        hint="pass --age <recipient> or --fernet, or create your key with 'secretsfile keygen'",
    )


def _first_fernet_id() -> str:
    from secretsfile.keysources.fernet import available_keys

    keys = available_keys()
    if not keys:
        raise ConfigError(
            "no Fernet key found",
            hint="run 'secretsfile keygen --type fernet' or set SECRETSFILE_FERNET_KEY",
        )
    return next(iter(keys))


def _unique(recipients: list[Recipient]) -> list[Recipient]:
    seen: list[Recipient] = []
    for recipient in recipients:
        if recipient not in seen:
            seen.append(recipient)
    return seen


@dataclass(frozen=True)
class Plan:
    """Recipients (per key group), Shamir threshold and selector for a new data key."""

    groups: list[list[Recipient]]
    threshold: int = 0
    selector: dict[str, Any] = field(default_factory=dict)
    chosen: bool = True  # False: nobody asked (own key / env default), so an existing
    # file's recipients should be kept rather than replaced


def plan_for(path: Path | None, keys: KeyOptions, selector: dict[str, Any] | None = None,
             threshold: int = 0, *, config: ProjectConfig | None) -> Plan:
    """Who ``path`` is encrypted for, following the lookup order above. ``config`` is the
    project the caller works in (None: no project); it is never looked up here, so a
    command run with ``--config`` elsewhere encrypts for that project's recipients."""
    selector = dict(selector or {})
    if keys.explicit:
        return Plan([resolve(keys)], threshold, selector)
    if path is not None and config is not None:
        configured = config.plan_for(path)
        if configured is not None:
            groups = [[Recipient(kind, value) for kind, value in g] for g in configured.groups]
            return Plan(groups, configured.shamir_threshold or threshold,
                        selector or dict(configured.selector))
    return Plan([resolve(keys)], threshold, selector, chosen=False)
