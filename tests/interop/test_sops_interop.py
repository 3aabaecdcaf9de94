"""secretsfile against the real sops 3.11 binary, both ways.

Every file secretsfile writes must decrypt with ``sops decrypt`` (MAC verified) to exactly
what sops prints for its own encryption of the same plaintext, and every file sops writes
must open with secretsfile. Layout is compared too: with ciphertexts, age blocks and
timestamps masked, our encrypted file is the same bytes as sops' (same type tags, quoting,
metadata order).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from secretsfile.core.metadata import mac_aad
from secretsfile.errors import (
    FormatError,
    IntegrityError,
    KeyUnavailableError,
    SecretsfileError,
)
from secretsfile.keysources.interface import Recipient
from secretsfile.ops import files, rekey
from secretsfile.ops.integrity import reseal
from secretsfile.ops.recipients import KeyOptions

from .conftest import AgeKey, Sops

YAML_RICH = """\
# top comment
app:
    name: demo # inline comment
    port: 8080
    ratio: 0.5
    big: 1e21
    tiny: 1.5e-10
    three: 3.0
    hex: 0x1F
    enabled: true
    disabled: false
    nothing: null
    tilde: ~
    empty: ""
    date: 2024-01-02
    ts: 2024-01-02 10:20:30.123456789
    tsoff: 2024-01-02T10:20:30+02:00
    quoted: "123"
    yes_word: yes
    literal: |
        line1
        line2
    folded: >
        folded text
        more
    # comment inside a map
servers:
    - a
    # list comment
    - [1, [2, 3]]
    - name: x
      port: 22
unicode_ключ: значение ✓ 日本
"key with space": v
"colon:key": v2
secret_unencrypted: visible
"""

YAML_EDGE = """\
yes_: yes
on_: on
True_: True
octal: 0777
oct2: 0o17
bin: 0b101
und: 1_000
plus: +12
exp: 1e3
dot5: .5
pinf: .inf
ninf: -.inf
nan: .nan
negzero: -0.0
tiny: 0.000001
i64: 9223372036854775807
bigf: 99999999999999999999
ts1: 2001-12-14 21:59:43.10
ts2: 2001-12-14t21:59:43.10-05:00
ts3: 2001-12-14T21:59:43.123456789Z
s1: !!str 123
f1: !!float 3
b1: !!binary aGVsbG8=
sexa: 1:20
crlf: "a\\r\\nb\\tc"
trail: "x\\n"
anchor: &a
    k: v
    n: 1
merge:
    <<: *a
    m: 2
alias: *a
listal: [&x foo, *x]
yes_list: [y, n, off, NO]
sp: " lead"
hash: "a #b"
colon: "a: b"
numstr: "0x1F"
trailsp: "line1\\nline2  \\n"
"""

JSON_RICH = (
    '{"a": 8080.5, "b": 1.5, "html": "<a href=\\"x\\">&</a>", "<k>": "\\u2028x",'
    ' "n": null, "t": true, "f": false, "l": [1.25, "x", [2.5e-10], {}, {"deep": "y"}],'
    ' "o": {}, "e": [], "u": "ключ ✓", "exp": 1e21, "neg": -0.5,'
    ' "nested": {"k": {"kk": "v"}}, "x_unencrypted": "<clear>"}\n'
)

DOTENV_RICH = (
    "# a comment\nA=1\nB=has=equals\nC=line\\nbreak\nEMPTY=\nSPACED = v \n"
    'QUOTED="q"\nexport FOO=bar\nU=ключ ✓\n\nLAST=x\nK_unencrypted=clear\n'
)

_ENC = re.compile(r"ENC\[AES256_GCM,data:[^\]]*?,type:(\w+)\]")


def mask(text: str) -> str:
    """Hide what is random or time-dependent, and our integrity tag (sops has none); keep
    type tags and every other byte."""
    text = re.sub(r'(?m)^\s*"?(sops_)?secretsfile_tag"?\s*[:=].*\n', "", text)
    text = _ENC.sub(lambda m: f"ENC[{m.group(1)}]", text)
    text = re.sub(r"-----BEGIN AGE ENCRYPTED FILE-----[^-]*-----END AGE ENCRYPTED FILE-----",
                  "AGE", text)  # fmt: skip
    text = re.sub(r"(?m)^(\s*)[A-Za-z0-9+/=]{20,}$\n?", "", text)  # armored lines (YAML)
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "TIME", text)


def sf_encrypt(text: str, name: str, recipient: str,
               selector: dict[str, Any] | None = None) -> str:  # fmt: skip
    options = files.EncryptOptions(keys=KeyOptions(age=(recipient,)), selector=selector or {})
    return files.encrypt_text(text, name, options)


def sf_decrypt(text: str, name: str) -> str:
    return files.render(files.decrypt_text(text, name))


def sops_encrypt_text(sops: Sops, tmp_path: Path, name: str, text: str, *flags: str,
                      recipient: str, legacy_globals: tuple[str, ...] = ()) -> str:  # fmt: skip
    """sops' encryption of ``text``; global flags need the legacy ``-e`` form in 3.11."""
    plain = tmp_path / "plain" / name
    plain.parent.mkdir(exist_ok=True)
    plain.write_text(text, encoding="utf-8")
    if legacy_globals:
        return sops.run(*legacy_globals, "-e", "--age", recipient, *flags, plain).stdout
    return sops.encrypt(plain, *flags, recipient=recipient)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _without_tag(text: str) -> list[str]:
    """The lines without our integrity tag: a sops-written file gains it on our first write."""
    return [line for line in text.splitlines() if "secretsfile_tag" not in line]


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    old, new = _without_tag(before), _without_tag(after)
    assert len(old) == len(new), "line count changed"
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


