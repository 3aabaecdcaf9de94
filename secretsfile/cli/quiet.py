"""The one quiet rule (``--quiet`` / ``SECRETSFILE_QUIET``) for every entry point: the full
app, the scanner's lean app (``cli/scan.py``) and git's textconv driver (which runs without
Typer, so this module imports neither Typer nor rich)."""

from __future__ import annotations

import sys

_quiet = [False]  # this run's --quiet, set by the entry point


def set_quiet(on: bool) -> None:
    _quiet[0] = on


def is_quiet() -> bool:
    return _quiet[0]


def say(message: str) -> None:
    """A message for the human, on stderr (stdout is for data). ``--quiet`` (or
    ``SECRETSFILE_QUIET=1``) silences it, except a ``warning:``: those name a risk (a value
    in shell history, plaintext written to disk) that a script should not hide by default."""
    if _quiet[0] and not message.startswith("warning:"):
        return
    sys.stderr.write(message + "\n")
    sys.stderr.flush()
