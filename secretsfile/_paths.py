"""Where secretsfile keeps per-user files, and path tests without pathlib (issue 14: it
loads fnmatch, urllib.parse and ipaddress). Standard library only: every layer may use it."""

from __future__ import annotations

import os


def config_home() -> str:
    """``$XDG_CONFIG_HOME``, else ``~/.config`` (on every POSIX system, as sops does)."""
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return xdg if xdg else os.path.join(os.path.expanduser("~"), ".config")


def is_within(path: str, directory: str) -> bool:
    """``PurePath(path).is_relative_to(directory)`` for two absolute, normalised paths."""
    return os.path.commonpath([path, directory]) == directory


def normal_path(text: str) -> str:
    """``str(PurePosixPath(text))`` without pathlib: empty and ``.`` parts dropped, ``.``
    for nothing, two leading slashes kept (POSIX leaves their meaning open), more made one."""
    lead = "//" if text[:2] == "//" and text[2:3] != "/" else "/" if text[:1] == "/" else ""
    return lead + "/".join(part for part in text.split("/") if part not in ("", ".")) or "."
