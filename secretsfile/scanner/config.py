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

``--config FILE.toml`` reads gitleaks' format: ``[[rules]]`` (id, description, regex,
secretGroup, entropy, keywords, path, tags, ``[[rules.allowlists]]``), ``[[allowlists]]``
/ ``[allowlist]`` (with ``targetRules``), ``[extend] useDefault / path / disabledRules``.
Go RE2 syntax is translated where Python's ``re`` has an equivalent (``\\z``, POSIX
classes, ``\\Q..\\E``, mid-pattern ``(?i)``, ``(?<name>``); anything else is a ConfigError
that names the rule and the construct.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from secretsfile.errors import ConfigError
from secretsfile.scanner.model import Allowlist, Rule
from secretsfile.scanner.sources import DEFAULT_MAX_FILE_SIZE, FileLimits

__all__ = [
    "ScanConfig",
    "load_gitleaks_toml",
    "parse_scan_section",
    "parse_size",
    "translate_go_regex",
]


@dataclass(frozen=True)
class ScanConfig:
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

_SIZE = re.compile(r"(?i)\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|k|mb|mib|m|gb|gib|g)?\s*")
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


def _str_list(value: object, where: str, source: str | None) -> tuple[str, ...]:
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


def _check_keys(
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


def _allowlist(data: dict[str, Any], where: str, source: str | None, regexes: tuple[str, ...],
               paths: tuple[str, ...], target: str, condition: str) -> Allowlist:
    """The parts both config dialects share; an allowlist that allows nothing is an error."""
    allowlist = Allowlist(
        regexes=regexes,
        regex_target=target,
        stopwords=_str_list(data.get("stopwords"), f"{where}.stopwords", source),
        paths=paths,
        description=str(data.get("description", "")),
        condition=condition,
        commits=_str_list(data.get("commits"), f"{where}.commits", source),
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
    _check_keys(data, _ALLOWLIST_KEYS, where, source)
    target = data.get("regex_target", "secret")
    if target not in ("secret", "match", "line"):
        raise ConfigError(f"{where}: regex_target must be secret, match or line", path=source)
    condition = str(data.get("condition", "OR")).upper()
    if condition not in ("OR", "AND"):
        raise ConfigError(f"{where}: condition must be OR or AND", path=source)
    regexes = tuple(
        _check_regex(r, where, source)
        for r in _str_list(data.get("regexes"), f"{where}.regexes", source)
    )
    paths = tuple(
        _check_regex(r, where, source)
        for r in _str_list(data.get("paths"), f"{where}.paths", source)
    )
    allowlist = _allowlist(data, where, source, regexes, paths, target, condition)
    return allowlist, _str_list(data.get("target_rules"), f"{where}.target_rules", source)


def _parse_rule(data: object, where: str, source: str | None) -> Rule:
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a mapping", path=source)
    _check_keys(data, _RULE_KEYS, where, source)
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
    if not regex and not path:
        raise ConfigError(f"{where}: a rule needs a regex or a path", path=source)
    if regex:
        _check_regex(regex, where, source)
    if path:
        _check_regex(path, f"{where} path", source)
    group = data.get("secret_group", 0)
    entropy = data.get("entropy", 0.0)
    if not isinstance(group, int) or isinstance(group, bool):
        raise ConfigError(f"{where}: secret_group must be an integer", path=source)
    if regex and group > re.compile(regex).groups:
        raise ConfigError(
            f"{where}: secret_group {group} but the regex has fewer groups", path=source
        )
    if not isinstance(entropy, (int, float)) or isinstance(entropy, bool):
        raise ConfigError(f"{where}: entropy must be a number", path=source)
    raw_lists = data.get("allowlists", data.get("allowlist"))
    if isinstance(raw_lists, dict):
        raw_lists = [raw_lists]
    allowlists = tuple(
        _parse_allowlist(a, f"{where} allowlist {n}", source)[0]
        for n, a in enumerate(raw_lists or [], start=1)
    )
    return Rule(
        id=rule_id,
        description=str(data.get("description", rule_id)),
        regex=regex,
        keywords=tuple(
            k.lower() for k in _str_list(data.get("keywords"), f"{where}.keywords", source)
        ),
        secret_group=group,
        entropy=float(entropy),
        allowlists=allowlists,
        path=path,
        tags=_str_list(data.get("tags"), f"{where}.tags", source),
    )


def parse_scan_section(
    data: Mapping[str, Any], source: str | None = None, root: Path | None = None
) -> ScanConfig:
    """The ``scan:`` mapping of .secretsfile.yaml as a ScanConfig."""
    _check_keys(data, _SCAN_KEYS, "scan", source)
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
        exclude_globs=_str_list(data.get("exclude_paths"), "scan.exclude_paths", source),
    )
    config = ScanConfig(
        use_default_rules=_bool(
            data.get("use_default_rules", True), "scan.use_default_rules", source
        ),
        rules=rules,
        disabled_rules=frozenset(
            _str_list(data.get("disabled_rules"), "scan.disabled_rules", source)
        ),
        allowlists=tuple(allowlists),
        stopwords=_str_list(data.get("stopwords"), "scan.stopwords", source),
        limits=limits,
        targeted=tuple(targeted),
    )
    gitleaks = data.get("gitleaks_config")
    if gitleaks is not None:
        if not isinstance(gitleaks, str):
            raise ConfigError("scan.gitleaks_config must be a path", path=source)
        toml_path = (root or Path.cwd()) / gitleaks
        config = config.merged(load_gitleaks_toml(toml_path))
    return config


# --- gitleaks TOML ----------------------------------------------------------------------


def _load_toml(path: Path) -> dict[str, Any]:
    module_name = "tomllib" if sys.version_info >= (3, 11) else "tomli"
    try:
        toml: Any = importlib.import_module(module_name)
    except ImportError:  # pragma: no cover - Python 3.10 without tomli
        raise ConfigError(
            "reading a TOML config on Python 3.10 needs the 'tomli' package",
            path=str(path),
            hint="pip install tomli",
        ) from None
    try:
        with open(path, "rb") as handle:
            data = toml.load(handle)
    except FileNotFoundError:
        raise ConfigError("config file not found", path=str(path)) from None
    except OSError as error:
        raise ConfigError(f"cannot read the config: {error.strerror}", path=str(path)) from None
    except toml.TOMLDecodeError as error:
        raise ConfigError(f"invalid TOML: {error}", path=str(path)) from None
    lowered: dict[str, Any] = _lower_keys(data)
    return lowered


def _lower_keys(value: Any) -> Any:
    """viper lower-cases every key; so do we (``secretGroup`` == ``secretgroup``)."""
    if isinstance(value, dict):
        return {str(k).lower(): _lower_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(v) for v in value]
    return value


def _gl_allowlist(data: object, where: str, source: str) -> tuple[Allowlist, tuple[str, ...]]:
    if not isinstance(data, dict):
        raise ConfigError(f"{where} must be a table", path=source)
    target = str(data.get("regextarget", "secret")).lower()
    if target not in ("secret", "match", "line"):
        raise ConfigError(f"{where}: regexTarget must be secret, match or line", path=source)
    condition = str(data.get("condition", "OR")).upper()
    condition = {"||": "OR", "&&": "AND"}.get(condition, condition)
    if condition not in ("OR", "AND"):
        raise ConfigError(f"{where}: condition must be OR or AND", path=source)
    regexes = tuple(
        translate_go_regex(r, f"{where} regex", source)
        for r in _str_list(data.get("regexes"), f"{where}.regexes", source)
    )
    paths = tuple(
        translate_go_regex(r, f"{where} path", source)
        for r in _str_list(data.get("paths"), f"{where}.paths", source)
    )
    allowlist = _allowlist(data, where, source, regexes, paths, target, condition)
    return allowlist, _str_list(data.get("targetrules"), f"{where}.targetRules", source)


def _gl_allowlists(
    table: Mapping[str, Any], where: str, source: str
) -> list[tuple[Allowlist, tuple[str, ...]]]:
    many = table.get("allowlists")
    one = table.get("allowlist")
    if many is not None and one is not None:
        raise ConfigError(
            f"{where}: use [[allowlists]] or the legacy [allowlist], not both", path=source
        )
    raw = many if many is not None else ([one] if one is not None else [])
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: allowlists must be an array of tables", path=source)
    return [_gl_allowlist(a, f"{where} allowlist {n}", source) for n, a in enumerate(raw, start=1)]


def _gl_rule(data: object, number: int, source: str) -> Rule | None:
    if not isinstance(data, dict):
        raise ConfigError(f"[[rules]] entry {number} must be a table", path=source)
    rule_id = data.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise ConfigError(f"[[rules]] entry {number} has no id", path=source)
    where = f"rule {rule_id}"
    if data.get("required"):
        raise ConfigError(
            f"{where}: composite rules ([[rules.required]]) are not supported", path=source
        )
    if data.get("skipreport"):
        return None
    regex = data.get("regex", "")
    path = data.get("path")
    if not isinstance(regex, str) or (path is not None and not isinstance(path, str)):
        raise ConfigError(f"{where}: regex and path must be strings", path=source)
    if not regex and not path:
        raise ConfigError(f"{where}: a rule needs a regex or a path", path=source)
    py_regex = translate_go_regex(regex, where, source) if regex else ""
    py_path = translate_go_regex(path, f"{where} path", source) if path else None
    group = data.get("secretgroup", 0)
    if not isinstance(group, int) or isinstance(group, bool) or group < 0:
        raise ConfigError(f"{where}: secretGroup must be a non-negative integer", path=source)
    groups = re.compile(py_regex).groups if py_regex else 0
    if group > groups:
        raise ConfigError(
            f"{where}: secretGroup {group} but the regex has {groups} groups", path=source
        )
    entropy = data.get("entropy", 0.0)
    if not isinstance(entropy, (int, float)) or isinstance(entropy, bool):
        raise ConfigError(f"{where}: entropy must be a number", path=source)
    allowlists = tuple(a for a, _targets in _gl_allowlists(data, where, source))
    return Rule(
        id=rule_id,
        description=str(data.get("description") or rule_id),
        regex=py_regex,
        keywords=tuple(
            k.lower() for k in _str_list(data.get("keywords"), f"{where}.keywords", source)
        ),
        # gitleaks: secretGroup 0 means the first non-empty group when the regex has groups
        secret_group=group if group or not groups else -1,
        entropy=float(entropy),
        allowlists=allowlists,
        path=py_path,
        tags=_str_list(data.get("tags"), f"{where}.tags", source),
    )


def load_gitleaks_toml(path: Path, *, _depth: int = 0) -> ScanConfig:
    """A gitleaks (or Betterleaks) TOML config as a ScanConfig.

    Without ``[extend] useDefault = true`` (or ``path``) a gitleaks config replaces the
    default rules, and so it does here: only its own rules run.
    """
    source = str(path)
    data = _load_toml(path)
    extend = data.get("extend") or {}
    if not isinstance(extend, dict):
        raise ConfigError("[extend] must be a table", path=source)
    if extend.get("url"):
        raise ConfigError(
            "[extend] url is not supported (gitleaks does not implement it either)", path=source
        )
    use_default = bool(extend.get("usedefault", False))
    base: ScanConfig | None = None
    if extend.get("path"):
        if use_default:
            raise ConfigError("[extend]: set useDefault or path, not both", path=source)
        if _depth >= 2:
            raise ConfigError("[extend] path: too many levels (gitleaks allows 2)", path=source)
        base_path = Path(str(extend["path"]))
        if not base_path.is_absolute():
            beside = path.parent / base_path
            base_path = beside if beside.exists() else Path.cwd() / base_path
        base = load_gitleaks_toml(base_path, _depth=_depth + 1)
    rules_raw = data.get("rules") or []
    if not isinstance(rules_raw, list):
        raise ConfigError("[[rules]] must be an array of tables", path=source)
    rules = [
        r for n, raw in enumerate(rules_raw, start=1) if (r := _gl_rule(raw, n, source)) is not None
    ]
    by_id = {r.id: r for r in rules}
    allowlists: list[Allowlist] = []
    targeted: list[tuple[str, Allowlist]] = []
    for allowlist, targets in _gl_allowlists(data, "global", source):
        if not targets:
            allowlists.append(allowlist)
            continue
        for target in targets:
            if target in by_id:
                rule = by_id[target]
                by_id[target] = replace(rule, allowlists=(*rule.allowlists, allowlist))
            else:
                targeted.append((target, allowlist))
    config = ScanConfig(
        use_default_rules=use_default,
        rules=tuple(by_id.values()),
        disabled_rules=frozenset(
            _str_list(extend.get("disabledrules"), "[extend] disabledRules", source)
        ),
        allowlists=tuple(allowlists),
        targeted=tuple(targeted),
    )
    if base is not None:
        merged = base.merged(config)
        return replace(merged, use_default_rules=base.use_default_rules)
    return config


# --- Go RE2 -> Python re ----------------------------------------------------------------

_POSIX = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7F",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1F\\x7F",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_FLAG_DIRECTIVE = re.compile(r"\(\?([imsU]*(?:-[imsU]*)?)\)")
_FLAG_GROUP = re.compile(r"\(\?([imsU]*(?:-[imsU]*)?):")
_NAMED = re.compile(r"\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>")


class _Frame:
    def __init__(self, opener: str) -> None:
        self.opener = opener
        self.alts: list[str] = []
        self.cur: list[str] = []
        self.flag_spans: list[str] = []  # active mid-group flag directives, outermost first
        self.span_starts: list[int] = []

    def close_alternative(self) -> None:
        cur = self.cur
        for flags, start in reversed(list(zip(self.flag_spans, self.span_starts, strict=True))):
            cur = [*cur[:start], f"(?{flags}:" + "".join(cur[start:]) + ")"]
        self.alts.append("".join(cur))
        self.cur = []
        self.span_starts = [0 for _ in self.flag_spans]

    def body(self) -> str:
        self.close_alternative()
        return "|".join(self.alts)


def _unsupported(where: str, construct: str, source: str | None, hint: str) -> ConfigError:
    return ConfigError(
        f"{where}: the regex uses {construct}, which Python's re cannot run",
        path=source,
        hint=hint,
    )


def translate_go_regex(pattern: str, where: str = "regex", source: str | None = None) -> str:
    """Translate a Go RE2 pattern to Python ``re`` syntax, or raise a ConfigError."""
    stack = [_Frame("")]
    i = 0
    n = len(pattern)
    at_start = True  # only flag directives seen so far: Python accepts global flags here
    while i < n:
        ch = pattern[i]
        frame = stack[-1]
        if ch == "\\":
            token, i = _translate_escape(pattern, i, where, source)
            frame.cur.append(token)
            at_start = False
            continue
        if ch == "[":
            token, i = _translate_class(pattern, i, where, source)
            frame.cur.append(token)
            at_start = False
            continue
        if ch == "(":
            directive = _FLAG_DIRECTIVE.match(pattern, i)
            if directive:
                flags = directive.group(1)
                if "U" in flags:
                    raise _unsupported(
                        where,
                        "the (?U) ungreedy flag",
                        source,
                        "use lazy quantifiers like *? instead",
                    )
                if at_start and len(stack) == 1 and "-" not in flags:
                    frame.cur.append(directive.group(0))
                else:
                    frame.flag_spans.append(flags)
                    frame.span_starts.append(len(frame.cur))
                i = directive.end()
                continue
            at_start = False
            group = _FLAG_GROUP.match(pattern, i)
            if group:
                if "U" in group.group(1):
                    raise _unsupported(
                        where,
                        "the (?U) ungreedy flag",
                        source,
                        "use lazy quantifiers like *? instead",
                    )
                stack.append(_Frame(group.group(0)))
                i = group.end()
                continue
            named = _NAMED.match(pattern, i)
            if named:
                stack.append(_Frame(f"(?P<{named.group(1)}>"))
                i = named.end()
                continue
            if pattern.startswith("(?", i) and not pattern.startswith(
                ("(?:", "(?=", "(?!", "(?<=", "(?<!"), i
            ):
                raise _unsupported(
                    where, f"the group syntax {pattern[i : i + 4]!r}", source, "see Go RE2 syntax"
                )
            opener = "("
            for special in ("(?:", "(?=", "(?!", "(?<=", "(?<!"):
                if pattern.startswith(special, i):
                    opener = special
                    break
            stack.append(_Frame(opener))
            i += len(opener)
            continue
        if ch == ")":
            if len(stack) == 1:
                raise ConfigError(f"{where}: unbalanced ')' at position {i}", path=source)
            closed = stack.pop()
            stack[-1].cur.append(closed.opener + closed.body() + ")")
            i += 1
            continue
        if ch == "|":
            frame.close_alternative()
            i += 1
            at_start = False
            continue
        frame.cur.append(ch)
        at_start = False
        i += 1
    if len(stack) != 1:
        raise ConfigError(f"{where}: missing ')'", path=source)
    result = stack[0].body()
    try:
        re.compile(result)
    except re.error as error:
        raise ConfigError(
            f"{where}: the regex does not compile with Python's re ({error})",
            path=source,
            hint="Go RE2 and Python re differ; rewrite the construct at that position",
        ) from None
    return result


def _translate_escape(pattern: str, i: int, where: str, source: str | None) -> tuple[str, int]:
    if i + 1 >= len(pattern):
        raise ConfigError(f"{where}: trailing backslash", path=source)
    nxt = pattern[i + 1]
    if nxt == "z":
        return "\\Z", i + 2
    if nxt in "pP":
        raise _unsupported(
            where,
            f"the Unicode class \\{nxt}{pattern[i + 2 : i + 5]}...",
            source,
            "use an explicit class such as [A-Za-z] or [^\\W\\d_] for letters",
        )
    if nxt == "C":
        raise _unsupported(where, "\\C (any byte)", source, "use . instead")
    if nxt == "Q":
        end = pattern.find("\\E", i + 2)
        literal = pattern[i + 2 :] if end < 0 else pattern[i + 2 : end]
        return re.escape(literal), (len(pattern) if end < 0 else end + 2)
    if nxt == "x" and i + 2 < len(pattern) and pattern[i + 2] == "{":
        close = pattern.find("}", i + 3)
        if close < 0:
            raise ConfigError(f"{where}: unterminated \\x{{...}}", path=source)
        code = int(pattern[i + 3 : close], 16)
        return f"\\U{code:08x}", close + 1
    return pattern[i : i + 2], i + 2


def _translate_class(pattern: str, i: int, where: str, source: str | None) -> tuple[str, int]:
    out = ["["]
    j = i + 1
    if j < len(pattern) and pattern[j] == "^":
        out.append("^")
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        out.append("\\]")
        j += 1
    while j < len(pattern):
        ch = pattern[j]
        if ch == "]":
            out.append("]")
            return "".join(out), j + 1
        if ch == "[" and pattern.startswith("[:", j):
            close = pattern.find(":]", j + 2)
            name = pattern[j + 2 : close] if close > 0 else ""
            if name.startswith("^"):
                raise _unsupported(
                    where, f"the negated POSIX class [:{name}:]", source, "use [^...] instead"
                )
            if name not in _POSIX:
                raise _unsupported(
                    where, f"the POSIX class [:{name}:]", source, "use an explicit range"
                )
            out.append(_POSIX[name])
            j = close + 2
            continue
        if ch == "[":
            out.append("\\[")
            j += 1
            continue
        if ch == "\\":
            token, j = _translate_escape(pattern, j, where, source)
            out.append(token)
            continue
        out.append(ch)
        j += 1
    raise ConfigError(f"{where}: missing ']'", path=source)
