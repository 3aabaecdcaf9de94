"""Hostile or broken input reaches the readers as one FormatError (with its line where the
reader knows it), never another exception, a crash or an unbounded expansion; messages
name the place, never the value."""

from __future__ import annotations

import math

import pytest

from secretsfile.core.values import MAX_DEPTH
from secretsfile.errors import FormatError
from secretsfile.stores.dotenv_store import load_dotenv, split_metadata
from secretsfile.stores.json_store import load_json
from secretsfile.stores.yaml_emit import dump_yaml
from secretsfile.stores.yaml_fast import parse_simple
from secretsfile.stores.yaml_resolve import resolve_plain
from secretsfile.stores.yaml_store import load_yaml


def billion_laughs(levels: int = 10) -> str:
    """The classic: each level is nine aliases of the one before (9**10 leaves, ~500 B)."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


# -- aliases ------------------------------------------------------------------------------


def test_billion_laughs_is_refused_before_expansion() -> None:
    with pytest.raises(FormatError) as info:
        load_yaml(billion_laughs(), "bomb.yaml")
    assert "alias" in info.value.message and info.value.line == 1


def test_a_deep_chain_of_doubling_aliases_is_refused() -> None:
    """2**5000 nodes from 5,000 lines: the count saturates instead of growing a huge int."""
    lines = ["a0: &a0 x"] + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 5000)]
    with pytest.raises(FormatError, match="alias"):
        load_yaml("\n".join(lines) + "\n")


def test_plaintext_aliases_expand_as_sops_expands_them() -> None:
    text = "base: &b\n    user: admin\n    pw: s3cret\nprod: *b\nlist: [*b, *b]\n"
    (doc,) = load_yaml(text)
    base = {"user": "admin", "pw": "s3cret"}
    assert doc == {"base": base, "prod": base, "list": [base, base]}


def test_aliases_within_the_bound_are_accepted() -> None:
    """A file repeating a block many times stays readable (10x its nodes + 10,000)."""
    lines = ["base: &b [" + ", ".join(["v"] * 100) + "]"]
    lines += [f"k{i}: *b" for i in range(90)]  # 9,000 extra nodes
    (doc,) = load_yaml("\n".join(lines) + "\n")
    assert len(doc) == 91 and doc["k89"] == ["v"] * 100


@pytest.mark.parametrize("text", [
    "a: &x 1\nb: *x\nsops:\n    version: 3.11.0\n",
    "a: 1\nsops: &m\n    version: 3.11.0\n",
    "a: [1]\n---\nb: &x 2\nsops:\n    version: 3.11.0\n",
], ids=["alias", "anchored-metadata", "second-document"])  # fmt: skip
def test_anchors_in_an_encrypted_file_are_refused_with_their_line(text: str) -> None:
    with pytest.raises(FormatError, match="anchors and aliases") as info:
        load_yaml(text, "enc.yaml")
    first = next(n for n, line in enumerate(text.split("\n"), 1) if "&" in line)
    assert info.value.line == first and info.value.path == "enc.yaml"


@pytest.mark.parametrize(("text", "what"), [
    ("a: &x [1, *x]\n", "recursive alias"),
    ("a: *nowhere\n", "undefined anchor"),
], ids=["recursive", "undefined"])  # fmt: skip
def test_broken_aliases_are_format_errors(text: str, what: str) -> None:
    with pytest.raises(FormatError, match=what) as info:
        load_yaml(text)
    assert info.value.line == 1


# -- nesting ------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1_000, 100_000])
def test_deep_flow_nesting_is_refused_before_the_parser_recurses(depth: int) -> None:
    """libyaml's composer recursed in C: 100,000 '[' crashed the interpreter."""
    with pytest.raises(FormatError, match="nested") as info:
        load_yaml("a: " + "[" * depth + "]" * depth + "\n")
    assert info.value.line == 1


def test_nesting_up_to_the_limit_is_read() -> None:
    depth = MAX_DEPTH - 1  # plus the top-level mapping
    (doc,) = load_yaml("a: " + "[" * depth + "1" + "]" * depth + "\n")
    value = doc["a"]
    for _ in range(depth - 1):
        assert isinstance(value, list)
        value = value[0]
    assert value == [1]


@pytest.mark.parametrize("text", [
    "a:\n    " + "- " * 2_000 + "x\n",
    "".join(" " * (2 * i) + "a:\n" for i in range(600)) + " " * 1200 + "b: 1\n",
], ids=["sequences", "mappings"])  # fmt: skip
def test_deep_block_nesting_is_a_format_error(text: str) -> None:
    """The fast reader recursed per level: hundreds of levels raised RecursionError."""
    assert parse_simple(text) is None  # left to the full parser, which refuses it
    with pytest.raises(FormatError, match="nested"):
        load_yaml(text)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 5_000, 100_000])
def test_deep_json_is_a_format_error(depth: int) -> None:
    with pytest.raises(FormatError, match="nested"):
        load_json('{"a": ' + "[" * depth + "]" * depth + "}", "deep.json")


def test_json_up_to_the_limit_is_read() -> None:
    depth = MAX_DEPTH - 1
    (doc,) = load_json('{"a": ' + "[" * depth + "]" * depth + "}")
    assert isinstance(doc["a"], list)


