"""Modules loaded by name on first use: ``module("pkg.mod")`` and ``resolve("pkg.mod:name")``.

The registries (key sources, stores), the lean command runner and the exporting formats
name what they load this way, so a command imports only what it runs. ``__import__`` gives
the module as ``importlib.import_module`` does, without importing importlib (≈ 0.5 ms of a
hot command's start-up, issue 14). Standard library only: every layer may use it."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing's flag without importing typing (issue 14); mypy knows it
if TYPE_CHECKING:
    from types import ModuleType
    from typing import Any

__all__ = ["module", "resolve"]


def module(name: str) -> ModuleType:
    """The module ``name`` (dotted, absolute), imported if it is not yet."""
    __import__(name)
    return sys.modules[name]


def resolve(reference: str) -> Any:
    """What ``"package.module:attribute"`` names, its module imported on the call."""
    where, _, attribute = reference.partition(":")
    return getattr(module(where), attribute)