def _meta_line(line: str) -> bool:
    return bool(re.search(r"lastmodified|\bmac[:=\"]|sops_mac=", line))


def assert_minimal_diff(before: str, after: str, keys: list[str]) -> None:
    """Only the lines of ``keys`` changed, plus mac (and lastmodified, unless the rewrite
    happened within the same second)."""
    diff = changed_lines(before, after)
    assert [old.strip().split(":")[0].strip('"').split("=")[0] for old, _ in diff
            if not _meta_line(old)] == keys  # fmt: skip
    meta = [old for old, _ in diff if _meta_line(old)]
    assert 1 <= len(meta) <= 2 and any("mac" in line for line in meta)


# -- both directions, every format -----------------------------------------------------------

CORPUS = [
    ("rich.yaml", YAML_RICH),
    ("edge.yaml", YAML_EDGE.replace("negzero: -0.0\n", "")),
    ("rich.json", JSON_RICH),
    ("rich.env", DOTENV_RICH),
]


@pytest.mark.parametrize(("name", "text"), CORPUS, ids=[c[0] for c in CORPUS])
def test_both_ways_same_plaintext_and_layout(sops: Sops, age_key: AgeKey, tmp_path: Path,
                                             name: str, text: str) -> None:  # fmt: skip
    by_sops = sops_encrypt_text(sops, tmp_path, name, text, recipient=age_key.recipient)
    canonical = sops.decrypt(write(tmp_path, "sops-" + name, by_sops))

    ours = sf_encrypt(text, name, age_key.recipient)
    # sops verifies the MAC of our file and prints exactly what it prints for its own
    assert sops.decrypt(write(tmp_path, "ours-" + name, ours)) == canonical
    # we open sops' file, MAC verified, and render it byte for byte as sops does
    assert sf_decrypt(by_sops, name) == canonical
    # and both encrypted files have the same bytes outside the ciphertexts
    if name.endswith(".json"):
        # JSON integers: we write type:int (as sops 3.13.2+); 3.11 writes float. None here.
        assert "type:int" not in ours
    assert mask(ours) == mask(by_sops)


def test_json_integers_are_int_typed_and_sops_reads_them(sops: Sops, age_key: AgeKey,
                                                         tmp_path: Path) -> None:  # fmt: skip
    text = '{"port": 8080, "neg": -3, "huge": 12345678901234567891, "zero": -0}\n'
    ours = sf_encrypt(text, "n.json", age_key.recipient)
    types = re.findall(r'"(\w+)": "ENC\[.*?type:(\w+)\]', ours)[:-1]  # not the mac
    # int64 integers as int (sops 3.13.2); beyond int64 float64, as every sops version
    assert types == [("port", "int"), ("neg", "int"), ("huge", "float"), ("zero", "float")]
    out = json.loads(sops.decrypt(write(tmp_path, "n.json", ours)))
    assert out == {"port": 8080, "neg": -3, "huge": 12345678901234567000, "zero": 0}
    assert '"zero": -0\n' in sops.decrypt(write(tmp_path, "n.json", ours))


