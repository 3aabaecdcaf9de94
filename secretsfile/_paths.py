"""Where secretsfile keeps per-user files. Standard library only: every layer may use it."""

from __future__ import annotations

import os
from pathlib import Path


def config_home() -> Path:
    """``$XDG_CONFIG_HOME``, else ``~/.config`` (on every POSIX system, as sops does)."""
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return Path(xdg) if xdg else Path.home() / ".config"
