"""Shared fixtures of the secrets page tests: a real project (git repo, age key, two
environments with named secrets, committed) and a running server over it."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from secretsfile.config.project import ProjectConfig, load
from secretsfile.ops import project as project_ops
from secretsfile.ops.secrets import create_secret
from secretsfile.webui.api import Ctx
from secretsfile.webui.server import PageServer, make_server

PLANTED = ("pg-PLANTED-9f8e7d6c", "key-PLANTED-1a2b3c4d")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path/repo (the working directory): a git repo, ``init --env dev --env prod``
    with your own age key, ``app-db`` (postgres schema, password PLANTED[0]) in dev and
    ``api-key`` (api-key schema, PLANTED[1]) in prod, all committed."""
    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.chdir(root)
    git(root, "init", "-q")
    project_ops.init(root, ["dev", "prod"])
    config = load(root)
    create_secret(config, config.environment("dev"), "app-db",
                  {"user": "app", "password": PLANTED[0], "host": "db.internal",
                   "database": "app"}, "postgres", False)
    create_secret(config, config.environment("prod"), "api-key", {"api_key": PLANTED[1]},
                  "api-key", False)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "secrets")
    return root


@pytest.fixture
def config(project: Path) -> ProjectConfig:
    return load(project)


@pytest.fixture
def ctx(config: ProjectConfig) -> Ctx:
    """The page's context as ``secretsfile ui`` builds it (real git dates)."""
    from secretsfile.cli.history_cmd import secret_dates

    return Ctx(config, secret_dates)


@pytest.fixture
def server(ctx: Ctx) -> Iterator[PageServer]:
    """A running server on a free port of 127.0.0.1, shut down after the test."""
    page = make_server(ctx)
    thread = threading.Thread(target=page.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield page
    page.shutdown()
    page.server_close()
    thread.join()
