"""Every committed version of a file, with its commit: the reader behind ``history``,
``stale`` and ``secret list``'s dates (``ops/history.py`` compares the versions).

Read from the object database (nothing checked out, no key needed). Two git processes in
all: ``git log`` for the commits, ``git cat-file --batch`` for every version of the file.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from secretsfile.git.run import GitError, run_git

LIST_LIMIT = 500  # commits read for `secret list` dates
_SEPARATOR = "\x1f"  # between the fields of one log line (not in names or subjects)
_FORMAT = _SEPARATOR.join(("%H", "%P", "%aI", "%an", "%ae", "%s"))


@dataclass(frozen=True)
class Version:
    """One commit that touched the file, and the file's text there (None: deleted).
    ``parents``: the nearest ancestors that touched the file (git's parent rewriting)."""

    commit: str
    parents: tuple[str, ...]
    when: _dt.datetime  # author date, as ``git log`` shows it
    author: str
    email: str
    subject: str
    text: str | None


def repo_relative(path: Path) -> tuple[Path, str] | None:
    """(repository root, the path inside it) or None outside a repository."""
    from secretsfile.git.sources import find_repo_root

    root = find_repo_root(path)
    if root is None:
        return None
    try:
        return root, path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def versions_of(path: Path, limit: int | None = None) -> list[Version]:
    """Every committed version of ``path`` (oldest first; the last ``limit`` commits
    that touched it); [] outside a repository or before its first commit."""
    where = repo_relative(path)
    return [] if where is None else list(file_versions(where[0], where[1], limit))


def file_versions(root: Path, relative: str, limit: int | None
                  ) -> Iterator[Version]:
    """The versions of ``relative`` in the history of HEAD, oldest first, parents before
    children. Two git processes: ``git log`` and ``git cat-file --batch``."""
    args = ["log", "--topo-order", "--parents", f"--format={_FORMAT}"]
    if limit is not None:
        args.append(f"--max-count={limit}")
    try:
        log = run_git([*args, "--", relative], root)
    except GitError:
        return  # no commits yet, or not a repository
    commits = [line.split(_SEPARATOR, 5)
               for line in log.decode("utf-8", "replace").splitlines() if line]
    commits.reverse()
    if not commits:
        return
    request = "".join(f"{fields[0]}:{relative}\n" for fields in commits).encode()
    blobs = _read_batch(run_git(["cat-file", "--batch"], root, stdin=request))
    for fields, blob in zip(commits, blobs, strict=True):
        sha, parents, when, author, email, subject = fields
        yield Version(sha, tuple(parents.split()), _dt.datetime.fromisoformat(when),
                      author, email, subject, blob)


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
