"""The tree walk: AAD paths, selectors, comments, and the MAC (as sops computes them)."""

from __future__ import annotations

import hashlib

import pytest

from secretsfile.core.cipher import ValueCipher, encrypted_type
from secretsfile.core.metadata import mac_aad
from secretsfile.core.tree import (
    MAC_ONLY_ENCRYPTED_INIT,
    Selector,
    decrypt_documents,
    encrypt_documents,
    strip_comments,
)
from secretsfile.core.values import Branch, Comment, GoTime
from secretsfile.errors import ConfigError, FormatError, IntegrityError

KEY = bytes(32)


class RecordingCipher(ValueCipher):
    def __init__(self) -> None:
        super().__init__(KEY)
        self.seen: list[tuple[object, str]] = []

    def encrypt(self, value, aad, plaintext=None):  # type: ignore[no-untyped-def]
        self.seen.append((value.text if isinstance(value, Comment) else value, aad))
        return super().encrypt(value, aad, plaintext)


def test_aad_paths_lists_and_comments() -> None:
    top, inner, listed = Comment(" top"), Comment(" in app"), Comment(" in list")
    doc: Branch = {top: None, "app": {inner: None, "name": "x"},
                   "servers": ["a", listed, [1, [2, 3]], {"name": "y"}], "colon:key": "z",
                   "ключ": "v"}  # fmt: skip
    cipher = RecordingCipher()
    encrypt_documents([doc], cipher, Selector())
    assert cipher.seen == [(" top", ":"), (" in app", "app:"), ("x", "app:name:"),
                           ("a", "servers:"), (" in list", "servers:"), (1, "servers:"),
                           (2, "servers:"), (3, "servers:"), ("y", "servers:name:"),
                           ("z", "colon:key:"), ("v", "ключ:")]  # fmt: skip


def test_mac_is_sha512_of_plaintext_values_in_order_skipping_comments_and_nulls() -> None:
    doc: Branch = {Comment(" c"): None, "a": "bc", "n": None, "b": [1, 2.5, True],
                   "t": GoTime("2024-01-02T00:00:00Z"), "e": ""}  # fmt: skip
    _, mac = encrypt_documents([doc], ValueCipher(KEY), Selector())
    expected = hashlib.sha512(b"bc" + b"1" + b"2.5" + b"True" + b"2024-01-02T00:00:00Z")
    assert mac == expected.hexdigest().upper()


def test_mac_runs_over_all_documents_in_order() -> None:
    docs: list[Branch] = [{"a": "1"}, {"b": "2"}]
    _, mac = encrypt_documents(docs, ValueCipher(KEY), Selector())
    assert mac == hashlib.sha512(b"12").hexdigest().upper()
    _, swapped = encrypt_documents(docs[::-1], ValueCipher(KEY), Selector())
    assert swapped == hashlib.sha512(b"21").hexdigest().upper()


def test_mac_only_encrypted_prefix_and_scope() -> None:
    selector = Selector("encrypted_suffix", "_secret", mac_only_encrypted=True)
    out, mac = encrypt_documents([{"a_secret": "s", "b": "p"}], ValueCipher(KEY), selector)
    assert MAC_ONLY_ENCRYPTED_INIT.hex() == (
        "8a3fd2ad54ce66527b1034f3d147be0b0b975b3bf44f72c6fdadec8176f27d69")
    assert mac == hashlib.sha512(MAC_ONLY_ENCRYPTED_INIT + b"s").hexdigest().upper()
    assert out[0]["b"] == "p" and encrypted_type(str(out[0]["a_secret"])) == "str"


@pytest.mark.parametrize(
    ("selector", "encrypted"),
    [(Selector(), {"a", "b_unencrypted", "c"}),
     (Selector("unencrypted_suffix", "_unencrypted"), {"a", "c"}),
     (Selector("encrypted_suffix", "_unencrypted"), {"b_unencrypted"}),
     (Selector("unencrypted_regex", "^a$"), {"b_unencrypted", "c"}),
     (Selector("encrypted_regex", "^(a|nest)$"), {"a", "c"})],
)  # fmt: skip
def test_selectors_apply_to_any_path_component(selector: Selector, encrypted: set[str]) -> None:
    doc: Branch = {"a": "1", "b_unencrypted": "2", "nest": {"c": "3"}}
    out, _ = encrypt_documents([doc], ValueCipher(KEY), selector)
    flat = {"a": out[0]["a"], "b_unencrypted": out[0]["b_unencrypted"],
            "c": out[0]["nest"]["c"]}  # type: ignore[index]  # fmt: skip
    assert {k for k, v in flat.items() if str(v).startswith("ENC[")} == encrypted


