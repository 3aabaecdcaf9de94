"""The format registry, and the contract every registered store keeps (a new format is
tested here by being listed in ``stores/registry.py``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from secretsfile.core.values import Branch, Comment
from secretsfile.errors import UsageError
from secretsfile.stores import FORMATS, format_for_name, format_for_path, get_store
from secretsfile.stores.flatten import ENV, SOPS, flatten

METADATA = {"age": [{"recipient": "age1x", "enc": "-----BEGIN-----\nAB\n-----END-----\n"}],
            "lastmodified": "2026-01-01T00:00:00Z", "mac": "ENC[AES256_GCM,data:x,type:str]",
            "unencrypted_suffix": "_unencrypted", "version": "3.11.0"}


@pytest.mark.parametrize(("name", "fmt"), [
    ("a.yaml", "yaml"), ("A.yml", "yaml"), ("x/b.json", "json"), ("c.env", "dotenv"),
    (".env", "dotenv"), (".env.prod", "dotenv"), ("a.ini", "ini"), ("notes.txt", None),
    ("env", None),
    # sops matches extensions case-sensitively: these are binary files to it, and to us
    ("A.YML", None), ("a.YAML", None), ("b.JSON", None), ("c.ENV", None), (".ENV", None),
    ("a.INI", None), ("a.Yaml", None),
])  # fmt: skip
def test_format_for_name(name: str, fmt: str | None) -> None:
    assert format_for_name(name) == fmt


def test_format_for_path_messages(tmp_path: Path) -> None:
    assert format_for_path("x.txt", "json") == "json"
    with pytest.raises(UsageError, match="unknown format 'toml'") as error:
        format_for_path("x.yaml", "toml")
    assert error.value.hint == "use yaml, json, dotenv, ini or binary"
    assert format_for_path("x.txt") == "binary"  # as sops: a name no format claims
    with pytest.raises(UsageError, match="is a directory"):
        format_for_path(tmp_path)


# formats whose trees have a fixed shape: INI sections, binary's one "data" value
SAMPLES: dict[str, list[Branch]] = {
    "ini": [{"DEFAULT": {}, "s": {"a": "1", "b_unencrypted": "two words"}}],
    "binary": [{"data": "ENC[AES256_GCM,data:x,type:str]"}],  # written encrypted only
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_store_contract(fmt: str) -> None:
    store = get_store(fmt)
    assert store.name == fmt and get_store(fmt) is store
    docs: list[Branch] = SAMPLES.get(fmt, [{"a": "1", "b_unencrypted": "two words"}])
    plain = store.write(docs)
    assert store.read(plain, "p") == (docs, None)
    assert store.read_plain(plain, "p") == (docs, None)
    encrypted = store.write(docs, METADATA)
    back, metadata = store.read(encrypted, "p")
    assert back == docs and metadata == METADATA
    default = store.detect_indent(encrypted)
    assert default == store.default_indent or (default is None and store.default_indent is None)
    template, none = store.read_plain(store.new_file_template, "p")
    assert template and none is None
    assert store.write(store.plain_output(docs)) == plain


def test_flattenings_differ_only_in_separators() -> None:
    note = Comment(" c")  # comments compare by identity: two are two keys
    tree: Branch = {"db": {"host": "h", note: None, "ports": [1, Comment("x"), 2.5]},
                    "top": None}
    assert list(flatten(tree, ENV).items()) == [
        ("db__host", "h"), (note, None), ("db__ports__0", 1), ("db__ports__1", 2.5),
        ("top", None)]
    assert list(flatten(tree, SOPS)) == ["db__map_host", note, "db__map_ports__list_0",
                                         "db__map_ports__list_1", "top"]
