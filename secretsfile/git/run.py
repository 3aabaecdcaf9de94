"""The one way secretsfile runs git: the ``git`` binary, one process per call, with an
environment and config overrides that make its output independent of the user's setup.

Environment: git sets ``GIT_INDEX_FILE`` (``git commit -a`` stages into a temporary
index), ``GIT_DIR`` and ``GIT_WORK_TREE`` for hooks, and those describe the repository we
must read, so they are kept. Variables that change diff output (external diff drivers,
diff options, pagers, tracing) are removed.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from secretsfile.errors import UsageError


class GitError(UsageError):
    """git failed or the directory is not a repository."""


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
_CONFIG = (
    "-c",
    "core.quotepath=off",
    "-c",
    "diff.noprefix=false",
    "-c",
    "diff.mnemonicprefix=false",
)


def git_command(*args: str) -> list[str]:
    """The argv of a git call with our config overrides."""
    return ["git", *_CONFIG, *args]


def git_env() -> dict[str, str]:
    """The environment for our git calls (see the module docstring)."""
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED_ENV}
    env["GIT_LITERAL_PATHSPECS"] = "1"  # a file named '*.py' means that file
    env.setdefault("LC_ALL", "C")
    return env


def run_git(args: Sequence[str], cwd: Path, *, stdin: bytes | None = None) -> bytes:
    """Run git with our environment and config overrides; its stdout, or a GitError."""
    try:
        done = subprocess.run(
            git_command(*args),
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


def run_git_status(args: Sequence[str], cwd: Path) -> int:
    """Run git with our environment and config overrides, its output passed through, and
    return its exit code (``git merge-file`` says how many conflicts it left that way)."""
    try:
        return subprocess.run(git_command(*args), cwd=cwd, env=git_env(), check=False).returncode
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
