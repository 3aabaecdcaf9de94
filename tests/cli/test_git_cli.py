"""git setup and the diff driver through real git: `git diff` and `git log -p` show the
changed key with a key, ciphertext without one, fingerprints with --redact; init sets up."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.conftest import Runner, init_repo

OLD, NEW = "old-PLANTED-pw-1", "new-PLANTED-pw-2"
pytestmark = pytest.mark.skipif(shutil.which("secretsfile") is None,
                                reason="git runs the installed console script")


def _git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          env=env, check=True)
    assert "Traceback" not in done.stderr
    return done.stdout


@pytest.fixture
def repo(run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = init_repo(run, tmp_path, monkeypatch)  # init sets the drivers up
    assert run("set", "secrets/dev.yaml", "db.password", "--value", OLD).code == 0
    assert run("set", "secrets/dev.yaml", "db.user", "--value", "app").code == 0
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "one")
    assert run("set", "secrets/dev.yaml", "db.password", "--value", NEW).code == 0
    return root


def _no_key_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "keyless-home"
    home.mkdir(exist_ok=True)
    return {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}


def test_init_set_up_the_drivers(repo: Path) -> None:
    assert "secrets/dev.yaml diff=secretsfile merge=secretsfile" in (
        repo / ".gitattributes").read_text()
    assert (repo / ".gitconfig.secretsfile").exists()
    assert _git(repo, "config", "--get-all", "include.path").strip() == \
        "../.gitconfig.secretsfile"


def test_diff_and_log_show_the_changed_key(repo: Path, tmp_path: Path) -> None:
    diff = _git(repo, "diff")
    assert f"-db.password: {OLD}\n" in diff and f"+db.password: {NEW}\n" in diff
    assert " db.user: app\n" in diff
    _git(repo, "commit", "-qam", "two")
    log = _git(repo, "log", "-p", "-1")
    assert f"-db.password: {OLD}\n" in log and f"+db.password: {NEW}\n" in log
    keyless = _git(repo, "log", "-p", "-1", env=_no_key_env(tmp_path))
    assert "ENC[AES256_GCM," in keyless and OLD not in keyless and NEW not in keyless


def test_redacted_diffs(repo: Path, run: Runner) -> None:
    (repo / ".secretsfile.yaml").write_text(
        (repo / ".secretsfile.yaml").read_text() + "git:\n    redact_diffs: true\n")
    diff = _git(repo, "diff", "--", "secrets/dev.yaml")
    assert "-db.password: <redacted " in diff and "+db.password: <redacted " in diff
    assert OLD not in diff and NEW not in diff
    direct = run("git", "textconv", "--redact", "secrets/dev.yaml")
    assert direct.code == 0 and NEW not in direct.stdout and "<redacted " in direct.stdout


def test_textconv_never_fails(run: Runner, tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_bytes(b"not: encrypted\n\xff\n")
    done = subprocess.run(["secretsfile", "git", "textconv", str(plain)], capture_output=True)
    assert done.returncode == 0 and done.stdout == plain.read_bytes() and not done.stderr
    missing = subprocess.run(["secretsfile", "git", "textconv", str(tmp_path / "nope")],
                             capture_output=True, text=True)
    assert missing.returncode == 0 and "Traceback" not in missing.stderr


def test_setup_twice_and_teardown(repo: Path, run: Runner) -> None:
    _git(repo, "commit", "-qam", "two")
    before = {p: (repo / p).read_bytes() for p in (".gitattributes", ".gitconfig.secretsfile",
                                                   ".git/config")}
    again = run("git", "setup")
    assert again.code == 0 and "nothing changed" in again.stderr
    assert {p: (repo / p).read_bytes() for p in before} == before
    down = run("git", "teardown")
    assert down.code == 0, down.stderr
    assert not (repo / ".gitattributes").exists()
    assert not (repo / ".gitconfig.secretsfile").exists()
    assert "ENC[AES256_GCM," in _git(repo, "log", "-p", "-1")  # the driver is gone


def test_init_outside_git_and_no_git_setup(run: Runner, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("init").code == 0
    assert not (tmp_path / ".gitattributes").exists()
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    assert run("init", "--no-git-setup").code == 0
    assert not (tmp_path / ".gitattributes").exists()
    assert run("init").code == 0
    assert (tmp_path / ".gitattributes").exists()


def test_commit_verbose_leaves_no_value_in_commit_editmsg(repo: Path) -> None:
    """`git commit -v` writes the diff into .git/COMMIT_EDITMSG, which stays on disk: inside
    `git commit` the diff driver shows fingerprints, never values."""
    env = {**os.environ, "GIT_EDITOR": "sed -i '1s/^/change password/'"}
    _git(repo, "commit", "-a", "-v", env=env)
    message = (repo / ".git" / "COMMIT_EDITMSG").read_text()
    assert "db.password: <redacted" in message
    assert OLD not in message and NEW not in message and "db.user: app" not in message
