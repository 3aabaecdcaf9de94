"""Which files must be encrypted: the policy of ``check-encrypted`` and of every command
that refuses to write plaintext where secrets belong.

Read from .secretsfile.yaml (environments, creation rules, ``check_encrypted`` exceptions)
and .sops.yaml (creation rules), both found from the working directory upwards, else the
documented defaults. Creation rules are Go regexes (sops is Go): they go through the one
translator, ``core.goregex``.
"""

from __future__ import annotations

import os
import re

from secretsfile._paths import is_within, normal_path
from secretsfile.core.pattern import Pattern
from secretsfile.core.record import Record
from secretsfile.errors import ConfigError

TYPE_CHECKING = False  # typing stays unloaded at run time (the hook's start-up, issue 14)
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any

    from secretsfile._fileio import StrPath
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
_README = Pattern(r"(?i)readme(?:\.(?:md|markdown|txt|rst|adoc))?")

#: The config section that lists files allowed to stay plaintext (see ``read_exceptions``).
EXCEPTIONS_SECTION = "check_encrypted"
_EXCEPTION_KEYS = frozenset({"exclude_paths"})

# a regex searched in the path relative to the dir (resolved, a str: no pathlib, issue 14)
Rooted = tuple[str, re.Pattern[str]]


def _search(rooted: Rooted, resolved: str) -> bool:
    base, pattern = rooted
    if not is_within(resolved, base):
        return False
    return pattern.search(os.path.relpath(resolved, base)) is not None


class Policy(Record, frozen=True):
    """Which files must be encrypted: exact environment files, path regexes (creation
    rules) and every file below the secrets directories, less the configured exceptions.

    Each regex is searched in the path relative to its base directory (the directory of
    the config file that declared it), as sops does for ``path_regex``. Paths are resolved
    absolute strs; ``requires`` takes a str or a Path.
    """

    files: frozenset[str] = frozenset()  # resolved absolute paths
    patterns: tuple[Rooted, ...] = ()
    origin: str = "default"  # "default" or the config files it came from
    directories: frozenset[str] = frozenset()  # resolved; every file below, at any depth
    exceptions: tuple[Rooted, ...] = ()  # never for environment files

    def requires(self, path: StrPath) -> bool:
        resolved = os.path.realpath(path)
        if resolved in self.files:
            return True  # the tool's own encrypted files: no exception can exempt them
        if any(_search(rooted, resolved) for rooted in self.exceptions):
            return False
        if any(_search(rooted, resolved) for rooted in self.patterns):
            return True
        return self._in_secrets_directory(resolved)

    def _in_secrets_directory(self, resolved: str) -> bool:
        name = os.path.basename(resolved)
        if name in NON_SECRET_NAMES or _README.fullmatch(name):
            return False
        if not self.directories:
            return False
        parent, current = os.path.dirname(resolved), resolved
        while parent != current:  # Path.parents: up to the root, the root included
            if parent in self.directories:
                return True
            parent, current = os.path.dirname(parent), parent
        return False

    def required_files(self) -> list[str]:
        """The environment files, in the order of their paths' components (Path order)."""
        return sorted(self.files, key=lambda file: file.split("/"))


def _parent(file: StrPath) -> str:
    """``str(Path(file).parent)`` without pathlib."""
    return os.path.dirname(normal_path(os.fspath(file))) or "."


def secrets_directories(environments: Sequence[tuple[StrPath, str]]) -> frozenset[str]:
    """The directories holding environment files (``secrets/`` after ``init``), resolved.

    A file directly in its project root names no directory: that would put every file
    of the project under the guard.
    """
    out: set[str] = set()
    for base, file in environments:
        directory = os.path.dirname(os.path.realpath(os.path.join(base, file)))
        if directory != os.path.realpath(base):
            out.add(directory)
    return frozenset(out)


