"""Changing ``.secretsfile.yaml`` in place: ruamel.yaml round trip, so the comments, key
order and formatting a team gave its config survive ``init``, ``env add`` and
``recipients add/remove``. This module only computes the new text; the caller writes it
(atomically, in the ops layer)."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from secretsfile.errors import ConfigError

CONFIG_HEADER = """\
# secretsfile project config: one encrypted file per environment.
# recipients: age public keys (age1...), ssh public keys, or fernet:<key id>.
# Docs: secretsfile --help
"""


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip mode
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    return yaml


def updated_text(path: Path, mutate: Callable[[Any], bool]) -> str | None:
    """Load ``path`` (or start empty) and let ``mutate`` change the mapping; the new file
    text when it reports a change, else None."""
    yaml = _yaml()
    if path.exists():
        try:
            data = yaml.load(path.read_text(encoding="utf-8"))
        except Exception as error:  # ruamel raises many error types
            raise ConfigError(f"cannot parse the config: {type(error).__name__}",
                              path=str(path), hint="fix its YAML syntax") from None
        text_before = None
    else:
        data = None
        text_before = CONFIG_HEADER
    if data is None:
        from ruamel.yaml.comments import CommentedMap

        data = CommentedMap()
    if not hasattr(data, "items"):
        raise ConfigError("the config must be a mapping at the top level", path=str(path))
    if not mutate(data):
        return None
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return (text_before or "") + buffer.getvalue()
