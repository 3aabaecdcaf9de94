"""Git sources for the scanner: the working-tree listing, staged changes, history.

One git process each (``git.run``); history reads commits from the object database with
``git log -p`` (or ``git diff-tree --stdin`` for one slice of the commits ``git rev-list``
lists, when worker processes share a long history): nothing is checked out.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from secretsfile._paths import nearest
from secretsfile.core.record import Record
from secretsfile.git.diff import COMMIT_MARKER, AddedLines, parse_patch
from secretsfile.git.run import GitError, git_env, run_git

TYPE_CHECKING = False  # typing stays unloaded at run time (the hook's start-up)
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path
    from typing import Any, NoReturn

    #: (the first bytes of a blob, its path) -> is it text (ours: scanner.sources.classify)
    TextTest = Callable[[bytes, str], bool]

    from secretsfile._fileio import StrPath

__all__ = [
    "GitError",
    "StagedChanges",
    "find_repo_root",
    "git_env",
    "history_added_lines",
    "history_added_lines_for",
    "history_commits",
    "history_text",
    "list_files",
    "repo_root",
    "staged_blobs",
    "staged_changes",
    "staged_paths",
    "staged_text",
]

# Flags that make diff output independent of the user's config.
_DIFF_FLAGS = (
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-relative",
    "-U0",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--find-renames",
)
# History adds: pinned like plumbing so ``git log -p`` and ``git diff-tree`` agree exactly.
_HISTORY_FLAGS = (
    *_DIFF_FLAGS,
    "--diff-algorithm=myers",
    "--root",
    "--full-history",
    "--diff-filter=ACMRTUXB",
    f"--format={COMMIT_MARKER.decode('ascii').replace(chr(0), '%x00')}%H",
)


def repo_root(start: StrPath) -> str | None:
    """The top-level directory of the repository containing ``start`` (resolved), or None.

    Honours ``GIT_WORK_TREE``/``GIT_DIR`` (set inside hooks); otherwise looks for a
    ``.git`` directory or file (worktrees, submodules) walking up, without running git.
    """
    work_tree = os.environ.get("GIT_WORK_TREE")
    if work_tree:
        return os.path.realpath(work_tree)
    found = nearest(start, (".git",), os.path.exists)
    return None if found is None else os.path.dirname(found)


def find_repo_root(start: StrPath) -> Path | None:
    """``repo_root`` as a Path (check-encrypted's guard works on Paths)."""
    root = repo_root(start)
    if root is None:
        return None
    from pathlib import Path  # here: a hook's scan uses repo_root and loads no pathlib

    return Path(root)


def list_files(root: StrPath, paths: Sequence[str] = ()) -> list[str]:
    """Tracked and untracked-but-not-ignored files (root-relative, '/'-separated)."""
    out = run_git(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--",
                   *paths], root)
    seen: set[str] = set()
    files: list[str] = []
    for raw in out.split(b"\0"):
        if not raw:
            continue
        name = raw.decode("utf-8", "surrogateescape")
        if name in seen:
            continue
        seen.add(name)
        files.append(name)
    return files


class StagedChanges(Record, frozen=True):
    added: list[AddedLines]  # per changed file, the added lines (maybe none)
    changed: frozenset[str]  # every path with a staged change, added lines or not


def staged_changes(root: StrPath, paths: Sequence[str] = ()) -> StagedChanges:
    """The added lines of the staged changes (``git diff --cached``), limited to ``paths``."""
    out = run_git(["diff", "--cached", *_DIFF_FLAGS, "--diff-filter=ACMRTUXB", "--", *paths], root)
    # Lines end at \n only, as git writes them: bytes.splitlines also breaks at a lone \r,
    # which would end the hunk early and hide the rest of its added lines from the scan.
    sections = [s for s in parse_patch(out.split(b"\n")) if s.path]
    return StagedChanges(sections, frozenset(s.path for s in sections))


def staged_blobs(root: StrPath, paths: Sequence[str]) -> dict[str, bytes | None]:
    """The staged (index) content of each path, read by the object id the index holds.

    None: the index has no file at that path (never added, removed, or a submodule). An
    unmerged path or an object git cannot read is a GitError naming the path: a caller
    must never take either for "nothing staged". Paths are never sent to git as text
    lines (a name may hold a newline or look like ``1:x``, an index stage)."""
    ids = _index_ids(root, paths)
    objects = _read_objects(root, ids)
    return {path: None if oid is None else objects[oid] for path, oid in ids.items()}


#: More paths than this are not put on git's command line: the whole index is listed.
_MAX_PATHSPECS = 1000


