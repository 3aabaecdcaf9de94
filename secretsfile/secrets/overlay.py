"""Private secrets over the team's: the one rule, used by the loader, ``run``, ``ci export``
and ``secret get``.

A private group overlays the team's group of the same name key by key: with only
``password`` in your private file, ``user``/``host``/``port`` stay the team's and the
password is yours. A private single value replaces the team's value. When the shapes
differ (a private value over a team group, or the reverse) the private secret wins
wholesale and its ``note`` says so (names only), for ``secret get`` to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from secretsfile.secrets.model import PRIVATE, TEAM, Secret


def overlay_secret(team: Secret, mine: Secret) -> Secret:
    """One secret: ``mine`` (from the private file) over ``team`` (from the team's)."""
    if team.is_group and mine.is_group:
        values = {**team.values, **mine.values}
        origins = {key: PRIVATE if key in mine.masked_values else TEAM for key in values}
        return replace(mine, value=None, values=values, schema=mine.schema or team.schema,
                       origins=origins, note=None)
    if team.is_group and team.keys:
        note = (f"your private value hides the team's group (keys: {', '.join(team.keys)})")
    elif mine.is_group and not team.is_group:
        note = "your private group hides the team's single value"
    else:
        note = None
    return replace(mine, value=mine.value, values=mine.values, note=note)


def overlay(team: Mapping[str, Secret] | None, mine: Mapping[str, Secret] | None
            ) -> dict[str, Secret]:
    """Every secret of an environment: the team's, with the private ones laid over them."""
    merged = dict(team or {})
    for name, secret in (mine or {}).items():
        merged[name] = overlay_secret(merged[name], secret) if name in merged else secret
    return merged
