"""``ops.scanning`` reports progress through the plain callback the CLI hands in: once per
commit for history scans, once per file for a scan of many files (none for a few)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from secretsfile.git import sources
from secretsfile.ops.scanning import PROGRESS_MIN_FILES, Mode, ScanRequest, run_scan


class Recorder:
    """A progress display that writes down what it was told."""

    def __init__(self) -> None:
        self.opened: list[tuple[str, int | None]] = []
        self.done: list[str] = []

    @contextmanager
    def __call__(self, what: str, total: int | None) -> Iterator[Callable[[str], None]]:
        self.opened.append((what, total))
        yield self.done.append


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                          check=True).stdout  # fmt: skip


def test_history_advances_once_per_commit(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    for number in range(4):
        (tmp_path / f"f{number}.py").write_text(f"x = {number}\n")
        git(tmp_path, "add", ".")
        git(tmp_path, "commit", "-qm", f"commit {number}")
    recorder = Recorder()
    run_scan(ScanRequest(mode=Mode.HISTORY, cwd=tmp_path, progress=recorder), sources)
    commits = git(tmp_path, "rev-list", "--all").split()
    assert recorder.opened == [("scanning history", len(commits))]
    assert sorted(recorder.done) == sorted(commits)


def test_files_advance_once_per_file_only_for_many(tmp_path: Path) -> None:
    for number in range(PROGRESS_MIN_FILES):
        (tmp_path / f"f{number}.txt").write_text("nothing\n")
    recorder = Recorder()
    run_scan(ScanRequest(mode=Mode.NO_GIT, cwd=tmp_path, progress=recorder), sources)
    assert recorder.opened == [("scanning files", PROGRESS_MIN_FILES)]
    assert len(recorder.done) == PROGRESS_MIN_FILES
    (tmp_path / "f0.txt").unlink()
    few = Recorder()
    run_scan(ScanRequest(mode=Mode.NO_GIT, cwd=tmp_path, progress=few), sources)
    assert few.opened == [] and few.done == []
