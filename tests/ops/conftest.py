"""Shared fixtures for the ops tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from secretsfile.ops import files
from secretsfile.ops import project as project_ops

PROD_TOKEN = "tok-PLANTED-5c4b3a"


@pytest.fixture
def prod_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``init`` of a one-environment project (prod) in tmp_path/repo, the working directory,
    with one secret (``api-token`` = PROD_TOKEN) and your own key."""
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.chdir(root)
    project_ops.init(root, ["prod"])
    files.set_value(root / "secrets" / "prod.yaml", "api-token", PROD_TOKEN)
    return root
