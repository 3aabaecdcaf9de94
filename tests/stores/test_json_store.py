"""JSON as Go's encoding/json + json.Indent write it; numbers as sops reads them."""

from __future__ import annotations

import math

import pytest

from secretsfile.errors import FormatError
from secretsfile.stores.json_store import dump_json, load_json


def test_html_characters_and_line_separators_are_escaped() -> None:
    doc = {"<k&>": "a<b>&c\u2028d\u2029", "q": '"\\\n\t\r\x01\x7f', "u": "é☃"}
    assert dump_json([doc]) == (
        '{\n\t"\\u003ck\\u0026\\u003e": "a\\u003cb\\u003e\\u0026c\\u2028d\\u2029",\n'
        '\t"q": "\\"\\\\\\n\\t\\r\\u0001\x7f",\n\t"u": "é☃"\n}\n'
    )
    assert load_json(dump_json([doc])) == [doc]


def test_indent_tab_default_spaces_and_zero() -> None:
    doc = {"a": [1, {"b": None}], "e": {}, "l": []}
    assert dump_json([doc]) == '{\n\t"a": [\n\t\t1,\n\t\t{\n\t\t\t"b": null\n\t\t}\n\t],\n' \
        '\t"e": {},\n\t"l": []\n}\n'  # fmt: skip
    assert dump_json([doc], 2).startswith('{\n  "a": [\n    1,')
    assert dump_json([doc], 0).startswith('{\n"a": [\n1,')


def test_numbers() -> None:
    docs = load_json('{"i": 8080, "f": 1.0, "big": 12345678901234567891, "neg0": -0, '
                     '"e": 1e21, "s": 1.5e-10}')  # fmt: skip
    doc = docs[0]
    assert type(doc["i"]) is int and type(doc["f"]) is float
    assert type(doc["big"]) is float  # beyond int64: float64, as sops
    assert type(doc["neg0"]) is float and math.copysign(1, doc["neg0"]) < 0  # type: ignore[arg-type]
    assert dump_json(docs) == ('{\n\t"i": 8080,\n\t"f": 1,\n\t"big": 12345678901234567000,\n'
                               '\t"neg0": -0,\n\t"e": 1e+21,\n\t"s": 1.5e-10\n}\n')  # fmt: skip


@pytest.mark.parametrize("text", ["[1]", "{", '{"a": NaN}', '{"a": 1, "a": 2}', '"x"'])
def test_rejected(text: str) -> None:
    with pytest.raises(FormatError):
        load_json(text)


def test_nan_cannot_be_written_and_one_document_only() -> None:
    with pytest.raises(FormatError):
        dump_json([{"a": math.inf}])
    with pytest.raises(FormatError):
        dump_json([{}, {}])
