"""Where secretsfile keeps per-user files, and path tests without pathlib (issue 14: it
loads fnmatch, urllib.parse and ipaddress). Standard library only: every layer may use it."""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing's flag without importing typing (issue 14); mypy knows it
if TYPE_CHECKING:
    from collections.abc import Callable


def config_home() -> str:
    """``$XDG_CONFIG_HOME``, else ``~/.config`` (on every POSIX system, as sops does)."""
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return xdg if xdg else os.path.join(os.path.expanduser("~"), ".config")


def is_within(path: str, directory: str) -> bool:
    """``PurePath(path).is_relative_to(directory)`` for two absolute, normalised paths."""
    return os.path.commonpath([path, directory]) == directory


def nearest(start: str | os.PathLike[str], names: tuple[str, ...],
            accept: Callable[[str], bool] = os.path.isfile, most: int | None = None
            ) -> str | None:  # fmt: skip
    """The first ``DIR/NAME`` that ``accept`` takes, DIR being ``start`` (resolved; its
    directory when it is a file), then each parent up to the root, at most ``most``
    directories: the nearest project config, ``.sops.yaml`` or ``.git``."""
    current = os.path.realpath(start)
    if os.path.isfile(current):
        current = os.path.dirname(current)
    walked = 0
    while most is None or walked < most:
        for name in names:
            candidate = os.path.join(current, name)
            if accept(candidate):
                return candidate
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current, walked = parent, walked + 1
    return None


def normal_path(text: str) -> str:
    """``str(PurePosixPath(text))`` without pathlib: empty and ``.`` parts dropped, ``.``
    for nothing, two leading slashes kept (POSIX leaves their meaning open), more made one."""
    lead = "//" if text[:2] == "//" and text[2:3] != "/" else "/" if text[:1] == "/" else ""
    return lead + "/".join(part for part in text.split("/") if part not in ("", ".")) or "."