def test_deep_dotenv_metadata_is_a_format_error() -> None:
    (branch,) = load_dotenv("sops_x" + "__map_y" * 1_000 + "=1\n")
    with pytest.raises(FormatError, match="metadata"):
        split_metadata(branch)


# -- encodings ----------------------------------------------------------------------------


def test_non_utf8_yaml_is_a_format_error_with_its_line() -> None:
    text = b"a: 1\nb: h\xffllo\n".decode("utf-8", "surrogateescape")  # as read_text reads it
    with pytest.raises(FormatError, match="UTF-8") as info:
        load_yaml(text, "bad.yaml")
    assert info.value.line == 2 and "llo" not in str(info.value)


def test_the_fast_reader_leaves_non_utf8_to_the_full_parser() -> None:
    text = b'a: "h\xffllo"\n'.decode("utf-8", "surrogateescape")
    assert parse_simple(text) is None


def test_non_utf8_dotenv_keeps_its_bytes_json_reads_them_as_go_does() -> None:
    """sops' dotenv lines are bytes; Go's JSON reader makes bad bytes and unpaired
    surrogate escapes U+FFFD (a "\\ud800" escape raised UnicodeEncodeError later)."""
    raw = "h\udcffllo"
    assert load_dotenv("A=" + raw + "\n")[0]["A"] == raw
    (doc,) = load_json('{"a": "' + raw + '", "b\\ud800": "\\ud83d\\ude00"}')
    assert doc == {"a": "h\ufffdllo", "b\ufffd": "\U0001f600"}


def test_json_keys_that_become_equal_are_duplicates() -> None:
    with pytest.raises(FormatError, match="duplicate key"):
        load_json('{"a\udcff": 1, "a\udcfe": 2}')


# -- numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["9" * 5_000, "-" + "9" * 5_000, "1e400", "0" + "7" * 5_000,
                                  "0x" + "f" * 5_000],
                         ids=["digits", "negative", "exponent", "octal", "hex"])  # fmt: skip
def test_yaml_numbers_beyond_float64_stay_strings_as_in_go_yaml(text: str) -> None:
    """go-yaml keeps the text when ParseInt, ParseUint and ParseFloat all fail; int()
    raised ValueError past 4,300 digits and float() gave infinity."""
    assert resolve_plain(text) == text
    (doc,) = load_yaml(f"a: {text}\n")
    assert doc["a"] == text


def test_a_uint64_message_names_the_line_not_the_value() -> None:
    with pytest.raises(FormatError) as info:
        load_yaml("a: 1\nb: 18446744073709551615\n", "big.yaml")
    assert "18446744073709551615" not in str(info.value)
    assert info.value.line == 2 and "64 bits" in info.value.message


@pytest.mark.parametrize("number", ["9" * 5_000, "1e400", "-" + "9" * 400],
                         ids=["digits", "exponent", "negative"])
def test_json_numbers_beyond_float64_are_format_errors(number: str) -> None:
    """Go's encoding/json refuses them too ("cannot unmarshal number")."""
    with pytest.raises(FormatError, match="too large") as info:
        load_json('{"a": ' + number + "}", "n.json")
    assert number[:30] not in str(info.value)


def test_json_long_but_finite_numbers_are_floats() -> None:
    (doc,) = load_json('{"a": 1' + "0" * 25 + ', "b": 9223372036854775807}')
    assert doc == {"a": 1e25, "b": 2**63 - 1}


@pytest.mark.parametrize("threshold", ["inf", "-inf", "nan", "1e999", "9" * 5_000, "2.5"],
                         ids=["inf", "-inf", "nan", "1e999", "digits", "fraction"])
def test_dotenv_shamir_threshold_must_be_an_integer(threshold: str) -> None:
    (branch,) = load_dotenv(f"A=1\nsops_shamir_threshold={threshold}\n")
    with pytest.raises(FormatError, match="metadata"):
        split_metadata(branch)


def test_dotenv_shamir_threshold_reads() -> None:
    (branch,) = load_dotenv("A=1\nsops_shamir_threshold=2\n")
    assert split_metadata(branch)[1] == {"shamir_threshold": 2}


# -- empty documents ----------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "# only a comment\n", "# one\n\n# two\n"],
                         ids=["empty", "comment", "comments"])
def test_a_stream_without_documents_reads_as_none(text: str) -> None:
    """A comment-only file raised IndexError (no document to hold its comments)."""
    assert load_yaml(text) == []


def test_writing_no_document_is_refused() -> None:
    """The encrypted form of an empty YAML would hold no sops metadata (sops refuses it)."""
    with pytest.raises(FormatError, match="no document"):
        dump_yaml([])


def test_resolve_plain_keeps_special_floats() -> None:
    assert resolve_plain(".inf") == math.inf and resolve_plain("1e3") == 1000.0


def test_a_non_string_key_is_named_by_its_line_not_its_text() -> None:
    with pytest.raises(FormatError, match="non-string key") as info:
        load_yaml("a: 1\n12345678901: x\n", "k.yaml")
    assert info.value.line == 2 and "12345678901" not in str(info.value)
