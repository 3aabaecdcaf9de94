"""The merge driver, ``merge resolve`` and ``--ignore-mac`` recovery in real git
repositories: ``git merge`` runs ``secretsfile merge driver`` as a subprocess."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Runner

BASE = """\
db:
    user: admin
    password: base-PLANTED-pass
api_token: base-PLANTED-token
hosts:
    - a.example
    - b.example
"""
SOPS = shutil.which("sops")


def _driver_command() -> str:
    script = Path(sys.executable).parent / "secretsfile"
    program = str(script) if script.exists() else f"{sys.executable} -m secretsfile"
    return f"{program} merge driver %O %A %B %L %P"


def git(root: Path, *args: str, check: bool = True,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          env=env, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"git {args}: {done.stdout}{done.stderr}")
    return done


@pytest.fixture
def repo(run: Runner, age_key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with secrets/app.yaml encrypted on main, the merge driver wired in."""
    root = tmp_path / "repo"
    (root / "secrets").mkdir(parents=True)
    monkeypatch.chdir(root)
    git(root, "init", "-q", "-b", "main")
    (root / ".gitattributes").write_text("secrets/*.yaml merge=secretsfile\n")
    git(root, "config", "merge.secretsfile.name", "secretsfile key-level merge")
    git(root, "config", "merge.secretsfile.driver", _driver_command())
    secret = root / "secrets" / "app.yaml"
    secret.write_text(BASE)
    assert run("encrypt", "--in-place", secret).code == 0
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    return root


def change(run: Runner, root: Path, branch: str, key: str, value: str, new: bool = True
           ) -> None:
    git(root, "checkout", "-q", *(["-b"] if new else []), branch)
    result = run("set", "secrets/app.yaml", key, "--value-stdin", stdin=value)
    assert result.code == 0, result.stderr
    git(root, "commit", "-qam", f"{branch}: {key}")


def diverge(run: Runner, root: Path, ours: tuple[str, str], theirs: tuple[str, str]) -> None:
    change(run, root, "feature", *theirs)
    change(run, root, "main", *ours, new=False)


def decrypted(run: Runner, path: str = "secrets/app.yaml") -> str:
    result = run("decrypt", path)
    assert result.code == 0, result.stderr
    return result.stdout


def sops_decrypt(root: Path, path: str = "secrets/app.yaml") -> str:
    assert SOPS is not None
    key_file = Path(os.environ["XDG_CONFIG_HOME"]) / "secretsfile" / "age" / "keys.txt"
    env = {**os.environ, "SOPS_AGE_KEY_FILE": str(key_file)}
    done = subprocess.run([SOPS, "decrypt", path], cwd=root, env=env, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def nowhere_in_plaintext(root: Path, *values: str) -> None:
    """No planted value in any file of the worktree or .git, nor in any git object."""
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(v.encode() in data for v in values), path
    objects = subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch"], cwd=root,
                             capture_output=True, check=True).stdout
    assert not any(v.encode() in objects for v in values)


ENC = re.compile(r"ENC\[AES256_GCM,data:[^\]]*\]")


def values(text: str) -> list[str]:
    """The encrypted values, without the MAC of the sops block."""
    return ENC.findall(text.split("\nsops:")[0])


def test_disjoint_changes_merge_cleanly_and_sops_reads_the_result(run: Runner, repo: Path
                                                                   ) -> None:
    diverge(run, repo, ("db.password", "ours-PLANTED-pass"),
            ("api_token", "theirs-PLANTED-token"))
    ours_text = (repo / "secrets/app.yaml").read_text()
    theirs_text = git(repo, "show", "feature:secrets/app.yaml").stdout
    merged = git(repo, "merge", "--no-edit", "feature")
    assert "merged key by key" in merged.stderr
    text = (repo / "secrets/app.yaml").read_text()
    assert "<<<<<<<" not in text
    # every value's ciphertext comes from one side: nothing was re-encrypted (the MAC is new)
    assert set(values(text)) <= set(values(ours_text)) | set(values(theirs_text))
    plain = decrypted(run)
    assert "ours-PLANTED-pass" in plain and "theirs-PLANTED-token" in plain
    assert "user: admin" in plain
    assert sops_decrypt(repo) == plain
    assert git(repo, "status", "--porcelain").stdout == ""


