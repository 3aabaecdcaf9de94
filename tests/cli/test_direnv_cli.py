"""``secretsfile direnv-hook``: the printed ``use_secretsfile`` function, sourced by real bash
with stub ``watch_file`` / ``log_status`` / ``log_error`` (direnv's stdlib), sets exactly the
variables ``run`` gives a child, values byte for byte, runs nothing from a value, prints no
value and watches the config and the environment's files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Runner
from tests.loader_project import Project, planted
from tests.loader_project import project as project  # the fixture

pytestmark = pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")

TRICKY = {
    "spaces": "a b  PLANTED c",
    "quotes": "it's \"PLANTED\" 'q'",
    "newline": "line1 PLANTED\nline2\n",
    "dollar": "$HOME PLANTED ${PATH} $(touch pwned-dollar) `touch pwned-tick`",
    "breakout": "'; touch pwned-quote; echo 'PLANTED",
    "backslash": "back\\slash PLANTED\\",
    "trailing": "PLANTED trailing ",
}
EXPECTED = {
    "SPACES": TRICKY["spaces"], "QUOTES": TRICKY["quotes"], "NEWLINE": TRICKY["newline"],
    "DOLLAR": TRICKY["dollar"], "BREAKOUT": TRICKY["breakout"],
    "BACKSLASH": TRICKY["backslash"], "TRAILING": TRICKY["trailing"],
}

# direnv's stdlib functions, stubbed: the watched files go to a list, messages to stderr.
SCRIPT = r"""
watch_file() { printf '%s\n' "$1" >> "$WATCHED"; }
log_status() { printf 'direnv: %s\n' "$*" >&2; }
log_error() { printf 'direnv: error: %s\n' "$*" >&2; }
eval "$(secretsfile direnv-hook)"
use_secretsfile "$@" || exit 3
env -0 > "$DUMP"
case $- in *a*) echo "allexport left on" >&2; exit 4;; esac
"""


def _write(project: Project, env: str, data: dict[str, object]) -> None:
    """``project.write`` for any value: each string JSON-quoted (valid YAML)."""
    from secretsfile.ops.files import EncryptOptions, encrypt_file
    from secretsfile.ops.recipients import KeyOptions

    lines = []
    for name, value in data.items():
        if isinstance(value, dict):
            lines += [f"{name}:"] + [f"    {k}: {json.dumps(v)}" for k, v in value.items()]
        else:
            lines.append(f"{name}: {json.dumps(value)}")
    path = project.path(env)
    path.write_text("\n".join(lines) + "\n")
    recipient = project.dev_recipient if env == "dev" else project.prod_recipient
    encrypt_file(path, EncryptOptions(keys=KeyOptions(age=(recipient,))), in_place=True)


def _bash(root: Path, tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str],
                                                            dict[str, str], list[str]]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    wrapper = bin_dir / "secretsfile"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m secretsfile "$@"\n')
    wrapper.chmod(0o755)
    dump, watched = tmp_path / "env.dump", tmp_path / "watched"
    dump.unlink(missing_ok=True)
    watched.unlink(missing_ok=True)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "DUMP": str(dump), "WATCHED": str(watched), "SPACES": "set before"}
    result = subprocess.run(["bash", "-c", SCRIPT, "bash", *args], cwd=root, env=env,
                            capture_output=True, text=True, check=False)
    got: dict[str, str] = {}
    if dump.exists():
        for entry in dump.read_bytes().decode().split("\0"):
            name, _, value = entry.partition("=")
            got[name] = value
    lines = watched.read_text().splitlines() if watched.exists() else []
    return result, got, lines


def test_use_secretsfile_sets_the_variables_exactly(project: Project, tmp_path: Path) -> None:
    _write(project, "dev", {**TRICKY, "db": {"user": "u-PLANTED", "password": "p w PLANTED"}})
    result, got, watched = _bash(project.root, tmp_path, "dev")
    assert result.returncode == 0, result.stderr
    for name, value in EXPECTED.items():
        assert got[name] == value, name
    assert got["DB_USER"] == "u-PLANTED" and got["DB_PASSWORD"] == "p w PLANTED"
    assert "SECRETSFILE_AGE_KEY_DEV" in got  # the shell's own, untouched
    assert not list(project.root.glob("pwned*"))  # nothing ran from a value
    output = result.stdout + result.stderr
    assert "PLANTED" not in output and planted(output) == []
    assert "loaded dev" in result.stderr
    assert str(project.root / ".secretsfile.yaml") in watched
    assert str(project.path("dev")) in watched


def test_same_variables_as_run(project: Project, tmp_path: Path, run: Runner) -> None:
    _, got, _ = _bash(project.root, tmp_path, "prod")
    assert got["DB_USER"] == "prod-PLANTED-user" and got["API_TOKEN"] == "prod-PLANTED-token"
    listed = run("ci", "export", "--env", "prod", "--format", "json")
    assert {name: got[name] for name in json.loads(listed.stdout)} == json.loads(listed.stdout)


def test_options_pass_through_and_deny_list_holds(project: Project, tmp_path: Path) -> None:
    result, got, _ = _bash(project.root, tmp_path, "dev", "--only", "db")
    assert result.returncode == 0, result.stderr
    assert "DB_USER" in got and "API_TOKEN" not in got
    project.write("dev", {"ld-preload": "/tmp/PLANTED.so"})
    result, got, watched = _bash(project.root, tmp_path, "dev")
    assert result.returncode == 3
    assert "LD_PRELOAD" in result.stderr and "could not load dev" in result.stderr
    assert got == {} and "PLANTED" not in result.stdout + result.stderr
    assert str(project.path("dev")) in watched  # watched even when loading fails


def test_unknown_environment_is_one_line(project: Project, tmp_path: Path) -> None:
    result, got, _ = _bash(project.root, tmp_path, "staging")
    assert result.returncode == 3 and got == {}
    assert result.stderr.count("unknown environment 'staging'") == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_hook_prints_only_the_function(run: Runner) -> None:
    result = run("direnv-hook")
    assert result.code == 0
    assert result.stdout.startswith("# secretsfile direnv hook")
    assert "use_secretsfile()" in result.stdout and "watch_file" in result.stdout
