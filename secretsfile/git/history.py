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

from secretsfile.git.blobs import cat_objects
from secretsfile.git.run import GitError, run_git

LIST_LIMIT = 500  # commits read for `secret list` dates
# One record per commit, its fields and the records NUL-separated (``-z``): git cuts a
# message at its first NUL and no header field holds one, so no character of a subject,
# name or date can start a field or a record (splitlines broke at \x0b, \x1c, \x85, ...).
_FIELDS = ("%H", "%P", "%T", "%aI", "%an", "%ae", "%s")
_FORMAT = "%x00".join(_FIELDS)

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
    children. ``git log``, then ``git cat-file --batch`` by object id: one process per
    directory level of the path, and one for the file's blobs."""
    args = ["log", "-z", "--topo-order", "--parents", f"--format={_FORMAT}"]
    if limit is not None:
        args.append(f"--max-count={limit}")
    try:
        log = run_git([*args, "--", relative], root)
    except GitError:
        return  # no commits yet, or not a repository
    commits = _records(log, relative)
    commits.reverse()
    if not commits:
        return
    blobs = _blobs_at(root, [fields[2] for fields in commits], relative)
    for fields, blob in zip(commits, blobs, strict=True):
        sha, parents, _, when, author, email, subject = fields
        yield Version(sha, tuple(parents.split()), _date(when, sha, relative), author,
                      email, subject, blob)


def _records(log: bytes, relative: str) -> list[list[str]]:
    """``git log -z`` output as one list of fields per commit (newest first)."""
    parts = log.decode("utf-8", "replace").split("\0")
    if parts and parts[-1] == "":
        parts.pop()
    width = len(_FIELDS)
    records = [parts[i:i + width] for i in range(0, len(parts), width)]
    if any(len(r) != width or not _is_oid(r[0]) or not _is_oid(r[2]) for r in records):
        raise GitError(f"{relative}: git log gave records that do not parse",
                       hint="run git fsck: a commit object may be damaged")
    return records


def _is_oid(text: str) -> bool:
    return len(text) in (40, 64) and all(c in "0123456789abcdef" for c in text)


def _date(text: str, sha: str, relative: str) -> _dt.datetime:
    try:
        return _dt.datetime.fromisoformat(text)
    except ValueError:
        raise GitError(f"{relative}: commit {sha[:12]} has no readable author date",
                       hint="run git fsck: the commit object may be damaged") from None


def _blobs_at(root: Path, trees: list[str], relative: str) -> list[str | None]:
    """The text of ``relative`` in each root tree (None: not there, or not a file),
    found by object id one directory level at a time: a path is never sent to git as
    text, so a name with a newline cannot shift the answers."""
    found: list[str | None] = list(trees)
    size = len(trees[0]) // 2  # bytes of an object id in a tree (SHA-1 or SHA-256)
    names = relative.encode("utf-8", "surrogateescape").split(b"/")
    for depth, name in enumerate(names):
        objects = cat_objects(root, found)
        last = depth == len(names) - 1
        found = [_entry(objects.get(oid) if oid else None, name, last, size)
                 for oid in found]
    objects = cat_objects(root, found)
    texts = [objects.get(oid) if oid else None for oid in found]
    return [None if text is None else text.decode("utf-8", "replace") for text in texts]


def _entry(tree: bytes | None, name: bytes, blob: bool, size: int) -> str | None:
    """The object id of entry ``name`` of a tree object (a blob when ``blob``, a tree
    otherwise), or None (also for a tree git would not write)."""
    position = 0
    while tree is not None and position < len(tree):
        space = tree.find(b" ", position)
        nul = tree.find(b"\0", space + 1)
        end = nul + 1 + size
        if space < 0 or nul < 0 or end > len(tree):
            return None
        if tree[space + 1:nul] == name:
            mode = tree[position:space]
            wanted = mode.startswith((b"10", b"12")) if blob else mode == b"40000"
            return tree[nul + 1:end].hex() if wanted else None
        position = end
    return None
