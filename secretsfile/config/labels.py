"""Who a recipient is: the names a config gives its keys, for display and error messages.

Two spellings name a key in ``environments.<env>.recipients``:

```yaml
recipients:
  - age1qyq…   # alice                # a comment on the key's line
  - {key: age1zzz…, name: ci}         # the explicit form
```

Comments are only visible to a round-trip parse (ruamel), so this reader is separate from
the config loader and never on the decrypt path: it runs when something is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from secretsfile.errors import SecretsfileError
from secretsfile.keysources import registry
from secretsfile.keysources.interface import Recipient

Labels = dict[str, dict[Recipient, str]]  # environment -> recipient -> name


def entry_key(entry: Any) -> str:
    """The key text of one recipients entry (a string or ``{key: …, name: …}``)."""
    if hasattr(entry, "get"):
        return str(entry.get("key") or "")
    return str(entry)


def _recipient(text: str) -> Recipient | None:
    try:
        return registry.parse_recipient(text)
    except SecretsfileError:
        return None


def labels_of(entries: Any) -> dict[Recipient, str]:
    """recipient -> name for one ruamel recipients list (explicit names win)."""
    from secretsfile.config.edit import comment_label

    found: dict[Recipient, str] = {}
    for index, entry in enumerate(entries or []):
        recipient = _recipient(entry_key(entry))
        if recipient is None:
            continue
        name = entry.get("name") if hasattr(entry, "get") else None
        label = str(name) if name else comment_label(entries, index)
        if label:
            found[recipient] = label
    return found


def read_labels(path: Path | None) -> Labels:
    """Every environment's recipient names in the config at ``path``; {} when it cannot be
    read (the loader reports a broken config, this only decorates messages)."""
    if path is None or not path.is_file():
        return {}
    from secretsfile.config.edit import round_trip_yaml

    try:
        data = round_trip_yaml().load(path.read_text(encoding="utf-8"))
    except Exception:  # ruamel raises many error types; display only
        return {}
    envs: Any = data.get("environments") if hasattr(data, "get") else None
    if envs is None or not hasattr(envs, "items"):
        return {}
    return {str(name): labels_of(settings.get("recipients"))
            for name, settings in envs.items() if hasattr(settings, "get")}


def name_of(recipient: Recipient, labels: Mapping[str, Mapping[Recipient, str]],
            env: str | None = None) -> str | None:
    """The recipient's name in ``env`` (else in any environment), None if unnamed."""
    if env is not None and recipient in labels.get(env, {}):
        return labels[env][recipient]
    return next((names[recipient] for names in labels.values() if recipient in names), None)


def shown(recipient: Recipient, labels: Mapping[str, Mapping[Recipient, str]],
          env: str | None = None) -> str:
    """``age1abc… (alice)`` when a name is known, else the key as the config spells it."""
    name = name_of(recipient, labels, env)
    spelled = registry.spell(recipient)
    return f"{spelled} ({name})" if name else spelled
