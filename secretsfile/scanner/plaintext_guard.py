"""Key-free check that a secrets file is encrypted: sops metadata present, no plaintext value.

A file passes when it carries sops metadata (a top-level ``sops`` mapping in YAML/JSON, a
``[sops]`` section in INI, ``sops_*`` keys in dotenv) with a ``mac`` and a ``version``,
and every leaf that the file's own selector says must be encrypted is either empty/null or
a string starting with ``ENC[AES256_GCM,``. The selector is the metadata's
``unencrypted_suffix`` (default ``_unencrypted``), ``encrypted_suffix``,
``unencrypted_regex`` or ``encrypted_regex``; like sops, a selector applies when ANY
component of the leaf's key path matches. Files using the comment selectors
(``*_comment_regex``) are checked for metadata only (comments are not parsed here).

Nothing here decrypts or needs a key, and nothing reports a value: only key paths.
"""

from __future__ import annotations

import configparser
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from secretsfile.core.cipher import ENC_PREFIX as ENC_VALUE_PREFIX
from secretsfile.core.tree import Selector, plaintext_paths, render_path

__all__ = ["GuardResult", "Selector", "check_bytes", "check_file", "file_format"]

ENC_PREFIX = ENC_VALUE_PREFIX


@dataclass(frozen=True)
class GuardResult:
    path: str
    encrypted: bool  # valid sops metadata was found
    plaintext: tuple[str, ...] = ()  # key paths like ["db"]["password"], never values
    problem: str | None = None  # why the file as a whole fails (no metadata, unparsable)

    @property
    def ok(self) -> bool:
        return self.encrypted and not self.plaintext and self.problem is None

    def messages(self) -> list[str]:
        out: list[str] = []
        if self.problem:
            out.append(self.problem)
        out.extend(f"plaintext value at {p}" for p in self.plaintext)
        return out


def file_format(name: str) -> str:
    """sops' choice by extension: yaml, json, dotenv, ini, else binary."""
    lower = name.lower()
    if lower.endswith((".yaml", ".yml")):
        return "yaml"
    if lower.endswith(".json"):
        return "json"
    if lower.endswith(".env"):
        return "dotenv"
    if lower.endswith(".ini"):
        return "ini"
    return "binary"


def check_file(path: Path, display: str | None = None) -> GuardResult:
    shown = display or path.as_posix()
    try:
        data = path.read_bytes()
    except OSError as error:
        return GuardResult(shown, False, problem=f"cannot read the file ({error.strerror})")
    return check_bytes(data, shown)


def check_bytes(data: bytes, display: str, fmt: str | None = None) -> GuardResult:
    """Judge a file's content; ``fmt`` defaults to the format its name implies."""
    fmt = fmt or file_format(display)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return GuardResult(
            display, False, problem="not encrypted (binary content, no sops metadata)"
        )
    if not text.strip():
        return GuardResult(display, False, problem="not encrypted (empty file, no sops metadata)")
    if fmt == "dotenv":
        return _check_dotenv(text, display)
    if fmt == "ini":
        return _check_ini(text, display)
    if fmt == "json":
        return _check_documents(_parse_json(text), display, "JSON")
    if fmt == "yaml":
        return _check_documents(_parse_yaml(text), display, "YAML")
    # binary store: sops writes JSON (or YAML with --output-type yaml) around the data, so
    # text that is neither is a plaintext file (a token in a .txt, a PEM key), not a typo
    parsed = _parse_json(text)
    if isinstance(parsed, str):
        parsed = _parse_yaml(text)
    if isinstance(parsed, str):
        return GuardResult(display, False, problem="not encrypted (no sops metadata)")
    return _check_documents(parsed, display, "JSON or YAML")


# --- parsing ----------------------------------------------------------------------------


def _parse_json(text: str) -> list[Any] | str:
    try:
        return [json.loads(text)]
    except json.JSONDecodeError as error:
        return f"not valid JSON (line {error.lineno})"
    except (ValueError, RecursionError):  # an integer over 4,300 digits, deep nesting
        return "not valid JSON (a number too long or nesting too deep)"


def _parse_yaml(text: str) -> list[Any] | str:
    """Read as sops reads it (go-yaml typing), by the reader the encrypted files use: the
    plain block YAML of encrypted files needs no PyYAML import on the hook path."""
    from secretsfile.errors import FormatError
    from secretsfile.stores import load_documents

    try:
        return list(load_documents(text, "yaml", "<guard>"))
    except FormatError as error:
        where = f" (line {error.line})" if error.line else ""
        return f"not valid YAML{where}"


