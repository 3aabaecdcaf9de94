"""`hooks install|uninstall`: a real commit is blocked, the previous hook is kept and chained."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from secretsfile.errors import ConflictError
from secretsfile.git.hooks import HOOK_MARKER, install, uninstall
from tests.git.conftest import Git

KEY_ID = "AKIAZ2345672345672AB"


def commit(repo: Path, message: str = "msg") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "commit", "-qm", message], cwd=repo, capture_output=True, text=True
    )


def test_installed_hook_blocks_secrets_and_plaintext_files(repo: Path, git: Git) -> None:
    change = install(repo)
    hook = repo / ".git" / "hooks" / "pre-commit"
    assert change.changed and change.hook == hook and HOOK_MARKER in hook.read_text()
    (repo / "clean.py").write_text("x = 1\n")
    git("add", "clean.py")
    assert commit(repo).returncode == 0
    (repo / "app.py").write_text(f'aws_access_key_id = "{KEY_ID}"\n')
    git("add", "app.py")
    blocked = commit(repo)
    assert blocked.returncode == 1
    assert "app.py:1:" in blocked.stdout + blocked.stderr
    assert KEY_ID not in blocked.stdout + blocked.stderr
    git("reset", "-q", "app.py")
    (repo / "secrets").mkdir()
    (repo / "secrets" / "prod.yaml").write_text("db_password: hunter2\n")
    git("add", "secrets/prod.yaml")
    blocked = commit(repo)
    assert blocked.returncode == 1
    assert (
        "secrets/prod.yaml: not encrypted" in blocked.stdout + blocked.stderr
    )  # git: stdout->stderr


@pytest.mark.parametrize("pythonpath", [None, ":/nowhere", "."])
def test_the_repositorys_own_modules_do_not_replace_the_scanners(
    repo: Path, git: Git, monkeypatch: pytest.MonkeyPatch, pythonpath: str | None
) -> None:
    # git runs the hook in the working tree: `python -m` (or an empty or "." entry of
    # PYTHONPATH) would import these first
    if pythonpath is not None:
        monkeypatch.setenv("PYTHONPATH", pythonpath)
    for name in ("re", "enum", "secretsfile", "sitecustomize"):
        (repo / f"{name}.py").write_text("raise SystemExit(0)  # would pass every commit\n")
    install(repo)
    (repo / "app.py").write_text(f'aws_access_key_id = "{KEY_ID}"\n')
    git("add", "app.py", "re.py", "enum.py", "secretsfile.py", "sitecustomize.py")
    blocked = commit(repo)
    assert blocked.returncode == 1 and "app.py:1:" in blocked.stdout + blocked.stderr


def test_deleting_a_secret_is_never_blocked(repo: Path, git: Git) -> None:
    (repo / "app.py").write_text(f'key = "{KEY_ID}"\nx = 1\n')
    git("add", "app.py")
    assert commit(repo).returncode == 0  # no hook yet
    install(repo)
    (repo / "app.py").write_text("x = 1\n")
    git("add", "app.py")
    assert commit(repo).returncode == 0


def test_existing_hook_is_kept_chained_and_restored(repo: Path, git: Git) -> None:
    hooks = repo / ".git" / "hooks"
    legacy_text = "#!/bin/sh\necho legacy-ran >> legacy.log\nexit 0\n"
    (hooks / "pre-commit").write_text(legacy_text)
    (hooks / "pre-commit").chmod(0o755)
    change = install(repo)
    assert change.legacy == hooks / "pre-commit.legacy"
    assert (hooks / "pre-commit.legacy").read_text() == legacy_text
    assert not install(repo).changed  # idempotent; the legacy hook stays
    (repo / "a.txt").write_text("a\n")
    git("add", "a.txt")
    assert commit(repo).returncode == 0
    assert (repo / "legacy.log").read_text() == "legacy-ran\n"
    removed = uninstall(repo)
    assert removed.changed and removed.legacy == hooks / "pre-commit"
    assert (hooks / "pre-commit").read_text() == legacy_text
    assert not (hooks / "pre-commit.legacy").exists()
    assert not uninstall(repo).changed  # a foreign hook is left alone


def test_failing_legacy_hook_still_fails_the_commit(repo: Path, git: Git) -> None:
    hooks = repo / ".git" / "hooks"
    (hooks / "pre-commit").write_text("#!/bin/sh\nexit 7\n")
    (hooks / "pre-commit").chmod(0o755)
    install(repo)
    (repo / "a.txt").write_text("a\n")
    git("add", "a.txt")
    assert commit(repo).returncode != 0


def test_refuses_core_hooks_path_and_double_legacy(repo: Path, git: Git) -> None:
    hooks = repo / ".git" / "hooks"
    (hooks / "pre-commit").write_text("#!/bin/sh\n")
    (hooks / "pre-commit.legacy").write_text("#!/bin/sh\n")
    with pytest.raises(ConflictError, match=r"pre-commit\.legacy"):
        install(repo)
    git("config", "core.hooksPath", ".husky")
    with pytest.raises(ConflictError, match=r"core\.hooksPath"):
        install(repo)


def test_a_v1_hook_is_ours_and_install_replaces_it(repo: Path, git: Git) -> None:
    hooks = repo / ".git" / "hooks"
    old = "#!/bin/sh\n# secretsfile-hook v1: installed by `secretsfile hooks install`\n" \
          "python -m secretsfile.cli.scan scan --staged\n"
    (hooks / "pre-commit").write_text(old)
    change = install(repo)
    assert change.changed and change.legacy is None  # replaced, not kept as a foreign hook
    assert HOOK_MARKER in (hooks / "pre-commit").read_text()
    assert not (hooks / "pre-commit.legacy").exists()