@pytest.mark.parametrize(
    ("selector", "flags"),
    [
        ({}, ()),
        ({"unencrypted_suffix": "_clear"}, ("--unencrypted-suffix", "_clear")),
        ({"encrypted_suffix": "name"}, ("--encrypted-suffix", "name")),
        ({"unencrypted_regex": "^(port|date)$"}, ("--unencrypted-regex", "^(port|date)$")),
        ({"encrypted_regex": "^(app|servers)$"}, ("--encrypted-regex", "^(app|servers)$")),
        ({"unencrypted_regex": "."}, ("--unencrypted-regex", ".")),
    ],
    ids=["default", "unencrypted_suffix", "encrypted_suffix", "unencrypted_regex",
         "encrypted_regex", "nothing_encrypted"],
)  # fmt: skip
def test_selectors_both_ways(sops: Sops, age_key: AgeKey, tmp_path: Path,
                             selector: dict[str, str], flags: tuple[str, ...]) -> None:  # fmt: skip
    by_sops = sops_encrypt_text(sops, tmp_path, "s.yaml", YAML_RICH, *flags,
                                recipient=age_key.recipient)  # fmt: skip
    canonical = sops.decrypt(write(tmp_path, "sops.yaml", by_sops))
    ours = sf_encrypt(YAML_RICH, "s.yaml", age_key.recipient, selector)
    assert mask(ours) == mask(by_sops)
    assert sops.decrypt(write(tmp_path, "ours.yaml", ours)) == canonical
    assert sf_decrypt(by_sops, "s.yaml") == canonical


COMMENTED = """\
plain: 1
# sops:enc
secret: 2
list:
    - open
    # sops:enc
    - hidden
nested:
    # sops:enc
    inner:
        deep: 3
    after: 4
"""


@pytest.mark.parametrize("flag", ["--encrypted-comment-regex", "--unencrypted-comment-regex"])
def test_comment_regex_selectors_both_ways(sops: Sops, age_key: AgeKey, tmp_path: Path,
                                           flag: str) -> None:  # fmt: skip
    # A global flag; in this sops build only the legacy "-e" honours it ("encrypt" ignores it).
    by_sops = sops_encrypt_text(sops, tmp_path, "c.yaml", COMMENTED, recipient=age_key.recipient,
                                legacy_globals=(flag, "sops:enc"))  # fmt: skip
    field = flag.lstrip("-").replace("-", "_")
    assert f"{field}: sops:enc" in by_sops
    canonical = sops.decrypt(write(tmp_path, "sops.yaml", by_sops))
    ours = sf_encrypt(COMMENTED, "c.yaml", age_key.recipient, {field: "sops:enc"})
    assert mask(ours) == mask(by_sops)
    assert sops.decrypt(write(tmp_path, "ours.yaml", ours)) == canonical
    assert sf_decrypt(by_sops, "c.yaml") == canonical


def test_global_flags_are_ignored_by_the_encrypt_subcommand(sops: Sops, age_key: AgeKey,
                                                            tmp_path: Path) -> None:  # fmt: skip
    """Documents the sops build: ``sops --mac-only-encrypted encrypt`` does not apply the
    flag (nor --indent / comment regexes); ``sops --mac-only-encrypted -e`` does."""
    plain = write(tmp_path, "p.yaml", "a: 1\nb:\n    c: 2\n")
    sub = sops.run("--mac-only-encrypted", "--indent", "2", "encrypt", "--age",
                   age_key.recipient, plain).stdout  # fmt: skip
    legacy = sops.run("--mac-only-encrypted", "--indent", "2", "-e", "--age",
                      age_key.recipient, plain).stdout  # fmt: skip
    assert "mac_only_encrypted" not in sub and "\n    c: ENC" in sub
    assert "mac_only_encrypted: true" in legacy and "\n  c: ENC" in legacy


def test_mac_only_encrypted_both_ways(sops: Sops, age_key: AgeKey, tmp_path: Path) -> None:
    flags = ("--encrypted-regex", "^(port|name)$")
    by_sops = sops_encrypt_text(sops, tmp_path, "m.yaml", YAML_RICH, *flags,
                                recipient=age_key.recipient,
                                legacy_globals=("--mac-only-encrypted",))  # fmt: skip
    assert "mac_only_encrypted: true" in by_sops
    canonical = sops.decrypt(write(tmp_path, "sops.yaml", by_sops))
    ours = sf_encrypt(YAML_RICH, "m.yaml", age_key.recipient,
                      {"encrypted_regex": "^(port|name)$", "mac_only_encrypted": True})
    assert mask(ours) == mask(by_sops)
    assert sops.decrypt(write(tmp_path, "ours.yaml", ours)) == canonical
    assert sf_decrypt(by_sops, "m.yaml") == canonical
    # the point of mac_only_encrypted: plaintext values may be edited by hand; sops'
    # MAC allows it, our integrity tag does not until the change is resealed
    for text in (by_sops, ours):
        edited = text.replace("    ratio: 0.5\n", "    ratio: 0.75\n")
        assert edited != text
        path = write(tmp_path, "edited.yaml", edited)
        assert "ratio: 0.75" in sops.decrypt(path)
        if text is ours:
            with pytest.raises(IntegrityError, match="integrity tag does not match"):
                sf_decrypt(edited, "m.yaml")
            assert reseal(path) == "mismatch"
            edited = path.read_text()
        assert "ratio: 0.75" in sf_decrypt(edited, "m.yaml")


