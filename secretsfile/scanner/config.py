"""Scanner configuration: the ``scan:`` section of .secretsfile.yaml and gitleaks' TOML.

```yaml
scan:
  use_default_rules: true          # false: only the rules below
  disabled_rules: [generic-api-key]
  rules:                           # extra rules (same id as a built-in: replaces it)
    - id: acme-token
      description: ACME API token
      regex: '\\b(acme_[A-Za-z0-9]{32})\\b'
      secret_group: 1
      keywords: [acme_]
      entropy: 3.5
  exclude_paths: ["vendor/", "**/*.snap"]   # gitignore-like globs
  allowlist:                       # one mapping or a list of them
    regexes: ['^AKIA[0-9A-Z]{12}TEST$']
    regex_target: secret           # secret | match | line
    paths: ['^docs/']              # regexes on the path
  stopwords: [example, dummy]      # a secret containing one is dropped
  max_file_size: 2MiB              # bytes or 512KB / 2MiB; 0 = no limit
  skip_binary: true
  skip_minified: true
  gitleaks_config: .gitleaks.toml  # also load a gitleaks TOML file
```

gitleaks' TOML format is read by gitleaks.py into the same ``ScanConfig``. Every rule read
from a config is checked with ``Rule.validate`` (the check the built-in rules pass in the
tests).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from secretsfile.core.record import Record, field, replace
from secretsfile.errors import ConfigError
from secretsfile.scanner.lazy_regex import LazyRegex
from secretsfile.scanner.model import Allowlist, Rule
from secretsfile.scanner.sources import DEFAULT_MAX_FILE_SIZE, FileLimits

TYPE_CHECKING = False  # typing stays unloaded at run time (the hook's start-up)
if TYPE_CHECKING:
    from typing import Any

    from secretsfile._fileio import StrPath

__all__ = [
    "ScanConfig",
    "build_allowlist",
    "check_keys",
    "checked_rule",
    "parse_scan_section",
    "parse_size",
    "str_list",
]


class ScanConfig(Record, frozen=True):
    use_default_rules: bool = True
    rules: tuple[Rule, ...] = ()
    disabled_rules: frozenset[str] = frozenset()
    allowlists: tuple[Allowlist, ...] = ()
    stopwords: tuple[str, ...] = ()
    limits: FileLimits = field(default_factory=FileLimits)
    # Allowlists that gitleaks' targetRules attach to rules that are not defined here
    # (built-in ones): applied when the rule set is built.
    targeted: tuple[tuple[str, Allowlist], ...] = ()

    def build_rules(self, builtin: Sequence[Rule]) -> list[Rule]:
        """Built-ins (unless disabled), overridden or extended by the configured rules."""
        by_id: dict[str, Rule] = {}
        if self.use_default_rules:
            for rule in builtin:
                by_id[rule.id] = rule
        for rule in self.rules:
            by_id[rule.id] = rule
        for rule_id, allowlist in self.targeted:
            if rule_id in by_id:
                rule = by_id[rule_id]
                by_id[rule_id] = replace(rule, allowlists=(*rule.allowlists, allowlist))
        return [rule for rule_id, rule in by_id.items() if rule_id not in self.disabled_rules]

    def merged(self, other: ScanConfig) -> ScanConfig:
        """``other`` layered on top of this config (lists add up, flags come from ``other``)."""
        return ScanConfig(
            use_default_rules=self.use_default_rules and other.use_default_rules,
            rules=(*self.rules, *other.rules),
            disabled_rules=self.disabled_rules | other.disabled_rules,
            allowlists=(*self.allowlists, *other.allowlists),
            stopwords=(*self.stopwords, *other.stopwords),
            limits=replace(
                other.limits,
                exclude_globs=(*self.limits.exclude_globs, *other.limits.exclude_globs),
            ),
            targeted=(*self.targeted, *other.targeted),
        )


# --- sizes ------------------------------------------------------------------------------

_SIZE = LazyRegex(r"(?i)\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|k|mb|mib|m|gb|gib|g)?\s*")
_UNITS = {
    "b": 1,
    "kb": 1000,
    "k": 1024,
    "kib": 1024,
    "mb": 1000**2,
    "m": 1024**2,
    "mib": 1024**2,
    "gb": 1000**3,
    "g": 1024**3,
    "gib": 1024**3,
}


def parse_size(value: object, where: str = "max_file_size") -> int:
    """Bytes from an int or a string like ``512KB`` / ``2MiB`` (0 = no limit)."""
    if isinstance(value, bool):
        raise ConfigError(f"{where} must be a size like 2MiB, not a boolean")
    if isinstance(value, int):
        if value < 0:
            raise ConfigError(f"{where} must not be negative")
        return value
    if isinstance(value, str):
        m = _SIZE.fullmatch(value)
        if m:
            return int(float(m.group(1)) * _UNITS[(m.group(2) or "b").lower()])
    raise ConfigError(f"{where} must be a size in bytes or like 512KB / 2MiB, got {value!r}")


# --- the YAML scan section --------------------------------------------------------------

_SCAN_KEYS = frozenset(
    {
        "use_default_rules",
        "disabled_rules",
        "rules",
        "exclude_paths",
        "allowlist",
        "allowlists",
        "stopwords",
        "max_file_size",
        "skip_binary",
        "skip_minified",
        "default_excludes",
        "gitleaks_config",
        "baseline",
    }
)
_RULE_KEYS = frozenset(
    {
        "id",
        "description",
        "regex",
        "secret_group",
        "entropy",
        "keywords",
        "path",
        "tags",
        "allowlists",
        "allowlist",
    }
)
_ALLOWLIST_KEYS = frozenset(
    {
        "regexes",
        "regex_target",
        "stopwords",
        "paths",
        "description",
        "condition",
        "commits",
        "target_rules",
    }
)


def str_list(value: object, where: str, source: str | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{where} must be a list of strings", path=source)


def _bool(value: object, where: str, source: str | None) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where} must be true or false", path=source)
    return value


def check_keys(
    data: Mapping[str, Any], allowed: frozenset[str], where: str, source: str | None
) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ConfigError(
            f"{where}: unknown key {unknown[0]!r}",
            path=source,
            hint="valid keys: " + ", ".join(sorted(allowed)),
        )


def _check_regex(pattern: str, where: str, source: str | None) -> str:
    try:
        re.compile(pattern)
    except re.error as error:
        raise ConfigError(f"{where}: invalid regex ({error})", path=source) from None
    return pattern


def build_allowlist(data: dict[str, Any], where: str, source: str | None, regexes: tuple[str, ...],
               paths: tuple[str, ...], target: str, condition: str) -> Allowlist:
    """The parts both config dialects share; an allowlist that allows nothing is an error."""
    allowlist = Allowlist(
        regexes=regexes,
        regex_target=target,
        stopwords=str_list(data.get("stopwords"), f"{where}.stopwords", source),
        paths=paths,
        description=str(data.get("description", "")),
        condition=condition,
        commits=str_list(data.get("commits"), f"{where}.commits", source),
    )
    if not (allowlist.regexes or allowlist.stopwords or allowlist.paths or allowlist.commits):
        raise ConfigError(
            f"{where}: an allowlist needs regexes, stopwords, paths or commits", path=source
        )
    return allowlist


def _parse_allowlist(
    data: object, where: str, source: str | None
) -> tuple[Allowlist, tuple[str, ...]]:
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a mapping", path=source)
    check_keys(data, _ALLOWLIST_KEYS, where, source)
    target = data.get("regex_target", "secret")
    if target not in ("secret", "match", "line"):
        raise ConfigError(f"{where}: regex_target must be secret, match or line", path=source)
    condition = str(data.get("condition", "OR")).upper()
    if condition not in ("OR", "AND"):
        raise ConfigError(f"{where}: condition must be OR or AND", path=source)
    regexes = tuple(
        _check_regex(r, where, source)
        for r in str_list(data.get("regexes"), f"{where}.regexes", source)
    )
    paths = tuple(
        _check_regex(r, where, source)
        for r in str_list(data.get("paths"), f"{where}.paths", source)
    )
    allowlist = build_allowlist(data, where, source, regexes, paths, target, condition)
    return allowlist, str_list(data.get("target_rules"), f"{where}.target_rules", source)


def checked_rule(rule: Rule, where: str, source: str | None) -> Rule:
    """``rule``, or a ConfigError naming its first problem (see ``Rule.validate``)."""
    problems = rule.validate()
    if problems:
        raise ConfigError(f"{where}: {problems[0]}", path=source)
    return rule


def _number(data: Mapping[str, Any], key: str, default: float, where: str,
            source: str | None) -> float:  # fmt: skip
    value = data.get(key, default)
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ConfigError(f"{where}: {key} must be a number", path=source)
    return float(value)


def _parse_rule(data: object, where: str, source: str | None) -> Rule:
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a mapping", path=source)
    check_keys(data, _RULE_KEYS, where, source)
    rule_id = data.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise ConfigError(f"{where}: a rule needs an id", path=source)
    where = f"rule {rule_id}"
    regex = data.get("regex", "")
    if not isinstance(regex, str):
        raise ConfigError(f"{where}: regex must be a string", path=source)
    path = data.get("path")
    if path is not None and not isinstance(path, str):
        raise ConfigError(f"{where}: path must be a regex string", path=source)
    group = data.get("secret_group", 0)
    if not isinstance(group, int) or isinstance(group, bool):
        raise ConfigError(f"{where}: secret_group must be an integer", path=source)
    raw_lists = data.get("allowlists", data.get("allowlist"))
    if isinstance(raw_lists, dict):
        raw_lists = [raw_lists]
    allowlists = tuple(
        _parse_allowlist(a, f"{where} allowlist {n}", source)[0]
        for n, a in enumerate(raw_lists or [], start=1)
    )
    rule = Rule(
        id=rule_id,
        description=str(data.get("description", rule_id)),
        regex=regex,
        keywords=tuple(
            k.lower() for k in str_list(data.get("keywords"), f"{where}.keywords", source)
        ),
        secret_group=group,
        entropy=_number(data, "entropy", 0.0, where, source),
        allowlists=allowlists,
        path=path,
        tags=str_list(data.get("tags"), f"{where}.tags", source),
    )
    return checked_rule(rule, where, source)


def parse_scan_section(
    data: Mapping[str, Any], source: str | None = None, root: StrPath | None = None
) -> ScanConfig:
    """The ``scan:`` mapping of .secretsfile.yaml as a ScanConfig."""
    check_keys(data, _SCAN_KEYS, "scan", source)
    rules_raw = data.get("rules") or []
    if not isinstance(rules_raw, list):
        raise ConfigError("scan.rules must be a list", path=source)
    rules = tuple(
        _parse_rule(r, f"scan.rules entry {n}", source) for n, r in enumerate(rules_raw, start=1)
    )
    lists_raw = data.get("allowlists", data.get("allowlist"))
    if isinstance(lists_raw, dict):
        lists_raw = [lists_raw]
    if lists_raw is not None and not isinstance(lists_raw, list):
        raise ConfigError("scan.allowlist must be a mapping or a list of mappings", path=source)
    allowlists: list[Allowlist] = []
    targeted: list[tuple[str, Allowlist]] = []
    for n, raw in enumerate(lists_raw or [], start=1):
        allowlist, targets = _parse_allowlist(raw, f"scan.allowlist {n}", source)
        if targets:
            targeted.extend((t, allowlist) for t in targets)
        else:
            allowlists.append(allowlist)
    limits = FileLimits(
        max_file_size=parse_size(data.get("max_file_size", DEFAULT_MAX_FILE_SIZE)),
        skip_binary=_bool(data.get("skip_binary", True), "scan.skip_binary", source),
        skip_minified=_bool(data.get("skip_minified", True), "scan.skip_minified", source),
        default_excludes=_bool(data.get("default_excludes", True), "scan.default_excludes", source),
        exclude_globs=str_list(data.get("exclude_paths"), "scan.exclude_paths", source),
    )
    config = ScanConfig(
        use_default_rules=_bool(
            data.get("use_default_rules", True), "scan.use_default_rules", source
        ),
        rules=rules,
        disabled_rules=frozenset(
            str_list(data.get("disabled_rules"), "scan.disabled_rules", source)
        ),
        allowlists=tuple(allowlists),
        stopwords=str_list(data.get("stopwords"), "scan.stopwords", source),
        limits=limits,
        targeted=tuple(targeted),
    )
    gitleaks = data.get("gitleaks_config")
    if gitleaks is not None:
        if not isinstance(gitleaks, str):
            raise ConfigError("scan.gitleaks_config must be a path", path=source)
        from pathlib import Path  # only here: the hook's scan loads no pathlib (issue 14)

        from secretsfile.scanner.gitleaks import load_gitleaks_toml  # gitleaks.py imports us

        config = config.merged(load_gitleaks_toml(Path(root or Path.cwd()) / gitleaks))
    return config
