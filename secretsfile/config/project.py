"""The project configuration: ``.secretsfile.yaml`` (and ``.sops.yaml``), read in one place.

Found by walking up from the working directory. This module reads the parts the tool uses
today and keeps the rest as raw data for the layers that own it:

```yaml
environments:            # env name -> settings; the file defaults to secrets/<env>.yaml
  dev: {file: secrets/dev.yaml}
  prod: {}
creation_rules:          # sops-style; path_regex marks files that must be encrypted
  - path_regex: ^config/.*\\.secret\\.yaml$
scan: {...}              # the scanner's section, parsed by secretsfile.scanner.config
```

Paths in the file are relative to the directory that holds it (the project root).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from secretsfile.errors import ConfigError

__all__ = [
    "CONFIG_NAMES",
    "SOPS_CONFIG_NAME",
    "CreationRule",
    "Environment",
    "ProjectConfig",
    "find_config",
    "find_sops_config",
    "load_project_config",
    "load_sops_config",
    "read_yaml_mapping",
]

CONFIG_NAMES = (".secretsfile.yaml", ".secretsfile.yml")
SOPS_CONFIG_NAME = ".sops.yaml"
_MAX_PARENTS = 100


@dataclass(frozen=True)
class Environment:
    name: str
    file: str  # relative to the project root, '/'-separated


@dataclass(frozen=True)
class CreationRule:
    path_regex: str | None  # None: the rule matches every path (sops semantics)
    source: Path  # the config file it came from; path_regex is relative to its directory


@dataclass(frozen=True)
class ProjectConfig:
    path: Path | None  # None: no .secretsfile.yaml was found
    root: Path
    environments: tuple[Environment, ...] = ()
    creation_rules: tuple[CreationRule, ...] = ()
    scan: Mapping[str, Any] = field(default_factory=dict)  # raw `scan:` section
    raw: Mapping[str, Any] = field(default_factory=dict)


def _walk_up(start: Path, names: tuple[str, ...]) -> Path | None:
    current = start.resolve()
    if current.is_file():
        current = current.parent
    for _ in range(_MAX_PARENTS):
        for name in names:
            candidate = current / name
            if candidate.is_file():
                return candidate
        if current.parent == current:
            return None
        current = current.parent
    return None


def find_config(start: Path) -> Path | None:
    """The nearest ``.secretsfile.yaml`` (or ``.yml``) at or above ``start``."""
    return _walk_up(start, CONFIG_NAMES)


def find_sops_config(start: Path) -> Path | None:
    """The nearest ``.sops.yaml`` at or above ``start`` (sops ignores ``.sops.yml``)."""
    return _walk_up(start, (SOPS_CONFIG_NAME,))


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """Parse a YAML file whose top level must be a mapping (empty file: empty mapping)."""
    import yaml  # lazy: the scan hot path reads no config when there is none

    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"cannot read the config: {error.strerror}", path=str(path)) from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)  # a safe loader (C if available)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(error, "problem", None) or "invalid YAML"
        raise ConfigError(f"invalid YAML: {problem}", path=str(path), line=line) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError("the config must be a mapping at the top level", path=str(path))
    return {str(k): v for k, v in data.items()}


def _creation_rules(data: Mapping[str, Any], source: Path) -> tuple[CreationRule, ...]:
    rules = data.get("creation_rules")
    if rules is None:
        return ()
    if not isinstance(rules, list):
        raise ConfigError("creation_rules must be a list", path=str(source))
    out: list[CreationRule] = []
    for number, rule in enumerate(rules, start=1):
        if not isinstance(rule, dict):
            raise ConfigError(f"creation_rules entry {number} must be a mapping", path=str(source))
        regex = rule.get("path_regex")
        if regex is not None:
            if not isinstance(regex, str):
                raise ConfigError(
                    f"creation_rules entry {number}: path_regex must be a string", path=str(source)
                )
            try:
                re.compile(regex)
            except re.error as error:
                raise ConfigError(
                    f"creation_rules entry {number}: path_regex is not a valid regex ({error})",
                    path=str(source),
                ) from None
        out.append(CreationRule(regex, source))
    return tuple(out)


def _environments(data: Mapping[str, Any], source: Path) -> tuple[Environment, ...]:
    envs = data.get("environments")
    if envs is None:
        return ()
    if isinstance(envs, list):  # a bare list of names
        envs = {name: None for name in envs}
    if not isinstance(envs, dict):
        raise ConfigError("environments must be a mapping of name to settings", path=str(source))
    out: list[Environment] = []
    for name, settings in envs.items():
        if settings is None:
            settings = {}
        if not isinstance(settings, dict):
            raise ConfigError(f"environment {name!s}: settings must be a mapping", path=str(source))
        file = settings.get("file", f"secrets/{name}.yaml")
        if not isinstance(file, str) or not file:
            raise ConfigError(f"environment {name!s}: file must be a path", path=str(source))
        out.append(Environment(str(name), Path(file).as_posix()))
    return tuple(out)


def load_project_config(path: Path) -> ProjectConfig:
    """Read one ``.secretsfile.yaml``."""
    data = read_yaml_mapping(path)
    scan = data.get("scan") or {}
    if not isinstance(scan, dict):
        raise ConfigError("the scan section must be a mapping", path=str(path))
    return ProjectConfig(
        path=path,
        root=path.parent,
        environments=_environments(data, path),
        creation_rules=_creation_rules(data, path),
        scan=scan,
        raw=data,
    )


def load_sops_config(path: Path) -> tuple[CreationRule, ...]:
    """The creation rules of a ``.sops.yaml``."""
    return _creation_rules(read_yaml_mapping(path), path)


def discover(start: Path) -> ProjectConfig:
    """The project config for ``start`` (an empty one rooted at ``start`` if there is none)."""
    path = find_config(start)
    if path is None:
        return ProjectConfig(path=None, root=start.resolve())
    return load_project_config(path)
