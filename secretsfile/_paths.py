"""Where secretsfile keeps per-user files. Standard library only: every layer may use it."""

from __future__ import annotations

import os


def config_home() -> str:
    """``$XDG_CONFIG_HOME``, else ``~/.config`` (on every POSIX system, as sops does)."""
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return xdg if xdg else os.path.join(os.path.expanduser("~"), ".config")
