"""Git sources on real repositories: the file listing, staged added lines, history."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from secretsfile.git import blobs
from secretsfile.git.diff import AddedLines
from secretsfile.git.sources import (
    GitError,
    find_repo_root,
    history_added_lines,
    history_added_lines_for,
    history_commits,
    history_text,
    list_files,
    repo_root,
    staged_blobs,
    staged_changes,
    staged_paths,
    staged_text,
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


ODD_NAMES = ["secrets/a\nb.yaml", "1:x.yaml", "x.yaml", "sp ace.yaml", "caf\udce9.yaml"]


def _write(repo: Path, name: str, data: bytes) -> None:
    path = repo / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def test_staged_blobs_read_each_name_by_its_index_entry(repo: Path, git: Git) -> None:
    """A newline, a leading `1:` (index stage syntax), a space or a non-UTF-8 byte in a
    name: each path gets exactly its own staged content, none shifts onto the next."""
    for n, name in enumerate(ODD_NAMES):
        _write(repo, name, f"content {n}\n".encode())
    git("add", "-A")
    (repo / "x.yaml").write_text("worktree, not staged\n")
    asked = [*ODD_NAMES, "secrets", "gone.yaml"]
    expected = {name: f"content {n}\n".encode() for n, name in enumerate(ODD_NAMES)}
    assert staged_blobs(repo, asked) == {**expected, "secrets": None, "gone.yaml": None}
    assert sorted(staged_paths(repo)) == sorted(ODD_NAMES)


def test_staged_blobs_from_the_whole_index(repo: Path, git: Git,
                                           monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """Past the pathspec limit the whole index is listed: the same answers."""
    for n, name in enumerate(ODD_NAMES):
        _write(repo, name, f"content {n}\n".encode())
    git("add", "-A")
    monkeypatch.setattr(blobs, "_MAX_PATHSPECS", 1)
    found = staged_blobs(repo, ["1:x.yaml", "secrets/a\nb.yaml", "nope"])
    assert found == {"1:x.yaml": b"content 1\n", "secrets/a\nb.yaml": b"content 0\n", "nope": None}


def test_staged_blobs_refuse_what_they_cannot_read(repo: Path, git: Git) -> None:
    """Unmerged, or an object the index names but git lacks: an error naming the file,
    never None ("nothing staged")."""
    (repo / "c.yaml").write_text("base\n")
    git("add", "c.yaml")
    git("commit", "-qm", "base")
    git("checkout", "-qb", "side")
    (repo / "c.yaml").write_text("side\n")
    git("commit", "-qam", "side")
    git("checkout", "-q", "main")
    (repo / "c.yaml").write_text("main\n")
    git("commit", "-qam", "main")
    git("merge", "-q", "side", check=False)
    with pytest.raises(GitError, match="unmerged") as unmerged:
        staged_blobs(repo, ["c.yaml"])
    assert unmerged.value.path == "c.yaml"
    git("merge", "--abort")
    (repo / "d.yaml").write_text("lost\n")
    git("add", "d.yaml")
    oid = git("rev-parse", ":d.yaml").strip()
    (repo / ".git" / "objects" / oid[:2] / oid[2:]).unlink()
    with pytest.raises(GitError, match="cannot read") as lost:
        staged_blobs(repo, ["c.yaml", "d.yaml"])
    assert lost.value.path == "d.yaml"


TOKEN_LINE = b"token: ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d\n"


def _png() -> bytes:
    """A real 1x1 PNG (its IHDR length field holds NUL bytes)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))  # fmt: skip


class Heads:
    """The text test: no NUL in the head; records what it was shown."""

    def __init__(self) -> None:
        self.seen: dict[str, int] = {}

    def __call__(self, head: bytes, size: int, path: str) -> bool:
        self.seen[path] = len(head)
        return b"\0" not in head


