"""The repository's own config (``git config --local``): the ``include.path`` entry that
``secretsfile git setup`` adds so the committed ``.gitconfig.secretsfile`` takes effect.

Handed to ``ops/gitsetup.py`` by the CLI as a ``LocalConfig`` (ops never runs git).
"""

from __future__ import annotations

from pathlib import Path

from secretsfile.git.run import GitError, run_git

__all__ = ["add_include", "common_dir", "include_paths", "remove_include"]


def common_dir(root: Path) -> Path:
    """The directory holding the repository's ``config`` (``.git`` for a plain clone)."""
    out = run_git(["rev-parse", "--git-common-dir"], root).decode("utf-8", "surrogateescape")
    return (root / out.strip()).resolve()


def include_paths(root: Path) -> list[str]:
    """Every ``include.path`` of the repository's own config."""
    try:
        out = run_git(["config", "--local", "--get-all", "include.path"], root)
    except GitError:  # exit 1: none set
        return []
    return [line for line in out.decode("utf-8", "surrogateescape").splitlines() if line]


def add_include(root: Path, value: str) -> None:
    run_git(["config", "--local", "--add", "include.path", value], root)


def remove_include(root: Path, value: str) -> None:
    """Remove the ``include.path`` entries equal to ``value`` (others stay)."""
    run_git(["config", "--local", "--fixed-value", "--unset-all", "include.path", value], root)
