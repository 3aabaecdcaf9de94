"""dotenv, as naive as sops' store, and the flattened sops_ metadata keys."""

from __future__ import annotations

from pathlib import Path

import pytest

from secretsfile.core.values import Comment
from secretsfile.errors import FormatError
from secretsfile.stores.dotenv_store import dump_dotenv, load_dotenv, split_metadata


def test_naive_parsing_like_sops() -> None:
    text = '#c\nA= spaced \nQUOTED="q"\nexport FOO=bar\nD=a=b\nE=x\\ny\nF=\r\n\n\nEMPTY=\n'
    [doc] = load_dotenv(text)
    items = [(getattr(k, "text", k), v) for k, v in doc.items()]
    assert items == [("c", None), ("A", " spaced "), ("QUOTED", '"q"'), ("export FOO", "bar"),
                     ("D", "a=b"), ("E", "x\ny"), ("F", "\r"), ("EMPTY", "")]  # fmt: skip
    # empty lines are not preserved; newlines written back as \n
    assert dump_dotenv([doc]) == text.replace("\n\n\n", "\n")


def test_bad_lines() -> None:
    with pytest.raises(FormatError, match="KEY=VALUE"):
        load_dotenv("NOEQUALS\n")
    with pytest.raises(FormatError, match="duplicate"):
        load_dotenv("A=1\nA=2\n")


def test_metadata_is_flattened_sorted_and_read_back() -> None:
    metadata = {
        "key_groups": [{"hc_vault": [], "age": [{"recipient": "age1x", "enc": "A\nB\n"}]},
                       {"hc_vault": [], "age": [{"recipient": "age1y", "enc": "C\n"}]}],
        "shamir_threshold": 2, "lastmodified": "2026-01-01T00:00:00Z", "mac": "ENC[x]",
        "mac_only_encrypted": True, "unencrypted_suffix": "_unencrypted", "version": "3.11.0",
    }  # fmt: skip
    text = dump_dotenv([{"A": "1", Comment("c"): None}], metadata)
    lines = text.splitlines()
    assert lines[:2] == ["A=1", "#c"]
    meta = lines[2:]
    assert meta == sorted(meta)
    assert "sops_key_groups__list_1__map_age__list_0__map_enc=C\\n" in meta
    assert "sops_mac_only_encrypted=true" in meta and "sops_shamir_threshold=2" in meta
    [doc] = load_dotenv(text)
    data, back = split_metadata(doc)
    assert next(iter(data)) == "A"
    assert back is not None
    assert back["shamir_threshold"] == 2 and back["mac_only_encrypted"] is True
    assert back["key_groups"][1]["age"][0] == {"recipient": "age1y", "enc": "C\n"}


def test_old_float_threshold_and_no_metadata() -> None:
    _, meta = split_metadata(load_dotenv("sops_shamir_threshold=2.0\n")[0])
    assert meta == {"shamir_threshold": 2}
    assert split_metadata(load_dotenv("A=1\n")[0])[1] is None


READER_VALUES = {"OCTAL": "0777", "NO": "no", "LONG": "012345678901", "EXP": "1e3",
                 "TILDE": "~", "SPACE": "a b", "HASH": "a#b", "SQ": "'q'", "DQ": '"dq"',
                 "HOME_REF": "$HOME", "NL": "l1\nl2\n", "TRAIL": "t ", "BS": "a\\b",
                 "TICK": "`id`", "EMPTY": "", "BOTH": "it's $HOME", "BARE": "a-b_c.d:e@f"}


def test_reader_output_reads_back_in_python_dotenv_and_sh(tmp_path: Path) -> None:
    import subprocess

    from secretsfile.stores import get_store

    store = get_store("dotenv")
    text = store.write(store.reader_output([{"nested": {"key": "a b"}, **READER_VALUES}]))
    assert "BARE=a-b_c.d:e@f\n" in text and "OCTAL=0777\n" in text  # plain: as sops prints
    out = tmp_path / "out.env"
    out.write_text(text)
    expected = {**READER_VALUES, "nested__key": "a b"}
    sh = subprocess.run(["sh", "-c", 'set -a; . "$1"; env -0', "sh", str(out)],
                        capture_output=True, text=True, check=True, env={"HOME": "/nowhere"})
    env = dict(entry.split("=", 1) for entry in sh.stdout.split("\0") if "=" in entry)
    assert {k: env[k] for k in expected} == expected and sh.stderr == ""
    dotenv = pytest.importorskip("dotenv")
    read = dotenv.dotenv_values(out, interpolate=False)
    del expected["BOTH"]  # the POSIX 'it'\''s' form: exact in sh, python-dotenv cannot read it
    assert {k: read[k] for k in expected} == expected
    # the plain output (a .env file's own decrypt) stays sops' naive bytes
    assert store.write(store.plain_output([{"A": "a b"}])) == "A=a b\n"