def _index_ids(root: StrPath, paths: Sequence[str]) -> dict[str, str | None]:
    """The object id of each path's staged entry (``git ls-files -s -z``), None if none."""
    ids: dict[str, str | None] = dict.fromkeys(paths)
    if not ids:
        return ids
    named = [p for p in ids if p] if len(ids) <= _MAX_PATHSPECS else []
    out = run_git(["ls-files", "-s", "-z", "--", *named], root)
    for entry in out.split(b"\0"):
        meta, _, raw = entry.partition(b"\t")
        name = raw.decode("utf-8", "surrogateescape")
        if not raw or name not in ids:
            continue
        mode, oid, stage = meta.decode("ascii").split(" ")
        if stage != "0":
            raise GitError("the file is unmerged: it has no staged content", path=name,
                           hint="resolve the conflict, then git add the file")  # fmt: skip
        if mode != "160000":  # a submodule's commit lives in another repository
            ids[name] = oid
    return ids


def _read_objects(root: StrPath, ids: dict[str, str | None]) -> dict[str, bytes]:
    """The objects ``ids`` (path -> object id) name, by id (``git cat-file --batch``)."""
    wanted = list(dict.fromkeys(oid for oid in ids.values() if oid is not None))
    if not wanted:
        return {}
    out = run_git(["cat-file", "--batch"], root, stdin="".join(f"{o}\n" for o in wanted).encode())
    objects: dict[str, bytes] = {}
    pos = 0
    for oid in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split(b" ")
        pos = end + 1
        if len(header) != 3 or header[0] != oid.encode():
            _unreadable(ids, oid)
        size = int(header[2])
        objects[oid] = out[pos : pos + size]
        pos += size + 1
    return objects


def _unreadable(ids: Mapping[Any, str | None], oid: str) -> NoReturn:
    key = next(k for k, o in ids.items() if o == oid)
    raise GitError("git cannot read this file's content", path=key if isinstance(key, str)
                   else key[-1], hint="run git fsck; git add the file again")  # fmt: skip


def staged_text(root: StrPath, paths: Sequence[str], is_text: TextTest) -> list[AddedLines]:
    """``git.binaries.staged_text`` (loaded here: a hook's scan rarely meets a binary)."""
    from secretsfile.git import binaries

    return binaries.staged_text(root, paths, is_text)


def history_text(root: StrPath, changes: Sequence[tuple[str, str]], is_text: TextTest
                 ) -> list[AddedLines]:  # fmt: skip
    """``git.binaries.history_text`` (loaded on first use)."""
    from secretsfile.git import binaries

    return binaries.history_text(root, changes, is_text)


def staged_paths(root: StrPath) -> list[str]:
    """Paths added, copied, modified or renamed in the index (what the next commit writes)."""
    out = run_git(
        ["diff", "--cached", "--name-only", "-z", "--no-renames", "--diff-filter=ACMRT"], root
    )
    return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]


def _revisions(root: StrPath, since: str | None, all_refs: bool) -> list[str] | None:
    """The revision arguments of a history read; None when there is no commit yet."""
    if not _resolves(root, "HEAD"):
        return None
    if all_refs:
        return ["--all"]
    if since:
        if not _resolves(root, since):
            raise GitError(f"unknown revision {since!r}", hint="give a commit, tag or branch")
        return [f"{since}..HEAD"]
    return ["HEAD"]


def history_commits(root: StrPath, *, since: str | None = None, all_refs: bool = False
                    ) -> list[str]:
    """The commits a history read covers (``since..HEAD``, or all refs), newest first:
    the order ``history_added_lines`` reads them in."""
    revisions = _revisions(root, since, all_refs)
    if revisions is None:
        return []
    out = run_git(["rev-list", "--full-history", *revisions, "--"], root)
    return out.decode("ascii").split()


def history_added_lines(
    root: StrPath, *, since: str | None = None, all_refs: bool = False
) -> Iterator[AddedLines]:
    """The added lines of every commit (``since..HEAD``, or all refs), newest first.

    Read from the object database by ``git log -p``; merge commits show no diff (their
    content arrived in the merged commits), as in gitleaks.
    """
    revisions = _revisions(root, since, all_refs)
    if revisions is None:
        return  # no commit yet
    yield from _stream(root, ["log", "-p", *_HISTORY_FLAGS, *revisions, "--"], None)


def history_added_lines_for(root: StrPath, commits: Sequence[str]) -> Iterator[AddedLines]:
    """The added lines of the given commits, in that order, exactly as
    ``history_added_lines`` reads them (``git diff-tree --stdin``: one process for a
    slice of a long history, so worker processes can share the diffing)."""
    if not commits:
        return
    feed = "".join(f"{c}\n" for c in commits).encode("ascii")
    yield from _stream(root, ["diff-tree", "--stdin", "-p", "-r", *_HISTORY_FLAGS], feed)


def _stream(root: StrPath, args: list[str], feed: bytes | None) -> Iterator[AddedLines]:
    """Run git and parse its patch output as it comes (``feed`` goes to its stdin)."""
    from secretsfile.git.pipe import git_output  # here: a hook's scan never streams

    with git_output(root, args, feed) as out:
        yield from (s for s in parse_patch(out) if s.path)


def _resolves(root: StrPath, revision: str) -> bool:
    try:
        run_git(["rev-parse", "--verify", "--quiet", "--end-of-options",
                 f"{revision}^{{commit}}"], root)
    except GitError:
        return False
    return True
