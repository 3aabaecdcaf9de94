"""Shared fixtures of the secrets page tests: a real project (git repo, age key, two
environments with named secrets, committed) and a running server over it."""

from __future__ import annotations

import contextlib
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


@contextlib.contextmanager
def running(page: PageServer) -> Iterator[PageServer]:
    """``page`` served from a thread (polling for shutdown every 50 ms), then shut down."""
    thread = threading.Thread(target=page.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield page
    finally:
        page.shutdown()
        page.server_close()
        thread.join()


@pytest.fixture
def server(ctx: Ctx) -> Iterator[PageServer]:
    """A running server on a free port of 127.0.0.1, shut down after the test."""
    with running(make_server(ctx)) as page:
        yield page


STALE_DATE = "2020-01-15T12:00:00+00:00"


@pytest.fixture
def team(project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``project`` grown for the Recipients and Checks views: your key named ``alice`` in
    dev and prod; ``bob`` (tmp_path/bob.txt) named in prod's config but not in its file
    (drift); ``legacy-token`` in dev, committed on STALE_DATE (stale); ``app.env.tmpl``
    (listed under ``references:``) naming ``{{sentry-dsn}}``, which no environment has.
    Returns the bob key file."""
    from secretsfile.keysources import registry
    from secretsfile.ops.keygen import keygen
    from secretsfile.ops.recipient_config import adding, update_config
    from secretsfile.ops.secrets import save_secret
    from secretsfile.secrets.model import Secret

    config = load(project)
    me = config.environment("dev").recipients[0]
    bob_file = tmp_path / "bob.txt"
    bob = registry.parse_recipient(keygen("age", bob_file).public)
    assert config.path is not None
    for env in ("dev", "prod"):
        update_config(config.path, adding(env, me, registry.spell(me), "alice"))
    update_config(config.path, adding("prod", bob, registry.spell(bob), "bob"))

    def references(data: dict[str, object]) -> bool:
        data["references"] = ["*.tmpl"]
        return True

    update_config(config.path, references)
    (project / "app.env.tmpl").write_text("# the app\nDSN={{sentry-dsn}}\n")
    config = load(project)
    save_secret(config, config.environment("dev"),
                Secret("legacy-token", "dev", value=PLANTED[1] + "-legacy"), create=True)
    monkeypatch.setenv("GIT_AUTHOR_DATE", STALE_DATE)
    monkeypatch.setenv("GIT_COMMITTER_DATE", STALE_DATE)
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "legacy token")
    monkeypatch.delenv("GIT_AUTHOR_DATE")
    monkeypatch.delenv("GIT_COMMITTER_DATE")
    return bob_file