def test_mac_only_encrypted_from_sops_config(sops: Sops, age_key: AgeKey, tmp_path: Path) -> None:
    rule = f'creation_rules:\n  - mac_only_encrypted: true\n    encrypted_suffix: _secret\n' \
           f'    age: {age_key.recipient}\n'  # fmt: skip
    write(tmp_path, ".sops.yaml", rule)
    write(tmp_path, "c.yaml", "db_secret: pw\nhost: h\nport: 5432\n")
    by_sops = sops.run("encrypt", "c.yaml", cwd=tmp_path).stdout
    assert "mac_only_encrypted: true" in by_sops and "host: h" in by_sops
    assert sf_decrypt(by_sops, "c.yaml") == "db_secret: pw\nhost: h\nport: 5432\n"


def test_multi_document_yaml_both_ways(sops: Sops, age_key: AgeKey, tmp_path: Path) -> None:
    text = "a: 1\nb: x # c\n---\nc: [1, 2]\nd: true\n---\ne: {f: g}\n"
    by_sops = sops_encrypt_text(sops, tmp_path, "m.yaml", text, recipient=age_key.recipient)
    assert by_sops.count("\nsops:\n") == 3
    canonical = sops.decrypt(write(tmp_path, "sops.yaml", by_sops))
    ours = sf_encrypt(text, "m.yaml", age_key.recipient)
    assert mask(ours) == mask(by_sops)
    assert sops.decrypt(write(tmp_path, "ours.yaml", ours)) == canonical
    assert sf_decrypt(by_sops, "m.yaml") == canonical
    assert files.load_file(write(tmp_path, "l.yaml", by_sops)) == [
        {"a": 1, "b": "x"}, {"c": [1, 2], "d": True}, {"e": {"f": "g"}}]  # fmt: skip
    # the MAC runs over all documents in order: swapping two documents is detected
    docs = by_sops.split("\n---\n")
    swapped = "\n---\n".join([docs[1], docs[0], *docs[2:]])
    with pytest.raises(IntegrityError, match="MAC mismatch"):
        files.decrypt_text(swapped, "m.yaml")


def test_sops_filestatus_on_our_files(sops: Sops, age_key: AgeKey, tmp_path: Path) -> None:
    for name, text in CORPUS:
        ours = write(tmp_path, "ours-" + name, sf_encrypt(text, name, age_key.recipient))
        status = json.loads(sops.run("filestatus", ours).stdout)
        assert status == {"encrypted": True}
        plain = write(tmp_path, "plain-" + name, text)
        assert json.loads(sops.run("filestatus", plain).stdout) == {"encrypted": False}


def test_negative_zero_is_sops_bug_compatible(sops: Sops, age_key: AgeKey, tmp_path: Path) -> None:
    """An *unencrypted* -0.0 is written as ``-0``, which reads back as int 0 (MAC bytes
    ``0`` instead of ``-0``): sops cannot open its own file. We compute the same MAC and fail
    the same way rather than accept a MAC sops rejects. Encrypted -0.0 is fine."""
    text = "a_unencrypted: -0.0\nb: -0.0\n"
    by_sops = sops_encrypt_text(sops, tmp_path, "z.yaml", text, recipient=age_key.recipient)
    assert "a_unencrypted: -0\n" in by_sops
    result = sops.run("decrypt", write(tmp_path, "z.yaml", by_sops), check=False)
    assert result.returncode == 51  # MAC mismatch
    with pytest.raises(IntegrityError, match="MAC mismatch"):
        files.decrypt_text(by_sops, "z.yaml")
    ours = sf_encrypt(text, "z.yaml", age_key.recipient)
    assert mask(ours) == mask(by_sops)
    assert sops.run("decrypt", write(tmp_path, "o.yaml", ours), check=False).returncode == 51
    # encrypted -0.0 survives: type float, bytes "-0"
    fine = sf_encrypt("b: -0.0\n", "z.yaml", age_key.recipient)
    assert sops.decrypt(write(tmp_path, "f.yaml", fine)) == "b: -0\n"
    assert sf_decrypt(fine, "z.yaml") == "b: -0\n"


def test_json_html_escaping_matches_byte_for_byte(sops: Sops, age_key: AgeKey,
                                                  tmp_path: Path) -> None:  # fmt: skip
    text = '{"<k&>": "a<b>&c\\u2028d\\u2029", "q": "\\"\\\\\\n\\t\\u0001", "u": "é☃"}\n'
    flags = ("--unencrypted-regex", "^<|^u$")
    by_sops = sops_encrypt_text(sops, tmp_path, "h.json", text, *flags,
                                recipient=age_key.recipient)  # fmt: skip
    assert '"\\u003ck\\u0026\\u003e": "a\\u003cb\\u003e\\u0026c\\u2028d\\u2029"' in by_sops
    ours = sf_encrypt(text, "h.json", age_key.recipient, {"unencrypted_regex": "^<|^u$"})
    assert mask(ours) == mask(by_sops)
    canonical = sops.decrypt(write(tmp_path, "s.json", by_sops))
    assert sops.decrypt(write(tmp_path, "o.json", ours)) == canonical
    assert sf_decrypt(by_sops, "h.json") == canonical


