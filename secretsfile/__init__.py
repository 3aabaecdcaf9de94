"""secretsfile: git-native encrypted secrets files, sops-compatible.

The public API is imported lazily so that ``import secretsfile`` stays fast.
"""

from __future__ import annotations

__version__ = "0.1.0"
