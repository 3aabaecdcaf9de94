"""Throwaway gpg keyrings for the PGP tests: a short GNUPGHOME under /tmp (the agent socket
path must stay under 108 bytes, so not pytest's deep tmp_path), an ed25519/cv25519 key
without passphrase (0.05 s; RSA takes 2 s), and the agent killed and the home removed
afterwards."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

GPG = shutil.which("gpg")
GPGCONF = shutil.which("gpgconf")
SKIP_REASON = "the gpg binary is not installed (apt install gnupg)"


@dataclass(frozen=True)
class GpgHome:
    path: Path
    fingerprint: str  # primary key fingerprint, upper case ("" for an empty keyring)

    def env(self) -> dict[str, str]:
        return {**os.environ, "GNUPGHOME": str(self.path)}

    def gpg(self, *args: str, data: bytes = b"") -> subprocess.CompletedProcess[bytes]:
        assert GPG is not None
        return subprocess.run([GPG, "--batch", *args], input=data, env=self.env(),
                              capture_output=True, timeout=60, check=True)

    def export_public(self) -> bytes:
        return self.gpg("--export", "-a", self.fingerprint).stdout

    def import_keys(self, armored: bytes) -> None:
        self.gpg("--import", data=armored)


def _fingerprint(home: GpgHome) -> str:
    out = home.gpg("--with-colons", "--list-secret-keys").stdout.decode()
    return next(line.split(":")[9] for line in out.splitlines() if line.startswith("fpr:"))


@contextmanager
def gpg_home(with_key: bool = True, uid: str = "sf <t@example.invalid>") -> Iterator[GpgHome]:
    if GPG is None:
        pytest.skip(SKIP_REASON)
    path = Path(tempfile.mkdtemp(prefix="sfg", dir="/tmp"))
    path.chmod(0o700)
    home = GpgHome(path, "")
    try:
        if with_key:
            home.gpg("--passphrase", "", "--quick-gen-key", uid, "future-default", "default",
                     "never")
            home = GpgHome(path, _fingerprint(home))
        yield home
    finally:
        if GPGCONF:
            subprocess.run([GPGCONF, "--kill", "gpg-agent"], env=home.env(),
                           capture_output=True, timeout=30, check=False)
        shutil.rmtree(path, ignore_errors=True)