def test_encrypted_comment_regex_leaves_the_marker_comment_clear() -> None:
    marker = Comment(" sops:enc")
    doc: Branch = {"a": "1", marker: None, "b": "2", "c": "3"}
    out, _ = encrypt_documents([doc], ValueCipher(KEY), Selector("encrypted_comment_regex",
                                                                 "sops:enc"))  # fmt: skip
    keys = list(out[0])
    assert out[0]["a"] == "1" and str(out[0]["b"]).startswith("ENC[") and out[0]["c"] == "3"
    assert isinstance(keys[1], Comment) and keys[1].text == " sops:enc"


def test_unencrypted_comment_regex() -> None:
    doc: Branch = {"a": "1", Comment(" clear"): None, "b": "2"}
    out, _ = encrypt_documents([doc], ValueCipher(KEY), Selector("unencrypted_comment_regex",
                                                                 "clear"))  # fmt: skip
    assert str(out[0]["a"]).startswith("ENC[") and out[0]["b"] == "2"


def test_only_one_selector_and_regex_checked() -> None:
    with pytest.raises(ConfigError, match="only one"):
        Selector.from_fields({"encrypted_regex": "a", "unencrypted_suffix": "b"},
                             default_suffix=True)  # fmt: skip
    with pytest.raises(ConfigError, match="not a valid regex"):
        Selector.from_fields({"encrypted_regex": "("}, default_suffix=True)
    assert Selector.from_fields({}, default_suffix=True).pattern == "_unencrypted"


def test_round_trip_comments_encrypted_list_comment_becomes_element() -> None:
    doc: Branch = {Comment(" c"): None, "l": ["x", Comment(" lc"), "y"]}
    cipher = ValueCipher(KEY)
    out, mac = encrypt_documents([doc], cipher, Selector())
    first = next(iter(out[0]))
    assert isinstance(first, Comment) and encrypted_type(first.text) == "comment"
    items = out[0]["l"]
    assert isinstance(items, list) and len(items) == 3
    assert isinstance(items[1], str) and encrypted_type(items[1]) == "comment"  # sops 3.11
    plain, mac2 = decrypt_documents(out, ValueCipher(KEY), Selector())
    assert mac2 == mac
    assert [getattr(i, "text", i) for i in plain[0]["l"]] == ["x", " lc", "y"]  # type: ignore[union-attr]


def test_plaintext_where_encrypted_belongs_is_integrity_error() -> None:
    with pytest.raises(IntegrityError, match="should be encrypted") as info:
        decrypt_documents([{"a": "sneaky"}], ValueCipher(KEY), Selector())
    assert "sneaky" not in str(info.value)


def test_non_string_key_and_depth() -> None:
    with pytest.raises(FormatError):
        encrypt_documents([{1: "x"}], ValueCipher(KEY), Selector())  # type: ignore[dict-item]
    deep: Branch = {}
    node = deep
    for _ in range(300):
        node["k"] = {}
        node = node["k"]  # type: ignore[assignment]
    with pytest.raises(FormatError, match="nested too deeply"):
        encrypt_documents([deep], ValueCipher(KEY), Selector())


def test_strip_comments() -> None:
    doc: Branch = {Comment("x"): None, "a": [Comment("y"), 1, {Comment("z"): None, "b": 2}]}
    assert strip_comments(doc) == {"a": [1, {"b": 2}]}


@pytest.mark.parametrize(
    ("stored", "aad"),
    [("2026-11-22T11:00:39Z", "2026-11-22T11:00:39Z"),
     ("2026-11-22T11:00:39.999Z", "2026-11-22T11:00:39Z"),
     ("2026-11-22T11:00:39.5+02:00", "2026-11-22T11:00:39+02:00"),
     ("2026-11-22T11:00:39+00:00", "2026-11-22T11:00:39Z")],
)  # fmt: skip
def test_lastmodified_normalisation_for_the_mac_aad(stored: str, aad: str) -> None:
    assert mac_aad(stored) == aad


def test_lastmodified_must_be_rfc3339() -> None:
    with pytest.raises(FormatError):
        mac_aad("yesterday")


@pytest.mark.parametrize("key", ["db", "a b", 'say "hi"', "back\\slash", "tab\there", "é",
                                 "del\x7f", "", "line\u2028sep"])
def test_render_path_quotes_keys_as_json_does(key: str) -> None:
    import json

    from secretsfile.core.tree import render_path

    assert render_path([key, 0]) == f"[{json.dumps(key)}][0]"