def test_dotenv_edge_cases_both_ways(sops: Sops, age_key: AgeKey, tmp_path: Path) -> None:
    text = "#c1\nA= spaced \nB=\"q\"\nexport C=1\nD=a=b=c\nE=x\\ny\nF=\r\n\n\nG=#nocomment\n"
    by_sops = sops_encrypt_text(sops, tmp_path, "e.env", text, recipient=age_key.recipient)
    canonical = sops.decrypt(write(tmp_path, "s.env", by_sops))
    assert "\n\n" not in canonical and "export C=1\n" in canonical  # naive, as documented
    ours = sf_encrypt(text, "e.env", age_key.recipient)
    assert mask(ours) == mask(by_sops)
    assert sops.decrypt(write(tmp_path, "o.env", ours)) == canonical
    assert sf_decrypt(by_sops, "e.env") == canonical
    # metadata: sorted sops_ keys, age enc on one line with literal \n
    meta = [line.split("=", 1)[0] for line in ours.splitlines() if line.startswith("sops_")]
    assert meta == sorted(meta)
    assert re.search(r"^sops_age__list_0__map_enc=-----BEGIN AGE ENCRYPTED FILE-----\\n", ours,
                     re.M)  # fmt: skip


# -- minimal diffs on rewrite ----------------------------------------------------------------


@pytest.fixture
def sops_yaml(sops: Sops, age_key: AgeKey, tmp_path: Path) -> Path:
    text = sops_encrypt_text(sops, tmp_path, "s.yaml", YAML_RICH, recipient=age_key.recipient)
    return write(tmp_path, "s.yaml", text)


def test_set_on_sops_file_changes_one_line(sops: Sops, sops_yaml: Path) -> None:
    before = sops_yaml.read_text()
    files.set_value(sops_yaml, '["app"]["port"]', 9090)
    after = sops_yaml.read_text()
    assert_minimal_diff(before, after, ["port"])
    decrypted = sops.decrypt(sops_yaml)
    assert "    port: 9090\n" in decrypted
    assert "# top comment\n" in decrypted and "    # inline comment\n" in decrypted


def test_unset_on_sops_file_removes_only_that_line(sops: Sops, sops_yaml: Path) -> None:
    before = _without_tag(sops_yaml.read_text())
    files.unset_value(sops_yaml, '["app"]["ratio"]')
    after = _without_tag(sops_yaml.read_text())
    removed = [line for line in before if line not in after]
    assert [line.split(":")[0] for line in removed if not _meta_line(line)] == ["    ratio"]
    assert len(before) == len(after) + 1
    decrypted = sops.decrypt(sops_yaml)
    assert "ratio" not in decrypted
    assert decrypted.startswith("# top comment\napp:\n    # inline comment\n    name: demo\n")
    assert "    # list comment\n" in decrypted


def test_set_new_key_and_comments_survive_in_sops_view(sops: Sops, age_key: AgeKey,
                                                       tmp_path: Path) -> None:  # fmt: skip
    path = write(tmp_path, "c.yaml", sf_encrypt(COMMENTED, "c.yaml", age_key.recipient))
    files.set_value(path, '["nested"]["added"]', "new")
    files.unset_value(path, '["plain"]')
    decrypted = sops.decrypt(path)
    expected = COMMENTED.replace("plain: 1\n", "").replace("    after: 4\n",
                                                           "    after: 4\n    added: new\n")
    assert decrypted == expected


def test_set_on_sops_json_and_dotenv_files(sops: Sops, age_key: AgeKey, tmp_path: Path) -> None:
    for name, text, key in (("j.json", JSON_RICH, '["b"]'), ("d.env", DOTENV_RICH, '["A"]')):
        path = write(tmp_path, name, sops_encrypt_text(sops, tmp_path, name, text,
                                                       recipient=age_key.recipient))
        before = path.read_text()
        files.set_value(path, key, "changed")
        assert_minimal_diff(before, path.read_text(), [key[2:-2]])
        assert "changed" in sops.decrypt(path)


