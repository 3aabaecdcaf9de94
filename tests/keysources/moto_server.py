"""A real moto server (AWS KMS and STS) on 127.0.0.1, once per test session.

``moto`` starts ``python -m moto.server`` on a free port, waits for ``/moto-api/`` and stops
it by its PID (SIGTERM, then SIGKILL). ``aws_env`` points the test at it: every AWS_*
variable of the developer's machine is removed first (HOME is already a fresh directory, so
no ~/.aws either), then fake credentials and the endpoint are set, so no test can reach real
AWS with real credentials.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REGION = "us-east-1"
ACCOUNT = "123456789012"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Moto:
    endpoint: str
    process: subprocess.Popen[bytes]

    def client(self, service: str = "kms", region: str = REGION) -> Any:
        import boto3

        return boto3.client(service, endpoint_url=self.endpoint, region_name=region,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def create_key(self, region: str = REGION) -> str:
        return str(self.client("kms", region).create_key()["KeyMetadata"]["Arn"])

    def create_role(self, name: str = "sopsrole") -> str:
        iam = self.client("iam")
        try:
            return str(iam.get_role(RoleName=name)["Role"]["Arn"])
        except iam.exceptions.NoSuchEntityException:
            return str(iam.create_role(RoleName=name, AssumeRolePolicyDocument="{}")["Role"]["Arn"])

    def env(self) -> dict[str, str]:
        """The AWS variables a child process (sops) needs; nothing else of AWS."""
        return {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_ENDPOINT_URL": self.endpoint, "AWS_ENDPOINT_URL_KMS": self.endpoint,
                "AWS_MAX_ATTEMPTS": "1"}


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGTERM)
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(5)


def _wait_ready(process: subprocess.Popen[bytes], endpoint: str, log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"moto server exited {process.returncode}: {log.read_text()[-500:]}")
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    _stop(process)
    pytest.fail("moto server did not answer within 20 s")


@pytest.fixture(scope="session")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moto]:
    try:
        import boto3  # noqa: F401
        import moto.server  # noqa: F401
    except ImportError as missing:
        pytest.skip(f"moto[server]/boto3 not installed ({missing.name}): pip install -e '.[dev]'")
    port = _free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        )
    try:
        _wait_ready(process, endpoint, log)
        yield Moto(endpoint, process)
    finally:
        _stop(process)


@pytest.fixture
def aws_env(moto: Moto, monkeypatch: pytest.MonkeyPatch) -> Iterator[Moto]:
    """This test talks to the moto server with fake credentials, and to nothing else."""
    from secretsfile.keysources import kms

    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    for name, value in moto.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")  # keys live in the ARN's region
    kms.clear_cache()
    yield moto
    kms.clear_cache()  # clients hold this test's credentials and endpoint
