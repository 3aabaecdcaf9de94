"""Git sources for the scanner: the working-tree listing, staged changes, history.

One git process each (``git.run``); history reads commits from the object database with
``git log -p``: nothing is checked out.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from secretsfile.git.diff import COMMIT_MARKER, AddedLines, parse_patch
from secretsfile.git.run import GitError, git_command, git_env, run_git

__all__ = [
    "GitError",
    "StagedChanges",
    "find_repo_root",
    "git_env",
    "history_added_lines",
    "list_files",
    "staged_blobs",
    "staged_changes",
    "staged_paths",
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
def find_repo_root(start: Path) -> Path | None:
    """The top-level directory of the repository containing ``start``, or None.

    Honours ``GIT_WORK_TREE``/``GIT_DIR`` (set inside hooks); otherwise looks for a
    ``.git`` directory or file (worktrees, submodules) walking up, without running git.
    """
    if os.environ.get("GIT_WORK_TREE"):
        return Path(os.environ["GIT_WORK_TREE"]).resolve()
    current = start.resolve()
    if current.is_file():
        current = current.parent
    while True:
        if (current / ".git").exists():
            return current
        if current.parent == current:
            return None
        current = current.parent


def list_files(root: Path, paths: Sequence[str] = ()) -> list[str]:
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


@dataclass(frozen=True)
class StagedChanges:
    added: list[AddedLines]  # per changed file, the added lines (maybe none)
    changed: frozenset[str]  # every path with a staged change, added lines or not


def staged_changes(root: Path, paths: Sequence[str] = ()) -> StagedChanges:
    """The added lines of the staged changes (``git diff --cached``), limited to ``paths``."""
    out = run_git(["diff", "--cached", *_DIFF_FLAGS, "--diff-filter=ACMRTUXB", "--", *paths], root)
    sections = [s for s in parse_patch(out.splitlines()) if s.path]
    return StagedChanges(sections, frozenset(s.path for s in sections))


def staged_blobs(root: Path, paths: Sequence[str]) -> dict[str, bytes | None]:
    """The staged (index) content of each path; None when the path is not in the index."""
    if not paths:
        return {}
    request = b"".join(b":" + p.encode("utf-8", "surrogateescape") + b"\n" for p in paths)
    out = run_git(["cat-file", "--batch"], root, stdin=request)
    result: dict[str, bytes | None] = {}
    pos = 0
    for path in paths:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) >= 2 and header[-1] == b"missing":
            result[path] = None
            continue
        size = int(header[2])
        result[path] = out[pos : pos + size]
        pos += size + 1
    return result


def staged_paths(root: Path) -> list[str]:
    """Paths added, copied, modified or renamed in the index (what the next commit writes)."""
    out = run_git(
        ["diff", "--cached", "--name-only", "-z", "--no-renames", "--diff-filter=ACMRT"], root
    )
    return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]


def history_added_lines(
    root: Path, *, since: str | None = None, all_refs: bool = False
) -> Iterator[AddedLines]:
    """The added lines of every commit (``since..HEAD``, or all refs), newest first.

    Read from the object database by ``git log -p``; merge commits show no diff (their
    content arrived in the merged commits), as in gitleaks.
    """
    if not _resolves(root, "HEAD"):
        return  # no commit yet
    revisions: list[str]
    if all_refs:
        revisions = ["--all"]
    elif since:
        if not _resolves(root, since):
            raise GitError(f"unknown revision {since!r}", hint="give a commit, tag or branch")
        revisions = [f"{since}..HEAD"]
    else:
        revisions = ["HEAD"]
    command = git_command(
        "log",
        "-p",
        *_DIFF_FLAGS,
        "--full-history",
        "--diff-filter=ACMRTUXB",
        f"--format={COMMIT_MARKER.decode('ascii').replace(chr(0), '%x00')}%H",
        *revisions,
        "--",
    )
    proc = subprocess.Popen(command, cwd=root, env=git_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    try:
        yield from (s for s in parse_patch(proc.stdout) if s.path)
    finally:
        proc.kill()
        proc.wait()


def _resolves(root: Path, revision: str) -> bool:
    try:
        run_git(["rev-parse", "--verify", "--quiet", "--end-of-options",
                 f"{revision}^{{commit}}"], root)
    except GitError:
        return False
    return True
