"""Fixtures for CLI tests: run the CLI in-process and capture what a user would see."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from secretsfile.cli.main import main


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


Runner = Callable[..., Result]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Runner:
    """``run("decrypt", "f.yaml", stdin="...")`` -> Result(code, stdout, stderr)."""

    def invoke(*args: str, stdin: str | None = None) -> Result:
        capsys.readouterr()
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


@pytest.fixture
def age_key(run: Runner) -> str:
    """The user's own age key in the default location; returns its public recipient."""
    result = run("keygen")
    assert result.code == 0, result.stderr
    return result.stdout.strip()


SAMPLE_YAML = """\
# database settings
db:
    user: admin
    password: hunter2-PLANTED-SECRET   # keep safe
    port: 5432
api_token: tok-PLANTED-SECRET-2
flags:
    - on
    - 1.5
visible_unencrypted: hello
"""
PLANTED = ("hunter2-PLANTED-SECRET", "tok-PLANTED-SECRET-2")


@pytest.fixture
def plain_yaml(tmp_path: Path) -> Path:
    path = tmp_path / "secrets.yaml"
    path.write_text(SAMPLE_YAML)
    return path


@pytest.fixture
def enc_yaml(run: Runner, age_key: str, plain_yaml: Path) -> Path:
    result = run("encrypt", "--in-place", plain_yaml)
    assert result.code == 0, result.stderr
    return plain_yaml


def use_home(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Act as the person whose HOME (and so whose keys) is ``home``."""
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))


def init_repo(run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *envs: str) -> Path:
    """A git repository at tmp_path/repo, the working directory, with ``init --env ...``."""
    import subprocess

    root = tmp_path / "repo"
    root.mkdir()
    monkeypatch.chdir(root)
    subprocess.run(["git", "init", "-q"], check=True)
    assert run("init", *(arg for env in envs for arg in ("--env", env))).code == 0
    return root