def test_same_key_changed_on_both_sides_conflicts_without_plaintext(run: Runner, repo: Path
                                                                     ) -> None:
    diverge(run, repo, ("db.password", "ours-PLANTED-pass"),
            ("db.password", "theirs-PLANTED-pass"))
    ours_text = (repo / "secrets/app.yaml").read_text()
    merged = git(repo, "merge", "--no-edit", "feature", check=False)
    assert merged.returncode != 0
    assert '["db"]["password"]' in merged.stderr and "merge resolve" in merged.stderr
    assert "PLANTED" not in merged.stdout + merged.stderr
    assert (repo / "secrets/app.yaml").read_text() == ours_text  # encrypted ours
    nowhere_in_plaintext(repo, "ours-PLANTED-pass", "theirs-PLANTED-pass", "base-PLANTED-pass")


@pytest.mark.parametrize("side", ["--ours", "--theirs"])
def test_resolve_finishes_the_merge(run: Runner, repo: Path, side: str) -> None:
    diverge(run, repo, ("db.password", "ours-PLANTED-pass"),
            ("db.password", "theirs-PLANTED-pass"))
    change(run, repo, "feature", "api_token", "theirs-PLANTED-token", new=False)
    git(repo, "checkout", "-q", "main")
    assert git(repo, "merge", "--no-edit", "feature", check=False).returncode != 0
    result = run("merge", "resolve", "secrets/app.yaml", side)
    assert result.code == 0, result.stderr
    assert '["db"]["password"]' in result.stderr and "PLANTED" not in result.output
    git(repo, "commit", "-q", "--no-edit")
    plain = decrypted(run)
    assert f"{side[2:]}-PLANTED-pass" in plain
    assert "theirs-PLANTED-token" in plain  # the disjoint change merged too
    assert sops_decrypt(repo) == plain
    nowhere_in_plaintext(repo, "ours-PLANTED-pass", "theirs-PLANTED-pass")


def test_resolve_edit_uses_the_private_copy(run: Runner, repo: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    diverge(run, repo, ("api_token", "ours-PLANTED-token"),
            ("api_token", "theirs-PLANTED-token"))
    assert git(repo, "merge", "--no-edit", "feature", check=False).returncode != 0
    seen = tmp_path / "seen.txt"
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        f"pathlib.Path({str(seen)!r}).write_text(str(p) + '\\n' + p.read_text())\n"
        "lines = p.read_text().splitlines(keepends=True)\n"
        "out, skip = [], False\n"
        "for line in lines:\n"
        "    if line.startswith('<<<<<<<'): skip = True; continue\n"
        "    if line.startswith('======='): skip = False; continue\n"
        "    if line.startswith('>>>>>>>'): continue\n"
        "    if not skip: out.append(line)\n"
        "p.write_text(''.join(out))\n")
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    result = run("merge", "resolve", "secrets/app.yaml", "--edit")
    assert result.code == 0, result.stderr
    scratch, shown = seen.read_text().split("\n", 1)
    assert not Path(scratch).exists() and repo not in Path(scratch).parents
    assert "<<<<<<< ours" in shown and "theirs-PLANTED-token" in shown
    seen.unlink()
    assert "theirs-PLANTED-token" in decrypted(run)
    git(repo, "commit", "-q", "--no-edit")
    nowhere_in_plaintext(repo, "ours-PLANTED-token", "theirs-PLANTED-token")


