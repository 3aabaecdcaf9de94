"""The diff driver's text: key lines in file order, fingerprints when redacted, and the
input unchanged (None) whenever it cannot be shown."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from secretsfile.ops import files
from secretsfile.ops.keygen import keygen
from secretsfile.ops.textconv import _shown, convert, detect_format

PLANTED = "hunter2-PLANTED-TEXTCONV"
YAML = f"""\
# a comment
db:
    password: {PLANTED}
    user: app
    cert: |
        line one
        line two
hosts:
    - a.example
    - b.example
"weird.key": x
empty: {{}}
nothing: null
blank: ""
"""


def _encrypt(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    files.encrypt_file(path, files.EncryptOptions(), in_place=True)
    return path


@pytest.fixture
def key() -> None:
    keygen("age")


def test_key_lines_in_file_order(key: None, tmp_path: Path) -> None:
    path = _encrypt(tmp_path, "s.yaml", YAML)
    result = convert(path.read_text(), "/tmp/XXXX_s", redact=False)
    assert result.text is not None and result.reason is None
    lines = result.text.splitlines()
    assert lines[:9] == [
        f"db.password: {PLANTED}",
        "db.user: app",
        'db.cert: "line one\\nline two\\n"',
        "hosts[0]: a.example",
        "hosts[1]: b.example",
        '["weird.key"]: x',
        "empty: {}",
        "nothing: null",
        'blank: ""',
    ]
    assert lines[9].startswith("# recipient: age age1")


@pytest.mark.parametrize(("name", "text"), [
    ("s.json", '{"db": {"password": "' + PLANTED + '"}, "n": 1}'),
    ("s.env", f"DB_PASSWORD={PLANTED}\nN=1\n"),
])
def test_format_from_content_not_name(key: None, tmp_path: Path, name: str, text: str
                                      ) -> None:
    path = _encrypt(tmp_path, name, text)
    content = path.read_text()
    assert detect_format(content) == ("json" if name.endswith("json") else "dotenv")
    result = convert(content, "tmpfile-without-extension", redact=False)
    assert result.text is not None
    assert PLANTED in result.text.splitlines()[0]


def test_redacted_shows_fingerprints_not_values(key: None, tmp_path: Path) -> None:
    path = _encrypt(tmp_path, "s.yaml", f"a: {PLANTED}\nb: {PLANTED}\nc: other\n")
    result = convert(path.read_text(), "s.yaml", redact=True)
    assert result.text is not None
    assert PLANTED not in result.text
    a, b, c = (line.split(": ", 1)[1] for line in result.text.splitlines()[:3])
    assert a == b != c and a.startswith("<redacted ")
    # the same value in the next version of the file (same data key): the same fingerprint
    files.set_value(path, "c", "changed")
    again = convert(path.read_text(), "s.yaml", redact=True)
    assert again.text is not None and again.text.splitlines()[0].endswith(a)


def test_no_key_plaintext_and_garbage_give_none(key: None, tmp_path: Path) -> None:
    path = _encrypt(tmp_path, "s.yaml", YAML)
    text = path.read_text()
    for other in ("plain: yes\n", "", "{not json", "\x00\x01", "a=b\n"):
        assert convert(other, "x", redact=False).text is None
    os.environ.pop("SECRETSFILE_AGE_KEY_FILE", None)
    home = tmp_path / "elsewhere"
    home.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        patch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
        from secretsfile.keysources.age import clear_cache

        clear_cache()
        result = convert(text, "s.yaml", redact=False)
    assert result.text is None and result.reason is None  # no key: nothing to say


def test_broken_mac_is_named_and_not_shown(key: None, tmp_path: Path) -> None:
    path = _encrypt(tmp_path, "s.yaml", YAML)
    text = path.read_text().replace("mac: ENC[AES256_GCM,data:", "mac: ENC[AES256_GCM,data:A")
    result = convert(text, "s.yaml", redact=False)
    assert result.text is None and result.reason
    assert PLANTED not in result.reason


def test_fingerprint_is_hmac_sha256_under_the_derived_key() -> None:
    import hashlib
    import hmac

    from secretsfile.ops.textconv import FINGERPRINT_LABEL, fingerprint

    data_key = bytes(range(32))
    key = hmac.new(data_key, FINGERPRINT_LABEL, hashlib.sha256).digest()
    expected = hmac.new(key, b"str\0h\xc3\xa9", hashlib.sha256).hexdigest()[:12]
    assert fingerprint(data_key, "hé") == expected


BIDI_AND_C1 = ["\x85", "\x9b", "\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)),
               *map(chr, range(0x2066, 0x206A)), "\u2028", "\u2029", "\x7f", "\xa0"]


def test_bidi_and_c1_controls_are_quoted_and_escaped(key: None, tmp_path: Path) -> None:
    # U+202E shown raw makes a value display reversed in review: "a<RLO>bc" looks like "acb"
    values = {f"k{i}": f"a{char}bc" for i, char in enumerate(BIDI_AND_C1)}
    text = "".join(f"{name}: {json.dumps(value)}\n" for name, value in values.items())
    result = convert(_encrypt(tmp_path, "s.yaml", text).read_text(), "s", redact=False)
    assert result.text is not None
    lines = result.text.splitlines()[:len(values)]
    assert all(line.isprintable() for line in lines)
    shown = dict(line.split(": ", 1) for line in lines)
    assert {name: json.loads(shown[name]) for name in values} == values


def test_quoting_rule_on_every_code_point() -> None:
    """A value is quoted exactly when it holds something not printable (or starts with a
    quote, or starts or ends with white space); quoted output is printable and reads back
    as the value; where only printable characters are involved, output is what it was
    before bidi controls were escaped (plain text, or json.dumps without ensure_ascii)."""
    printable = "".join(c for c in map(chr, range(0x110000)) if c.isprintable())
    others = "".join(c for c in map(chr, range(0x110000)) if not c.isprintable())
    assert _shown(printable[1:-1]) == printable[1:-1]  # ' ' first, '~' ... last
    assert _shown(f"a{printable}\n") == json.dumps(f"a{printable}\n", ensure_ascii=False)
    for char in others[:0x3000]:  # one by one: the BMP (surrogates too) and a little more
        quoted = _shown(f"a{char}b")
        assert quoted.isprintable() and json.loads(quoted) == f"a{char}b", hex(ord(char))
    rest = others[0x3000:]  # no surrogates here: a high one would pair up in JSON
    quoted = _shown(f"a{rest}")  # the rest at once (astral unassigned, private use)
    assert quoted.isprintable() and json.loads(quoted) == f"a{rest}"
    assert [_shown(v) for v in ('"q', " x", "x\t", "é ü 中", "x y")] == [
        '"\\"q"', '" x"', '"x\\t"', "é ü 中", "x y"]
