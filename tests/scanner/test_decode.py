"""The --decode pass: base64, hex and percent-encoded runs decoded in place and scanned."""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest

from secretsfile.scanner.decode import MAX_DEPTH, find_runs
from secretsfile.scanner.engine import Fragment, Scanner
from secretsfile.scanner.rules import BUILTIN_RULES

KEY_ID = "AKIA" + "QX7PZ3MNB2VRT5KW"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8Hq4Tx2Z"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


K8S_SECRET = f"""apiVersion: v1
kind: Secret
metadata:
  name: aws-credentials
type: Opaque
data:
  AWS_ACCESS_KEY_ID: {b64(KEY_ID)}
  AWS_SECRET_ACCESS_KEY: {b64(SECRET_KEY)}
"""


def scan(text: str, path: str = "app.yaml", *, decode: bool = True) -> list[tuple[int, int, str]]:
    found = Scanner(BUILTIN_RULES, decode=decode).scan_text(text, path)
    return sorted((f.line, f.column, f.rule_id) for f in found)


def test_k8s_secret_data_is_named_by_what_it_decodes_to() -> None:
    plain = scan(K8S_SECRET, decode=False)
    assert [line for line, _, _ in plain] == [7, 8]  # reported without decoding already
    found = Scanner(BUILTIN_RULES, decode=True).scan_text(K8S_SECRET, "secret.yaml")
    by_line = {f.line: f for f in found}
    assert sorted(by_line) == [7, 8]
    assert by_line[7].rule_id == "aws-access-key-id" and by_line[7].secret == KEY_ID
    assert by_line[7].column == K8S_SECRET.splitlines()[6].index(b64(KEY_ID)) + 1
    assert by_line[7].description.endswith("(decoded base64)")
    assert by_line[8].rule_id == "aws-secret-access-key"


PERCENT = quote("aws_secret_access_key=" + SECRET_KEY, safe="")


@pytest.mark.parametrize(
    ("line", "encoding", "rule"),
    [
        (f"blob = '{b64('aws_access_key_id = ' + KEY_ID)}'\n", "base64", "aws-access-key-id"),
        (
            f"blob = '{base64.urlsafe_b64encode(KEY_ID.encode()).decode()}'\n",
            "base64",
            "aws-access-key-id",
        ),
        (f"blob = '{KEY_ID.encode().hex()}'\n", "hex", "aws-access-key-id"),
        (f"url = 'https://example.test/cb?cfg={PERCENT}'\n", "percent", "aws-secret-access-key"),
    ],
)
def test_each_encoding_reports_at_the_run(line: str, encoding: str, rule: str) -> None:
    found = Scanner(BUILTIN_RULES, decode=True).scan_text(line, "notes.txt")
    assert [f.rule_id for f in found] == [rule]
    assert found[0].description.endswith(f"(decoded {encoding})")
    assert found[0].column == line.index("'") + 2 or encoding == "percent"
    assert Scanner(BUILTIN_RULES).scan_text(line, "notes.txt") == []


def test_depth_is_limited() -> None:
    once = b64(f"aws_access_key_id={KEY_ID}")
    twice = b64(f"inner: {once}")
    too_deep = b64(f"inner: {twice}")
    assert [r for _, _, r in scan(f"a: {twice}\n", "x.txt")] == ["aws-access-key-id"]
    assert MAX_DEPTH == 2 and scan(f"a: {too_deep}\n", "x.txt") == []


def test_off_by_default_and_binary_or_plain_words_are_not_runs() -> None:
    assert scan(f"blob = '{b64(KEY_ID)}'\n", "x.txt", decode=False) == []
    noise = (
        "import os\nsome_long_snake_case_identifier = compute_everything_now()\n"
        "digest = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'\n"
        f"raw = '{base64.b64encode(bytes(range(200, 240))).decode()}'\n"
        "ThisIsACamelCaseNameOfAClass = 1\n"
    )
    assert find_runs(noise) == []


def test_suppression_and_sops_blocks_cover_decoded_findings() -> None:
    run = b64(f"aws_access_key_id={KEY_ID}")
    assert scan(f"a: {run}  # secretsfile:allow\n", "x.txt") == []
    assert scan(f"# secretsfile:allow-next-line\na: {run}\n", "x.txt") == []
    assert scan(f"# secretsfile:disable\na: {run}\n# secretsfile:enable\n", "x.txt") == []


def test_diff_fragment_lines_map_to_the_file() -> None:
    text = f"a: {b64('aws_access_key_id=' + KEY_ID)}\n"
    found = Scanner(BUILTIN_RULES, decode=True).scan_fragment(Fragment("x.txt", text, (41,)))
    assert [(f.line, f.rule_id) for f in found] == [(41, "aws-access-key-id")]


def test_runs_are_bounded() -> None:
    huge = b64("x" * 100_000)
    assert find_runs(f"a = '{huge}'\n") == []  # longer than MAX_RUN: skipped, not decoded
    many = "".join(f"v{i} = '{b64(f'value number {i:05d}')}'\n" for i in range(800))
    assert len(find_runs(many)) == 500