def test_without_a_key_git_keeps_its_normal_conflict(run: Runner, repo: Path,
                                                     tmp_path: Path) -> None:
    diverge(run, repo, ("db.password", "ours-PLANTED-pass"),
            ("api_token", "theirs-PLANTED-token"))
    keyless = tmp_path / "keyless-home"
    keyless.mkdir()
    env = {**os.environ, "HOME": str(keyless), "XDG_CONFIG_HOME": str(keyless / ".config")}
    merged = git(repo, "merge", "--no-edit", "feature", check=False, env=env)
    assert merged.returncode != 0
    assert "no key-level merge" in merged.stderr and "PLANTED" not in merged.stderr
    text = (repo / "secrets/app.yaml").read_text()
    assert "<<<<<<< ours" in text and ">>>>>>> theirs" in text  # ciphertext markers
    nowhere_in_plaintext(repo, "ours-PLANTED-pass", "theirs-PLANTED-token")
    # someone holding a key finishes it from the index, whatever is in the worktree
    result = run("merge", "resolve", "secrets/app.yaml")
    assert result.code == 0, result.stderr
    plain = decrypted(run)
    assert "ours-PLANTED-pass" in plain and "theirs-PLANTED-token" in plain


def _line(text: str, key: str) -> str:
    return next(line for line in text.splitlines(keepends=True) if line.startswith(key))


def test_hand_resolved_merge_is_recovered_with_ignore_mac(run: Runner, repo: Path) -> None:
    (repo / ".gitattributes").write_text("")  # no driver: git merges lines
    git(repo, "commit", "-qam", "no driver")
    diverge(run, repo, ("db.password", "ours-PLANTED-pass"),
            ("api_token", "theirs-PLANTED-token"))
    ours_text = (repo / "secrets/app.yaml").read_text()
    theirs_text = git(repo, "show", "feature:secrets/app.yaml").stdout
    assert git(repo, "merge", "--no-edit", "feature", check=False).returncode != 0
    secret = repo / "secrets/app.yaml"
    assert "<<<<<<<" in secret.read_text()  # the metadata lines conflict
    # by hand: ours, with theirs' api_token line (ciphertext under the same data key)
    secret.write_text(ours_text.replace(_line(ours_text, "api_token:"),
                                        _line(theirs_text, "api_token:")))
    refused = run("decrypt", secret)
    assert refused.code == 4 and "MAC" in refused.stderr
    assert run("reseal", secret).code == 4
    peek = run("decrypt", "--ignore-mac", secret)
    assert peek.code == 0 and "theirs-PLANTED-token" in peek.stdout
    assert "NOT VERIFIED" in peek.stderr and "PLANTED" not in peek.stderr
    result = run("reseal", "--ignore-mac", secret)
    assert result.code == 0 and "MAC and integrity tag replaced" in result.stderr
    plain = decrypted(run)
    assert "ours-PLANTED-pass" in plain and "theirs-PLANTED-token" in plain
    assert sops_decrypt(repo) == plain
    git(repo, "add", "secrets/app.yaml")
    git(repo, "commit", "-q", "--no-edit")


def test_ignore_mac_still_authenticates_every_value(run: Runner, repo: Path) -> None:
    secret = repo / "secrets/app.yaml"
    text = secret.read_text()
    first, second = values(text)[:2]
    swapped = text.replace(first, "@@").replace(second, first).replace("@@", second)
    secret.write_text(swapped)  # two values moved between keys
    for command in (("decrypt", "--ignore-mac", secret), ("reseal", "--ignore-mac", secret)):
        result = run(*command)
        assert result.code == 4 and "failed authentication" in result.stderr
    assert secret.read_text() == swapped


def test_resolve_refuses_a_file_without_conflict(run: Runner, repo: Path) -> None:
    result = run("merge", "resolve", "secrets/app.yaml", "--ours")
    assert result.code == 2 and "no merge conflict" in result.stderr
    assert run("merge", "resolve", "secrets/app.yaml", "--ours", "--theirs").code == 2
