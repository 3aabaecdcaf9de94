"""Secret references in files and Python data: check (no key needed), render, resolve.

``check`` reads only the names and keys of the secrets (they are in clear in the
environment files), so it runs without any key, in CI or a pre-commit hook. ``render``
and ``resolve`` first validate against those names, then decrypt the environment once,
and only when at least one reference resolves.

Which environment: ``env``, else ``SECRETSFILE_ENV``, else ``default_env``, else the only
one. ``check`` without ``env`` or ``SECRETSFILE_ENV`` checks every configured environment
(``default_env`` aside): a template is rendered for each of them, and a pre-commit hook
should catch a secret missing in prod while you work in dev.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import replace  # Problem and Reference are dataclasses
from pathlib import Path
from typing import Any

from secretsfile._fileio import read_text
from secretsfile.config.project import Environment, ProjectConfig
from secretsfile.core.record import Record, field
from secretsfile.errors import ConfigError, KeyUnavailableError, UsageError
from secretsfile.ops.secrets import environment_shapes, policy, read_secrets
from secretsfile.secrets.model import Secret
from secretsfile.secrets.placing import Typed
from secretsfile.secrets.references import (
    LEVEL_ENV_VAR,
    Problem,
    Reference,
    Shapes,
    ValidationLevel,
    find_references,
    format_for_template,
    parse_level,
    render_text,
    validate,
)
from secretsfile.secrets.variables import export_problem

__all__ = [
    "CheckReport",
    "check_envs",
    "check_files",
    "configured_files",
    "environment_shapes",
    "export_references",
    "export_shape_problems",
    "render_file",
    "render_string",
    "resolve",
    "validation_level",
]

ConfigArg = ProjectConfig | None  # the caller's project (looked up by the entry point)


def _config(config: ConfigArg) -> ProjectConfig:
    """None: no project (ops never looks one up; the CLI and ``secretsfile.resolve`` do)."""
    return config if config is not None else ProjectConfig(None, Path.cwd())


def validation_level(level: str | ValidationLevel | None = None) -> ValidationLevel:
    """``level``, else ``SECRETSFILE_SECRET_VALIDATION_LEVEL``, else SECRET_AND_KEY_EXISTS."""
    if isinstance(level, ValidationLevel):
        return level
    return parse_level(level if level else os.environ.get(LEVEL_ENV_VAR))


def check_envs(config: ProjectConfig, env: str | None) -> list[Environment]:
    name = env or os.environ.get("SECRETSFILE_ENV")
    if name:
        return [config.environment(name)]
    if not config.environments:
        raise ConfigError("no environments configured", hint="run 'secretsfile init'")
    return list(config.environments)


def configured_files(config: ProjectConfig) -> list[Path]:
    """The files named by ``references:`` in ``.secretsfile.yaml`` (globs from the root)::

        references: [config/*.yaml, deploy/**/*.json]     # or: references: {files: [...]}
    """
    raw = config.raw.get("references")
    if isinstance(raw, Mapping):
        raw = raw.get("files")
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise ConfigError("references must be a list of file patterns",
                          path=str(config.path) if config.path else None)
    found: list[Path] = []
    for pattern in raw:
        for path in sorted(config.root.glob(pattern)):
            if path.is_file() and path not in found:
                found.append(path)
    return found


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class CheckReport(Record):
    """What ``check`` found: problems as (file shown to the user, problem). A ``Record``, not
    a dataclass: the ``secretsfile-check`` hook's start-up (issue 14)."""

    level: ValidationLevel
    envs: tuple[str, ...] = ()
    files: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # binary files
    references: int = 0
    problems: list[tuple[str, Problem]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        return [problem.line_text(path) for path, problem in self.problems]

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "level": self.level.value, "envs": list(self.envs),
                "files": self.files, "skipped": self.skipped, "references": self.references,
                "problems": [problem.as_dict(path) for path, problem in self.problems]}


