"""Test isolation: every test gets its own HOME/XDG dirs and no inherited key or git variables."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_PREFIXES = ("SECRETSFILE_", "SOPS_", "GIT_", "VAULT_", "BAO_", "GITHUB_", "RUNNER_", "AWS_",
             "GNUPGHOME")


@pytest.fixture(autouse=True)
def isolated_env(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    for name in list(os.environ):
        if name.startswith(_PREFIXES):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("GIT_AUTHOR_NAME", "Test")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "test@example.invalid")
    monkeypatch.setenv("GIT_COMMITTER_NAME", "Test")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "test@example.invalid")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    yield home
    reset_process_state()


def reset_process_state() -> None:
    """Every process-global cache and sink of the library, back to a fresh process: a test
    must not pass or fail because of what an earlier one left behind."""
    from secretsfile.cli.quiet import set_quiet
    from secretsfile.config.project import clear_cache as forget_configs
    from secretsfile.errors import set_warning_sink
    from secretsfile.keysources.age import clear_cache as forget_identities
    from secretsfile.loader import clear_cache as forget_files
    from secretsfile.ops.document import reset_warnings
    from secretsfile.secrets.redaction import forget_all

    forget_configs()
    forget_identities()
    forget_files()
    forget_all()
    reset_warnings()
    set_warning_sink(None)
    set_quiet(False)
    _reset_remote_clients()


def _reset_remote_clients() -> None:
    """The remote stores' cached clients and keep-alive connections (only when a test loaded
    them: importing them here would cost every test)."""
    for name in ("secretsfile.remotes.vault_kv", "secretsfile.remotes.aws_sm"):
        module = sys.modules.get(name)
        if module is not None:
            module.clear_cache()
    http = sys.modules.get("secretsfile.keysources.http")
    if http is not None:
        http.close_all()
