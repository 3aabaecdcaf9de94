"""Pragmas reach only the lines they are on (R2 F1, F8): a diff's added lines are judged by
their file line numbers, and a pragma's line ends at any break YAML or an editor sees."""

from __future__ import annotations

import base64

import pytest

from secretsfile.scanner.allowlists import Pragmas, run_starts
from secretsfile.scanner.engine import Fragment, Scanner
from secretsfile.scanner.rules import k8s
from tests.scanner.test_engine import AWS

KEY = "AKIAZ2345672345672AB"
SCANNER = Scanner([AWS])
NEXT = "# secretsfile:allow-next-line"


def lines(fragment: Fragment, scanner: Scanner = SCANNER) -> list[int]:
    return [f.line for f in scanner.scan_fragment(fragment)]


def test_next_line_pragma_reaches_only_the_next_file_line() -> None:
    # R2's reproducer: the pragma on added line 1, the key added on line 4 (2-3 unchanged)
    added = f"a: 1 {NEXT}\ntoken: {KEY}\n"
    staged = f"a: 1 {NEXT}\nb: 2\nc: 3\ntoken: {KEY}\n"
    assert lines(Fragment("x.yaml", added, (1, 4))) == [4]
    assert lines(Fragment("x.yaml", added, (1, 4), source=lambda: staged)) == [4]
    assert SCANNER.scan_text(staged, "x.yaml")[0].line == 4  # the whole-file scan agrees
    # adjacent in the file: the pragma counts, with or without the whole file
    assert lines(Fragment("x.yaml", added, (1, 2))) == []
    assert lines(Fragment("x.yaml", added, (1, 2), source=lambda: added)) == []
    assert SCANNER.scan_text(added, "x.yaml") == []


def test_block_pragmas_never_open_from_added_lines_across_a_gap() -> None:
    # disable added, enable unchanged in between, the key added after it
    added = f"# secretsfile:disable\nkey = {KEY}\n"
    staged = f"# secretsfile:disable\nx = 1\n# secretsfile:enable\nkey = {KEY}\n"
    assert lines(Fragment("a.conf", added, (1, 4))) == [4]
    assert lines(Fragment("a.conf", added, (1, 4), source=lambda: staged)) == [4]
    assert SCANNER.scan_text(staged, "a.conf")[0].line == 4
    # history (no whole file): a block reaches to the end of its run of file lines only
    added = f"# secretsfile:disable\nx = {KEY}\ny = {KEY}\n"
    assert lines(Fragment("a.conf", added, (1, 2, 9))) == [9]
    assert lines(Fragment("a.conf", added, (1, 2, 3))) == []
    # an enable in a later run closes nothing it did not see open
    added = f"# secretsfile:disable\n# secretsfile:enable\nz = {KEY}\n"
    assert lines(Fragment("a.conf", added, (1, 5, 6))) == [6]


def test_decoded_runs_follow_the_same_rule() -> None:
    scanner = Scanner([AWS], decode=True)
    blob = base64.b64encode(f'aws_key = "{KEY}"'.encode()).decode()
    added = f"{NEXT}\nblob = {blob}\n"
    assert lines(Fragment("a.conf", added, (1, 4)), scanner) == [4]
    assert lines(Fragment("a.conf", added, (1, 2)), scanner) == []
    assert scanner.scan_text(added, "a.conf") == []


def test_run_starts() -> None:
    text = "a\nb\nc\nd\n"
    assert run_starts(text, (1, 2, 3, 4)) == [8]
    assert run_starts(text, (1, 4, 5, 9)) == [2, 6, 8]
    assert run_starts("a\nb\nc", (1, 2)) == [4]  # text past the mapped lines


@pytest.mark.parametrize("brk", ["\r", "\x85", "\u2028", "\u2029"])
def test_a_same_line_pragma_ends_at_any_line_break(brk: str) -> None:
    # R2's reproducer: YAML and editors show the key on the next line
    [found] = SCANNER.scan_text(f"a: 1 # secretsfile:allow{brk}token: {KEY}\n", "p.yaml")
    assert found.secret == KEY
    assert SCANNER.scan_text(f"a: 1{brk}token: {KEY} # secretsfile:allow\n", "p.yaml") == []
    # a block starts at its own line: a key before it on the same \n-line stays reported
    assert len(SCANNER.scan_text(f"token: {KEY}{brk}# secretsfile:disable\n", "p.yaml")) == 1
    assert SCANNER.scan_text(f"# secretsfile:disable{brk}token: {KEY}\n", "p.yaml") == []
    # the line just above, as shown, is the next-line pragma's line
    assert SCANNER.scan_text(f"{NEXT}{brk}token: {KEY}\n", "p.yaml") == []
    assert len(SCANNER.scan_text(f"{NEXT}{brk}x: 1{brk}token: {KEY}\n", "p.yaml")) == 1


def test_crlf_files_keep_their_pragmas() -> None:
    assert SCANNER.scan_text(f"x: 1\r\ntoken: {KEY} # gitleaks:allow\r\n", "p.yaml") == []
    assert SCANNER.scan_text(f"x: 1\r\n{NEXT}\r\ntoken: {KEY}\r\n", "p.yaml") == []
    assert len(SCANNER.scan_text(f"{NEXT}\r\nx: 1\r\ntoken: {KEY}\r\n", "p.yaml")) == 1
    text = f"# secretsfile:disable\r\ntoken: {KEY}\r\n# secretsfile:enable\r\nb: {KEY}\r\n"
    assert [f.line for f in SCANNER.scan_text(text, "p.yaml")] == [4]


MANIFEST = (
    "apiVersion: v1\n"
    "kind: Secret\n"
    "metadata:\n"
    "  name: db{kind}\n"
    "data:\n"
    "  password: ydKWkli4rs+srKdvFh0+04B8{value}\n"
)


def test_multi_line_match_counts_only_the_secrets_own_line() -> None:
    # the match starts at "kind: Secret"; a pragma inside it, two lines above the value,
    # must not silence the value
    scanner = Scanner(k8s.RULES)
    allow = " # secretsfile:allow"
    [found] = scanner.scan_text(MANIFEST.format(kind=allow, value=""), "secret.yaml")
    assert found.line == 6
    assert scanner.scan_text(MANIFEST.format(kind="", value=allow), "secret.yaml") == []
    above = MANIFEST.format(kind="", value="").replace("kind: Secret\n", f"{NEXT}\nkind: Secret\n")
    assert len(scanner.scan_text(above, "secret.yaml")) == 1


def test_pragmas_of_a_text_without_markers_is_none() -> None:
    assert Pragmas.of(f"key = {KEY}\n") is None
    pragmas = Pragmas.of(f"key = {KEY}  # gitleaks:allow\n")
    assert pragmas is not None and pragmas.at_line(1, 6, KEY)
    assert not pragmas.at_line(1, 5, KEY)  # something else there: the file judges nothing
    assert not pragmas.at_line(3, 0, KEY)