def test_updatekeys_keeps_every_value_ciphertext(sops: Sops, sops_yaml: Path,
                                                 age_keys: list[AgeKey]) -> None:  # fmt: skip
    before = sops_yaml.read_text()
    assert rekey.updatekeys(sops_yaml, rekey.KeyChange(add=(Recipient("age",
                                                                      age_keys[1].recipient),)))
    after = sops_yaml.read_text()
    values_before = [line for line in before.splitlines() if "ENC[" in line and "mac:" not in line]
    values_after = [line for line in after.splitlines() if "ENC[" in line and "mac:" not in line]
    assert values_before == values_after
    assert before.split("\nsops:\n")[0] == after.split("\nsops:\n")[0]
    # the new recipient can open it with sops alone
    assert sops.decrypt(sops_yaml, key_file=age_keys[1].path) == sops.decrypt(sops_yaml)


def test_rotate_result_opens_with_sops(sops: Sops, sops_yaml: Path) -> None:
    expected = sops.decrypt(sops_yaml)
    before = sops_yaml.read_text()
    rekey.rotate(sops_yaml)
    after = sops_yaml.read_text()
    assert sops.decrypt(sops_yaml) == expected
    # a new data key: every value's ciphertext changes (sops also keeps the old IVs under
    # the new key; we draw fresh ones, which sops reads the same)
    old_values = [ln for ln in before.split("\nsops:\n")[0].splitlines() if "ENC[" in ln]
    new_values = [ln for ln in after.split("\nsops:\n")[0].splitlines() if "ENC[" in ln]
    assert len(old_values) == len(new_values)
    assert not set(old_values) & set(new_values)


@pytest.mark.parametrize("origin", ["sops", "secretsfile"])
def test_encrypt_output_onto_existing_reuses_ciphertexts(sops: Sops, age_key: AgeKey,
                                                         tmp_path: Path,
                                                         origin: str) -> None:  # fmt: skip
    # (not "three: 3.0": its plaintext round trip is "3", an int, as with sops itself)
    source = YAML_RICH.replace("    three: 3.0\n", "")
    if origin == "sops":
        existing = sops_encrypt_text(sops, tmp_path, "o.yaml", source,
                                     recipient=age_key.recipient)  # fmt: skip
    else:
        existing = sf_encrypt(source, "o.yaml", age_key.recipient)
    target = write(tmp_path, "target.yaml", existing)
    plain = write(tmp_path, "plain.yaml", sops.decrypt(target).replace("port: 8080", "port: 8081"))
    files.encrypt_file(plain, files.EncryptOptions(), output=target)
    assert_minimal_diff(existing, target.read_text(), ["port"])
    assert "port: 8081" in sops.decrypt(target)


def test_indent_2_file_is_rewritten_with_indent_2(sops: Sops, age_key: AgeKey,
                                                  tmp_path: Path) -> None:  # fmt: skip
    text = sops_encrypt_text(sops, tmp_path, "i.yaml", YAML_RICH, recipient=age_key.recipient,
                             legacy_globals=("--indent", "2"))  # fmt: skip
    assert "\n  name: ENC[" in text and "\nsops:\n  age:\n" in text
    path = write(tmp_path, "i.yaml", text)
    files.set_value(path, '["app"]["name"]', "renamed")
    assert_minimal_diff(text, path.read_text(), ["name"])
    assert "\n  name: ENC[" in path.read_text()
    # our decrypt keeps the file's indent; sops prints its default (4) unless told
    orig = write(tmp_path, "orig.yaml", text)
    assert sf_decrypt(text, "i.yaml") == sops.run("--indent", "2", "-d", orig).stdout


def test_indent_2_json_file_keeps_its_indent(sops: Sops, age_key: AgeKey, tmp_path: Path) -> None:
    text = sops_encrypt_text(sops, tmp_path, "i.json", JSON_RICH, recipient=age_key.recipient,
                             legacy_globals=("--indent", "2"))  # fmt: skip
    assert '\n  "a": "ENC[' in text
    path = write(tmp_path, "i.json", text)
    files.set_value(path, '["b"]', 2.5)
    assert_minimal_diff(text, path.read_text(), ["b"])


# -- key groups, Shamir, Fernet ---------------------------------------------------------------


@pytest.fixture
def three_group_file(sops: Sops, age_keys: list[AgeKey], tmp_path: Path) -> Path:
    groups = "".join(f"      - age: [{key.recipient}]\n" for key in age_keys)
    write(tmp_path, ".sops.yaml", f"creation_rules:\n  - shamir_threshold: 2\n    key_groups:\n"
                                  f"{groups}")  # fmt: skip
    write(tmp_path, "kg.yaml", "a: 1\nb: [x, y]\n# c\n")
    text = sops.run("encrypt", "kg.yaml", cwd=tmp_path).stdout
    assert "shamir_threshold: 2\n" in text and text.count("- hc_vault: []") == 3
    return write(tmp_path, "kg.enc.yaml", text)


