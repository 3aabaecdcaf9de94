"""A seeded mutation fuzzer over encrypted YAML, JSON and dotenv files (issue 7, item 4).

Real files are encrypted by secretsfile with a test age key, then mutated (truncated, lines
duplicated, dropped or swapped, ``---`` inserted, anchors and aliases, deep nesting, huge
numbers, bytes that are not UTF-8, ENC[...] fields swapped or retyped, IVs shortened,
metadata broken). Every library entry point must then succeed or raise a SecretsfileError
whose message holds no planted value; anything else is an escape. The seed is fixed, so a
failure reproduces: the report names the case and its mutations.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyrage
import pytest

import secretsfile
from secretsfile.errors import SecretsfileError
from secretsfile.ops.document import open_document, read_encrypted
from secretsfile.ops.guard import check_bytes
from secretsfile.ops.inspect import list_keys, status

SEED = 20_240_607
CASES = {"yaml": 2_000, "json": 1_700, "dotenv": 1_500}  # encrypted inputs
PLAIN_CASES = 600  # mutated plaintext given to encrypt
PLANTED = "PLANTED"

PLAINTEXT = {
    "yaml": """\
# a comment
db:
    user: PLANTED-user
    password: PLANTED-db-password   # inline
    port: 5432
    ratio: 1.5
    enabled: true
    when: 2024-01-02T03:04:05Z
api_token: PLANTED-api-token
list:
    - PLANTED-item
    - 42
    - nested:
        deep: PLANTED-deep
    - "PLANTED-quoted"
empty: ""
none: null
block: |
    PLANTED-line-1
    PLANTED-line-2
visible_unencrypted: hello
""",
    "json": """{
\t"db": {"user": "PLANTED-user", "password": "PLANTED-db-password", "port": 5432,
\t       "ratio": 1.5, "enabled": true, "nothing": null},
\t"api_token": "PLANTED-api-token",
\t"list": ["PLANTED-item", 42, {"deep": "PLANTED-deep"}, [], {}],
\t"empty": "",
\t"visible_unencrypted": "hello"
}
""",
    "dotenv": """\