def check_files(paths: list[Path] | None = None, *, env: str | None = None,
                level: str | ValidationLevel | None = None,
                config: ConfigArg = None) -> CheckReport:
    """Validate every reference of ``paths`` (default: ``references:`` in the config, and
    the environments' ``exports:``) against the environment(s), without decrypting."""
    chosen = validation_level(level)
    cfg = _config(config)
    files = list(paths) if paths else configured_files(cfg)
    report = CheckReport(chosen)
    envs: list[tuple[Environment | None, Shapes | None]] = [(None, None)]
    if chosen is not ValidationLevel.NONE:
        environments = check_envs(cfg, env)
        envs = [(e, environment_shapes(cfg, e)) for e in environments]
        report.envs = tuple(e.name for e in environments)
    rules = policy(cfg)
    seen: set[tuple[str, int, int, str]] = set()
    for path in files:
        shown = _display(path)
        text = read_text(path)
        if "\x00" in text:
            report.skipped.append(shown)
            continue
        report.files.append(shown)
        refs = find_references(text)
        report.references += sum(1 for r in refs if r.kind in ("ref", "broken"))
        for environment, shapes in envs:
            name = environment.name if environment else None
            _collect(report, seen, shown,
                     validate(refs, shapes, level=chosen, policy=rules, env=name))
    if not paths and cfg.path is not None:
        for environment, shapes in envs:
            for exported in (environment,) if environment else cfg.environments:
                refs = export_references(cfg, exported)
                report.references += len(refs)
                _collect(report, seen, _display(cfg.path), export_shape_problems(cfg, exported))
                _collect(report, seen, _display(cfg.path), validate(
                    refs, shapes, level=chosen, policy=rules,
                    env=environment.name if environment else None))
    report.problems.sort(key=lambda item: (item[0], item[1].reference.line,
                                           item[1].reference.column))
    return report


def _collect(report: CheckReport, seen: set[tuple[str, int, int, str]], shown: str,
             problems: list[Problem]) -> None:
    for problem in problems:
        if problem.code == "broken":
            problem = replace(problem, env=None)
        ref = problem.reference
        key = (shown, ref.line, ref.column, problem.message)
        if key not in seen:
            seen.add(key)
            report.problems.append((shown, problem))


def _exports_placed(config: ProjectConfig, env: Environment
                    ) -> list[tuple[str, str, int, int]]:
    """(variable, template, line, column) of each ``environments.<env>.exports`` entry: the
    entry's line in the config file (found by the variable's name; flow style too), else
    the environment's line."""
    if not env.exports or config.path is None:
        return []
    lines = read_text(config.path).splitlines()

    def key(name: str) -> re.Pattern[str]:
        quoted = rf"['\"]{re.escape(name)}['\"]" if not name or "\n" in name else \
            rf"['\"]?{re.escape(name)}['\"]?"
        return re.compile(rf"(?:^|[\s{{,]){quoted}\s*:")

    header = next((i for i, line in enumerate(lines) if key(env.name).search(line)), None)
    found = []
    for variable, template in env.exports.items():
        pattern = key(variable)
        start = header or 0
        match, index = next(((m, i) for i in range(start, len(lines))
                             if (m := pattern.search(lines[i]))), (None, header))
        column = lines[index].find("{{", match.end()) + 1 if match and index is not None else 0
        found.append((variable, template, (index or 0) + 1, max(column, 1)))
    return found


def export_references(config: ProjectConfig, env: Environment) -> list[Reference]:
    """The references of the well-formed ``environments.<env>.exports`` entries (variable ->
    '{{ name.key }}'), placed at their line in the config file."""
    return [replace(ref, line=line, column=column + ref.column - 1)
            for variable, template, line, column in _exports_placed(config, env)
            if export_problem(variable, template) is None
            for ref in find_references(template)]


def export_shape_problems(config: ProjectConfig, env: Environment) -> list[Problem]:
    """The ``exports:`` entries ``run`` would refuse for their shape (a variable name that
    is none, not exactly one reference): the rule of ``secrets.variables.export_problem``."""
    problems = []
    for variable, template, line, column in _exports_placed(config, env):
        message = export_problem(variable, template)
        if message is not None:
            text = f"exports {variable!r}: {template.strip()!r}"
            ref = Reference("broken", variable, None, text, 0, 0, line, column, message)
            problems.append(Problem(ref, "bad-export", message, env.name))
    return problems


