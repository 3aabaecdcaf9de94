"""Scanner commands (scan, check-encrypted, hooks). Filled in by the scanner work (issue 4)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the scanner commands to the app."""
