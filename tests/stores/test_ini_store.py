"""The INI store: go-ini's reading and writing as sops uses them (interop with the sops
binary is in tests/interop/test_formats_interop.py)."""

from __future__ import annotations

import pytest

from secretsfile.core.values import Comment
from secretsfile.errors import FormatError
from secretsfile.stores import get_store
from secretsfile.stores.ini_store import DEFAULT, ExplicitDefault

STORE = get_store("ini")
METADATA = {"age": [{"recipient": "age1x", "enc": "-----BEGIN-----\nAB\n-----END-----\n"}],
            "lastmodified": "2026-01-01T00:00:00Z", "mac": "ENC[AES256_GCM,data:x,type:str]",
            "mac_only_encrypted": True, "shamir_threshold": 2, "version": "3.11.0"}


def _plain(docs: list) -> list:  # comments compare by identity: compare their text
    return [{k.text if isinstance(k, Comment) else k: _plain([v])[0] if isinstance(v, dict)
             else v for k, v in d.items()} for d in docs]


def test_reads_sections_comments_quotes_and_the_default_section() -> None:
    text = ('top = 1\n; about db\n[ db ]\nuser: admin\npassword=s3cret ; inline\n'
            '# above port\nport = 5432\nq = "two words "\nb = `a;b`\nempty =\n'
            'm = """line1\nline2"""\n')
    docs, metadata = STORE.read(text, "f.ini")
    assert metadata is None
    # go-ini (sops) keeps the spaces inside [ db ]: they are part of every key's AAD
    assert _plain(docs) == [{DEFAULT: {"top": "1"}, " db ": {
        "about db": None, "user": "admin", "password": "s3cret", "inline": None,
        "port": "5432", "above port": None, "q": "two words ", "b": "a;b", "empty": "",
        "m": "line1\nline2"}}]


def test_writes_like_go_ini() -> None:
    docs = STORE.read('top=1\n; about db\n[db]\nuser = admin\npassword = x ; c\n'
                      'sp = " pad"\nsemi = `a;b`\nm = """x\ny"""\n', "f.ini")[0]
    assert STORE.write(docs) == (
        'top = 1\n\n; about db\n[db]\nuser     = admin\n; c\npassword = x\n'
        'sp       = " pad"\nsemi     = `a;b`\nm        = """x\ny"""\n')


def test_explicit_default_header_is_kept_where_it_stood() -> None:
    docs = STORE.read("[a]\nk = v\n[DEFAULT]\nx = 1\n", "f.ini")[0]
    assert [type(k) for k in docs[0]] == [str, ExplicitDefault]
    assert STORE.write(docs) == "[a]\nk = v\n\n[DEFAULT]\nx = 1\n"


def test_metadata_is_a_sorted_sops_section_and_reads_back() -> None:
    docs = [{DEFAULT: {}, "a": {"k": "ENC[AES256_GCM,data:x,type:str]"}}]
    text = STORE.write(docs, METADATA)
    section = text.split("[sops]\n")[1].splitlines()
    assert [line.split(" ")[0] for line in section] == sorted(
        line.split(" ")[0] for line in section)
    assert "age__list_0__map_enc       = -----BEGIN-----\\nAB\\n-----END-----\\n" in section
    assert STORE.read(text, "f.ini") == (docs, METADATA)


@pytest.mark.parametrize(("text", "message"), [
    ("[a]\nk=1\n[a]\nj=2\n", "duplicate section"),
    ("[a]\nk=1\nk=2\n", "duplicate key"),
    ("[a]\njust a line\n", "expected key = value"),
    ("[a\nk=1\n", "unclosed section"),
    ("[a]\nk = one \\\n", "continuation"),
    ('[a]\nk = """open\n', "unclosed"),
])  # fmt: skip
def test_refuses_what_go_ini_would_merge_or_misread(text: str, message: str) -> None:
    with pytest.raises(FormatError, match=message) as error:
        STORE.read(text, "f.ini")
    assert error.value.path == "f.ini"


@pytest.mark.parametrize("docs", [[{"top": "v"}], [{"a": {"b": {"c": "d"}}}], [{}, {}]])
def test_refuses_trees_ini_cannot_hold(docs: list) -> None:
    with pytest.raises(FormatError):
        STORE.write(docs)


def test_keys_are_aligned_by_bytes_as_go_ini_does() -> None:
    docs = [{DEFAULT: {}, "s": {"clé": "1", "ab": "2"}}]
    assert STORE.write(docs) == "[s]\nclé = 1\nab   = 2\n"


def test_a_byte_order_mark_and_crlf_are_read_as_sops_reads_them() -> None:
    docs = STORE.load("\ufeff[a]\r\nk = v\r\n", "bom.ini")
    assert _plain(docs) == [{DEFAULT: {}, "a": {"k": "v"}}]
    assert STORE.write(docs) == "[a]\nk = v\n"


def test_a_section_name_is_read_as_go_ini_reads_it() -> None:
    # up to the last ], inner spaces kept: sops-written files with such sections decrypt
    for header, name in (("[ a ]", " a "), ("[a]b]", "a]b"), ("[a ]", "a "), ("  [a]  ", "a")):
        docs = STORE.read(f"{header}\nk = v\n", "f.ini")[0]
        assert [key for key in docs[0] if key != DEFAULT] == [name]
        assert STORE.read(STORE.write(docs), "f.ini")[0] == docs  # "a]b" can be set now
