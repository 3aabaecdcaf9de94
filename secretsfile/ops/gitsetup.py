"""``secretsfile git setup`` / ``git teardown``: wire the diff and merge drivers into a repo.

Setup writes three things, each only when missing or different:
- a marked block in ``.gitattributes``: ``<pattern> diff=secretsfile merge=secretsfile``
  for every environment file and creation-rule path (a ``path_regex`` becomes a glob
  when it can be one; otherwise the encrypted files it matches now are listed);
- ``.gitconfig.secretsfile`` (committed, reviewable): the driver definitions;
- ``include.path`` in the repository's own config, pointing at that file (git never
  takes config from a repository by itself, so everyone runs setup once per clone).

Teardown removes exactly those: the marked block (every other line, and the bytes around
it, stay), the driver file when it is still what setup wrote, the include entry. No
clean/smudge filter (ciphertext stays in the work tree) and no ``cachetextconv``.
git is handed in (``LocalConfig``): ops never runs git.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from secretsfile._fileio import locked, write_atomic
from secretsfile.config.project import ProjectConfig
from secretsfile.config.rules import rule_matches
from secretsfile.errors import ConfigError, UsageError
from secretsfile.ops.globs import literal_glob, regex_glob

DRIVER_FILE = ".gitconfig.secretsfile"
DRIVER_TEXT = """\
# secretsfile's git drivers, written by 'secretsfile git setup' (review changes to this file
# like code: git runs these commands). Each clone opts in with 'secretsfile git setup', which
# adds 'include.path = ../.gitconfig.secretsfile' to .git/config.
[diff "secretsfile"]
\ttextconv = secretsfile git textconv
[merge "secretsfile"]
\tname = secretsfile key-level merge
\tdriver = secretsfile merge driver %O %A %B %L %P
"""
ATTRIBUTES = "diff=secretsfile merge=secretsfile"
BEGIN = "# >>> secretsfile git setup: diff and merge drivers (secretsfile git teardown removes it)"
NEWLINE_FLAG = " [+newline]"  # setup added a line break to a last line that had none
END = "# <<< secretsfile git setup"


class LocalConfig(Protocol):
    """The repository's own config (``secretsfile.git.gitconfig``)."""

    def common_dir(self, root: Path) -> Path: ...
    def include_paths(self, root: Path) -> list[str]: ...
    def add_include(self, root: Path, value: str) -> None: ...
    def remove_include(self, root: Path, value: str) -> None: ...


@dataclass(frozen=True)
class Marked:
    pattern: str  # the .gitattributes pattern
    why: str  # where it comes from, for the output


@dataclass
class SetupResult:
    marked: list[Marked] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was not marked, and why
    attributes_changed: bool = False
    driver_written: bool = False
    include_added: bool = False

    @property
    def changed(self) -> bool:
        return self.attributes_changed or self.driver_written or self.include_added


@dataclass
class TeardownResult:
    attributes_changed: bool = False
    driver_removed: bool = False
    driver_kept: bool = False  # changed since setup wrote it: left alone
    include_removed: bool = False

    @property
    def changed(self) -> bool:
        return self.attributes_changed or self.driver_removed or self.include_removed


def _relative_dir(directory: Path, root: Path) -> str:
    try:
        rel = directory.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise UsageError(f"{directory} is outside the repository {root}",
                         hint="run 'secretsfile git setup' inside the project's repository"
                         ) from None
    return "" if rel == "." else rel


def _looks_encrypted(path: Path) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return b"ENC[AES256_GCM," in data and b"sops" in data


def _rule_patterns(config: ProjectConfig, root: Path, files: Sequence[str],
                   result: SetupResult) -> list[Marked]:
    marked: list[Marked] = []
    for number, rule in enumerate(config.creation_rules, start=1):
        name = f"creation rule {number}"
        if rule.path_regex is None:
            result.notes.append(f"{name} has no path_regex (it matches every file): not marked")
            continue
        base = _relative_dir(rule.source.parent, root)
        glob = regex_glob(rule.path_regex, base)
        if glob is not None:
            marked.append(Marked(glob, f"{name}, path_regex {rule.path_regex!r} as a glob"))
            continue
        found = [f for f in files if rule_matches(rule, root / f) and _looks_encrypted(root / f)]
        why = (f"{name}: path_regex {rule.path_regex!r} is no glob, so the encrypted files it "
               f"matches now are listed (run setup again after adding files)")
        result.notes.append(why if found else f"{name}: path_regex {rule.path_regex!r} is no "
                            "glob and matches no encrypted file yet (run setup again later)")
        for path in found:
            pattern = literal_glob(path)
            if pattern is None:
                result.notes.append(f"{path}: a name with spaces cannot be marked")
            else:
                marked.append(Marked(pattern, f"{name} (matches now)"))
    return marked


