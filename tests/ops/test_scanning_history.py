"""``scan --history`` in worker processes finds exactly what the single ``git log -p`` finds:
same findings, ``commit`` fields and fingerprints, in commit order; merges, renames and
binary files as before; progress counts every commit against the ``rev-list`` total."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from secretsfile.git import sources
from secretsfile.ops import scan_history
from secretsfile.ops.scanning import Mode, ScanRequest, ScanResult, run_scan
from tests.ops.test_scanning_progress import Recorder

AWS_ID = "AKIAZ2345672345672AB"
GH_TOKEN = "ghp_" + "k7Q2mZ9xW4vB8nR1tY6uP3sL5dF0gH2jK4qE"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                          check=True).stdout  # fmt: skip


def commit(repo: Path, message: str, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """Secrets added, renamed, merged from a side branch, next to a binary file."""
    repo = tmp_path
    git(repo, "init", "-q", "-b", "main")
    commit(repo, "root", {"app.py": f'key = "{AWS_ID}"\n', "logo.bin": b"\x00\x01\x02" * 40})
    for n in range(6):
        token = f'TOKEN = "{GH_TOKEN}"\n' * (n % 2)
        commit(repo, f"work {n}", {f"src/m{n}.py": f"x = {n}\n{token}"})
    (repo / "app.py").unlink()  # renamed: only the added line is new
    commit(repo, "rename", {"moved/app.py": f'key = "{AWS_ID}"\nmore = 1\n'})
    git(repo, "checkout", "-qb", "side")
    commit(repo, "side", {"side.env": f"GITHUB_TOKEN={GH_TOKEN}\n"})
    git(repo, "checkout", "-q", "main")
    commit(repo, "main again", {"src/m0.py": f'x = 0\nkey2 = "{AWS_ID}"\n'})
    git(repo, "merge", "-q", "--no-ff", "-m", "merge side", "side")
    commit(repo, "after", {"logo.bin": b"\x00\x03" * 50, "src/m1.py": "clean = True\n"})
    return repo


def scan(repo: Path, jobs: int, **kw: object) -> tuple[ScanResult, Recorder]:
    recorder = Recorder()
    options: dict[str, object] = {"mode": Mode.HISTORY, "use_baseline": False, **kw}
    request = ScanRequest(cwd=repo, jobs=jobs, progress=recorder, **options)  # type: ignore[arg-type]
    return run_scan(request, sources), recorder


def rows(result: ScanResult) -> list[tuple[object, ...]]:
    return [(f.commit, f.path, f.line, f.column, f.rule_id, f.fingerprint) for f in result.findings]


@pytest.fixture
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Worker processes from 2 commits on, 3 commits a slice: the pool path on a tiny repo."""
    monkeypatch.setattr(scan_history, "HISTORY_PARALLEL_MIN_COMMITS", 2)
    monkeypatch.setattr(scan_history, "_SLICE_MIN", 3)


@pytest.mark.usefixtures("small_slices")
def test_workers_find_what_the_single_log_finds(history: Path) -> None:
    serial, serial_progress = scan(history, 1)
    parallel, parallel_progress = scan(history, 2)
    assert rows(parallel) == rows(serial)
    commits = git(history, "rev-list", "--all").split()
    order = {c: n for n, c in enumerate(commits)}
    assert rows(serial) == sorted(rows(serial), key=lambda r: (order[str(r[0])], r[1], r[2]))
    # the rename to moved/app.py adds one clean line: the moved key is not found again
    assert {f.path for f in serial.findings} == {"app.py", "src/m1.py", "src/m3.py", "src/m5.py",
                                                  "side.env", "src/m0.py"}  # fmt: skip
    merge = git(history, "rev-parse", "HEAD~1").strip()
    assert merge not in {f.commit for f in serial.findings}  # a merge adds nothing itself
    assert serial.stats.skipped == parallel.stats.skipped and serial.stats.skipped["binary"] == 2
    assert (serial.stats.files, serial.stats.bytes) == (parallel.stats.files, parallel.stats.bytes)
    for progress in (serial_progress, parallel_progress):
        assert progress.opened == [("scanning history", len(commits))]
        assert sorted(progress.done) == sorted(commits)


@pytest.mark.usefixtures("small_slices")
def test_workers_keep_paths_since_and_baseline(history: Path) -> None:
    for kw in ({"paths": ("src",)}, {"mode": Mode.SINCE, "since": "HEAD~6"}):
        serial, _ = scan(history, 1, **kw)
        parallel, _ = scan(history, 2, **kw)
        assert rows(parallel) == rows(serial) and rows(serial)
    only_src, _ = scan(history, 2, paths=("src",))
    assert {f.path.split("/")[0] for f in only_src.findings} == {"src"}
    serial, _ = scan(history, 1, update_baseline=True)
    baseline = (history / ".secretsfile-baseline.json").read_text()
    (history / ".secretsfile-baseline.json").unlink()
    scan(history, 2, update_baseline=True)
    assert (history / ".secretsfile-baseline.json").read_text() == baseline


def test_slices_cover_every_commit_once_in_order() -> None:
    commits = [f"{n:040x}" for n in range(2_345)]
    slices = scan_history._slices(commits, 2)
    assert [c for s in slices for c in s] == commits
    assert len(slices) == 2 * scan_history._SLICES_PER_JOB
    assert scan_history._slices(commits[:300], 4) == [commits[:250], commits[250:300]]
