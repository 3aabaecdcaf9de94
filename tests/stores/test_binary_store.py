"""The binary store: the whole file is the ``data`` value; encrypted, it is JSON."""

from __future__ import annotations

import pytest

from secretsfile.errors import FormatError
from secretsfile.stores import get_store
from secretsfile.stores.binary_store import looks_encrypted

STORE = get_store("binary")
RAW = b"a\x00b\xff\xfe\nline2"
METADATA = {"lastmodified": "2026-01-01T00:00:00Z", "mac": "ENC[AES256_GCM,data:x,type:str]",
            "version": "3.11.0"}


def test_any_text_is_the_data_and_comes_back_unchanged() -> None:
    text = RAW.decode("utf-8", "surrogateescape")
    docs, metadata = STORE.read_plain(text, "f.bin")
    assert docs == [{"data": text}] and metadata is None
    assert STORE.write(docs).encode("utf-8", "surrogateescape") == RAW


def test_encrypted_is_json_with_data_and_sops_and_is_refused_as_plaintext() -> None:
    encrypted = STORE.write([{"data": "ENC[AES256_GCM,data:x,type:str]"}], METADATA)
    assert encrypted.startswith('{\n\t"data": "ENC[') and looks_encrypted(encrypted)
    assert STORE.read_plain(encrypted, "f.bin")[1] == METADATA
    assert STORE.read(encrypted, "f.bin") == ([{"data": "ENC[AES256_GCM,data:x,type:str]"}],
                                             METADATA)


@pytest.mark.parametrize("text", ["", "{", '{"data": 1}', '{"sops": {}}', "[1]", "x"])
def test_looks_encrypted_only_for_data_and_sops(text: str) -> None:
    assert not looks_encrypted(text)


@pytest.mark.parametrize("docs", [[{"a": "1"}], [{"data": {"x": "y"}}], [{"data": "a"}] * 2])
def test_plain_output_needs_one_text_value_named_data(docs: list) -> None:
    with pytest.raises(FormatError, match="no binary data"):
        STORE.write(docs)