def plan(config: ProjectConfig, root: Path, files: Sequence[str]) -> SetupResult:
    """What setup would mark: ``files`` are the repository's files (root-relative)."""
    result = SetupResult()
    marked: list[Marked] = []
    for env in config.environments:
        path = config.env_path(env)
        rel = _relative_dir(path.parent, root)
        pattern = literal_glob(f"{rel}/{path.name}" if rel else path.name)
        if pattern is None:
            result.notes.append(f"environment {env.name}: a file name with spaces cannot be "
                                "marked")
        else:
            marked.append(Marked(pattern, f"environment {env.name}"))
    marked.extend(_rule_patterns(config, root, files, result))
    unique = {m.pattern: m for m in reversed(marked)}  # the first reason for each pattern
    result.marked = [m for m in marked if unique[m.pattern] is m]
    return result


def _read(path: Path) -> str:
    """The file as it is (no newline translation: teardown gives back the same bytes)."""
    return path.read_bytes().decode("utf-8", "surrogateescape")


def _block(patterns: Sequence[str], flag: str) -> str:
    lines = [BEGIN + flag, *(f"{pattern} {ATTRIBUTES}" for pattern in patterns), END]
    return "".join(line + "\n" for line in lines)


def _find_block(text: str, path: Path) -> tuple[int, int, bool] | None:
    """(start, end, newline added) of the marked block in ``text``, or None."""
    start = text.find(BEGIN)
    if start < 0 or (start > 0 and text[start - 1] != "\n"):
        return None
    end = text.find("\n" + END, start)
    if end < 0:
        raise ConfigError("the secretsfile block has no end line", path=str(path),
                          hint=f"restore the line {END!r} or delete the block by hand")
    end = text.find("\n", end + 1 + len(END))
    end = len(text) if end < 0 else end + 1
    first_line = text[start:text.find("\n", start)]
    return start, end, first_line.endswith(NEWLINE_FLAG)


def _write_attributes(root: Path, patterns: Sequence[str]) -> bool:
    path = root / ".gitattributes"
    with locked(path):
        text = _read(path) if path.exists() else ""
        found = _find_block(text, path)
        if found is not None:
            start, end, flag = found
            new = text[:start] + _block(patterns, NEWLINE_FLAG if flag else "") + text[end:]
        else:
            flag = bool(text) and not text.endswith("\n")
            new = text + ("\n" if flag else "") + _block(patterns, NEWLINE_FLAG if flag else "")
        if new == text:
            return False
        write_atomic(path, new)
    return True


def include_value(root: Path, git: LocalConfig) -> str:
    """The include.path value for the driver file, relative to the repository's config."""
    import os

    return Path(os.path.relpath(root.resolve() / DRIVER_FILE, git.common_dir(root))).as_posix()


def setup(config: ProjectConfig, root: Path, files: Sequence[str], git: LocalConfig
          ) -> SetupResult:
    """Mark the files, write the driver file, include it; each step only when needed."""
    result = plan(config, root, files)
    if not result.marked:
        raise UsageError("no environment file or creation rule to set up",
                         hint="run 'secretsfile init' or add creation_rules first")
    result.attributes_changed = _write_attributes(root, [m.pattern for m in result.marked])
    driver = root / DRIVER_FILE
    if not driver.exists():
        with locked(driver):
            write_atomic(driver, DRIVER_TEXT)
        result.driver_written = True
    elif driver.read_bytes() != DRIVER_TEXT.encode():
        # git reads an included file on every command: any line of it (core.fsmonitor,
        # core.sshCommand, ...) would run code here. Include only what we wrote.
        raise ConfigError(
            f"{DRIVER_FILE} is not the file secretsfile writes; including it would let its "
            "contents run commands in this repository",
            path=str(driver),
            hint="review it, delete it, and run 'secretsfile git setup' again",
        )
    value = include_value(root, git)
    if value not in git.include_paths(root):
        git.add_include(root, value)
        result.include_added = True
    return result


def teardown(root: Path, git: LocalConfig) -> TeardownResult:
    """Remove what setup added and nothing else."""
    result = TeardownResult()
    path = root / ".gitattributes"
    if path.exists():
        with locked(path):
            text = _read(path)
            found = _find_block(text, path)
            if found is not None:
                start, end, flag = found
                start -= 1 if flag and start > 0 else 0
                remaining = text[:start] + text[end:]
                if remaining:
                    write_atomic(path, remaining)
                else:
                    path.unlink()
                result.attributes_changed = True
    driver = root / DRIVER_FILE
    if driver.exists():
        if driver.read_text(encoding="utf-8") == DRIVER_TEXT:
            driver.unlink()
            result.driver_removed = True
        else:
            result.driver_kept = True
    value = include_value(root, git)
    if value in git.include_paths(root):
        git.remove_include(root, value)
        result.include_removed = True
    return result
