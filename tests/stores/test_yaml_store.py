"""YAML: go-yaml typing on read, go-yaml layout on write, and both paths agreeing.

Property: for a corpus of tricky scalars, parse with our loader, emit with our emitter,
re-parse -> the same typed tree (so a rewrite never changes a value's type or MAC bytes).
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from secretsfile.core.values import Comment, GoTime, Value, to_bytes
from secretsfile.errors import FormatError
from secretsfile.stores.yaml_emit import detect_indent, dump_yaml
from secretsfile.stores.yaml_resolve import must_quote, resolve_plain
from secretsfile.stores.yaml_store import load_yaml

NAN = float("nan")

TYPED = [
    ("yes", "yes"), ("on", "on"), ("off", "off"), ("y", "y"), ("True", True), ("FALSE", False),
    ("0777", 511), ("0o17", 15), ("0b101", 5), ("0x1F", 31), ("1_000", 1000), ("+12", 12),
    ("-0", 0), ("1e3", 1000.0), (".5", 0.5), ("-.5", -0.5), (".inf", math.inf),
    ("-.Inf", -math.inf), ("+.INF", math.inf), ("3.0", 3.0), ("-0.0", -0.0),
    ("99999999999999999999", 1e20), ("9223372036854775807", 2**63 - 1),
    ("2024-01-02", GoTime("2024-01-02T00:00:00Z")),
    ("2001-12-14 21:59:43.10", GoTime("2001-12-14T21:59:43.1Z")),
    ("2001-12-14t21:59:43.123456789+05:30", GoTime("2001-12-14T21:59:43.123456789+05:30")),
    ("1:20", "1:20"), ("~", None), ("null", None), ("Null", None), ("", None),
    ("0x", "0x"), ("1.2.3", "1.2.3"), ("+", "+"), ("-", "-"), ("08", 8.0), ("1e", "1e"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), TYPED, ids=[t or "empty" for t, _ in TYPED])
def test_plain_scalars_resolve_like_go_yaml(text: str, expected: Value) -> None:
    value = resolve_plain(text)
    assert type(value) is type(expected) and value == expected
    if isinstance(expected, float) and expected == 0:
        assert math.copysign(1, value) == math.copysign(1, expected)  # type: ignore[arg-type]


def test_nan_and_uint64() -> None:
    assert math.isnan(resolve_plain(".nan"))  # type: ignore[arg-type]
    with pytest.raises(FormatError, match="64 bits"):
        resolve_plain("18446744073709551615")


CORPUS = """\
yes_: yes
on: on
t: True
octal: 0777
oct2: 0o17
und: 1_000
plus: +12
exp: 1e3
dot5: .5
pinf: .inf
ninf: -.inf
nan: .nan
i64: 9223372036854775807
ts1: 2001-12-14 21:59:43.10
ts2: 2001-12-14t21:59:43.10-05:00
ts3: 2001-12-14T21:59:43.123456789Z
date: 2024-01-02
s1: !!str 123
f1: !!float 3
b1: !!binary aGVsbG8=
i1: !!int "42"
sexa: 1:20
crlf: "a\\r\\nb\\tc"
trail: "x\\n"
lead: "\\nx"
keep: "x\\n\\n"
trailsp: "line1\\nline2  \\n"
anchor: &a
    k: v
    n: 1
merge:
    <<: *a
    m: 2
alias: *a
listal: [&x foo, *x]
words: [y, n, off, NO, "null", "~", "true", "1.5", "0x1F", "1:20", "2024-01-02"]
quotes: ["it's", 'say "hi"', "a #b", "a: b", "- x", "@at", "`tick", " lead", "trail ", "%p"]
unicode: "é☃ 日本\\u2028x\\x00\\ufeff"
empty_map: {}
empty_list: []
nested: [[1, [2, []]], {a: [{b: {}}]}]
folded: >
    folded text
    more
literal: |
    line1
      indented
