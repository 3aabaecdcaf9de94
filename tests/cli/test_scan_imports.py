"""The pre-commit hook's entry (the console script: ``secretsfile scan --staged``; the plain
git hook's launcher runs ``secretsfile.cli.scan``) and its start-up budget:
``scan --staged FILES`` over a clean commit imports only what scanning needs. No
Typer/Click/rich (the hook's command line is parsed without them), no JSON (text report, no
baseline file), no hashlib (fingerprints are computed for findings only), no decoding pass
(off by default), no YAML, crypto or TOML, no prompting helpers; git runs through
``os.posix_spawnp`` (no subprocess) and paths are str on ``os.path`` (no pathlib). Counted
as module names, never timed.

The check-encrypted hook (``secretsfile check-encrypted FILES`` / ``--staged``) keeps the same
budget: its paths are strs on ``os.path``, JSON loads for ``--format json`` only, its records
are ``core.record.Record``. One exception: judging a file that carries a sops block needs
``core.tree`` (the selector and the walk), which imports ``core.cipher`` and so cryptography
at module level; a commit with no file that must be encrypted loads none of it."""

from __future__ import annotations

import os
import site
import subprocess
import sys
from pathlib import Path

import pytest

from secretsfile.git.hooks import LAUNCHER

NOT_ON_THE_HOOK_PATH = (
    "typer", "click", "rich", "json", "hashlib", "yaml", "ruamel", "cryptography", "pyrage",
    "tomllib", "secretsfile.cli.scan_cmd", "secretsfile.cli.main", "secretsfile.cli.runner",
    "secretsfile.scanner.decode", "secretsfile.scanner.gitleaks", "secretsfile.ops.files",
    "dataclasses", "inspect",  # scanner records are core.record.Record
    "secretsfile.cli.common", "secretsfile.ops.secret_input",  # prompting helpers
    # git/run.py spawns git with os.posix_spawnp; pathlib would load fnmatch, urllib.parse...
    "subprocess", "threading", "selectors", "locale", "fcntl", "_posixsubprocess",
    "concurrent", "multiprocessing", "pathlib", "fnmatch", "urllib", "ipaddress", "ntpath",
    "typing",
)  # fmt: skip
# check-encrypted on a sops file: core.tree (Selector, plaintext_paths) imports core.cipher,
# hence cryptography, at import; ENC_PREFIX and that import could move out of core (issue 14)
JUDGING_A_SOPS_FILE = ("cryptography",)
ENC = "ENC[AES256_GCM,data:Zm9v,iv:MDEyMzQ1Njc4OWFi,tag:MDEyMzQ1Njc4OWFiY2RlZg==,type:str]"
ENCRYPTED_YAML = f"password: {ENC}\nsops:\n    mac: {ENC}\n    version: 3.11.0\n"
# the console script's run(): it leaves without unwinding (entry.leave), exit handlers first
PROBE = """
import atexit, sys
atexit.register(lambda: print("\\n".join(sys.modules)))
sys.argv = ["secretsfile", *sys.argv[1:]]
from secretsfile.cli.entry import run
run()
"""
# -S: what site imports (an editable install's finder, .pth files) would hide ours; this
# checkout first, then the interpreter's packages
PATH = os.pathsep.join([str(Path(__file__).resolve().parents[2]), *site.getsitepackages()])


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def staged_repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q")
    (tmp_path / "app.py").write_text("def main() -> None:\n    token = read_token()\n")
    (tmp_path / "notes.md").write_text("Set the api key in your environment.\n")
    git(tmp_path, "add", "app.py", "notes.md")
    return tmp_path


