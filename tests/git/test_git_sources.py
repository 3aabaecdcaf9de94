"""Git sources on real repositories: the file listing, staged added lines, history."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from secretsfile.git.diff import AddedLines
from secretsfile.git.sources import (
    GitError,
    find_repo_root,
    history_added_lines,
    history_added_lines_for,
    history_commits,
    list_files,
    repo_root,
    staged_blobs,
    staged_changes,
    staged_paths,
)
from tests.git.conftest import Git


def test_list_files_tracked_and_untracked_not_ignored(repo: Path, git: Git) -> None:
    (repo / ".gitignore").write_text("ignored.txt\n")
    (repo / "tracked.py").write_text("x")
    git("add", ".gitignore", "tracked.py")
    (repo / "untracked.py").write_text("x")
    (repo / "ignored.txt").write_text("x")
    (repo / "sub").mkdir()
    (repo / "sub" / "*weird*.py").write_text("x")
    assert sorted(list_files(repo)) == [
        ".gitignore",
        "sub/*weird*.py",
        "tracked.py",
        "untracked.py",
    ]
    assert list_files(repo, ["sub"]) == ["sub/*weird*.py"]


def test_find_repo_root(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "a" / "b").mkdir(parents=True)
    (repo / "a" / "f.txt").write_text("x")
    assert find_repo_root(repo / "a" / "b") == repo.resolve()
    assert find_repo_root(repo.parent) is None
    # repo_root: the same walk as a str (a scan loads no pathlib), from a str or a file
    assert repo_root(str(repo / "a" / "b")) == str(repo.resolve())
    assert repo_root(repo / "a" / "f.txt") == str(repo.resolve())
    assert repo_root(repo.parent) is None
    monkeypatch.setenv("GIT_WORK_TREE", str(repo / "a" / ".." / "a"))  # as set inside hooks
    assert repo_root(repo.parent) == str((repo / "a").resolve())
    assert find_repo_root(repo.parent) == (repo / "a").resolve()


def test_staged_changes_are_added_lines_only(repo: Path, git: Git) -> None:
    (repo / "app.py").write_text("a = 1\nsecret = 'old'\nb = 2\n")
    git("add", "app.py")
    git("commit", "-qm", "one")
    (repo / "app.py").write_text("a = 1\nb = 2\nc = 'new'\n")  # delete a line, add one
    (repo / "img.bin").write_bytes(b"\0\1\2")
    git("add", "app.py", "img.bin")
    (repo / "app.py").write_text("a = 1\nb = 2\nc = 'new'\nunstaged = 1\n")
    staged = staged_changes(repo)
    by_path = {s.path: s for s in staged.added}
    assert by_path["app.py"].lines == ["c = 'new'"]
    assert by_path["app.py"].numbers == [3]
    assert by_path["img.bin"].binary
    assert staged.changed == {"app.py", "img.bin"}
    assert staged_changes(repo, ["img.bin"]).changed == {"img.bin"}


def test_staged_changes_on_an_unborn_branch(repo: Path, git: Git) -> None:
    (repo / "first.txt").write_text("hello\nworld\n")
    git("add", "first.txt")
    [section] = staged_changes(repo).added
    assert (section.path, section.lines, section.numbers) == (
        "first.txt",
        ["hello", "world"],
        [1, 2],
    )


def test_a_lone_carriage_return_does_not_end_the_hunk(repo: Path, git: Git) -> None:
    # bytes.splitlines breaks at a lone \r: the hunk looked malformed there and every
    # added line after it (a secret on the next line) was dropped from the staged scan
    (repo / "app.py").write_bytes(b"x = 1\rtoken = 'a'\nb = 2\r\nc = 3\n")
    git("add", "app.py")
    [section] = staged_changes(repo).added
    assert section.lines == ["x = 1\rtoken = 'a'", "b = 2\r", "c = 3"]
    assert section.numbers == [1, 2, 3]


def test_pure_rename_adds_nothing(repo: Path, git: Git) -> None:
    (repo / "old.py").write_text("token = 'x'\n" * 20)
    git("add", "old.py")
    git("commit", "-qm", "one")
    git("mv", "old.py", "new.py")
    staged = staged_changes(repo)
    assert [s.lines for s in staged.added] == [[]]
    assert staged.changed == {"new.py"}


def test_staged_blobs_and_paths(repo: Path, git: Git) -> None:
    (repo / "a.yaml").write_text("staged\n")
    (repo / "b c.yaml").write_text("two\n")
    git("add", "a.yaml", "b c.yaml")
    (repo / "a.yaml").write_text("worktree\n")
    assert sorted(staged_paths(repo)) == ["a.yaml", "b c.yaml"]
    assert staged_blobs(repo, ["a.yaml", "b c.yaml", "nope.yaml"]) == {
        "a.yaml": b"staged\n",
        "b c.yaml": b"two\n",
        "nope.yaml": None,
    }


def test_commit_all_uses_the_index_git_gives_the_hook(repo: Path, git: Git) -> None:
    """`git commit -a` stages into a temporary index named by GIT_INDEX_FILE."""
    (repo / "app.py").write_text("x = 1\n")
    git("add", "app.py")
    git("commit", "-qm", "one")
    (repo / "app.py").write_text("x = 1\nadded_by_commit_a = 2\n")
    hook = repo / ".git" / "hooks" / "pre-commit"
    out = repo / "seen.txt"
    code = (
        "from pathlib import Path\n"
        "from secretsfile.git.sources import staged_changes\n"
        f"Path({str(out)!r}).write_text(repr([s.lines for s in staged_changes(Path('.')).added]))\n"
    )
    hook.write_text(f"#!/bin/sh\nexec {sys.executable} -c {subprocess.list2cmdline([code])}\n")
    hook.chmod(0o755)
    git("commit", "-qam", "two")
    assert out.read_text() == "[['added_by_commit_a = 2']]"


def test_history_reads_every_commit_without_checkout(repo: Path, git: Git) -> None:
    (repo / "a.txt").write_text("one\n")
    git("add", "a.txt")
    git("commit", "-qm", "c1")
    first = git("rev-parse", "HEAD").strip()
    (repo / "a.txt").write_text("one\ntwo\n")
    (repo / "b.txt").write_text("bee\n")
    git("add", "a.txt", "b.txt")
    git("commit", "-qm", "c2")
    git("checkout", "-qb", "side")
    (repo / "c.txt").write_text("sea\n")
    git("add", "c.txt")
    git("commit", "-qm", "c3")
    git("checkout", "-q", "main")
    head_only = [(s.path, s.lines) for s in history_added_lines(repo)]
    assert sorted(head_only) == [("a.txt", ["one"]), ("a.txt", ["two"]), ("b.txt", ["bee"])]
    since = [(s.path, s.lines) for s in history_added_lines(repo, since=first)]
    assert sorted(since) == [("a.txt", ["two"]), ("b.txt", ["bee"])]
    everything = {s.path for s in history_added_lines(repo, all_refs=True)}
    assert everything == {"a.txt", "b.txt", "c.txt"}
    commits = {s.commit for s in history_added_lines(repo, all_refs=True)}
    assert len(commits) == 3 and all(c and len(c) == 40 for c in commits)
    assert (repo / "a.txt").read_text() == "one\ntwo\n"  # nothing was checked out


def test_history_errors(repo: Path, git: Git) -> None:
    assert list(history_added_lines(repo)) == []  # no commits yet
    (repo / "a").write_text("x")
    git("add", "a")
    git("commit", "-qm", "c")
    with pytest.raises(GitError, match="unknown revision"):
        list(history_added_lines(repo, since="no-such-ref"))


def test_diff_tree_slices_read_what_git_log_reads(repo: Path, git: Git) -> None:
    (repo / "a.txt").write_text("one\n")
    (repo / "img.bin").write_bytes(b"\x00\x01" * 30)
    git("add", "-A")
    git("commit", "-qm", "root")
    (repo / "a.txt").unlink()
    (repo / "b.txt").write_text("one\ntwo\n")  # a rename: only "two" is added
    git("add", "-A")
    git("commit", "-qm", "rename")
    git("checkout", "-qb", "side")
    (repo / "c.txt").write_text("sea\n")
    git("add", "c.txt")
    git("commit", "-qm", "side")
    git("checkout", "-q", "main")
    (repo / "img.bin").write_bytes(b"\x00\x02" * 30)
    git("commit", "-qam", "binary change")
    git("merge", "-q", "--no-ff", "-m", "merge", "side")
    commits = history_commits(repo, all_refs=True)
    assert commits == git("rev-list", "--all").split()
    assert history_commits(repo, since="HEAD~1") == git("rev-list", "HEAD~1..HEAD").split()

    def rows(sections: Iterable[AddedLines]) -> list[tuple[object, ...]]:
        return [(s.commit, s.path, s.numbers, s.lines, s.binary) for s in sections]

    whole = rows(history_added_lines(repo, all_refs=True))
    assert rows(history_added_lines_for(repo, commits)) == whole
    halves = [*history_added_lines_for(repo, commits[:2]),
              *history_added_lines_for(repo, commits[2:])]  # fmt: skip
    assert rows(halves) == whole
    assert ("b.txt", [2], ["two"]) in [(p, n, li) for _c, p, n, li, _b in whole]
    assert commits[0] not in {c for c, *_ in whole}  # the merge shows no diff
    assert sum(1 for *_, binary in whole if binary) == 2
    assert list(history_added_lines_for(repo, [])) == []
    with pytest.raises(GitError, match="diff-tree failed"):
        list(history_added_lines_for(repo.parent, commits))  # not a repository
