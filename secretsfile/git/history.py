"""When each named secret was created and last changed, from the file's git history.

Read from the object database (nothing checked out, no key needed): a secret's ciphertext
only changes when its value does (unchanged values keep their ciphertext), so comparing
the encrypted entries commit by commit dates every change. Two git processes in all:
``git log`` for the commits, ``git cat-file --batch`` for every version of the file.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from secretsfile.git.run import GitError, run_git

_MAX_COMMITS = 500


@dataclass(frozen=True)
class Dates:
    created: _dt.datetime
    updated: _dt.datetime


def secret_dates(path: Path) -> dict[str, Dates]:
    """name -> (first commit with it, last commit that changed it); {} outside a repo."""
    from secretsfile.git.sources import find_repo_root

    root = find_repo_root(path)
    if root is None:
        return {}
    relative = path.resolve().relative_to(root.resolve()).as_posix()
    dates: dict[str, Dates] = {}
    previous: dict[str, str] = {}
    for when, text in file_versions(root, relative, _MAX_COMMITS):
        entries = _entries(text, relative) if text is not None else {}
        for name, fingerprint in entries.items():
            if name not in dates:
                dates[name] = Dates(when, when)
            elif previous.get(name) != fingerprint:
                dates[name] = Dates(dates[name].created, when)
        previous = entries
    return dates


def file_versions(root: Path, relative: str, limit: int
                  ) -> Iterator[tuple[_dt.datetime, str | None]]:
    """(commit time, file text or None where the commit deleted it), oldest first, for the
    last ``limit`` commits that touched the file."""
    try:
        log = run_git(["log", f"--max-count={limit}", "--format=%H %cI", "--", relative], root)
    except GitError:
        return  # no commits yet, or not a repository
    commits = [line.split(" ", 1) for line in log.decode("ascii", "replace").splitlines()]
    commits.reverse()
    if not commits:
        return
    request = "".join(f"{sha}:{relative}\n" for sha, _ in commits).encode()
    blobs = _read_batch(run_git(["cat-file", "--batch"], root, stdin=request))
    for (_, when), blob in zip(commits, blobs, strict=True):
        yield _dt.datetime.fromisoformat(when), blob


def _read_batch(out: bytes) -> list[str | None]:
    """Parse ``git cat-file --batch`` output: a header line, then the object and a newline;
    ``<name> missing`` for objects that do not exist."""
    found: list[str | None] = []
    position = 0
    while position < len(out):
        end = out.index(b"\n", position)
        header = out[position:end].split(b" ")
        position = end + 1
        if header[-1] == b"missing" or len(header) < 3:
            found.append(None)
            continue
        size = int(header[2])
        found.append(out[position:position + size].decode("utf-8", "replace"))
        position += size + 1
    return found


def _entries(text: str, name: str) -> dict[str, str]:
    """Top-level entries of an encrypted file as comparable text (ciphertext, no key)."""
    from secretsfile.errors import SecretsfileError
    from secretsfile.stores import format_for_path, load_documents, split_metadata

    try:
        docs, _ = split_metadata(load_documents(text, format_for_path(name), name),
                                 format_for_path(name))
    except SecretsfileError:
        return {}
    if not docs:
        return {}
    return {str(key): repr(value) for key, value in docs[0].items() if isinstance(key, str)}
