"""Non-git sources: skip rules, globs, the directory walk, and the parallel runner."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from secretsfile.scanner.engine import Fragment, Scanner
from secretsfile.scanner.model import Rule
from secretsfile.scanner.runner import scan_files, scan_fragments
from secretsfile.scanner.sources import (
    FileLimits,
    Skip,
    classify,
    display_path,
    glob_to_regex,
    read_limited,
    walk,
)

AWS = Rule("aws", "AWS key", r"\b(AKIA[A-Z2-7]{16})\b", ("akia",), secret_group=1)
KEY = "AKIAZ2345672345672AB"


def test_classify_binary_and_minified() -> None:
    limits = FileLimits()
    assert classify(b"abc\0\0def", "x.txt", limits) is Skip.BINARY
    assert classify(b"var a=1;" * 2000, "bundle.js", limits) is Skip.MINIFIED
    assert classify(b"x", "jquery.min.js", limits) is Skip.MINIFIED
    assert classify(b"var a=1;\n" * 2000, "app.js", limits) is None
    assert classify(b"abc\0\0def", "x.txt", FileLimits(skip_binary=False)) is None


def _binaries(tmp_path: Path) -> dict[str, bytes]:
    """Real binary files, made here: PNG, ZIP, pyc, tar of text, SQLite of text."""
    import importlib.util
    import io
    import marshal
    import sqlite3
    import tarfile
    import zipfile
    import zlib

    text = "".join(f"line {n}: key = value-{n}\n" for n in range(400))
    pixels = bytes(range(256)) * 64
    png = (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x40\0\0\0\x40\x08\0\0\0\0"
           + b"\0\0\0\0IDAT" + zlib.compress(pixels))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("a.txt", text)
    pyc = importlib.util.MAGIC_NUMBER + b"\0" * 12 + marshal.dumps(compile(text.replace(
        "line ", "line_").replace(": key = ", " = '").replace("\n", "'\n"), "m", "exec"))
    tarred = io.BytesIO()
    with tarfile.open(fileobj=tarred, mode="w") as tar:
        info = tarfile.TarInfo("a.txt")
        info.size = len(text)
        tar.addfile(info, io.BytesIO(text.encode()))
    database = tmp_path / "t.db"
    with sqlite3.connect(database) as connection:
        connection.execute("create table t (k text)")
        connection.executemany("insert into t values (?)", [(line,) for line in
                                                            text.splitlines()])
    connection.close()
    return {"png": png, "zip": archive.getvalue(), "pyc": pyc, "tar": tarred.getvalue(),
            "sqlite": database.read_bytes()}


def test_a_stray_nul_in_text_is_scanned_real_binaries_are_not(tmp_path: Path) -> None:
    """gitleaks and detect-secrets scan a UTF-8 text file with a stray NUL: so do we; a
    file whose head is not UTF-8, or holds more than one NUL per KiB, stays binary."""
    limits = FileLimits()
    for kind, data in _binaries(tmp_path).items():
        assert b"\0" in data[:8192], kind
        assert classify(data, "blob", limits) is Skip.BINARY, kind
    token = f"k={KEY}\n".encode()
    assert classify(b"\0" + token, "x.env", limits) is None
    assert classify(token + b"\0", "x.env", limits) is None
    text = b"\0" + "é".encode() * 5000  # the head ends inside an é
    assert text[8191:8192] == b"\xc3" and classify(text, "x.txt", limits) is None
    assert classify(b"\0\0" + b"a" * 1024, "x.txt", limits) is None  # 2 NULs in 1 KiB
    assert classify(b"a\0" * 10 + b"b" * 9000, "x.txt", limits) is Skip.BINARY
    assert classify("é".encode("utf-16"), "x.txt", limits) is Skip.BINARY  # as before
    assert classify(b"\xff\0" + token, "x.env", limits) is Skip.BINARY


@pytest.mark.parametrize("end", [b"\n", b"\r", b"\r\n"])
def test_minified_counts_every_line_end(end: bytes) -> None:
    limits = FileLimits()
    assert classify(b"var a = 1;" * 10 + end, "x.js", limits) is None
    assert classify((b"var a = 1;" + end) * 1000, "app.js", limits) is None
    assert classify((b"var a = 1;" * 200 + end) * 3, "app.js", limits) is Skip.MINIFIED


def test_size_limit_checked_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * 2000)
    assert read_limited(big, FileLimits(max_file_size=1000)) is Skip.TOO_LARGE
    assert read_limited(big, FileLimits(max_file_size=0)) == b"a" * 2000
    assert read_limited(tmp_path / "missing", FileLimits()) is Skip.UNREADABLE


def test_default_excludes() -> None:
    limits = FileLimits()
    assert limits.excluded("web/package-lock.json") and limits.excluded("go.sum")
    assert limits.excluded("img/logo.PNG") and limits.excluded(".secretsfile-baseline.json")
    assert not limits.excluded("src/lock.py")
    assert not FileLimits(default_excludes=False).excluded("go.sum")


def test_globs() -> None:
    import re

    def matches(glob: str, path: str) -> bool:
        return re.search(glob_to_regex(glob), path) is not None

    assert matches("*.snap", "a/b/c.snap") and not matches("*.snap", "a.snapx")
    assert matches("vendor/", "vendor/x/y.py") and not matches("vendor/", "vendor")
    assert matches("docs/*.md", "docs/a.md") and not matches("docs/*.md", "docs/x/a.md")
    assert matches("docs/**/*.md", "docs/x/y/a.md") and matches("**/fixtures", "a/b/fixtures/k")
    assert matches("test_?.py", "t/test_1.py") and matches("[ab].txt", "x/a.txt")


def test_walk_skips_vcs_dirs_and_symlinks(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("x")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text("x")
    (tmp_path / "link.py").symlink_to(tmp_path / "src" / "a.py")
    assert [p.relative_to(tmp_path).as_posix() for p in walk(tmp_path)] == ["src/a.py"]


def test_display_path_is_the_pathlib_expression(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """display_path (os.path) says what the pathlib code it replaced said, on paths with
    '.', '..', doubled slashes, symlinks, the root itself and places outside it."""
    root = tmp_path / "root"
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "f.py").write_text("x")
    (tmp_path / "out").mkdir()
    (root / "in_link").symlink_to(tmp_path / "out")
    (tmp_path / "root_link").symlink_to(root)
    monkeypatch.chdir(root / "a")
    paths = ["f.py", "b/f.py", "./b//f.py", "../a/b/f.py", "..", ".", "b/", "../in_link/x",
             "/", str(tmp_path / "out" / "y"), str(tmp_path / "root_link" / "a"), "../../x"]
    roots = [root, tmp_path / "root_link", tmp_path, root / "a", Path("..")]
    for raw, base in itertools.product(paths, roots):
        want_path = Path(raw)
        try:
            want = want_path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            want = want_path.as_posix()
        assert display_path(raw, base) == want, (raw, base)
        assert display_path(raw, os.fspath(base)) == want, (raw, base)


def test_parallel_and_serial_runs_agree(tmp_path: Path) -> None:
    items = []
    for i in range(120):
        path = tmp_path / f"f{i}.py"
        body = "x = compute(1, 2)  # filler line\n" * 800
        if i % 10 == 0:
            body += f'key = "{KEY}"\n'
        path.write_text(body)
        items.append((path, path.name))
    (tmp_path / "bin.dat").write_bytes(b"\0" * 10)
    items.append((tmp_path / "bin.dat", "bin.dat"))
    scanner = Scanner((AWS,))
    serial_done: list[str] = []
    parallel_done: list[str] = []  # the progress callback: once per file, skipped ones too
    serial, serial_stats = scan_files(scanner, items, FileLimits(), jobs=1, done=serial_done.append)
    parallel, parallel_stats = scan_files(scanner, items, FileLimits(), jobs=2,
                                          done=parallel_done.append)  # fmt: skip
    assert sorted(serial_done) == sorted(parallel_done) == sorted(name for _, name in items)
    key = lambda f: (f.path, f.line)  # noqa: E731
    assert sorted(serial, key=key) == sorted(parallel, key=key)
    assert len(serial) == 12
    assert serial_stats.files == parallel_stats.files == 120
    assert serial_stats.skipped == parallel_stats.skipped == {"excluded": 1}


def test_fragments_count_skips() -> None:
    scanner = Scanner((AWS,))
    findings, stats = scan_fragments(
        scanner,
        [Fragment("a.py", f"k={KEY}"), Skip.BINARY, Fragment("x/yarn.lock", KEY)],
        FileLimits(),
    )
    assert [f.path for f in findings] == ["a.py"]
    assert stats.skipped == {"binary": 1, "excluded": 1}