"key: colon": 1
"<<x": "<<"
"""


def _same(a: Value, b: Value) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        items_a = [(getattr(k, "text", k), v) for k, v in a.items()]
        items_b = [(getattr(k, "text", k), v) for k, v in b.items()]
        return len(items_a) == len(items_b) and all(
            ka == kb and _same(va, vb)
            for (ka, va), (kb, vb) in zip(items_a, items_b, strict=True))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Comment) and isinstance(b, Comment):
        return a.text == b.text
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    if isinstance(a, float) and a.is_integer() and type(b) is int:
        # go-yaml writes 3.0 as "3", which reads back as int 3: same MAC bytes, as in sops
        return to_bytes(a) == to_bytes(b)
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("indent", [2, 4])
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_parse_emit_reparse_gives_the_same_typed_tree(indent: int, newline: str) -> None:
    docs = load_yaml(CORPUS.replace("\n", newline))
    emitted = dump_yaml(docs, indent)
    again = load_yaml(emitted)
    assert _same(docs, again)  # type: ignore[arg-type]
    assert dump_yaml(again, indent) == emitted  # and the emitter is a fixed point


@pytest.mark.parametrize(("text", "value"), TYPED, ids=[t or "empty" for t, _ in TYPED])
def test_every_typed_scalar_survives_as_key_value_and_list_item(text: str, value: Value) -> None:
    if isinstance(value, float) and value == 0 and math.copysign(1, value) < 0:
        pytest.skip("-0.0 is written -0 and reads back as int 0: the documented sops bug")
    if text == "-":
        pytest.skip("a bare '-' value is a block sequence entry, not a scalar")
    docs = load_yaml(f"k: {text}\nl:\n    - {text or '~'}\n")
    assert _same(docs, load_yaml(dump_yaml(docs)))  # type: ignore[arg-type]
    as_string = load_yaml(dump_yaml([{"s": text, text or "e": "v"}]))
    assert as_string == [{"s": text, text or "e": "v"}]


def test_strings_that_would_retype_are_quoted() -> None:
    for text in ("yes", "No", "1", "1.5", "0x1F", "2024-01-02", "null", "~", "1:20", ".inf"):
        assert must_quote(text), text
    assert not must_quote("hello")
    assert dump_yaml([{"a": "yes", "b": "1:20", "c": "123"}]) == 'a: "yes"\nb: "1:20"\nc: "123"\n'


def test_go_yaml_layout() -> None:
    doc = {"m": {"a": 1.5e-10, "b": -0.0, "c": 1e21, "d": True, "e": None, "t": GoTime(
        "2024-01-02T00:00:00Z")}, "l": ["x", {"k": "v", "j": "w"}, ["p", "q"], "r\ns\n"],
        "s": "line1\nline2"}  # fmt: skip
    assert dump_yaml([doc]) == (
        "m:\n    a: 1.5e-10\n    b: -0\n    c: 1e+21\n    d: true\n    e: null\n"
        "    t: 2024-01-02T00:00:00Z\n"
        "l:\n    - x\n    - k: v\n      j: w\n    - - p\n      - q\n    - |\n      r\n      s\n"
        "s: |-\n    line1\n    line2\n"
    )
    assert dump_yaml([doc], 2).startswith("m:\n  a: 1.5e-10\n")
    assert dump_yaml([{"a": 1}, {"b": 2}]) == "a: 1\n---\nb: 2\n"


def test_merge_key_is_kept_literally_and_tagged_on_output() -> None:
    docs = load_yaml("a: &a {k: v}\nb:\n    <<: *a\n    m: 1\n")
    assert docs == [{"a": {"k": "v"}, "b": {"<<": {"k": "v"}, "m": 1}}]
    assert "    !!merge <<:\n        k: v\n" in dump_yaml(docs)
    assert load_yaml(dump_yaml(docs)) == docs


COMMENTS = """\
# head
app: # on app
    name: x # inline
    nested:
        deep: 1
    # foot of app (go-yaml: foot of the innermost block, nested)
list:
    - a
    # between
    - b
  # end of file
"""


def test_comments_are_placed_as_sops_places_them() -> None:
    out = dump_yaml(load_yaml(COMMENTS))
    assert out == (
        "# head\n# on app\napp:\n    # inline\n    name: x\n    nested:\n        deep: 1\n"
        "        # foot of app (go-yaml: foot of the innermost block, nested)\n"
        "list:\n    - a\n    # between\n    - b\n# end of file\n"
    )
    assert dump_yaml(load_yaml(out)) == out  # stable after the first rewrite


def test_multi_document_comments_stay_in_their_document() -> None:
    docs = load_yaml("a: 1\n# end of one\n---\n# head of two\nb: 2\n")
    keys = [[getattr(k, "text", k) for k in d] for d in docs]
    assert keys == [
        ["a", " end of one"], [" head of two", "b"]]  # fmt: skip


def test_hash_inside_scalars_is_not_a_comment() -> None:
    assert load_yaml('a: "x # y"\nb: x#y\nc: |\n    # z\n') == [
        {"a": "x # y", "b": "x#y", "c": "# z\n"}]  # fmt: skip


@pytest.mark.parametrize("text", ["- a\n", "just text\n", "a: 1\na: 2\n", "1: x\n", "a: [\n",
                                  "true: x\n"])  # fmt: skip
def test_rejected_documents(text: str) -> None:
    with pytest.raises(FormatError):
        load_yaml(text)


def test_detect_indent() -> None:
    assert detect_indent("a: 1\nsops:\n  age: []\n") == 2
    assert detect_indent("a: 1\n") == 4


@pytest.mark.parametrize(("text", "expected"), [
    # a comment ends where YAML ends the line (checked against the sops binary: same trees)
    ("a: 1\n# note\rpassword: hunter2\n", [("a", 1), (Comment(" note"), None),
                                          ("password", "hunter2")]),
    ("a: 1\r# note\rb: 2\r", [("a", 1), (Comment(" note"), None), ("b", 2)]),
    ("a: 1 # inline\x85b: 2\n", [(Comment(" inline"), None), ("a", 1), ("b", 2)]),
    ("a: 1\n# x\u2028b: 2\n", [("a", 1), (Comment(" x"), None), ("b", 2)]),
])  # fmt: skip
def test_a_comment_ends_at_any_yaml_line_break(text: str, expected: list[tuple[Any, Any]]
                                                ) -> None:  # fmt: skip
    # it used to run to the next \n: the value after a lone \r was kept a second time,
    # inside the encrypted comment (outside the MAC)
    [doc] = load_yaml(text)
    assert repr(list(doc.items())) == repr(expected)  # a Comment key equals itself only
