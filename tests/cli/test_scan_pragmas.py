"""`secretsfile scan --staged` in a real git repository: a pragma reaches only the file
lines it is on or just above (R2 F1, F8), as in the whole-file scan."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cli.conftest import Runner

GH_TOKEN = "ghp_" + "u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, capture_output=True, check=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "a@example.com")
    git(root, "config", "user.name", "a")
    monkeypatch.chdir(root)
    return root


def stage(repo: Path, before: str, after: str) -> None:
    (repo / "x.yaml").write_bytes(before.encode())
    git(repo, "add", "x.yaml")
    git(repo, "commit", "-qm", "before")
    (repo / "x.yaml").write_bytes(after.encode())
    git(repo, "add", "x.yaml")


@pytest.mark.parametrize(
    ("before", "after", "line"),
    [
        # R2's reproducer: the pragma (added line 1) is three lines above the added token
        ("a: 1\nb: 2\nc: 3\nd: 4\n",
         f"a: 1 # secretsfile:allow-next-line\nb: 2\nc: 3\ntoken: {GH_TOKEN}\n", 4),
        # an added disable does not reach past the unchanged enable below it
        ("a: 1\nb: 2\n# secretsfile:enable\nd: 4\n",
         f"# secretsfile:disable\nb: 2\n# secretsfile:enable\ntoken: {GH_TOKEN}\n", 4),
        # YAML and editors show the token on the line after the pragma's
        ("a: 1\n", f"a: 1 # secretsfile:allow\rtoken: {GH_TOKEN}\n", 1),
    ],
)  # fmt: skip
def test_staged_pragma_reaches_only_its_own_lines(
    run: Runner, repo: Path, before: str, after: str, line: int
) -> None:
    stage(repo, before, after)
    staged, whole = run("scan", "--staged", "--no-baseline"), run("scan", "--no-baseline", "x.yaml")
    assert staged.code == whole.code == 1
    assert staged.stdout.startswith(f"x.yaml:{line}:") and staged.stdout == whole.stdout
    assert GH_TOKEN not in staged.stdout + staged.stderr
    git(repo, "commit", "-qm", "after")  # the same added lines, without the whole file
    since = run("scan", "--since", "HEAD~1", "--no-baseline")
    assert since.code == 1 and f":x.yaml:{line}:" in since.stdout  # commit:path:line


def test_staged_pragma_next_to_the_token_still_counts(run: Runner, repo: Path) -> None:
    # added right below an unchanged pragma, and a pragma added right above it
    before = "# secretsfile:allow-next-line\nb: 2\n"
    stage(repo, before, f"# secretsfile:allow-next-line\ntoken: {GH_TOKEN}\n")
    assert run("scan", "--staged", "--no-baseline").code == 0
    git(repo, "commit", "-qm", "pragma")
    (repo / "x.yaml").write_text(f"a: 1\n# secretsfile:allow-next-line\nt: {GH_TOKEN}\n")
    git(repo, "add", "x.yaml")
    assert run("scan", "--staged", "--no-baseline").code == 0
