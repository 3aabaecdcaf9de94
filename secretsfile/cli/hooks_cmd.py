"""``hooks install|uninstall``: a plain git pre-commit hook, without the pre-commit framework.

Registered by ``cli/scan.py`` with the scanner commands (the hook's fast entry point loads
only those).
"""

from __future__ import annotations

from pathlib import Path

import typer

from secretsfile.cli.quiet import say

hooks_app = typer.Typer(
    name="hooks",
    help="Install or remove a plain git pre-commit hook (without the pre-commit framework).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
)


def _repo_root() -> Path:
    from secretsfile.errors import UsageError
    from secretsfile.git.sources import find_repo_root

    root = find_repo_root(Path.cwd())
    if root is None:
        raise UsageError("not inside a git repository")
    return root


@hooks_app.command("install")
def hooks_install() -> int:
    """Install a git pre-commit hook that runs `scan --staged` and `check-encrypted --staged`.

    An existing hook is kept as pre-commit.legacy and still runs after ours.
    """
    from secretsfile.git.hooks import install

    change = install(_repo_root())
    say(f"secretsfile: {'installed' if change.changed else 'already installed:'} {change.hook}")
    if change.legacy is not None:
        say(f"secretsfile: the previous hook is kept as {change.legacy} and runs after ours")
    return 0


@hooks_app.command("uninstall")
def hooks_uninstall() -> int:
    """Remove the hook and restore the previous one (pre-commit.legacy), if any."""
    from secretsfile.git.hooks import uninstall

    change = uninstall(_repo_root())
    if not change.changed:
        say("secretsfile: no secretsfile hook installed; nothing changed")
    elif change.legacy is not None:
        say(f"secretsfile: removed the hook and restored the previous one at {change.legacy}")
    else:
        say(f"secretsfile: removed {change.hook}")
    return 0
