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


def round_trip_yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip mode
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long key or flow entry
    return yaml


def updated_text(path: Path, mutate: Callable[[Any], bool]) -> str | None:
    """Load ``path`` (or start empty) and let ``mutate`` change the mapping; the new file
    text when it reports a change, else None."""
    yaml = round_trip_yaml()
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


def comment_label(seq: Any, index: int) -> str | None:
    """The label a comment gives list item ``index`` (``- age1…  # alice``): the text of
    the comment on the item's own line, None when it has none."""
    items = seq.ca.items if hasattr(seq, "ca") else {}
    token = (items.get(index) or [None])[0]
    if token is None:
        return None
    first = str(token.value).split("\n", 1)[0].strip()
    return first.lstrip("#").strip() or None


def delete_item(parent: Any, key: str, seq: Any, index: int) -> None:
    """Delete list item ``index`` keeping every other comment: ruamel stores the comment
    lines that follow an item with that item, so they move to the previous item (or after
    ``key:`` in ``parent`` when the first item goes)."""
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    token = (seq.ca.items.get(index) or [None])[0]
    rest = str(token.value).split("\n", 1)[1] if token is not None and "\n" in str(
        token.value) else ""
    del seq[index]
    if not rest.strip():
        return
    if index > 0:
        previous = seq.ca.items.setdefault(index - 1, [None, None, None, None])
        if previous[0] is not None:
            previous[0].value = str(previous[0].value) + rest
        else:
            previous[0] = CommentToken("\n" + rest, CommentMark(0), None)
        return
    slots = parent.ca.items.setdefault(key, [None, None, None, None])
    if slots[2] is not None:
        slots[2].value = str(slots[2].value) + rest
    else:
        slots[2] = CommentToken("\n" + rest, CommentMark(0), None)


def rename_key(mapping: Any, old: str, new: str) -> None:
    """Rename ``old`` to ``new`` in place: same position, same comments."""
    position = list(mapping).index(old)
    value = mapping.pop(old)
    comments = mapping.ca.items.pop(old, None)
    mapping.insert(position, new, value)
    if comments is not None:
        mapping.ca.items[new] = comments
