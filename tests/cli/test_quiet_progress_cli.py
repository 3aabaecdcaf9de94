"""Issue 12 on the scanner side: ``--quiet`` / ``SECRETSFILE_QUIET`` on every scanner entry
point (the full app, the lean hook app, ``hooks``, git's textconv driver), progress on long
scans (a bar on a terminal's stderr only), colour only on a terminal and never with NO_COLOR."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Runner
from tests.cli.test_scan_cli import AWS_ID, DIRTY, assert_no_secret, git

ESC = "\x1b"
LEAN = [sys.executable, "-m", "secretsfile.cli.scan"]  # what the git hook runs


@pytest.fixture
def dirty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / "app.py").write_text(DIRTY)
    monkeypatch.chdir(root)
    return root


def run_cli(argv: list[str], repo: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """As a script runs it: stdout and stderr are pipes, not a terminal."""
    return subprocess.run(argv, cwd=repo, capture_output=True, text=True,
                          env={**os.environ, **env})  # fmt: skip


def run_in_terminal(argv: list[str], repo: Path, **env: str) -> str:
    """As a person runs it: stdin, stdout and stderr on one pseudo-terminal; all it wrote."""
    main, side = pty.openpty()
    environment = {**os.environ, "TERM": "xterm", "COLUMNS": "100", **env}
    environment = {name: value for name, value in environment.items() if value}
    process = subprocess.Popen(argv, cwd=repo, stdin=side, stdout=side, stderr=side,
                               env=environment)  # fmt: skip
    os.close(side)
    chunks = []
    while True:  # read while it runs: a full terminal buffer would block it
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal closed: everything is read
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    process.wait(timeout=120)
    return b"".join(chunks).decode("utf-8", "replace")


# --- quiet: one rule, every form, every scanner entry point


@pytest.mark.parametrize("form", [("-q", "scan"), ("--quiet", "scan"), ("scan", "-q"), ("scan",)])
def test_quiet_on_the_full_app(run: Runner, dirty: Path, form: tuple[str, ...],
                               monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    assert "finding" in run("scan").stderr  # the summary, without --quiet
    if form == ("scan",):
        monkeypatch.setenv("SECRETSFILE_QUIET", "1")
    result = run(*form)
    assert result.code == 1 and "app.py:1:" in result.stdout and result.stderr == ""
    assert_no_secret(result.stdout)


@pytest.mark.parametrize(("argv", "env"), [
    (["secretsfile", "-q", "scan"], {}),
    (["secretsfile", "scan", "--quiet"], {}),
    (["secretsfile", "scan"], {"SECRETSFILE_QUIET": "1"}),
    ([*LEAN, "-q", "scan"], {}),
    ([*LEAN, "scan"], {"SECRETSFILE_QUIET": "true"}),
    ([*LEAN, "check-encrypted"], {"SECRETSFILE_QUIET": "1"}),
])  # fmt: skip
def test_quiet_on_the_lean_entry(dirty: Path, argv: list[str], env: dict[str, str]) -> None:
    loud = run_cli([a for a in argv if a not in ("-q", "--quiet")], dirty)  # no env either
    assert loud.stderr != ""
    quiet = run_cli(argv, dirty, **env)
    assert quiet.returncode == loud.returncode and quiet.stdout == loud.stdout
    assert quiet.stderr == ""


def test_quiet_scan_takes_the_lean_path(dirty: Path) -> None:
    code = (  # an exit handler: a lean run leaves without unwinding (entry.leave)
        "import atexit, sys\nfrom secretsfile.cli import entry\n"
        "atexit.register(lambda: print('FULL' if 'secretsfile.cli.main' in sys.modules "
        "else 'LEAN', file=sys.stderr))\nsys.argv = ['secretsfile', '-q', 'scan']\nentry.run()\n"
    )
    done = run_cli([sys.executable, "-c", code], dirty)
    assert done.returncode == 1 and done.stderr.strip() == "LEAN"


def test_lean_entry_refuses_a_bad_quiet_value_like_the_full_app(dirty: Path) -> None:
    for argv in (["secretsfile", "scan"], ["secretsfile", "status"]):
        done = run_cli(argv, dirty, SECRETSFILE_QUIET="maybe")
        assert done.returncode == 2 and "SECRETSFILE_QUIET" in done.stderr


def test_quiet_keeps_errors(dirty: Path) -> None:
    done = run_cli(["secretsfile", "-q", "scan", "missing.py"], dirty)
    assert done.returncode == 2 and "missing.py" in done.stderr


def test_quiet_hooks_messages(run: Runner, dirty: Path) -> None:
    assert run("-q", "hooks", "install").stderr == ""
    assert "removed" in run("hooks", "uninstall").stderr
    done = run_cli(["secretsfile", "hooks", "install"], dirty, SECRETSFILE_QUIET="1")
    assert done.returncode == 0 and done.stderr == ""


def test_textconv_problems_are_warnings_kept_by_quiet(dirty: Path) -> None:
    (dirty / "broken.enc.yaml").write_text("a: ENC[AES256_GCM,data:x]\nsops:\n  version: 3\n")
    for file in ("broken.enc.yaml", "missing.yaml"):
        done = run_cli(["secretsfile", "git", "textconv", file], dirty, SECRETSFILE_QUIET="1")
        assert done.returncode == 0
        assert done.stderr.startswith("warning: secretsfile git textconv: "), done.stderr


# --- progress: a bar on a terminal's stderr only; never with --quiet or NO_COLOR


@pytest.fixture
def history(dirty: Path) -> Path:
    git(dirty, "add", "app.py")
    for number in range(3):
        (dirty / f"f{number}.py").write_text(f"x = {number}\n")
        git(dirty, "add", ".")
        git(dirty, "commit", "-qm", f"commit {number}")
    return dirty


def test_history_progress_only_on_a_terminal(run: Runner, history: Path) -> None:
    result = run("scan", "--history")  # captured: stderr is not a terminal
    assert result.code == 1 and ESC not in result.output and "scanning" not in result.stderr
    shown = run_in_terminal(["secretsfile", "scan", "--history"], history, NO_COLOR="")
    assert "scanning history" in shown
    assert_no_secret(shown)
    for argv, env in ((["secretsfile", "-q", "scan", "--history"], {"NO_COLOR": ""}),
                      (["secretsfile", "scan", "--history"], {"NO_COLOR": "1"}),
                      (["secretsfile", "scan", "--history"], {"NO_COLOR": "",
                                                             "SECRETSFILE_QUIET": "1"})):
        assert "scanning history" not in run_in_terminal(argv, history, **env)


def test_file_progress_on_a_terminal_for_many_files(dirty: Path) -> None:
    for number in range(250):
        (dirty / f"m{number}.txt").write_text("nothing here\n")
    assert "scanning files" in run_in_terminal(["secretsfile", "scan"], dirty, NO_COLOR="")
    assert "scanning files" not in run_cli(["secretsfile", "scan"], dirty, NO_COLOR="").stderr


# --- colour: on a terminal only, never with NO_COLOR (findings, help)


def test_findings_colour_only_on_a_terminal_without_no_color(dirty: Path) -> None:
    assert ESC in run_in_terminal(["secretsfile", "scan"], dirty, NO_COLOR="")
    plain = run_in_terminal(["secretsfile", "scan"], dirty, NO_COLOR="1")
    assert ESC not in plain and "app.py:1:" in plain and AWS_ID not in plain
    piped = run_cli(["secretsfile", "scan"], dirty, NO_COLOR="")
    assert ESC not in piped.stdout + piped.stderr and "app.py:1:" in piped.stdout


@pytest.mark.parametrize("argv", [["secretsfile", "--help"], ["secretsfile", "scan", "--help"],
                                  ["secretsfile", "secret"], [*LEAN, "--help"]])  # fmt: skip
def test_help_colour_only_on_a_terminal_without_no_color(dirty: Path, argv: list[str]) -> None:
    assert ESC in run_in_terminal(argv, dirty, NO_COLOR="")
    assert ESC not in run_in_terminal(argv, dirty, NO_COLOR="1")
    assert ESC not in run_in_terminal(argv, dirty, NO_COLOR="", TERM="dumb")
    piped = run_cli(argv, dirty, NO_COLOR="", GITHUB_ACTIONS="true")  # rich forces colour there
    assert ESC not in piped.stdout + piped.stderr and "Usage" in piped.stdout + piped.stderr
