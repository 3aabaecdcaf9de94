"""Files git calls binary (a ``-diff``/``binary`` attribute, or its NUL test on the old
side) are read again by ``scan --staged/--since/--history``: text to our own test means
their added lines are scanned; true binaries stay skipped. Real git repositories."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from secretsfile.git import sources
from secretsfile.ops import scan_history
from secretsfile.ops.scanning import Mode, ScanRequest, ScanResult, run_scan
from tests.git.test_git_sources import TOKEN_LINE, _png

TOKEN = TOKEN_LINE.decode().split(": ")[1].strip()


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                          check=True).stdout  # fmt: skip


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "a@b")
    git(tmp_path, "config", "user.name", "a")
    return tmp_path


def scan(repo: Path, mode: Mode, **kw: object) -> ScanResult:
    request = ScanRequest(cwd=repo, mode=mode, use_baseline=False, **kw)  # type: ignore[arg-type]
    return run_scan(request, sources)


def found(result: ScanResult) -> list[tuple[str, int]]:
    return sorted((f.path, f.line) for f in result.findings)


@pytest.mark.parametrize("attribute", ["-diff", "binary"])
def test_staged_scans_text_that_attributes_call_binary(repo: Path, attribute: str) -> None:
    (repo / ".gitattributes").write_text(f"*.yaml {attribute}\n*.data {attribute}\n")
    (repo / "old.yaml").write_bytes(b"a: 1\nb: 2\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    (repo / "old.yaml").write_bytes(b"a: 1\n" + TOKEN_LINE + b"b: 2\n")
    (repo / "new.yaml").write_bytes(TOKEN_LINE)
    (repo / "logo.png").write_bytes(_png())  # excluded by name: never read again
    (repo / "pic.data").write_bytes(_png())  # read again: NUL, a true binary
    git(repo, "add", "-A")
    result = scan(repo, Mode.STAGED)
    assert found(result) == [("new.yaml", 1), ("old.yaml", 2)]
    assert result.stats.skipped == {"binary": 2} and result.stats.files == 2


def test_staged_scans_a_binary_file_that_became_text(repo: Path) -> None:
    """git's own NUL test looks at the old side too: the new text is still scanned."""
    (repo / "blob.cfg").write_bytes(b"\0\1\2" * 10)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    (repo / "blob.cfg").write_bytes(TOKEN_LINE)
    git(repo, "add", "-A")
    assert found(scan(repo, Mode.STAGED)) == [("blob.cfg", 1)]


def test_staged_pragmas_still_read_the_whole_reread_file(repo: Path) -> None:
    (repo / ".gitattributes").write_text("*.yaml -diff\n")
    (repo / "a.yaml").write_text("# secretsfile:disable\nb: 1\n# secretsfile:enable\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    (repo / "a.yaml").write_bytes(b"# secretsfile:disable\nb: 1\n" + TOKEN_LINE
                                  + b"# secretsfile:enable\n")  # fmt: skip
    git(repo, "add", "-A")
    assert found(scan(repo, Mode.STAGED)) == []


@pytest.fixture
def history(repo: Path) -> Path:
    (repo / ".gitattributes").write_text("*.yaml -diff\n*.data binary\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "attributes")
    for n in range(4):
        (repo / f"s{n}.yaml").write_bytes(b"x: 1\n" + TOKEN_LINE * (n % 2))
        (repo / f"p{n}.data").write_bytes(_png() + bytes([n]))
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", f"work {n}")
    return repo


def test_since_and_history_scan_text_that_attributes_call_binary(history: Path) -> None:
    result = scan(history, Mode.HISTORY, jobs=1)
    assert found(result) == [("s1.yaml", 2), ("s3.yaml", 2)]
    assert result.stats.skipped == {"binary": 4}
    since = scan(history, Mode.SINCE, since="HEAD~2", jobs=1)
    assert found(since) == [("s3.yaml", 2)]


def test_history_workers_reread_as_the_single_log_does(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = scan(history, Mode.HISTORY, jobs=1)
    monkeypatch.setattr(scan_history, "HISTORY_PARALLEL_MIN_COMMITS", 2)
    monkeypatch.setattr(scan_history, "_SLICE_MIN", 2)
    parallel = scan(history, Mode.HISTORY, jobs=2)
    rows = [[(f.commit, f.path, f.line, f.fingerprint) for f in r.findings]
            for r in (serial, parallel)]  # fmt: skip
    assert rows[0] == rows[1] and len(rows[0]) == 2
    assert parallel.stats.skipped == serial.stats.skipped


def test_a_file_over_the_size_limit_is_not_diffed_again(repo: Path) -> None:
    # R3: a 71 MB CSV under `*.csv -diff` was diffed whole (594 MB RSS) before the limit
    (repo / ".gitattributes").write_text("*.csv -diff\n")
    (repo / "big.csv").write_bytes(TOKEN_LINE + b"x,y\n" * 2000)
    (repo / "small.csv").write_bytes(TOKEN_LINE)
    git(repo, "add", "-A")
    result = scan(repo, Mode.STAGED, max_file_size=4096)
    assert found(result) == [("small.csv", 1)]
    assert result.stats.skipped == {"binary": 1}
