"""Who a new file is encrypted for, when the caller does not say.

Order: explicit recipients (``--age``, ``--fernet``, ... options); the project config (the
environment whose file it is, else the first matching creation rule of
``.secretsfile.yaml``/``.sops.yaml``); a key source's recipient variables
(``SECRETSFILE_AGE_RECIPIENTS`` or ``SOPS_AGE_RECIPIENTS``, comma-separated); otherwise the
public key of the user's own key of the default kind (age), so ``secretsfile keygen &&
secretsfile encrypt f.yaml`` just works.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from secretsfile.core.record import Record, field
from secretsfile.errors import ConfigError
from secretsfile.keysources import registry
from secretsfile.keysources.interface import Recipient

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from typing import Any

    from secretsfile.config.project import ProjectConfig


class KeyOptions(Record, frozen=True):
    """Recipients asked for explicitly: ``KeyOptions(age=["age1…"], fernet=["<key id>"])``
    (any registered kind as a keyword), ``own``: kinds whose own key to add (``--fernet``),
    and ``threshold``: ``--shamir-secret-sharing-threshold`` (0: not given; when given it
    wins over the config's ``shamir_threshold``, as in sops)."""

    recipients: tuple[Recipient, ...] = ()
    own: tuple[str, ...] = ()
    threshold: int = 0

    def __init__(self, recipients: Iterable[Recipient] = (), own: Iterable[str] = (),
                 threshold: int = 0, **by_kind: Iterable[str]) -> None:
        listed = [*recipients]
        for kind, values in by_kind.items():
            registry.get(kind)  # an unknown kind is said now, naming the supported ones
            listed += [Recipient(kind, value) for value in values]
        object.__setattr__(self, "recipients", tuple(listed))
        object.__setattr__(self, "own", tuple(own))
        object.__setattr__(self, "threshold", threshold)

    @property
    def explicit(self) -> bool:
        return bool(self.recipients or self.own)


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


def own_age_recipients() -> list[str]:
    """The public key of this user's first key of the default kind (age; secretsfile
    sources first), as a list: empty when the user has none."""
    own = registry.default_source().own_recipient()
    return [own] if own else []


def _own(kind: str) -> Recipient:
    source = registry.get(kind)
    value = source.own_recipient()
    if value is None:
        raise ConfigError(f"no {source.title} key found", hint=source.no_key_hint)
    return Recipient(kind, value)


def resolve(options: KeyOptions) -> list[Recipient]:
    recipients = [*options.recipients]
    recipients += [_own(kind) for kind in options.own
                   if not any(r.kind == kind for r in options.recipients)]
    if recipients:
        return _unique(recipients)
    for source in registry.sources():
        for var in source.recipient_variables:
            value = os.environ.get(var)
            if value:
                return _unique([Recipient(source.kind, r) for r in split_list(value)])
    own = own_age_recipients()
    if own:
        return [Recipient(registry.DEFAULT_KIND, own[0])]
    options_text = " or ".join(f"--{cli.own_key_flag}" if cli.own_key_flag
                               else f"--{cli.name} <{cli.metavar.lower()}>"
                               for _, cli in registry.cli_options())
    raise ConfigError(
        "no recipients to encrypt for",
        hint=f"pass {options_text}, or {registry.default_source().no_key_hint}",
    )


def _unique(recipients: list[Recipient]) -> list[Recipient]:
    seen: list[Recipient] = []
    for recipient in recipients:
        if recipient not in seen:
            seen.append(recipient)
    return seen


class Plan(Record, frozen=True):
    """Recipients (per key group), Shamir threshold and selector for a new data key."""

    groups: list[list[Recipient]]
    threshold: int = 0
    selector: dict[str, Any] = field(default_factory=dict)
    chosen: bool = True  # False: nobody asked (own key / env default), so an existing
    # file's recipients should be kept rather than replaced


def plan_for(path: str | os.PathLike[str] | None, keys: KeyOptions,
             selector: dict[str, Any] | None = None, threshold: int = 0, *,
             config: ProjectConfig | None) -> Plan:
    """Who ``path`` is encrypted for, following the lookup order above. ``config`` is the
    project the caller works in (None: no project); it is never looked up here, so a
    command run with ``--config`` elsewhere encrypts for that project's recipients."""
    selector = dict(selector or {})
    threshold = keys.threshold or threshold
    if keys.explicit:
        return Plan([resolve(keys)], threshold, selector)
    if path is not None and config is not None:
        configured = config.plan_for(path)
        if configured is not None:
            groups = [list(group) for group in configured.groups]
            return Plan(groups, keys.threshold or configured.shamir_threshold or threshold,
                        selector or dict(configured.selector))
    return Plan([resolve(keys)], threshold, selector, chosen=False)