# a comment
DB_USER=PLANTED-user
DB_PASSWORD=PLANTED-db-password
PORT=5432
API_TOKEN=PLANTED-api-token
MULTI=PLANTED-line-1\\nPLANTED-line-2
EMPTY=
VISIBLE_unencrypted=hello
""",
}
SUFFIX = {"yaml": ".yaml", "json": ".json", "dotenv": ".env"}
_OTHER = {"yaml": "json", "json": "dotenv", "dotenv": "yaml"}

Mutator = Callable[[random.Random, bytes], bytes]


# -- mutators: each takes and returns the file's bytes ------------------------------------


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _at(rng: random.Random, data: bytes) -> int:
    return rng.randrange(len(data) + 1)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: _at(rng, data)]


def duplicate_line(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    i = rng.randrange(len(lines))
    lines.insert(rng.randrange(len(lines) + 1), lines[i])
    return b"\n".join(lines)


def drop_line(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    del lines[rng.randrange(len(lines))]
    return b"\n".join(lines)


def swap_lines(rng: random.Random, data: bytes) -> bytes:
    lines = _lines(data)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return b"\n".join(lines)


def insert_line(rng: random.Random, data: bytes) -> bytes:
    """A line sops would never write, at any position."""
    choices = [
        b"---", b"--- ", b"...", b"%YAML 1.1", b"a: &x 1", b"b: *x", b"<<: *x", b"c: *nowhere",
        b"sops:", b"  - x", b"\t- x", b"? complex", b"key", b"=value", b"sops_mac=", b"{", b"]",
        b"sops_shamir_threshold=inf", b"sops_shamir_threshold=" + b"9" * 5_000,
        b"    shamir_threshold: .inf", b"    shamir_threshold: " + b"9" * 5_000,
        b"sops_version=", b"sops_age__list_9999__map_recipient=x", b"x: !!binary AAA=",
        b"x: !!int nope", b"x: !!float 1e400", b"x: !!timestamp nope", b"x: !custom y",
        b"n: " + b"9" * 5_000, b"n: 18446744073709551615", b"n: 1e400", b"N=" + b"9" * 5_000,
        b'"n": ' + b"9" * 5_000 + b",", b'"z": 1e400,', b'"d": "\\ud800",',
        b"sops_x" + b"__map_y" * 300 + b"=1", b"sops_mac_only_encrypted=true",
    ]  # fmt: skip
    lines = _lines(data)
    lines.insert(rng.randrange(len(lines) + 1), rng.choice(choices))
    return b"\n".join(lines)


def insert_bytes(rng: random.Random, data: bytes) -> bytes:
    piece = rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\r", b"\t", b"\x85",
                        b"\xef\xbb\xbf", b"\\", b'"', b"'", b"#", b"&a ", b"*a", b"!!str ",
                        b"{", b"}", b"[", b"]", b",", b":", b": ", b"|", b">", b"%", b"@", b"`",
                        b"\\ud800", b"\\u0000", b"=", b"\n"])  # fmt: skip
    at = _at(rng, data)
    return data[:at] + piece + data[at:]


def flip_byte(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    at = rng.randrange(len(data))
    return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :]


def deep_nesting(rng: random.Random, data: bytes) -> bytes:
    depth = rng.choice([150, 201, 999, 5_000, 100_000])
    nest = rng.choice([
        b"deep: " + b"[" * depth + b"]" * depth,
        b'"deep": ' + b"[" * depth + b"]" * depth + b",",
        b"".join(b"  " * i + b"k:" + b"\n" for i in range(min(depth, 700))) + b"  " * 700 + b"v: 1",
        b"deep:\n    " + b"- " * depth + b"x",
        b"sops_a" + b"__list_0" * min(depth, 2_000) + b"=1",
    ])  # fmt: skip
    lines = _lines(data)
    lines.insert(rng.randrange(len(lines) + 1), nest)
    return b"\n".join(lines)


def alias_bomb(rng: random.Random, data: bytes) -> bytes:
    levels = rng.choice([3, 6, 10, 30])
    bomb = [b'l0: &l0 ["a","a","a","a","a","a","a","a","a"]']
    bomb += [b"l%d: &l%d [" % (i, i) + b",".join([b"*l%d" % (i - 1)] * 9) + b"]"
             for i in range(1, levels)]  # fmt: skip
    at = rng.choice([0, len(_lines(data)) // 2])
    lines = _lines(data)
    lines[at:at] = bomb
    return b"\n".join(lines)


_ENC = re.compile(rb"ENC\[AES256_GCM,data:([^,\]]*),iv:([^,\]]*),tag:([^,\]]*),type:([^\]]*)\]")


def swap_enc_fields(rng: random.Random, data: bytes) -> bytes:
    """Move one field (data, iv, tag or type) of one ENC[...] value into another."""
    found = list(_ENC.finditer(data))
    if len(found) < 2:
        return data
    a, b = rng.sample(found, 2)
    group = rng.randrange(1, 5)
    start, end = a.span(group)
    return data[:start] + b.group(group) + data[end:]


def retype_enc(rng: random.Random, data: bytes) -> bytes:
    found = list(_ENC.finditer(data))
    if not found:
        return data
    start, end = rng.choice(found).span(4)
    kind = rng.choice([b"str", b"int", b"float", b"bool", b"time", b"comment", b"bytes", b"",
                       b"nope", b"int,x", b"str]"])  # fmt: skip
    return data[:start] + kind + data[end:]


def reshape_enc(rng: random.Random, data: bytes) -> bytes:
    """An IV or tag of another length, or base64 that is not base64."""
    found = list(_ENC.finditer(data))
    if not found:
        return data
    group = rng.randrange(1, 4)
    start, end = rng.choice(found).span(group)
    value = rng.choice([b"", b"AAAA", b"A" * 8, b"AAAAAAAAAAA=", b"A" * 4_000, b"@@@", b"A=A=",
                        b"\xff", b"9" * 5_000])  # fmt: skip
    return data[:start] + value + data[end:]


def replace_token(rng: random.Random, data: bytes) -> bytes:
    tokens: list[bytes] = re.findall(rb"[A-Za-z0-9_+/=.-]+", data)
    if not tokens:
        return data
    old, new = rng.choice(tokens), rng.choice([*tokens, b"9" * 5_000, b".inf", b"-0", b"~"])
    at = data.find(old, _at(rng, data) // 2)
    at = data.find(old) if at < 0 else at
    return data[:at] + new + data[at + len(old) :]


MUTATORS: tuple[Mutator, ...] = (
    truncate, duplicate_line, drop_line, swap_lines, insert_line, insert_line, insert_bytes,
    insert_bytes, flip_byte, deep_nesting, alias_bomb, swap_enc_fields, retype_enc,
    reshape_enc, reshape_enc, replace_token,
)  # fmt: skip


# -- the run ------------------------------------------------------------------------------


@dataclass
class Escape:
    case: str
    mutations: list[str]
    entry: str
    problem: str


def _mutate(rng: random.Random, data: bytes) -> tuple[bytes, list[str]]:
    names = []
    for _ in range(rng.choice([1, 1, 2, 3])):
        mutator = rng.choice(MUTATORS)
        data = mutator(rng, data)
        names.append(mutator.__name__)
    return data, names


def _call(entry: str, action: Callable[[], object], case: str, names: list[str],
          escapes: list[Escape]) -> None:  # fmt: skip
    try:
        action()
    except SecretsfileError as error:
        text = f"{error} {error.message} {error.hint or ''}"
        if PLANTED in text:
            escapes.append(Escape(case, names, entry, "a planted value in the message"))
    except RecursionError:
        escapes.append(Escape(case, names, entry, "RecursionError"))
    except Exception as error:  # the point: anything else is an escape
        escapes.append(Escape(case, names, entry, type(error).__name__))


def _entries(path: Path, fmt: str, data: bytes) -> list[tuple[str, Callable[[], object]]]:
    text = data.decode("utf-8", "surrogateescape")  # as the library's read_text reads it

    def read_and_open() -> object:
        return open_document(read_encrypted(text, fmt, str(path)), for_update=False)

    return [
        ("read_encrypted+open_document", read_and_open),
        ("load_file", lambda: secretsfile.load_file(path)),
        ("decrypt_file", lambda: secretsfile.decrypt_file(path)),
        ("decrypt_file as another format",
         lambda: secretsfile.decrypt_file(path, output_type=_OTHER[fmt])),
        ("check-encrypted", lambda: check_bytes(data, path.name)),
        ("list_keys", lambda: list_keys(path)),
        ("status", lambda: status(path)),
    ]


@pytest.fixture
def recipient(monkeypatch: pytest.MonkeyPatch) -> str:
    identity = pyrage.x25519.Identity.generate()
    monkeypatch.setenv("SECRETSFILE_AGE_KEY", str(identity))
    return str(identity.to_public())


def _report(escapes: list[Escape]) -> str:
    seen: dict[tuple[str, str], Escape] = {}
    for escape in escapes:
        seen.setdefault((escape.entry, escape.problem), escape)
    return f"{len(escapes)} escapes; first of each kind:\n" + "\n".join(
        f"  {e.case} {e.mutations} via {e.entry}: {e.problem}" for e in seen.values()
    )


@pytest.mark.parametrize("fmt", sorted(CASES))
def test_mutated_encrypted_files_raise_only_secretsfile_errors(
        fmt: str, recipient: str, tmp_path: Path) -> None:  # fmt: skip
    plain = tmp_path / f"plain{SUFFIX[fmt]}"
    plain.write_text(PLAINTEXT[fmt])
    seed = secretsfile.encrypt_file(plain, age=[recipient]).encode()
    assert PLANTED.encode() not in seed
    rng = random.Random(f"{SEED}-{fmt}")
    path = tmp_path / f"case{SUFFIX[fmt]}"
    escapes: list[Escape] = []
    for number in range(CASES[fmt]):
        data, names = _mutate(rng, seed)
        path.write_bytes(data)
        entries = _entries(path, fmt, data)
        # every case reads and opens the text; the other entries take turns
        for entry, action in (entries[0], entries[1 + number % (len(entries) - 1)]):
            _call(entry, action, f"{fmt}#{number}", names, escapes)
    assert not escapes, _report(escapes)


def test_mutated_plaintext_encrypts_or_raises_secretsfile_errors(
        recipient: str, tmp_path: Path) -> None:  # fmt: skip
    rng = random.Random(f"{SEED}-plain")
    escapes: list[Escape] = []
    for number in range(PLAIN_CASES):
        fmt = sorted(CASES)[number % 3]
        data, names = _mutate(rng, PLAINTEXT[fmt].encode())
        path = tmp_path / f"plain{SUFFIX[fmt]}"
        path.write_bytes(data)
        encrypt = functools.partial(secretsfile.encrypt_file, path, age=[recipient])
        _call("encrypt_file", encrypt, f"plain-{fmt}#{number}", names, escapes)
    assert not escapes, _report(escapes)
