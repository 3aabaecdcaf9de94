"""Git sources for the scanner: the working-tree listing, staged changes, history.

The hot paths (the working tree and staged changes, which the pre-commit hook uses) call
the ``git`` binary directly: one process each, no GitPython import. History goes through
GitPython (imported lazily, here only) and reads commits from the object database with
``git log -p``: nothing is checked out.

Environment: git sets ``GIT_INDEX_FILE`` (``git commit -a`` stages into a temporary
index), ``GIT_DIR`` and ``GIT_WORK_TREE`` for hooks, and those describe the repository we
must read, so they are kept. Variables that change diff output (external diff drivers,
diff options, pagers, tracing) are removed.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from secretsfile.errors import UsageError
from secretsfile.git.diff import COMMIT_MARKER, AddedLines, parse_patch

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

_DROPPED_ENV = (
    "GIT_EXTERNAL_DIFF",
    "GIT_DIFF_OPTS",
    "GIT_DIFF_PATH_COUNTER",
    "GIT_DIFF_PATH_TOTAL",
    "GIT_PAGER",
    "GIT_TRACE",
    "GIT_TRACE2",
    "GIT_TRACE2_EVENT",
    "GIT_TRACE2_PERF",
    "GIT_TRACE_PACKET",
    "GIT_TRACE_PERFORMANCE",
    "GIT_TRACE_SETUP",
    "GIT_FLUSH",
    "GIT_ICASE_PATHSPECS",
    "GIT_GLOB_PATHSPECS",
    "GIT_NOGLOB_PATHSPECS",
)
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
_CONFIG = (
    "-c",
    "core.quotepath=off",
    "-c",
    "diff.noprefix=false",
    "-c",
    "diff.mnemonicprefix=false",
)


class GitError(UsageError):
    """git failed or the directory is not a repository."""


def git_env() -> dict[str, str]:
    """The environment for our git calls (see the module docstring)."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    env["GIT_LITERAL_PATHSPECS"] = "1"  # a file named '*.py' means that file
    env.setdefault("LC_ALL", "C")
    return env


def _run(args: Sequence[str], cwd: Path, *, stdin: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(
            ["git", *_CONFIG, *args],
            cwd=cwd,
            env=git_env(),
            input=stdin,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH", hint="use --no-git") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        first = message[0] if message else f"exit code {done.returncode}"
        raise GitError(f"git {args[0]} failed: {first}")
    return done.stdout


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
    out = _run(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *paths], root)
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
    out = _run(["diff", "--cached", *_DIFF_FLAGS, "--diff-filter=ACMRTUXB", "--", *paths], root)
    sections = [s for s in parse_patch(out.splitlines()) if s.path]
    return StagedChanges(sections, frozenset(s.path for s in sections))


def staged_blobs(root: Path, paths: Sequence[str]) -> dict[str, bytes | None]:
    """The staged (index) content of each path; None when the path is not in the index."""
    if not paths:
        return {}
    request = b"".join(b":" + p.encode("utf-8", "surrogateescape") + b"\n" for p in paths)
    out = _run(["cat-file", "--batch"], root, stdin=request)
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
    out = _run(
        ["diff", "--cached", "--name-only", "-z", "--no-renames", "--diff-filter=ACMRT"], root
    )
    return [p.decode("utf-8", "surrogateescape") for p in out.split(b"\0") if p]


def history_added_lines(
    root: Path, *, since: str | None = None, all_refs: bool = False
) -> Iterator[AddedLines]:
    """The added lines of every commit (``since..HEAD``, or all refs), newest first.

    Read from the object database by ``git log -p`` through GitPython; merge commits show
    no diff (their content arrived in the merged commits), as in gitleaks.
    """
    try:
        import git  # GitPython, lazily: the only import of it in secretsfile
    except ImportError:  # pragma: no cover - a declared dependency
        raise GitError("history scans need GitPython (pip install gitpython)") from None
    try:
        repo = git.Repo(root)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise GitError("not a git repository", path=str(root)) from None
    if not repo.head.is_valid():
        return
    revisions: list[str]
    if all_refs:
        revisions = ["--all"]
    elif since:
        try:
            repo.rev_parse(since)
        except (git.BadName, ValueError):
            raise GitError(
                f"unknown revision {since!r}", hint="give a commit, tag or branch"
            ) from None
        revisions = [f"{since}..HEAD"]
    else:
        revisions = ["HEAD"]
    command = [
        "git",
        *_CONFIG,
        "log",
        "-p",
        *_DIFF_FLAGS,
        "--full-history",
        "--diff-filter=ACMRTUXB",
        f"--format={COMMIT_MARKER.decode('ascii').replace(chr(0), '%x00')}%H",
        *revisions,
        "--",
    ]
    process = repo.git.execute(command, as_process=True, env=git_env())
    proc = process.proc
    if proc is None or proc.stdout is None:  # pragma: no cover - GitPython contract
        raise GitError("git log did not start")
    try:
        yield from (s for s in parse_patch(proc.stdout) if s.path)
    finally:
        proc.kill()
        proc.wait()
