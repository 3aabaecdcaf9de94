"""Block pragmas (secretsfile:disable/enable, secretlint's spellings) and next-line pragmas
read from a diff fragment's whole file (``--staged``)."""

from __future__ import annotations

import pytest

from secretsfile.scanner.allowlists import Pragmas
from secretsfile.scanner.engine import Fragment, Scanner
from tests.scanner.test_engine import AWS

KEY = "AKIAZ2345672345672AB"
SCANNER = Scanner([AWS])


def lines_found(text: str) -> list[int]:
    return [f.line for f in SCANNER.scan_text(text, "app.conf")]


def disabled_ranges(text: str) -> list[tuple[int, int]]:
    """The blocks as 1-based inclusive line ranges."""
    return [(text.count("\n", 0, a) + 1, text.count("\n", 0, b) + 1)
            for a, b in Pragmas(text).blocks]  # fmt: skip


def suppressed_lines(text: str) -> list[int]:
    pragmas, begin, out = Pragmas(text), 0, []
    for number, line in enumerate(text.split("\n")[:-1], 1):
        if pragmas.suppress(begin, begin + len(line)):
            out.append(number)
        begin += len(line) + 1
    return out


@pytest.mark.parametrize(
    ("off", "on"),
    [
        ("# secretsfile:disable", "# secretsfile:enable"),
        ("// secretsfile:disable", "// secretsfile:enable"),
        ("/* secretsfile:disable */", "/* secretsfile:enable */"),
        ("<!-- secretsfile:disable -->", "<!-- secretsfile:enable -->"),
        ("-- secretsfile:disable", "-- secretsfile:enable"),
        ("# secretlint-disable", "# secretlint-enable"),
        ("/* secretlint-disable @secretlint/secretlint-rule-aws */", "/* secretlint-enable */"),
    ],
)
def test_block_pragmas_in_any_comment_syntax(off: str, on: str) -> None:
    text = f"a = {KEY}\n{off}\nb = {KEY}\nc = {KEY}\n{on}\nd = {KEY}\n"
    assert lines_found(text) == [1, 6]


def test_disable_without_enable_runs_to_the_end_and_stray_enable_is_ignored() -> None:
    assert lines_found(f"a = {KEY}\n# secretsfile:disable\nb = {KEY}\nc = {KEY}\n") == [1]
    assert lines_found(f"# secretsfile:enable\na = {KEY}\n") == [2]
    # two blocks; a second disable inside an open block changes nothing
    text = (
        f"# secretsfile:disable\n# secretsfile:disable\na = {KEY}\n# secretsfile:enable\n"
        f"b = {KEY}\n# secretlint-disable\nc = {KEY}\n# secretlint-enable\nd = {KEY}\n"
    )
    assert lines_found(text) == [5, 9]
    assert disabled_ranges(text) == [(1, 4), (6, 8)]


def test_secretlint_line_pragmas_are_not_blocks() -> None:
    text = (
        f"a = {KEY} // secretlint-disable-line\n"
        f"// secretlint-disable-next-line\nb = {KEY}\nc = {KEY}\n"
    )
    assert lines_found(text) == [4]
    assert disabled_ranges(text) == []
    # the words alone, outside a marker, do nothing
    assert lines_found(f"disable = 1\nenable = 2\nkey = {KEY}\n") == [3]


STAGED_FILE = (
    "x = 1\n"
    "# secretsfile:allow-next-line\n"  # unchanged context line above the hunk
    f"key = {KEY}\n"  # added
    "y = 2\n"
    "# secretsfile:disable\n"
    f"other = {KEY}\n"  # added
    "# secretsfile:enable\n"
    f"third = {KEY}\n"  # added
)


def test_diff_fragment_reads_pragmas_from_the_whole_file() -> None:
    added = f"key = {KEY}\nother = {KEY}\nthird = {KEY}\n"
    bare = Fragment("app.conf", added, (3, 6, 8))
    assert [f.line for f in SCANNER.scan_fragment(bare)] == [3, 6, 8]
    calls: list[int] = []

    def source() -> str:
        calls.append(1)
        return STAGED_FILE

    with_source = Fragment("app.conf", added, (3, 6, 8), source=source)
    assert [f.line for f in SCANNER.scan_fragment(with_source)] == [8]
    assert calls == [1]  # read once per fragment
    clean = Fragment("app.conf", "nothing = 1\n", (3,), source=source)
    assert SCANNER.scan_fragment(clean) == [] and calls == [1]  # never read without a candidate
    gone = Fragment("app.conf", added, (3, 6, 8), source=lambda: None)
    assert len(SCANNER.scan_fragment(gone)) == 3


def test_line_pragmas() -> None:
    assert suppressed_lines(STAGED_FILE) == [3, 5, 6, 7]
    assert suppressed_lines(f"k = {KEY}  # gitleaks:allow\n") == [1]
