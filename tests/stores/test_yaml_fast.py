"""The fast reader gives exactly the full parser's tree, or steps aside."""

from __future__ import annotations

import pytest

from secretsfile.errors import FormatError
from secretsfile.stores.yaml_emit import dump_yaml
from secretsfile.stores.yaml_fast import forbidden_character, parse_simple
from secretsfile.stores.yaml_store import load_yaml

META = """\
sops:
    age:
        - recipient: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p
          enc: |
            -----BEGIN AGE ENCRYPTED FILE-----
            YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBhTGRuVWNFbVIrbkl6bGdW
            -----END AGE ENCRYPTED FILE-----
        - recipient: age1second
          enc: |
            -----BEGIN AGE ENCRYPTED FILE-----
            -----END AGE ENCRYPTED FILE-----
    fernet:
        - key_id: 0123456789abcdef
          enc: gAAAAABn
    lastmodified: "2026-11-22T14:49:18Z"
    mac: ENC[AES256_GCM,data:YWJj,iv:aXY=,tag:dGFn,type:str]
    shamir_threshold: 2
    mac_only_encrypted: true
    unencrypted_suffix: _unencrypted
    version: 3.11.0
"""

SIMPLE = [
    "a: ENC[AES256_GCM,data:YWJj,iv:aXY=,tag:dGFn,type:str]\nb:\n    c: 1\n    d: true\n",
    "a: 0777\nb: 1_000\nc: 1e3\nd: .5\ne: 2024-01-02\nf: null\ng: \"\"\nh: yes\ni: 0x1F\n",
    "a:\nb:\n  c:\n    d: x\n  e: y\nf: -12\ng: +3\nh: 1:20\ni: a:b\n",
    "k.with-dots_1: v\nx: 2001-12-14t21:59:43.10-05:00\n",
    "a: 99999999999999999999\nb: 9223372036854775807\n",
    "l:\n    - a\n    - - 1\n      - - 2\n        - 3\n    - name: x\n      port: 1\n    - {}\n",
    "t: |\n    line1\n      indented\n    line3\n",
    "q: \"quoted 123 with spaces: ok\"\n",
]
REFUSED = [
    "a: 'quoted'\n",
    "a: |-\n  block\n",
    "a: x # comment\n",
    "# comment\na: 1\n",
    "a: &anchor x\nb: *anchor\n",
    "a: 1\na: 2\n",
    "true: 1\n",
    "a: [1, 2]\n",
    "a: {b: 1}\n",
    "a:\n    b: 1\n  c: 2\n",
    "a: x:\n",
    "---\na: 1\n",
    "1: x\n",
    "a:\n- indentless\n",
    "a: |\n  x\n\n  y\n",
    "a: \"esc\\\"aped\"\n",
    "a: 1\r\n",
    "a: x \n",
    "c: \"a\x85b\"\n",  # YAML breaks lines at NEL, LS and PS too (PyYAML reads 'a b')
    "c: a\u2028b\n",
    "c: a\u2029b\n",
    # characters YAML refuses (PyYAML and go-yaml): the full parser says where
    "c: \"a\x01b\"\n",
    "c: \"a\x7fb\"\n",
    "c: \"a\x9bb\"\n",
    "c: \"a\ufffeb\"\n",
    "c: |\n    a\x1bb\n",
]


@pytest.mark.parametrize("body", SIMPLE)
def test_fast_reader_agrees_with_full_parser(body: str) -> None:
    text = body + META
    parsed = parse_simple(text)
    assert parsed is not None
    assert parsed == load_yaml(text)


@pytest.mark.parametrize("body", REFUSED)
def test_fast_reader_steps_aside(body: str) -> None:
    assert parse_simple(body + META) is None


def test_reads_back_what_the_emitter_writes() -> None:
    docs = load_yaml(SIMPLE[5] + SIMPLE[1] + META)
    text = dump_yaml(docs)
    assert parse_simple(text) == docs


@pytest.mark.parametrize("char", [*map(chr, [*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]),
                                  "\x7f", "\x80", "\x84", "\x86", "\x9f", "\ufffe", "\uffff"])
def test_a_character_yaml_refuses_is_an_error_naming_its_line(char: str) -> None:
    # the fast reader used to accept these in a quoted value or a block, the full parser not
    text = f"a: 1\nb: \"x{char}y\"\n" + META
    assert forbidden_character(text) == len('a: 1\nb: "x')
    assert parse_simple(text) is None
    with pytest.raises(FormatError) as caught:
        load_yaml(text, "f.yaml")
    assert caught.value.line == 2 and f"U+{ord(char):04X} is not allowed" in str(caught.value)


@pytest.mark.parametrize(
    "text", ["a: 1\tb\r\n", "a: \"\xa0\x85\u2028\ud7ff\ue000\ufffd\U0001f600\"\n"])
def test_what_yaml_allows_is_not_refused(text: str) -> None:
    assert forbidden_character(text) == -1


@pytest.mark.parametrize("breaks", ["\n", "\r", "\r\n", "\x85", "\u2028"])
def test_the_refused_characters_line_is_counted_as_yaml_counts_lines(breaks: str) -> None:
    with pytest.raises(FormatError) as caught:
        load_yaml(f"a: 1{breaks}b: 2{breaks}c: \"\x01\"\n", "f.yaml")
    assert caught.value.line == 3
