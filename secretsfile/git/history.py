"""When each named secret was created and last changed, from the file's git history.

Read from the object database with GitPython (nothing checked out, no key needed): a
secret's ciphertext only changes when its value does (unchanged values keep their
ciphertext), so comparing the encrypted entries commit by commit dates every change.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from pathlib import Path

_MAX_COMMITS = 500


@dataclass(frozen=True)
class Dates:
    created: _dt.datetime
    updated: _dt.datetime


def secret_dates(path: Path) -> dict[str, Dates]:
    """name -> (first commit with it, last commit that changed it); {} outside a repo."""
    try:
        import git
    except ImportError:  # pragma: no cover - GitPython is a dependency
        return {}
    try:
        repo = git.Repo(path.resolve().parent, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return {}
    if repo.working_tree_dir is None:
        return {}
    relative = path.resolve().relative_to(Path(repo.working_tree_dir).resolve()).as_posix()
    try:
        commits = list(repo.iter_commits(paths=relative, max_count=_MAX_COMMITS))
    except (git.GitCommandError, ValueError):
        return {}
    dates: dict[str, Dates] = {}
    previous: dict[str, str] = {}
    for commit in reversed(commits):
        try:
            blob = commit.tree / relative
        except KeyError:
            previous = {}
            continue
        entries = _entries(blob.data_stream.read().decode("utf-8", "replace"), relative)
        when = commit.committed_datetime
        for name, fingerprint in entries.items():
            if name not in dates:
                dates[name] = Dates(when, when)
            elif previous.get(name) != fingerprint:
                dates[name] = Dates(dates[name].created, when)
        previous = entries
    return dates


def _entries(text: str, name: str) -> dict[str, str]:
    """Top-level entries of an encrypted file as comparable text (ciphertext, no key)."""
    from secretsfile.errors import SecretsfileError
    from secretsfile.stores import format_for_path, load_documents, split_metadata

    try:
        docs, _ = split_metadata(load_documents(text, format_for_path(name), name),
                                 format_for_path(name))
    except SecretsfileError:
        return {}
    return {str(key): repr(value) for key, value in docs[0].items() if isinstance(key, str)}