# --- tree formats -----------------------------------------------------------------------


def _selector(meta: Mapping[str, Any]) -> Selector | str:
    from secretsfile.errors import ConfigError

    try:
        return Selector.from_fields(dict(meta), default_suffix=True)
    except ConfigError as error:
        return f"invalid sops metadata: {error.message}"


def _metadata_problem(meta: object) -> str | None:
    if not isinstance(meta, dict):
        return "not encrypted (no sops metadata)"
    mac = meta.get("mac")
    if not isinstance(mac, str) or not mac.startswith(ENC_PREFIX):
        return "invalid sops metadata (no encrypted mac)"
    if meta.get("version") in (None, ""):
        return "invalid sops metadata (no version)"
    return None


def _check_documents(parsed: list[Any] | str, display: str, kind: str) -> GuardResult:
    if isinstance(parsed, str):
        return GuardResult(display, False, problem=parsed)
    if not parsed:
        return GuardResult(display, False, problem="not encrypted (no sops metadata)")
    plaintext: list[str] = []
    for index, document in enumerate(parsed):
        prefix = f"document {index + 1}: " if len(parsed) > 1 else ""
        if not isinstance(document, dict):
            return GuardResult(display, False, problem=f"{prefix}not encrypted (no sops metadata)")
        meta = document.get("sops")
        problem = _metadata_problem(meta)
        if problem is not None:
            return GuardResult(display, False, problem=prefix + problem)
        assert isinstance(meta, dict)
        selector = _selector(meta)
        if isinstance(selector, str):
            return GuardResult(display, False, problem=prefix + selector)
        body = {k: v for k, v in document.items() if k != "sops"}
        plaintext += [prefix + render_path(p) for p in plaintext_paths(body, selector)]
    return GuardResult(display, True, tuple(plaintext))


# --- dotenv and INI ---------------------------------------------------------------------


def _check_dotenv(text: str, display: str) -> GuardResult:
    values: list[tuple[str, str]] = []
    meta: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        key, sep, value = line.partition("=")
        if not sep:
            continue
        key = key.strip()
        if key.startswith("sops_"):
            meta[key[len("sops_") :]] = value
        else:
            values.append((key, value))
    return _check_flat(values, meta, display)


def _check_ini(text: str, display: str) -> GuardResult:
    parser = configparser.ConfigParser(interpolation=None, strict=False, default_section="\0none")
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    try:
        parser.read_string(text)
    except configparser.Error as error:
        return GuardResult(display, False, problem=f"not valid INI ({type(error).__name__})")
    meta = dict(parser["sops"]) if parser.has_section("sops") else {}
    values = [
        (f"{section}:{key}", value)
        for section in parser.sections()
        if section != "sops"
        for key, value in parser[section].items()
    ]
    return _check_flat(values, meta, display, split=True)


def _check_flat(
    values: list[tuple[str, str]], meta: Mapping[str, str], display: str, split: bool = False
) -> GuardResult:
    if not meta:
        return GuardResult(display, False, problem="not encrypted (no sops metadata)")
    problem = _metadata_problem(dict(meta))
    if problem is not None:
        return GuardResult(display, False, problem=problem)
    selector = _selector(meta)
    if isinstance(selector, str):
        return GuardResult(display, False, problem=selector)
    tree: dict[str, Any] = {}
    for key, value in values:
        components = key.split(":", 1) if split else [key]
        node = tree
        for part in components[:-1]:
            node = node.setdefault(part, {})
        node[components[-1]] = value
    plaintext = [render_path(p) for p in plaintext_paths(tree, selector)]
    return GuardResult(display, True, tuple(plaintext))


# --- which files must be encrypted ------------------------------------------------------

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
    from secretsfile.scanner.config import check_keys as _check_keys
    from secretsfile.scanner.config import str_list as _str_list

    section = raw.get(EXCEPTIONS_SECTION)
    if section is None or source is None:
        return []
    where = str(source)
    if not isinstance(section, dict):
        from secretsfile.errors import ConfigError

        raise ConfigError(
            f"{EXCEPTIONS_SECTION} must be a mapping",
            path=where,
            hint=f"{EXCEPTIONS_SECTION}: {{exclude_paths: [secrets/README.md]}}",
        )
    _check_keys(section, _EXCEPTION_KEYS, EXCEPTIONS_SECTION, where)
    globs = _str_list(section.get("exclude_paths"), f"{EXCEPTIONS_SECTION}.exclude_paths", where)
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
    from secretsfile.core.goregex import translate_go_regex
    from secretsfile.scanner.sources import glob_to_regex

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
