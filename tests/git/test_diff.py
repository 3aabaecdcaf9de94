"""The patch parser: added lines with their real line numbers, headers never mistaken."""

from __future__ import annotations

from secretsfile.git.diff import COMMIT_MARKER, parse_patch, unquote_path

PATCH = b"""\
diff --git a/app.py b/app.py
index 111..222 100644
--- a/app.py
+++ b/app.py
@@ -3,0 +4,2 @@ def f():
+++ not a header = 1
+diff --git a/x b/x
@@ -10 +12 @@
-old
+new
diff --git a/gone.py b/gone.py
deleted file mode 100644
--- a/gone.py
+++ /dev/null
@@ -1 +0,0 @@
-bye
diff --git a/img.png b/img.png
new file mode 100644
Binary files /dev/null and b/img.png differ
diff --git a/old.py b/new.py
similarity index 100%
rename from old.py
rename to new.py
diff --git "a/sp ace\\303\\251.py" "b/sp ace\\303\\251.py"
--- "a/sp ace\\303\\251.py"
+++ "b/sp ace\\303\\251.py"
@@ -0,0 +1 @@
+x = 1
\\ No newline at end of file
"""


def test_parse_patch() -> None:
    sections = list(parse_patch(PATCH.splitlines(keepends=True)))
    by_path = {s.path: s for s in sections}
    app = by_path["app.py"]
    assert app.lines == ["++ not a header = 1", "diff --git a/x b/x", "new"]
    assert app.numbers == [4, 5, 12]
    assert by_path["img.png"].binary
    assert by_path["new.py"].lines == []
    assert by_path["sp aceé.py"].lines == ["x = 1"]
    assert "gone.py" in by_path and by_path["gone.py"].lines == []


def test_commit_markers_tag_sections() -> None:
    stream = [
        COMMIT_MARKER + b"abc123\n",
        b"diff --git a/a.txt b/a.txt\n",
        b"+++ b/a.txt\n",
        b"@@ -0,0 +1 @@\n",
        b"+one\n",
        COMMIT_MARKER + b"def456\n",
        b"diff --git a/a.txt b/a.txt\n",
        b"+++ b/a.txt\n",
        b"@@ -1 +1,2 @@\n",
        b" one\n",
        b"+two\n",
    ]
    sections = list(parse_patch(stream))
    assert [(s.commit, s.lines) for s in sections] == [("abc123", ["one"]), ("def456", ["two"])]


def test_unquote_path() -> None:
    assert unquote_path(b"plain.txt") == "plain.txt"
    assert unquote_path(b'"tab\\there"') == "tab\there"
    assert unquote_path(b'"q\\"uote"') == 'q"uote'
    assert unquote_path(b'"\\303\\251t\\303\\251"') == "été"


def test_added_lines_decode_as_each_line_alone() -> None:
    # invalid UTF-8: a truncated sequence at a line end, a stray continuation byte, CR
    bodies = [b"ok \xe2\x82", b"\x80x", "é€😀".encode(), b"", b"tail\r", b"\xf0\x9f"]
    patch = b"diff --git a/t.txt b/t.txt\n+++ b/t.txt\n@@ -0,0 +1,6 @@\n"
    patch += b"".join(b"+" + body + b"\n" for body in bodies)
    (section,) = parse_patch(patch.splitlines(keepends=True))
    assert section.lines == [body.decode("utf-8", "replace") for body in bodies]
    assert section.numbers == [1, 2, 3, 4, 5, 6]
    assert section.text() == "\n".join(section.lines)


def test_sections_are_records_with_fresh_lists() -> None:
    first, second = parse_patch(b"diff --git a/a b/a\ndiff --git a/b b/b\n".splitlines())
    assert (first.path, first.lines, first.numbers) == ("a", [], [])
    assert first.lines is not second.lines
    assert repr(first) == ("AddedLines(path='a', commit=None, numbers=[], lines=[], "
                           "binary=False, size=0)")


def sections_of(patch: bytes) -> list[tuple[str, list[int], list[str], int]]:
    """Both ways the parser is fed: lines split at \\n (a staged diff) and a stream's lines."""
    split = [(s.path, s.numbers, s.lines, s.size) for s in parse_patch(patch.split(b"\n"))]
    streamed = parse_patch(patch.splitlines(keepends=True))
    assert split == [(s.path, s.numbers, s.lines, s.size) for s in streamed]
    return split


def test_a_run_of_added_lines_is_read_in_one_piece_with_exact_numbers_and_size() -> None:
    body = b"".join(b"+line %d\n" % n for n in range(10_000))  # more than one run's cap
    patch = b"diff --git a/a b/a\n+++ b/a\n@@ -0,0 +1,10000 @@\n" + body
    patch += b"@@ -20 +10001,2 @@\n-old\n+x\n+\n"
    [(_, numbers, lines, size)] = sections_of(patch)
    assert numbers == list(range(1, 10_003)) and lines[-2:] == ["x", ""]
    assert lines[:2] == ["line 0", "line 1"] and len(lines) == 10_002
    assert size == len(body) - 10_000 + len(b"+x") + len(b"+")  # the lines' bytes, no \n


def test_a_run_cut_short_by_a_header_is_read_line_by_line() -> None:
    # the hunk header promises 3 added lines, the next file starts after 2: as before runs
    patch = (b"diff --git a/a b/a\n+++ b/a\n@@ -0,0 +1,3 @@\n+one\n+two\n"
             b"diff --git a/b b/b\n+++ b/b\n@@ -0,0 +1,2 @@\n+three\n+four\n")
    assert sections_of(patch) == [("a", [1, 2], ["one", "two"], 8),
                                  ("b", [1, 2], ["three", "four"], 11)]  # fmt: skip
