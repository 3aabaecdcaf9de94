"""sops' own settings: which ``.sops.yaml`` applies (``SOPS_CONFIG`` overrides the search,
as in sops) and its ``stores:`` section, the indentation each format is written with:

```yaml
stores:
  yaml: {indent: 2}        # go-yaml: 0 is the default (4)
  json: {indent: 2}        # 0: a newline and no indentation; default: a TAB
  json_binary: {indent: 2} # the JSON of encrypted binary files
```
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from secretsfile.errors import ConfigError

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from secretsfile._fileio import StrPath

# `stores:` keys -> our format names (sops' own spelling; keys it does not know are ignored,
# as sops' config reader ignores them)
STORE_NAMES = {"yaml": "yaml", "json": "json", "json_binary": "binary", "dotenv": "dotenv",
               "ini": "ini"}


def sops_config_override() -> Path | None:
    """The file ``SOPS_CONFIG`` names, or None when it is not set."""
    value = os.environ.get("SOPS_CONFIG")
    if not value:
        return None
    from pathlib import Path  # only when SOPS_CONFIG is set

    path = Path(value)
    if not path.is_file():
        raise ConfigError(f"config file {path} not found", hint="check SOPS_CONFIG")
    return path


def parse_stores(data: Mapping[str, Any], source: StrPath) -> dict[str, int]:
    """``stores:`` as {format: indent}; only the formats that set an indent."""
    section = data.get("stores")
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise ConfigError("stores must be a mapping", path=str(source),
                          hint="e.g. stores: {yaml: {indent: 2}}")
    indents: dict[str, int] = {}
    for name, settings in section.items():
        fmt = STORE_NAMES.get(str(name))
        if fmt is None or settings is None:
            continue
        if not isinstance(settings, dict):
            raise ConfigError(f"stores.{name} must be a mapping", path=str(source),
                              hint=f"e.g. stores: {{{name}: {{indent: 2}}}}")
        indent = settings.get("indent")
        if indent is None:
            continue
        if isinstance(indent, bool) or not isinstance(indent, int) or indent < 0:
            raise ConfigError(f"stores.{name}.indent must be a whole number >= 0",
                              path=str(source))
        indents[fmt] = indent
    return indents