def probe(repo: Path, argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-S", "-c", PROBE, *argv], cwd=repo,
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": PATH})  # fmt: skip


def loaded_by(repo: Path, argv: list[str]) -> set[str]:
    done = probe(repo, argv)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def leaked(loaded: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(n for n in loaded if n in forbidden or n.split(".")[0] in forbidden)


@pytest.mark.parametrize("argv", [["scan", "--staged", "app.py", "notes.md"],
                                  ["-q", "scan", "--staged", "-q", "app.py", "notes.md"]])
def test_the_scan_hook_imports_only_what_a_clean_scan_needs(staged_repo: Path,
                                                           argv: list[str]) -> None:
    loaded = loaded_by(staged_repo, argv)
    assert "secretsfile.ops.scanning" in loaded
    assert leaked(loaded, NOT_ON_THE_HOOK_PATH) == []


@pytest.mark.parametrize("argv", [["check-encrypted", "app.py", "notes.md"],
                                  ["check-encrypted", "--staged"],
                                  ["-q", "check-encrypted", "--staged", "app.py"]])
def test_the_check_encrypted_hook_with_nothing_to_judge_keeps_the_scan_budget(
        staged_repo: Path, argv: list[str]) -> None:
    loaded = loaded_by(staged_repo, argv)
    assert "secretsfile.ops.check_encrypted" in loaded
    assert "secretsfile.ops.guard" not in loaded  # no file must be encrypted: nothing judged
    assert leaked(loaded, NOT_ON_THE_HOOK_PATH) == []


@pytest.mark.parametrize("config", [False, True], ids=["default policy", ".secretsfile.yaml"])
@pytest.mark.parametrize("argv", [["check-encrypted", "app.py", "secrets/dev.yaml"],
                                  ["check-encrypted", "--staged"]])
def test_the_check_encrypted_hook_judging_a_sops_file(staged_repo: Path, config: bool,
                                                      argv: list[str]) -> None:
    (staged_repo / "secrets").mkdir()
    (staged_repo / "secrets" / "dev.yaml").write_text(ENCRYPTED_YAML)
    if config:
        (staged_repo / ".secretsfile.yaml").write_text(
            "environments:\n  dev:\n    file: secrets/dev.yaml\n")
    git(staged_repo, "add", "-A")
    loaded = loaded_by(staged_repo, argv)
    assert "secretsfile.ops.guard" in loaded
    allowed = [n for n in NOT_ON_THE_HOOK_PATH if n not in JUDGING_A_SOPS_FILE]
    assert leaked(loaded, tuple(allowed)) == []


def test_a_tree_scan_and_check_encrypted_import_no_prompting_and_no_rich(
        staged_repo: Path) -> None:
    for argv in (["scan", "--no-git", "--no-baseline", "app.py"], ["check-encrypted", "app.py"]):
        loaded = loaded_by(staged_repo, argv)
        assert leaked(loaded, ("secretsfile.cli.common", "secretsfile.ops.secret_input",
                               "secretsfile.cli.main", "rich")) == []  # fmt: skip


def test_every_declared_option_runs_without_typer(staged_repo: Path) -> None:
    """The lean parser reads every option ``cli/spec.py`` declares for the scanner commands
    (here --format json, with its report): no Typer on the way."""
    argv = ["scan", "--staged", "--format", "json", "-j", "1", "app.py"]
    done = probe(staged_repo, argv)
    assert '"findings": []' in done.stdout, done.stderr
    assert leaked(set(done.stdout.split()), ("typer", "click", "rich")) == []


def test_what_the_lean_parser_steps_aside_from_goes_through_typer(staged_repo: Path) -> None:
    """A short option glued to its value (-fjson) is Click's grammar, not the lean
    parser's: Typer parses it, same result."""
    argv = ["scan", "--staged", "-fjson", "app.py"]
    done = probe(staged_repo, argv)
    assert '"findings": []' in done.stdout, done.stderr
    assert "typer" in done.stdout.split()


def test_the_entry_runs_only_the_scanner_commands(staged_repo: Path) -> None:
    """``python -m secretsfile.cli.scan`` is the scanner's entry: another declared command
    (decrypt) is not run there, but refused as an unknown command."""
    done = subprocess.run([sys.executable, "-m", "secretsfile.cli.scan", "decrypt", "app.py"],
                          cwd=staged_repo, capture_output=True, text=True, check=False)
    assert done.returncode == 2 and "decrypt" in done.stderr
    assert "def main" not in done.stdout


@pytest.mark.parametrize("entry", [["secretsfile"], [sys.executable, "-c", LAUNCHER]],
                         ids=["pre-commit hook", "git hook"])
def test_the_hook_entry_leaves_with_its_report_flushed(staged_repo: Path,
                                                       entry: list[str]) -> None:
    """The hooks' entries exit without the interpreter's teardown: the report (stdout is a
    pipe, block-buffered) and the summary still arrive, with exit 1."""
    secret = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    (staged_repo / "deploy.py").write_text(f'GITHUB_TOKEN = "{secret}"\n')
    git(staged_repo, "add", "deploy.py")
    done = subprocess.run([*entry, "scan", "--staged", "app.py", "deploy.py"],
                          cwd=staged_repo, capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr
    assert "deploy.py:1" in done.stdout and secret not in done.stdout + done.stderr
    assert "1 finding" in done.stderr
