"""git/history: every committed version of one file, read from real repositories."""

from __future__ import annotations

import itertools
from pathlib import Path

from secretsfile.git.history import versions_of
from tests.git.conftest import Git

# characters that str.splitlines (or a line-based reader) takes as a line end
LINE_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\r"


def _commit(git: Git, message: str) -> str:
    git("add", "-A")
    git("commit", "-q", "--allow-empty-message", "-m", message)
    return git("rev-parse", "HEAD").strip()


def test_a_subject_cannot_start_a_record(repo: Path, git: Git) -> None:
    (repo / "s.yaml").write_text("a: 1\n")
    first = _commit(git, "init")
    (repo / "s.yaml").write_text("a: 2\n")
    forged = "\x1f\x1f2020-01-01T00:00:00+00:00\x1fAlice Admin\x1falice@x\x1freviewed"
    subjects = [f"tweak{brk}{first}{forged}" for brk in LINE_BREAKS]
    for number, subject in enumerate(subjects):
        (repo / "s.yaml").write_text(f"a: {number + 2}\n")
        _commit(git, subject)
    versions = versions_of(repo / "s.yaml")
    assert len(versions) == 1 + len(subjects)
    author = git("log", "-1", "--format=%an").strip()
    assert author != "Alice Admin"
    assert [v.author for v in versions] == [author] * len(versions)
    assert [v.subject for v in versions[1:]] == subjects
    assert [v.text for v in versions] == [f"a: {n + 1}\n" for n in range(len(versions))]
    assert all(v.parents == (p.commit,) for p, v in itertools.pairwise(versions))


def test_names_with_newlines_and_glob_characters(repo: Path, git: Git) -> None:
    (repo / "d" / "sub").mkdir(parents=True)
    odd = repo / "d" / "sub" / "a\nb\r.yaml"
    odd.write_text("odd: 1\n")
    (repo / "d" / "x1.yaml").write_text("plain: 1\n")
    (repo / "d" / "x[1].yaml").write_text("glob: 1\n")
    _commit(git, "one")
    odd.write_text("odd: 2\n")
    (repo / "d" / "x1.yaml").write_text("plain: 2\n")
    _commit(git, "two")
    assert [v.text for v in versions_of(odd)] == ["odd: 1\n", "odd: 2\n"]
    assert [v.text for v in versions_of(repo / "d" / "x[1].yaml")] == ["glob: 1\n"]


def test_deleted_and_replaced_by_a_directory(repo: Path, git: Git) -> None:
    target = repo / "e" / "f.yaml"
    target.parent.mkdir()
    target.write_text("v: 1\n")
    _commit(git, "add")
    target.unlink()
    target.mkdir()
    (target / "inner").write_text("x\n")
    _commit(git, "now a directory")
    target.joinpath("inner").unlink()
    target.rmdir()
    target.write_text("v: 3\n")
    _commit(git, "back")
    assert [v.text for v in versions_of(target, limit=10)] == ["v: 1\n", None, "v: 3\n"]
    assert [v.text for v in versions_of(target, limit=1)] == ["v: 3\n"]


def test_no_commits_yet(repo: Path) -> None:
    (repo / "s.yaml").write_text("a: 1\n")
    assert versions_of(repo / "s.yaml") == []