def read_exceptions(raw: Mapping[str, Any], source: StrPath | None) -> list[tuple[str, str]]:
    """(base dir, glob) for each file the config allows to stay plaintext.

    ``check_encrypted: {exclude_paths: [...]}`` in .secretsfile.yaml: gitignore-like globs
    relative to the config's directory, the syntax of ``scan.exclude_paths``. A separate
    list on purpose: excluding a file from the credential scan must not let it be
    committed in plaintext.
    """
    section = raw.get(EXCEPTIONS_SECTION)
    if section is None or source is None:
        return []
    where = normal_path(os.fspath(source))
    if not isinstance(section, dict):
        raise ConfigError(
            f"{EXCEPTIONS_SECTION} must be a mapping",
            path=where,
            hint=f"{EXCEPTIONS_SECTION}: {{exclude_paths: [secrets/README.md]}}",
        )
    from secretsfile.scanner.config import check_keys, str_list  # a config lists exceptions

    check_keys(section, _EXCEPTION_KEYS, EXCEPTIONS_SECTION, where)
    globs = str_list(section.get("exclude_paths"), f"{EXCEPTIONS_SECTION}.exclude_paths", where)
    return [(_parent(source), glob) for glob in globs if glob.strip("/")]


def build_policy(
    root: StrPath,
    environments: Sequence[tuple[StrPath, str]],
    creation_rules: Sequence[tuple[StrPath, str]],
    origin: list[str],
    exceptions: Sequence[tuple[StrPath, str]] | None = None,
) -> Policy:
    """A policy from environment files (base dir, file), creation rules (base dir, regex)
    and exceptions (base dir, gitignore-like glob; see ``read_exceptions``).

    With neither environments nor rules, the documented default patterns apply, rooted at
    ``root`` (exceptions still apply).
    """
    excepted: tuple[Rooted, ...] = ()
    if exceptions:
        from secretsfile.scanner.sources import glob_to_regex

        excepted = tuple((os.path.realpath(base), re.compile(glob_to_regex(glob)))
                         for base, glob in exceptions)  # fmt: skip
    if not environments and not creation_rules:
        return Policy(
            patterns=tuple((os.path.realpath(root), re.compile(p)) for p in DEFAULT_PATTERNS),
            origin="default",
            exceptions=excepted,
        )
    if creation_rules:
        from secretsfile.core.goregex import translate_go_regex  # Go regexes: rules only
    files = frozenset(os.path.realpath(os.path.join(base, file)) for base, file in environments)
    patterns = tuple(
        (
            os.path.realpath(base),
            re.compile(translate_go_regex(regex, "creation_rules path_regex",
                                          normal_path(os.fspath(base)))),
        )
        for base, regex in creation_rules
    )  # fmt: skip
    return Policy(
        files=files,
        patterns=patterns,
        origin=", ".join(origin),
        directories=secrets_directories(environments),
        exceptions=excepted,
    )


def load_policy(sources: GuardSources, cwd: StrPath, repo: StrPath | None
                ) -> tuple[Policy, StrPath]:  # fmt: skip
    """The policy for ``cwd`` from the configs the caller looked up (``sources``), and the
    project root: ``repo`` (the git repository holding ``cwd``, found by the caller), else
    the directory of the config that applies, else ``cwd``."""
    project, sops_path = sources.project, sources.sops_path
    environments: list[tuple[StrPath, str]] = [
        (project.root_dir, env.file) for env in project.environments]
    rules: list[tuple[StrPath, str]] = [
        (_parent(r.file), r.path_regex) for r in project.creation_rules if r.path_regex]
    origin = [normal_path(os.fspath(project.file))] if project.file is not None else []
    if sops_path is not None:
        shown = normal_path(os.fspath(sops_path))
        if not any(normal_path(os.fspath(r.file)) == shown for r in project.creation_rules):
            # both configs' rules count for the guard
            rules += [(_parent(r.file), r.path_regex) for r in sources.sops_rules if r.path_regex]
        origin.append(shown)
    root = repo or (project.root_dir if project.file is not None
                    else (_parent(sops_path) if sops_path is not None else cwd))  # fmt: skip
    exceptions = read_exceptions(project.raw, project.file)
    return build_policy(root, environments, rules, origin, exceptions), root
