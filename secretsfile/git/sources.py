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
    from collections.abc import Callable
    from pathlib import Path

    #: (the first bytes of a blob, its path) -> is it text (ours: scanner.sources.classify)
    TextTest = Callable[[bytes, int, str], bool]  # (head, whole size, path)

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
    """``git.blobs.staged_blobs``: each path's staged content by the index's object id;
    None only when the index has no file there (loaded on first use)."""
    from secretsfile.git import blobs

    return blobs.staged_blobs(root, paths)


def staged_text(root: StrPath, paths: Sequence[str], is_text: TextTest) -> list[AddedLines]:
    """``git.blobs.staged_text``: staged files git called binary, diffed again as text
    where ``is_text`` (loaded on first use)."""
    from secretsfile.git import blobs

    return blobs.staged_text(root, paths, is_text)


def history_text(root: StrPath, changes: Sequence[tuple[str, str]], is_text: TextTest
                 ) -> list[AddedLines]:  # fmt: skip
    """``git.blobs.history_text``: ``staged_text`` for (commit, path) sections."""
    from secretsfile.git import blobs

    return blobs.history_text(root, changes, is_text)


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
