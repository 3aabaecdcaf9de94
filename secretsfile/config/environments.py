"""The ``environments:`` section of ``.secretsfile.yaml``: one encrypted file per environment,
who can read it, and which variables it exports.

```yaml
environments:
  prod:
    file: secrets/prod.yaml              # default: secrets/<env>.yaml
    recipients:
      - age1qyq…   # alice               # a comment labels a key (kept by recipients add)
      - {key: age1zzz…, name: ci}        # or the explicit form
    exports:                             # variable name -> reference, for run / ci export
      AWS_ACCESS_KEY_ID: '{{ aws-deploy.access_key_id }}'
    store: vault://vault.internal:8200/secret/myapp   # for 'sync' without --to/--from
```
"""

from __future__ import annotations

from collections.abc import Mapping

from secretsfile._paths import normal_path
from secretsfile.config.keys import parse_recipient, selector_of
from secretsfile.core.record import Record, field
from secretsfile.errors import ConfigError
from secretsfile.keysources.interface import Recipient

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from typing import Any

    from secretsfile._fileio import StrPath


class Environment(Record, frozen=True):
    name: str
    file: str  # relative to the project root, '/'-separated
    recipients: tuple[Recipient, ...] = ()
    selector: Mapping[str, Any] = field(default_factory=dict)
    # recipient -> the name the config gives it ({key: …, name: …}); comment labels are read
    # separately (config.labels) because only a round-trip parse sees comments
    names: Mapping[Recipient, str] = field(default_factory=dict)
    # variable name -> template ('{{ name.key }}'), in config order
    exports: Mapping[str, str] = field(default_factory=dict)
    store: str | None = None  # an external store's URL for 'sync' (vault://…, awssm://…)


def _recipient_entry(entry: Any, where: str, source: StrPath) -> tuple[Recipient, str | None]:
    """One recipients entry: a string, or ``{key: …, name: …}``."""
    if isinstance(entry, dict):
        unknown = [str(k) for k in entry if k not in ("key", "name")]
        if unknown:
            raise ConfigError(f"{where}: unknown recipient field {unknown[0]!r}",
                              path=str(source), hint="use {key: age1…, name: alice}")
        key = entry.get("key")
        name = entry.get("name")
        if not isinstance(key, str) or not key:
            raise ConfigError(f"{where}: a recipient mapping needs 'key: <public key>'",
                              path=str(source), hint="e.g. {key: age1…, name: alice}")
        if name is not None and not isinstance(name, str):
            raise ConfigError(f"{where}: a recipient's name must be text", path=str(source))
        return parse_recipient(key, where, source), name or None
    return parse_recipient(str(entry), where, source), None


def _exports(raw: Any, where: str, source: StrPath) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: exports must map variable names to references",
                          path=str(source),
                          hint="e.g. AWS_ACCESS_KEY_ID: '{{ aws-deploy.access_key_id }}'")
    out: dict[str, str] = {}
    for variable, template in raw.items():
        if not isinstance(variable, str) or not isinstance(template, str):
            raise ConfigError(f"{where}: exports entry {variable!s} must be NAME: "
                              "'{{ secret.key }}'", path=str(source))
        out[variable] = template
    return out


def _store_url(raw: Any, where: str, source: StrPath) -> str | None:
    """``store:``: a URL (its scheme is checked by the remotes registry when used)."""
    if raw is None:
        return None
    if not isinstance(raw, str) or "://" not in raw:
        raise ConfigError(f"{where}: store must be a URL", path=str(source),
                          hint="e.g. store: vault://vault.internal:8200/secret/myapp")
    return raw


def _environment(name: str, settings: Any, source: StrPath) -> Environment:
    if settings is None:
        settings = {}
    if not isinstance(settings, dict):
        raise ConfigError(f"environment {name}: settings must be a mapping", path=str(source))
    file = settings.get("file", f"secrets/{name}.yaml")
    if not isinstance(file, str) or not file:
        raise ConfigError(f"environment {name}: file must be a path", path=str(source))
    where = f"environment {name}"
    raw_recipients = settings.get("recipients") or []
    if not isinstance(raw_recipients, list):
        raise ConfigError(f"{where}: recipients must be a list", path=str(source))
    recipients: list[Recipient] = []
    names: dict[Recipient, str] = {}
    for entry in raw_recipients:
        recipient, label = _recipient_entry(entry, where, source)
        recipients.append(recipient)
        if label:
            names[recipient] = label
    return Environment(name, normal_path(file), tuple(recipients), selector_of(settings),
                       names, _exports(settings.get("exports"), where, source),
                       _store_url(settings.get("store"), where, source))


def parse_environments(data: Mapping[str, Any], source: StrPath) -> tuple[Environment, ...]:
    envs = data.get("environments")
    if envs is None:
        return ()
    if isinstance(envs, list):  # a bare list of names
        envs = {name: None for name in envs}
    if not isinstance(envs, dict):
        raise ConfigError("environments must be a mapping of name to settings", path=str(source))
    return tuple(_environment(str(name), settings, source) for name, settings in envs.items())
