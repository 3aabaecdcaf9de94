"""The fast reader gives exactly the full parser's tree, or steps aside."""

from __future__ import annotations

import pytest

from secretsfile.stores.yaml_fast import parse_simple
from secretsfile.stores.yaml_store import load_yaml

META = "sops:\n    version: 3.11.0\n"

SIMPLE = [
    "a: ENC[AES256_GCM,data:YWJj,iv:aXY=,tag:dGFn,type:str]\nb:\n    c: 1\n    d: true\n",
    "a: 0777\nb: 1_000\nc: 1e3\nd: .5\ne: 2024-01-02\nf: null\ng: \"\"\nh: yes\ni: 0x1F\n",
    "a:\nb:\n  c:\n    d: x\n  e: y\nf: -12\ng: +3\nh: 1:20\ni: a:b\n",
    "k.with-dots_1: v\nx: 2001-12-14t21:59:43.10-05:00\n",
    "a: 99999999999999999999\nb: 9223372036854775807\n",
]
REFUSED = [
    "a: 'quoted'\n",
    "a:\n  - item\n",
    "a: |\n  block\n",
    "a: x # comment\n",
    "a: &anchor x\nb: *anchor\n",
    "a: 1\na: 2\n",
    "true: 1\n",
    "a: [1, 2]\n",
    "a: {b: 1}\n",
    "a:\n    b: 1\n  c: 2\n",
    "a: x:\n",
    "---\na: 1\n",
    "1: x\n",
]


@pytest.mark.parametrize("body", SIMPLE)
def test_fast_reader_agrees_with_full_parser(body: str) -> None:
    parsed = parse_simple(body + META)
    assert parsed is not None
    docs, tail = parsed
    assert tail == META
    full = load_yaml(body)
    assert docs == full


@pytest.mark.parametrize("body", REFUSED)
def test_fast_reader_steps_aside(body: str) -> None:
    assert parse_simple(body + META) is None


def test_needs_the_metadata_block() -> None:
    assert parse_simple("a: 1\n") is None
