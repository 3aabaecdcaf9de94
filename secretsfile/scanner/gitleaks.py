"""gitleaks' (and Betterleaks') TOML config as a ``ScanConfig``: ``--config FILE.toml``.

Reads ``[[rules]]`` (id, description, regex, secretGroup, entropy, keywords, path, tags,
``[[rules.allowlists]]``), ``[[allowlists]]`` / ``[allowlist]`` (with ``targetRules``) and
``[extend] useDefault / path / disabledRules``. Regexes are Go RE2, translated by
``core.goregex`` (the translator the creation rules use too); what ``re`` cannot run is a
ConfigError that names the rule and the construct.
"""

from __future__ import annotations

import importlib
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from secretsfile.core.goregex import translate_go_regex
from secretsfile.core.record import replace
from secretsfile.errors import ConfigError
from secretsfile.scanner.config import ScanConfig, build_allowlist, checked_rule, str_list
from secretsfile.scanner.model import Allowlist, Rule

__all__ = ["load_gitleaks_toml"]



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
        for r in str_list(data.get("regexes"), f"{where}.regexes", source)
    )
    paths = tuple(
        translate_go_regex(r, f"{where} path", source)
        for r in str_list(data.get("paths"), f"{where}.paths", source)
    )
    allowlist = build_allowlist(data, where, source, regexes, paths, target, condition)
    return allowlist, str_list(data.get("targetrules"), f"{where}.targetRules", source)


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
    rule = Rule(
        id=rule_id,
        description=str(data.get("description") or rule_id),
        regex=py_regex,
        keywords=tuple(
            k.lower() for k in str_list(data.get("keywords"), f"{where}.keywords", source)
        ),
        # gitleaks: secretGroup 0 means the first non-empty group when the regex has groups
        secret_group=group if group or not groups else -1,
        entropy=float(entropy),
        allowlists=allowlists,
        path=py_path,
        tags=str_list(data.get("tags"), f"{where}.tags", source),
    )
    return checked_rule(rule, where, source)


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
            str_list(extend.get("disabledrules"), "[extend] disabledRules", source)
        ),
        allowlists=tuple(allowlists),
        targeted=tuple(targeted),
    )
    if base is not None:
        merged = base.merged(config)
        return replace(merged, use_default_rules=base.use_default_rules)
    return config