@pytest.mark.parametrize("pair", [(0, 1), (0, 2), (1, 2)])
def test_key_groups_open_with_any_two_groups(three_group_file: Path, key_file_for: Any,
                                             monkeypatch: pytest.MonkeyPatch,
                                             pair: tuple[int, int]) -> None:  # fmt: skip
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_FILE", str(key_file_for(*pair)))
    assert files.load_file(three_group_file) == {"a": 1, "b": ["x", "y"]}


@pytest.mark.parametrize("single", [0, 1, 2])
def test_key_groups_fail_with_one_group(three_group_file: Path, age_keys: list[AgeKey],
                                        monkeypatch: pytest.MonkeyPatch,
                                        single: int) -> None:  # fmt: skip
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_FILE", str(age_keys[single].path))
    with pytest.raises(KeyUnavailableError, match="3 key groups, 2 needed"):
        files.load_file(three_group_file)


def test_set_on_key_group_file_keeps_groups(sops: Sops, three_group_file: Path,
                                            key_file_for: Any,
                                            monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    keys = key_file_for(1, 2)
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_FILE", str(keys))
    before = three_group_file.read_text()
    files.set_value(three_group_file, '["a"]', 2)
    assert_minimal_diff(before, three_group_file.read_text(), ["a"])
    assert sops.decrypt(three_group_file, key_file=key_file_for(0, 2)) == "a: 2\nb:\n    - x\n" \
        "    - \"y\"\n# c\n"  # fmt: skip


def test_our_key_groups_open_with_sops(sops: Sops, age_keys: list[AgeKey], key_file_for: Any,
                                       tmp_path: Path) -> None:  # fmt: skip
    groups = tuple((Recipient("age", key.recipient),) for key in age_keys)
    options = files.EncryptOptions(key_groups=groups, shamir_threshold=2)
    ours = files.encrypt_text("a: 1\n", "g.yaml", options)
    assert "    shamir_threshold: 2\n    key_groups:\n        - hc_vault: []\n" in ours
    path = write(tmp_path, "g.yaml", ours)
    for pair in ((0, 1), (1, 2)):
        assert sops.decrypt(path, key_file=key_file_for(*pair)) == "a: 1\n"
    assert sops.run("decrypt", path, key_file=age_keys[2].path, check=False).returncode == 128


def test_fernet_entry_is_ignored_by_sops_and_enough_for_us(
    sops: Sops, age_keys: list[AgeKey], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from secretsfile.keysources.fernet import generate_key

    key_text, key_id = generate_key()
    fernet_key = next(line for line in key_text.splitlines() if not line.startswith("#"))
    monkeypatch.setenv("SECRETSFILE_FERNET_KEY", fernet_key)
    options = files.EncryptOptions(keys=KeyOptions(age=(age_keys[0].recipient,),
                                                   fernet=(key_id,)))  # fmt: skip
    ours = files.encrypt_text(YAML_RICH, "f.yaml", options)
    assert f"    fernet:\n        - key_id: {key_id}\n          enc: " in ours
    path = write(tmp_path, "f.yaml", ours)
    canonical = sops.decrypt(path)  # sops uses the age entry and ignores fernet
    assert "name: demo" in canonical
    # secretsfile with only the Fernet key (no age identity anywhere)
    assert "SECRETSFILE_AGE_KEY_FILE" not in __import__("os").environ
    assert sf_decrypt(ours, "f.yaml") == canonical
    # a rewrite keeps the fernet entry and sops still opens it
    files.set_value(path, '["app"]["port"]', 1)
    assert f"key_id: {key_id}" in path.read_text()
    assert "    port: 1\n" in sops.decrypt(path)


# -- tampering: the right error family, and never the plaintext in the message ---------------

SECRET = "hunter2-very-secret"
TAMPER_PLAIN = f"pw: {SECRET}\nother: {SECRET}-2\nlist:\n    - first-{SECRET}\n    - second\n"


@pytest.fixture
def tamper_file(sops: Sops, age_key: AgeKey, tmp_path: Path) -> str:
    return sops_encrypt_text(sops, tmp_path, "t.yaml", TAMPER_PLAIN, recipient=age_key.recipient)


def _value_line(text: str, key: str) -> str:
    return next(line for line in text.splitlines() if line.lstrip().startswith(key))


def _expect(text: str, family: type[SecretsfileError],
            match: str | None = None) -> SecretsfileError:  # fmt: skip
    with pytest.raises(family, match=match) as info:
        files.decrypt_text(text, "t.yaml")
    message = str(info.value) + repr(info.value.args)
    assert SECRET not in message and "second" not in message
    return info.value


def test_tamper_reorder_list_items_is_mac_mismatch(tamper_file: str) -> None:
    first = _value_line(tamper_file.split("list:\n")[1], "- ")
    second = tamper_file.split("list:\n")[1].splitlines()[1]
    swapped = tamper_file.replace(first + "\n" + second, second + "\n" + first)
    assert swapped != tamper_file
    _expect(swapped, IntegrityError, "MAC mismatch")


def test_tamper_value_moved_to_another_key(tamper_file: str) -> None:
    pw, other = _value_line(tamper_file, "pw:"), _value_line(tamper_file, "other:")
    moved = tamper_file.replace(other, "other:" + pw.split(":", 1)[1])
    _expect(moved, IntegrityError, "'other' failed authentication")


@pytest.mark.parametrize("part", ["data", "tag", "iv"])
def test_tamper_value_edited(tamper_file: str, part: str) -> None:
    pw = _value_line(tamper_file, "pw:")
    field = re.search(rf"{part}:([^,]+)", pw)
    assert field is not None
    chars = list(field.group(1))
    chars[2] = "A" if chars[2] != "A" else "B"
    edited = tamper_file.replace(pw, pw.replace(field.group(0), f"{part}:{''.join(chars)}"))
    _expect(edited, IntegrityError, "'pw' failed authentication")


def test_tamper_mac_edited(tamper_file: str) -> None:
    mac = _value_line(tamper_file, "mac:")
    data = re.search(r"data:([^,]+)", mac)
    assert data is not None
    flipped = ("B" if data.group(1)[0] == "A" else "A") + data.group(1)[1:]
    _expect(tamper_file.replace(data.group(1), flipped), IntegrityError, "MAC")


def test_tamper_lastmodified_edited(tamper_file: str) -> None:
    line = _value_line(tamper_file, "lastmodified:")
    edited = tamper_file.replace(line, '    lastmodified: "2001-01-01T00:00:00Z"')
    _expect(edited, IntegrityError, "MAC")


def test_lastmodified_fraction_and_offset_are_normalised(sops: Sops, tamper_file: str,
                                                         tmp_path: Path) -> None:  # fmt: skip
    line = _value_line(tamper_file, "lastmodified:")
    stamp = re.search(r'"(.*)Z"', line)
    assert stamp is not None
    fractional = tamper_file.replace(line, f'    lastmodified: "{stamp.group(1)}.999Z"')
    assert files.load_file(write(tmp_path, "f.yaml", fractional))["pw"] == SECRET
    assert sops.run("decrypt", tmp_path / "f.yaml").returncode == 0
    assert mac_aad(f"{stamp.group(1)}.5+00:00") == f"{stamp.group(1)}Z"


def test_tamper_recipient_enc_edited(tamper_file: str) -> None:
    armored = re.search(r"BEGIN AGE ENCRYPTED FILE-----\n\s+(\S+)", tamper_file)
    assert armored is not None
    line = armored.group(1)
    edited = tamper_file.replace(line, line[:10] + ("A" if line[10] != "A" else "B") + line[11:])
    _expect(edited, KeyUnavailableError)


@pytest.mark.parametrize(
    "damage",
    [
        lambda enc: enc[: len(enc) // 2],  # truncated
        lambda enc: enc.replace("AES256_GCM", "AES128_GCM"),
        lambda enc: enc.replace(",iv:", ",IV:"),
        lambda enc: re.sub(r"data:[^,]+", "data:not*base64", enc),
        lambda enc: re.sub(r"tag:[^,]+", "tag:AAAA", enc),  # a 3-byte tag
        lambda enc: enc.replace("type:str", "type:weird"),
    ],
    ids=["truncated", "algorithm", "field-name", "base64", "short-tag", "unknown-type"],
)
def test_tamper_malformed_enc_is_format_error(tamper_file: str, damage: Any) -> None:
    pw = _value_line(tamper_file, "pw:")
    enc = pw.split(": ", 1)[1]
    _expect(tamper_file.replace(pw, "pw: " + damage(enc)), FormatError)


def test_tamper_plaintext_where_encrypted_belongs(tamper_file: str) -> None:
    pw = _value_line(tamper_file, "pw:")
    error = _expect(tamper_file.replace(pw, "pw: replaced-by-hand"), IntegrityError,
                    "should be encrypted")  # fmt: skip
    assert "replaced-by-hand" not in str(error)


def test_tamper_rename_key_of_unencrypted_value_goes_undetected(sops: Sops, age_key: AgeKey,
                                                               tmp_path: Path) -> None:  # fmt: skip
    """Documented sops property: the MAC covers values, not key names."""
    text = sops_encrypt_text(sops, tmp_path, "u.yaml", "a_unencrypted: 1\nb: 2\n",
                             recipient=age_key.recipient)  # fmt: skip
    renamed = text.replace("a_unencrypted:", "z_unencrypted:")
    assert files.load_file(write(tmp_path, "u.yaml", renamed))["z_unencrypted"] == 1
    assert sops.run("decrypt", tmp_path / "u.yaml").returncode == 0