@pytest.mark.parametrize("attribute", ["-diff", "binary"])
def test_staged_text_rereads_what_git_calls_binary(repo: Path, git: Git, attribute: str) -> None:
    (repo / ".gitattributes").write_text(f"*.yaml {attribute}\n*.data -diff\n")
    (repo / "old.yaml").write_bytes(b"a: 1\nb: 2\n")
    git("add", "-A")
    git("commit", "-qm", "base")
    (repo / "old.yaml").write_bytes(b"a: 1\n" + TOKEN_LINE + b"b: 2\n")
    (repo / "1:x.yaml").write_bytes(b"x: 1\n" + TOKEN_LINE)
    (repo / "pic.data").write_bytes(_png())
    git("add", "-A")
    staged = staged_changes(repo)
    binary = [s.path for s in staged.added if s.binary]
    assert sorted(binary) == ["1:x.yaml", "old.yaml", "pic.data"]
    heads = Heads()
    text = {s.path: (s.numbers, s.lines, s.binary) for s in staged_text(repo, binary, heads)}
    token = TOKEN_LINE.decode().rstrip("\n")
    assert text == {"old.yaml": ([2], [token], False), "1:x.yaml": ([1, 2], ["x: 1", token], False)}
    assert heads.seen["pic.data"] == len(_png())  # a real binary: tested, left out
    assert staged_text(repo, [], heads) == []


def test_staged_text_of_a_name_git_quotes(repo: Path, git: Git) -> None:
    (repo / ".gitattributes").write_text("*.yaml -diff\n")
    _write(repo, "secrets/a\nb.yaml", TOKEN_LINE)
    git("add", "-A")
    [section] = [s for s in staged_changes(repo).added if s.binary]
    [text] = staged_text(repo, [section.path], Heads())
    assert (text.path, text.lines) == ("secrets/a\nb.yaml", [TOKEN_LINE.decode().rstrip("\n")])


def test_the_text_test_sees_only_a_head_of_a_large_blob(repo: Path, git: Git) -> None:
    (repo / ".gitattributes").write_text("*.log binary\n")
    (repo / "big.log").write_bytes(b"line of text\n" * 40_000 + b"\0")  # NUL past the head
    (repo / "small.log").write_bytes(TOKEN_LINE)
    git("add", "-A")
    heads = Heads()
    text = staged_text(repo, ["big.log", "small.log"], heads)
    assert heads.seen == {"big.log": blobs.TEXT_TEST_BYTES, "small.log": len(TOKEN_LINE)}
    assert sorted(s.path for s in text) == ["big.log", "small.log"]


def test_history_text_rereads_binary_sections_of_commits(repo: Path, git: Git) -> None:
    (repo / ".gitattributes").write_text("*.yaml -diff\n")
    git("add", "-A")
    git("commit", "-qm", "attributes")
    (repo / "a.yaml").write_bytes(b"x: 1\n" + TOKEN_LINE)
    (repo / "pic.yaml").write_bytes(_png())
    git("add", "-A")
    git("commit", "-qm", "one")
    first = git("rev-parse", "HEAD").strip()
    (repo / "1:x.yaml").write_bytes(TOKEN_LINE)
    (repo / "a.yaml").write_bytes(b"x: 2\n" + TOKEN_LINE)
    git("add", "-A")
    git("commit", "-qm", "two")
    second = git("rev-parse", "HEAD").strip()
    sections = list(history_added_lines(repo))
    binary = [(s.commit or "", s.path) for s in sections if s.binary]
    assert len(binary) == 4
    heads = Heads()
    text = {(s.commit, s.path): s.lines for s in history_text(repo, binary, heads)}
    token = TOKEN_LINE.decode().rstrip("\n")
    assert text == {(first, "a.yaml"): ["x: 1", token], (second, "a.yaml"): ["x: 2"],
                    (second, "1:x.yaml"): [token]}  # fmt: skip
    assert heads.seen["pic.yaml"] == len(_png())
    assert history_text(repo, [], heads) == []


def test_history_text_of_a_name_git_quotes(repo: Path, git: Git) -> None:
    (repo / ".gitattributes").write_text("*.yaml -diff\n")
    _write(repo, "secrets/a\nb.yaml", TOKEN_LINE)
    git("add", "-A")
    git("commit", "-qm", "one")
    [section] = [s for s in history_added_lines(repo) if s.binary]
    [text] = history_text(repo, [(section.commit or "", section.path)], Heads())
    assert (text.path, text.lines) == ("secrets/a\nb.yaml", [TOKEN_LINE.decode().rstrip("\n")])
