"""The built-in rule catalog of the credential scanner.

``BUILTIN_RULES`` is the ordered tuple of every built-in rule: vendor rules first (specific
formats, checked before the generic detector), then the generic detector. Each module holds
plain ``Rule`` values; see ``generic.py`` for the placeholder helpers.
"""

from __future__ import annotations

from secretsfile.scanner.model import Rule

from . import (
    ai,
    aws,
    azure,
    cloud,
    commands,
    gcp,
    generic,
    k8s,
    keys,
    messaging,
    monitoring,
    named_tokens,
    payments,
    registries,
    saas,
    uris,
    vcs,
)

BUILTIN_RULES: tuple[Rule, ...] = (
    *aws.RULES,
    *gcp.RULES,
    *azure.RULES,
    *vcs.RULES,
    *registries.RULES,
    *ai.RULES,
    *payments.RULES,
    *messaging.RULES,
    *cloud.RULES,
    *monitoring.RULES,
    *keys.RULES,
    *k8s.RULES,
    *saas.RULES,
    *named_tokens.RULES,
    *uris.RULES,
    *commands.RULES,
    *generic.RULES,
)

__all__ = ["BUILTIN_RULES"]
