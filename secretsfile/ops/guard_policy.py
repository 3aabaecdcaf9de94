"""Which files must be encrypted: the policy of ``check-encrypted`` and of every command
that refuses to write plaintext where secrets belong.

Read from .secretsfile.yaml (environments, creation rules, ``check_encrypted`` exceptions)
and .sops.yaml (creation rules), both found from the working directory upwards, else the
documented defaults. Creation rules are Go regexes (sops is Go): they go through the one
translator, ``core.goregex``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from secretsfile.core.goregex import translate_go_regex
from secretsfile.errors import ConfigError
from secretsfile.scanner.config import check_keys, str_list
from secretsfile.scanner.sources import glob_to_regex

if TYPE_CHECKING:
    from secretsfile.config.project import GuardSources

__all__ = ["DEFAULT_PATTERNS", "Policy", "build_policy", "load_policy", "read_exceptions"]

#: With no .secretsfile.yaml and no .sops.yaml: files under any ``secrets/`` directory with
#: a YAML/JSON/dotenv extension, and any ``*.enc.*`` / ``*.sops.*`` file.
DEFAULT_PATTERNS = (
    r"(?:^|/)secrets/[^/]+\.(?:yaml|yml|json|env)$",
    r"(?:^|/)[^/]+\.(?:enc|sops)\.[^/]+$",
)

#: Names that live beside secrets without being secrets: git placeholders and the tools'
#: own configs. With README files (``_README``) they need no exception inside a secrets
#: directory; anything else there (a ``.txt`` token, a ``.pem`` key) is a secret until the
#: config says otherwise. A creation rule that matches one of them still applies.
NON_SECRET_NAMES = frozenset(
    {".gitkeep", ".keep", ".gitignore", ".gitattributes",
     ".secretsfile.yaml", ".secretsfile.yml", ".sops.yaml"}
)  # fmt: skip
_README = re.compile(r"(?i)readme(?:\.(?:md|markdown|txt|rst|adoc))?")

#: The config section that lists files allowed to stay plaintext (see ``read_exceptions``).
EXCEPTIONS_SECTION = "check_encrypted"
_EXCEPTION_KEYS = frozenset({"exclude_paths"})

Rooted = tuple[Path, re.Pattern[str]]  # a regex searched in the path relative to the dir


def _search(rooted: Rooted, resolved: Path) -> bool:
    base, pattern = rooted
    try:
        relative = resolved.relative_to(base).as_posix()
    except ValueError:
        return False
    return pattern.search(relative) is not None


@dataclass(frozen=True)
class Policy:
    """Which files must be encrypted: exact environment files, path regexes (creation
    rules) and every file below the secrets directories, less the configured exceptions.

    Each regex is searched in the path relative to its base directory (the directory of
    the config file that declared it), as sops does for ``path_regex``.
    """

    files: frozenset[Path] = frozenset()  # resolved absolute paths
    patterns: tuple[Rooted, ...] = ()
    origin: str = "default"  # "default" or the config files it came from
    directories: frozenset[Path] = frozenset()  # resolved; every file below, at any depth
    exceptions: tuple[Rooted, ...] = ()  # never for environment files

    def requires(self, path: Path) -> bool:
        resolved = path.resolve()
        if resolved in self.files:
            return True  # the tool's own encrypted files: no exception can exempt them
        if any(_search(rooted, resolved) for rooted in self.exceptions):
            return False
        if any(_search(rooted, resolved) for rooted in self.patterns):
            return True
        return self._in_secrets_directory(resolved)

    def _in_secrets_directory(self, resolved: Path) -> bool:
        if resolved.name in NON_SECRET_NAMES or _README.fullmatch(resolved.name):
            return False
        return any(parent in self.directories for parent in resolved.parents)

    def required_files(self) -> list[Path]:
        return sorted(self.files)


def secrets_directories(environments: list[tuple[Path, str]]) -> frozenset[Path]:
    """The directories holding environment files (``secrets/`` after ``init``).

    A file directly in its project root names no directory: that would put every file
    of the project under the guard.
    """
    out: set[Path] = set()
    for base, file in environments:
        directory = (base / file).resolve().parent
        if directory != base.resolve():
            out.add(directory)
    return frozenset(out)


def read_exceptions(raw: Mapping[str, Any], source: Path | None) -> list[tuple[Path, str]]:
    """(base dir, glob) for each file the config allows to stay plaintext.

    ``check_encrypted: {exclude_paths: [...]}`` in .secretsfile.yaml: gitignore-like globs
    relative to the config's directory, the syntax of ``scan.exclude_paths``. A separate
    list on purpose: excluding a file from the credential scan must not let it be
    committed in plaintext.
    """
    section = raw.get(EXCEPTIONS_SECTION)
    if section is None or source is None:
        return []
    where = str(source)
    if not isinstance(section, dict):
        raise ConfigError(
            f"{EXCEPTIONS_SECTION} must be a mapping",
            path=where,
            hint=f"{EXCEPTIONS_SECTION}: {{exclude_paths: [secrets/README.md]}}",
        )
    check_keys(section, _EXCEPTION_KEYS, EXCEPTIONS_SECTION, where)
    globs = str_list(section.get("exclude_paths"), f"{EXCEPTIONS_SECTION}.exclude_paths", where)
    return [(source.parent, glob) for glob in globs if glob.strip("/")]


def build_policy(
    root: Path,
    environments: list[tuple[Path, str]],
    creation_rules: list[tuple[Path, str]],
    origin: list[str],
    exceptions: list[tuple[Path, str]] | None = None,
) -> Policy:
    """A policy from environment files (base dir, file), creation rules (base dir, regex)
    and exceptions (base dir, gitignore-like glob; see ``read_exceptions``).

    With neither environments nor rules, the documented default patterns apply, rooted at
    ``root`` (exceptions still apply).
    """
    excepted = tuple((base.resolve(), re.compile(glob_to_regex(glob)))
                     for base, glob in exceptions or ())  # fmt: skip
    if not environments and not creation_rules:
        return Policy(
            patterns=tuple((root.resolve(), re.compile(p)) for p in DEFAULT_PATTERNS),
            origin="default",
            exceptions=excepted,
        )
    files = frozenset((base / file).resolve() for base, file in environments)
    patterns = tuple(
        (
            base.resolve(),
            re.compile(translate_go_regex(regex, "creation_rules path_regex", str(base))),
        )
        for base, regex in creation_rules
    )
    return Policy(
        files=files,
        patterns=patterns,
        origin=", ".join(origin),
        directories=secrets_directories(environments),
        exceptions=excepted,
    )


def load_policy(sources: GuardSources, cwd: Path, repo: Path | None) -> tuple[Policy, Path]:
    """The policy for ``cwd`` from the configs the caller looked up (``sources``), and the
    project root: ``repo`` (the git repository holding ``cwd``, found by the caller), else
    the directory of the config that applies, else ``cwd``."""
    project, sops_path = sources.project, sources.sops_path
    environments = [(project.root, env.file) for env in project.environments]
    rules = [(r.source.parent, r.path_regex) for r in project.creation_rules if r.path_regex]
    origin = [str(project.path)] if project.path else []
    already = any(r.source == sops_path for r in project.creation_rules)
    if sops_path is not None and not already:  # both configs' rules count for the guard
        rules += [(r.source.parent, r.path_regex) for r in sources.sops_rules if r.path_regex]
    if sops_path is not None:
        origin.append(str(sops_path))
    root = repo or (project.root if project.path else (sops_path.parent if sops_path else cwd))
    exceptions = read_exceptions(project.raw, project.path)
    return build_policy(root, environments, rules, origin, exceptions), root
