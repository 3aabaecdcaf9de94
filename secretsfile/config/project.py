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

import os
import re
from collections.abc import Mapping

from secretsfile._paths import is_within, nearest
from secretsfile.config.rules import path_pattern, rule_matches
from secretsfile.config.sops_settings import parse_stores, sops_config_override
from secretsfile.core.record import Record, field
from secretsfile.errors import ConfigError, UsageError

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:  # pathlib loads where a config file is found or named (issue 14)
    from pathlib import Path
    from typing import Any

    from secretsfile.config.environments import Environment
    from secretsfile.config.keys import KeyPlan

__all__ = ["CONFIG_NAMES", "SOPS_CONFIG_NAME", "CreationRule", "Environment", "KeyPlan",
           "ProjectConfig", "find_config", "find_sops_config", "load", "load_project_config",
           "load_sops_config", "read_yaml_mapping"]  # fmt: skip

CONFIG_NAMES = (".secretsfile.yaml", ".secretsfile.yml")
SOPS_CONFIG_NAME = ".sops.yaml"
_MAX_PARENTS = 100


def __getattr__(name: str) -> Any:
    """Environment and KeyPlan on first use: no project config, no import (issue 14)."""
    if name in ("Environment", "KeyPlan"):
        from secretsfile.config import environments, keys

        return getattr(environments if name == "Environment" else keys, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _no_plan() -> KeyPlan:
    from secretsfile.config.keys import KeyPlan

    return KeyPlan(())


def _as_path(file: str | os.PathLike[str]) -> Path:
    from pathlib import Path  # made on demand: a command in a project loads no pathlib
    return Path(file)


class CreationRule(Record, frozen=True):
    path_regex: str | None  # None: the rule matches every path (sops semantics)
    # the config file it came from (``source``: as a Path); path_regex is relative to its
    # directory
    file: str | os.PathLike[str]
    plan: KeyPlan = field(default_factory=_no_plan)

    @property
    def source(self) -> Path:
        return _as_path(self.file)


class ProjectConfig(Record, frozen=True):
    file: str | os.PathLike[str] | None  # None: no .secretsfile.yaml (``path``: as a Path)
    root_dir: str | os.PathLike[str]  # the project directory; ``root`` as a Path
    environments: tuple[Environment, ...] = ()
    creation_rules: tuple[CreationRule, ...] = ()
    scan: Mapping[str, Any] = field(default_factory=dict)  # raw `scan:` section
    raw: Mapping[str, Any] = field(default_factory=dict)
    default_env: str | None = None
    # `integrity: strict`: a file without a structure tag is refused (core/integrity.py)
    integrity_strict: bool = False
    stores: Mapping[str, int] = field(default_factory=dict)  # `stores:` indent per format

    @property
    def path(self) -> Path | None:
        return None if self.file is None else _as_path(self.file)

    @property
    def root(self) -> Path:
        return _as_path(self.root_dir)

    def indent_for(self, fmt: str) -> int | None:
        """The ``stores:`` indent for a format (None: not set)."""
        return self.stores.get(fmt)

    def environment(self, name: str) -> Environment:
        """The named environment; an unknown name is a ConfigError naming the closest."""
        for env in self.environments:
            if env.name == name:
                return env
        from secretsfile.core.suggest import suggestion

        names = [env.name for env in self.environments]
        where = str(self.path) if self.path else "no .secretsfile.yaml found"
        hint = suggestion(name, names, f"known: {', '.join(names)}" if names
                          else "run 'secretsfile init'", n=1, cutoff=0.6)
        raise ConfigError(f"unknown environment {name!r} ({where})", hint=hint)

    def requires_tag(self, path: str | os.PathLike[str]) -> bool:
        """Whether a file must carry an integrity tag: ``integrity: strict`` and the file is
        inside this project (a file elsewhere is not governed by its policy)."""
        return self.integrity_strict and is_within(os.path.realpath(path),
                                                   os.path.realpath(self.root_dir))

    def env_path(self, env: Environment) -> Path:
        return self.root / env.file

    def choose(self, env: str | None = None) -> Environment:
        """The environment: the argument, ``SECRETSFILE_ENV``, ``default_env``, or the only
        one; anything else is an error that says how to choose."""
        name = env or os.environ.get("SECRETSFILE_ENV") or self.default_env
        if name:
            return self.environment(name)
        if len(self.environments) == 1:
            return self.environments[0]
        if not self.environments:
            where = self.path or f"{os.getcwd()} or its parents (no .secretsfile.yaml)"
            raise ConfigError(f"no environments configured in {where}",
                              hint="run 'secretsfile init', or pass --config / SECRETSFILE_CONFIG")
        names = ", ".join(e.name for e in self.environments)
        raise UsageError("which environment?",
                         hint=f"pass --env ({names}) or set SECRETSFILE_ENV")

    def private_path(self, env: Environment) -> Path:
        """This user's private file for (project, environment), outside the repository."""
        import hashlib

        from secretsfile._paths import config_home

        root = str(self.root.resolve())
        slug = re.sub(r"[^A-Za-z0-9_.-]", "-", self.root.name) or "project"
        project_id = f"{slug}-{hashlib.sha256(root.encode()).hexdigest()[:10]}"
        return self.root.joinpath(config_home(), "secretsfile", "private", project_id,
                                  f"{env.name}.yaml")  # config_home() is absolute

    def plan_for(self, path: str | os.PathLike[str]) -> KeyPlan | None:
        """Recipients for ``path``: its environment's, else the first matching creation rule."""
        if not self.environments and not self.creation_rules:
            return None  # nothing to match: no pathlib for a path (issue 14)
        from pathlib import Path

        resolved = Path(path).resolve()
        for env in self.environments:
            if self.env_path(env).resolve() == resolved and env.recipients:
                from secretsfile.config.keys import KeyPlan

                return KeyPlan(((*env.recipients,),), 0, env.selector)
        for rule in self.creation_rules:
            if rule_matches(rule, resolved):
                return rule.plan if rule.plan.groups else None
        return None


def find_config(start: str | os.PathLike[str]) -> Path | None:
    """The nearest ``.secretsfile.yaml`` (or ``.yml``) at or above ``start``."""
    found = nearest(start, CONFIG_NAMES, most=_MAX_PARENTS)
    return None if found is None else _as_path(found)


def find_sops_config(start: str | os.PathLike[str]) -> Path | None:
    """The nearest ``.sops.yaml`` at or above ``start`` (sops ignores ``.sops.yml``)."""
    found = nearest(start, (SOPS_CONFIG_NAME,), most=_MAX_PARENTS)
    return None if found is None else _as_path(found)


def sops_config_for(start: str | os.PathLike[str]) -> Path | None:
    """The ``.sops.yaml`` that applies at ``start``: ``SOPS_CONFIG``, else the nearest."""
    return sops_config_override() or find_sops_config(start)


def read_yaml_mapping(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Parse a config file whose top level must be a mapping (empty file: empty mapping).

    Typed the way sops' go-yaml reads ``.sops.yaml`` (YAML 1.2: ``yes`` is a string), by
    the same reader as secrets files; comments are dropped.
    """
    from secretsfile.core.tree import strip_comments
    from secretsfile.errors import FormatError
    from secretsfile.stores.yaml_fast import (
        forbidden_character,
        has_other_line_breaks,
        parse_simple,
    )

    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as error:
        raise ConfigError(f"cannot read the config: {error.strerror}", path=str(path)) from None
    try:  # as text mode reads it: \r\n and \r become \n (YAML line breaks either way)
        text = raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as error:
        raise ConfigError("the config is not valid UTF-8", path=str(path),
                          line=raw.count(b"\n", 0, error.start) + 1,
                          hint="re-save it as UTF-8; sops refuses other encodings too") from None
    if not text.strip():
        return {}
    # Own-line comments can go (init's template has "<key id>" in one), unless YAML would
    # end the comment early: at a \r, \x85, \u2028 or \u2029 (what follows is YAML to
    # PyYAML and sops) or, for a line indented by other than spaces, not be one at all. A
    # character YAML refuses anywhere (a comment too) goes to the full parser, which refuses
    # it as sops does (the fast reader's own test, on the text before comments go).
    kept = "\n".join(line for line in text.split("\n") if not line.lstrip(" ").startswith("#"))
    simple = ("|" not in kept and ">" not in kept and not has_other_line_breaks(text)
              and forbidden_character(text) < 0)
    docs = parse_simple(kept) if simple else None  # no block scalars outside comments
    if docs is None:
        from secretsfile.stores.yaml_store import load_yaml

        try:
            docs = load_yaml(text, str(path))
        except FormatError as error:
            raise ConfigError(error.message, path=str(path), line=error.line,
                              hint=error.hint) from None
    if not docs:  # comments only
        return {}
    if len(docs) != 1:
        raise ConfigError("the config must be one YAML document", path=str(path))
    data = strip_comments(docs[0])
    assert isinstance(data, dict)
    return {str(k): v for k, v in data.items()}


def _creation_rules(data: Mapping[str, Any], source: str | os.PathLike[str]
                    ) -> tuple[CreationRule, ...]:  # fmt: skip
    rules = data.get("creation_rules")
    if rules is None:
        return ()
    if not isinstance(rules, list):
        raise ConfigError("creation_rules must be a list", path=str(source))
    from secretsfile.config.keys import key_plan

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
            path_pattern(regex, f"creation_rules entry {number}: path_regex", str(source))
        plan = key_plan(rule, source, f"creation_rules entry {number}")
        out.append(CreationRule(regex, source, plan))
    return tuple(out)


_parsed: dict[tuple[str, str], tuple[tuple[int, int], ProjectConfig]] = {}


def clear_cache() -> None:
    """Forget parsed configs (each is also re-read whenever its file changes)."""
    _parsed.clear()


def load_project_config(path: str | os.PathLike[str]) -> ProjectConfig:
    """Read one ``.secretsfile.yaml`` (parsed once per process while it is unchanged)."""
    resolved = os.path.realpath(path)
    try:
        info = os.stat(resolved)
        stamp = (info.st_mtime_ns, info.st_size)
    except OSError:
        stamp = (0, -1)
    key = (resolved, os.environ.get("SOPS_CONFIG", ""))  # its .sops.yaml may be that one
    cached = _parsed.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    config = _parse_project_config(path)
    _parsed[key] = (stamp, config)
    return config


def _parse_project_config(path: str | os.PathLike[str]) -> ProjectConfig:
    data = read_yaml_mapping(path)
    scan = data.get("scan") or {}
    if not isinstance(scan, dict):
        raise ConfigError("the scan section must be a mapping", path=str(path))
    default_env = data.get("default_env")
    if default_env is not None and not isinstance(default_env, str):
        raise ConfigError("default_env must be an environment name", path=str(path))
    integrity = data.get("integrity", "warn")
    if integrity not in ("strict", "warn"):
        raise ConfigError("integrity must be 'strict' or 'warn'", path=str(path),
                          hint="'strict' refuses files without an integrity tag")
    rules, stores = _creation_rules(data, path), parse_stores(data, path)
    folder = os.path.dirname(path) or "."  # Path.parent, without pathlib
    sops = sops_config_for(folder) if not rules or "stores" not in data else None
    if sops is not None:  # a .secretsfile.yaml without rules/stores honours the .sops.yaml
        sops_rules, sops_stores = load_sops_settings(sops)
        rules, stores = rules or sops_rules, stores if "stores" in data else sops_stores
    from secretsfile.config.environments import parse_environments

    return ProjectConfig(
        file=path,
        root_dir=folder,
        environments=parse_environments(data, path),
        creation_rules=rules,
        scan=scan,
        raw=data,
        default_env=default_env,
        integrity_strict=integrity == "strict",
        stores=stores,
    )


def load_sops_config(path: Path) -> tuple[CreationRule, ...]:
    """The creation rules of a ``.sops.yaml``."""
    return load_sops_settings(path)[0]


def load_sops_settings(path: Path) -> tuple[tuple[CreationRule, ...], dict[str, int]]:
    """The creation rules and ``stores:`` indents of a ``.sops.yaml``."""
    data = read_yaml_mapping(path)
    return _creation_rules(data, path), parse_stores(data, path)


def _sops_project(path: Path) -> ProjectConfig:
    rules, stores = load_sops_settings(path)
    return ProjectConfig(None, path.parent.resolve(), creation_rules=rules, stores=stores)


def load(start: str | os.PathLike[str] | None = None,
         override: str | os.PathLike[str] | None = None) -> ProjectConfig:
    """The config a command uses: ``--config``, else ``SECRETSFILE_CONFIG``, else the nearest
    ``.secretsfile.yaml``, else ``SOPS_CONFIG`` or the nearest ``.sops.yaml`` (its creation
    rules and ``stores:``), else empty. ``--config`` takes either kind of file."""
    start = start if start is not None else os.getcwd()
    chosen = override or os.environ.get("SECRETSFILE_CONFIG")
    if chosen:
        from pathlib import Path  # a config is named
        given = Path(chosen)
        if not given.is_file():
            raise ConfigError(f"config file {given} not found", hint="check --config")
        if given.name == SOPS_CONFIG_NAME:
            return _sops_project(given)
        return load_project_config(given)
    found = nearest(start, CONFIG_NAMES, most=_MAX_PARENTS)  # a str: no pathlib (issue 14)
    if found is not None:
        return load_project_config(found)
    sops = sops_config_for(start)
    if sops is not None:
        return _sops_project(sops)
    return ProjectConfig(file=None, root_dir=os.path.realpath(start))


def load_for(target: str | os.PathLike[str],
             override: str | os.PathLike[str] | None = None) -> ProjectConfig:
    """The config for a command on the file ``target``: ``--config`` or
    ``SECRETSFILE_CONFIG`` if given; else the working directory's project when it holds the
    file; else the project that holds the file. So a project's rules (``integrity:
    strict``, its recipients) follow its files, wherever the command runs from."""
    here = load(override=override)
    if override or os.environ.get("SECRETSFILE_CONFIG"):
        return here
    file = os.path.realpath(target)
    if here.file is not None and is_within(file, os.path.realpath(here.root_dir)):
        return here
    owner = load(start=os.path.dirname(file))
    found = owner.file is not None or owner.creation_rules  # a .sops.yaml alone counts too
    return owner if found else here


class GuardSources(Record, frozen=True):
    """What the plaintext guard reads for a directory: the project config the commands
    use there, and the nearest ``.sops.yaml`` (its rules count too, even beside a
    ``.secretsfile.yaml`` that has its own)."""

    project: ProjectConfig
    sops_path: Path | None = None
    sops_rules: tuple[CreationRule, ...] = ()


def guard_sources(start: Path) -> GuardSources:
    """Look up what applies to ``start`` (the same lookup as every command)."""
    project = load(start=start)
    sops_path = sops_config_for(start)
    rules = load_sops_config(sops_path) if sops_path is not None else ()
    return GuardSources(project, sops_path, rules)