class _Resolver:
    """One environment's references: names and keys without a key, values decrypted once."""

    def __init__(self, config: ConfigArg, env: str | None) -> None:
        self.config = _config(config)
        self.env = self.config.choose(env)
        self.shapes = environment_shapes(self.config, self.env)
        self.policy = policy(self.config)
        self._secrets: dict[str, Secret] | None = None

    def value(self, name: str, key: str | None) -> str:
        if self._secrets is None:
            try:
                self._secrets = read_secrets(self.config, self.env)
            except KeyUnavailableError as error:
                error.hint = f"{error.hint}; 'secretsfile check' needs no key"
                raise
        secret = self._secrets.get(name)
        if secret is None:  # changed since the names were read
            raise UsageError(f"secret {name!r} not found in {self.env.name}")
        try:
            text = secret.get(key)
        except KeyError as error:
            raise UsageError(str(error.args[0]) + f" in {self.env.name}") from None
        return Typed(text) if key is not None and key in secret.kinds else text

    def render(self, text: str, fmt: str, where: str | None) -> str:
        if "{{" not in text:
            return text
        return render_text(text, self.value, fmt=fmt, shapes=self.shapes, policy=self.policy,
                           env=self.env.name, path=where)


def render_string(text: str, *, env: str | None = None, fmt: str | None = None,
                  source: str | None = None, config: ConfigArg = None) -> str:
    """``text`` with its references replaced by the environment's values (see
    ``secretsfile.secrets.references`` for the grammar and the escaping per format)."""
    fmt = format_for_template(source, fmt)
    return _Resolver(config, env).render(text, fmt, source)


def render_file(path: Path, *, env: str | None = None, fmt: str | None = None,
                config: ConfigArg = None) -> str:
    """A template file rendered; nothing is written."""
    text = read_text(path)
    return render_string(text, env=env, fmt=format_for_template(path, fmt), source=_display(path),
                         config=config)


def resolve(obj: Any, env: str | None = None, *, config: ConfigArg = None) -> Any:
    """A copy of ``obj`` (dicts, lists, tuples, strings) with ``{{name.key}}`` references in
    its strings replaced by the environment's values; other objects are returned as they
    are. An object with ``get_secret_value()`` (pydantic ``SecretStr``) is resolved inside
    and rebuilt with the same type. A reference that does not resolve raises a
    ``UsageError`` (missing secret or key) or a ``FormatError`` (broken reference) naming
    where it is, never a value::

        settings = secretsfile.resolve({"url": "postgres://{{db.user}}:{{db.password}}@db"},
                                       env="prod")
    """
    resolver: _Resolver | None = None

    def text(value: str, where: str) -> str:
        nonlocal resolver
        if "{{" not in value:
            return value
        if resolver is None:
            resolver = _Resolver(config, env)
        return resolver.render(value, "text", where)

    def walk(node: Any, where: str) -> Any:
        if isinstance(node, str):
            return text(node, where)
        if isinstance(node, Mapping):
            return _rebuild_mapping(
                node, {k: walk(v, f"{where}.{k}" if where else str(k)) for k, v in node.items()})
        if isinstance(node, (list, tuple)):
            items = [walk(v, f"{where}[{i}]") for i, v in enumerate(node)]
            if type(node) in (list, tuple):
                return type(node)(items)
            if isinstance(node, tuple) and hasattr(node, "_fields"):  # a namedtuple
                return type(node)(*items)
            return items
        reveal = getattr(node, "get_secret_value", None)
        if callable(reveal):
            inner = reveal()
            if isinstance(inner, str) and "{{" in inner:
                return type(node)(text(inner, where))
        return node

    return walk(obj, "")


def _rebuild_mapping(original: Mapping[Any, Any], items: dict[Any, Any]) -> Any:
    if type(original) is dict:
        return items
    try:
        return type(original)(items)  # type: ignore[call-arg]
    except TypeError:
        return items

