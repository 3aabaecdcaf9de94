"""Real stores for the remotes tests: the OpenBao dev server and moto from
``tests/keysources`` (session-scoped), plus a second moto that refuses every credential
(``INITIAL_NO_AUTH_ACTION_COUNT=0``). Backend caches are emptied after every test."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from secretsfile.keysources import http
from tests.keysources.bao_server import bao  # noqa: F401  (the fixture)
from tests.keysources.moto_server import (  # noqa: F401  (the fixtures)
    Moto,
    _free_port,
    _stop,
    _wait_ready,
    aws_env,
    moto,
)


@pytest.fixture(scope="session")
def moto_strict(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moto]:
    """A moto server that refuses credentials it did not issue (HTTP 403)."""
    pytest.importorskip("moto.server")
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("moto-strict") / "moto.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["INITIAL_NO_AUTH_ACTION_COUNT"] = "0"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        _wait_ready(process, endpoint, log)
        yield Moto(endpoint, process)
    finally:
        _stop(process)


@pytest.fixture(autouse=True)
def _fresh_backends() -> Iterator[None]:
    yield
    from secretsfile.remotes import aws_sm, vault_kv

    vault_kv.clear_cache()
    aws_sm.clear_cache()
    http.close_all()
