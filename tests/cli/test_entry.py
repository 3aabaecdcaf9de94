"""The console script: a lean command leaves without the interpreter's teardown, yet exit
handlers run, every byte of output arrives and the exit code is the command's; anything
else runs the Typer app with the garbage collector on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Runner

# An exit handler the script's process registers first: it reports the collector's state.
_PROBE = ("import atexit, gc, sys\n"
          "atexit.register(lambda: print('atexit gc', gc.isenabled(), file=sys.stderr))\n"
          "sys.argv = ['secretsfile', *sys.argv[1:]]\n"
          "from secretsfile.cli.entry import run\nrun()\n")  # fmt: skip


def _script(*argv: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _PROBE, *map(str, argv)], cwd=cwd,
                          capture_output=True, text=True, check=False)  # fmt: skip


def test_a_lean_decrypt_runs_exit_handlers_and_flushes_everything(
        run: Runner, enc_yaml: Path) -> None:
    big = enc_yaml.with_name("big.yaml")
    big.write_text("".join(f"key_{n:05}: value-{n}-abcdefghij\n" for n in range(3000)))
    assert run("encrypt", "--in-place", big).code == 0
    done = _script("decrypt", big, cwd=big.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "key_02999: value-2999-abcdefghij"
    assert len(done.stdout.splitlines()) == 3000
    assert "atexit gc False" in done.stderr  # the lean path ran, its exit handlers too


def test_a_lean_failure_keeps_its_exit_code(run: Runner, enc_yaml: Path) -> None:
    full = run("get", enc_yaml, "no.such.key")
    done = _script("get", enc_yaml, "no.such.key", cwd=enc_yaml.parent)
    assert full.code != 0 and done.returncode == full.code
    assert done.stderr.splitlines()[0] == full.stderr.splitlines()[0]


@pytest.mark.parametrize("argv", [["--version"], ["keysources", "list"]])
def test_the_typer_app_runs_with_the_collector_on(argv: list[str], tmp_path: Path) -> None:
    done = _script(*argv, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "atexit gc True" in done.stderr


@pytest.mark.parametrize(("argv", "gc_on"), [(["scan", "--staged"], False), (["scan"], True)])
def test_scan_runs_lean_with_the_collector_off_only_for_a_commit(
        tmp_path: Path, argv: list[str], gc_on: bool) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "app.py").write_text("print('hello')\n")
    subprocess.run(["git", "-C", str(tmp_path), "add", "app.py"], check=True)
    probe = _PROBE.replace("gc.isenabled()", "gc.isenabled(), 'typer' in sys.modules")
    done = subprocess.run([sys.executable, "-c", probe, *argv, "app.py"], cwd=tmp_path,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert f"atexit gc {gc_on} False" in done.stderr  # no Typer: the lean parser ran it


def _closed_stdout(*argv: object, cwd: Path,
                   out: str | None = None) -> subprocess.CompletedProcess[str]:
    """The console script run by a shell with stdout closed (`>&-`), or sent to ``out``."""
    redirect = ">&-" if out is None else f"> {out}"
    words = " ".join(f"'{a}'" for a in map(str, argv))
    return subprocess.run(f'"{sys.executable}" -c "$PROBE" {words} {redirect}', shell=True,
                          cwd=cwd, stderr=subprocess.PIPE, text=True, check=False,
                          env={**os.environ, "PROBE": _PROBE})  # fmt: skip


def test_a_closed_stdout_is_one_line_not_a_crash(run: Runner, enc_yaml: Path) -> None:
    target = enc_yaml.with_name("plain.yaml")
    target.write_text("a: 1\n")
    written = _closed_stdout("encrypt", "-i", target, cwd=target.parent)
    assert written.returncode == 0, written.stderr  # nothing for stdout: a success
    assert "ENC[" in target.read_text()
    shown = _closed_stdout("decrypt", enc_yaml, cwd=enc_yaml.parent)
    assert shown.returncode == 2 and "stdout is closed" in shown.stderr
    assert "unexpected" not in shown.stderr and "Traceback" not in shown.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_full_disk_on_stdout_is_one_line(enc_yaml: Path) -> None:
    done = _closed_stdout("decrypt", enc_yaml, cwd=enc_yaml.parent, out="/dev/full")
    assert done.returncode == 2 and "could not write to stdout" in done.stderr
    assert "unexpected" not in done.stderr
