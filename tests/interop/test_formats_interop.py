"""INI and binary files against the sops 3.11 binary, both ways, byte for byte.

The same ``encrypt``/``decrypt`` command lines run on sops and on secretsfile; each side's
encrypted file decrypts with the other tool to the same bytes. Where sops is deterministic
the encrypted layout is compared too (ciphertexts masked; the ``[sops]`` section's keys
come out of sops in random order, so that section is compared as a set of names).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from secretsfile.cli.main import main

from .conftest import AgeKey, Sops

PLANTED = "fmt-PLANTED-2718"
INI_SOURCES = [
    f"; top comment\n[DEFAULT]\nx = 1\n[database]\nuser = admin\npassword={PLANTED} ; trail\n"
    "# hash comment\nport = 5432\nempty =\n[app]\nname_unencrypted = visible\n"
    'key = "quoted value"\nsp = " padded "\nsemi = `a;b`\n',
    f"top = 1\n[a]\nk: {PLANTED}\n",
    f"; c1\n[a]\nk=v ; c2\n[b]\nlong_key_name = {PLANTED}\nx=\n",
    f"[a]\nk = v\n[DEFAULT]\nx = {PLANTED}\n",
    f"[s]\nclé = {PLANTED}\nab = 2\n`a=é` = 3\n",  # go-ini aligns by bytes
    f"\ufeff; bom\r\n[a]\r\nk = {PLANTED}\r\nlong = 2\r\n",  # BOM and CRLF: sops drops both
]
RAW = b"\x00NUL and invalid \xff\xfe utf-8\r\n" + PLANTED.encode() + b"\n\x80"


def _ours(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    capsys.readouterr()
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    assert PLANTED not in captured.err
    return code, captured.out


def _masked(text: str) -> tuple[str, set[str]]:
    """The data part with ciphertexts masked, and the names in the [sops] section."""
    body, _, meta = re.sub(r"ENC\[[^\]]*\]", "ENC", text).partition("[sops]\n")
    return body, {line.split(" ")[0] for line in meta.splitlines()} - {"secretsfile_tag"}


@pytest.mark.parametrize("source", INI_SOURCES)
def test_ini_both_ways(sops: Sops, age_key: AgeKey, tmp_path: Path, source: str,
                       capsys: pytest.CaptureFixture[str]) -> None:
    plain = tmp_path / "app.ini"
    plain.write_text(source)
    theirs, ours = tmp_path / "theirs.ini", tmp_path / "ours.ini"
    theirs.write_text(sops.encrypt(plain, recipient=age_key.recipient))
    assert _ours(capsys, "encrypt", "--age", age_key.recipient, "--output", ours, plain)[0] == 0
    assert PLANTED not in ours.read_text()
    assert _masked(ours.read_text()) == _masked(theirs.read_text())
    expected = sops.decrypt(theirs)
    assert sops.decrypt(ours) == expected
    assert _ours(capsys, "decrypt", theirs) == (0, expected)
    # an explicit [DEFAULT] header is a second DEFAULT section to sops, which then prints
    # "DEFAULT: {}" and "DEFAULT: ..." (a duplicate key); ours has one
    for fmt in () if "[DEFAULT]" in source else ("yaml", "json"):
        assert _ours(capsys, "decrypt", "--output-type", fmt, theirs) == (
            0, sops.decrypt(theirs, "--output-type", fmt))


def test_ini_input_type_on_another_name(sops: Sops, age_key: AgeKey, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    plain = tmp_path / "app.conf"
    plain.write_text(INI_SOURCES[0])
    ours = tmp_path / "ours.conf"
    code, _ = _ours(capsys, "encrypt", "--age", age_key.recipient, "--input-type", "ini",
                    "--output-type", "ini", "--output", ours, plain)
    assert code == 0
    expected = sops.decrypt(ours, "--input-type", "ini", "--output-type", "ini")
    assert _ours(capsys, "decrypt", "--input-type", "ini", "--output-type", "ini",
                 ours) == (0, expected)


@pytest.mark.parametrize("name", ["blob.dat", "id_key", ".env.local", "cert.pem.enc",
                                  # sops matches extensions case-sensitively: binary
                                  "sf.YAML", "c.JSON", "x.ENV", "a.INI", "b.Yml"])
def test_binary_both_ways(sops: Sops, age_key: AgeKey, tmp_path: Path, name: str,
                          capsys: pytest.CaptureFixture[str]) -> None:
    """A NUL byte, invalid UTF-8 and CRLF survive both tools; ``.env.local`` is binary to
    sops, dotenv to secretsfile, so our side names the type when it encrypts there."""
    plain = tmp_path / name
    plain.write_bytes(RAW)
    theirs, ours = tmp_path / "theirs" / name, tmp_path / "ours" / name
    theirs.parent.mkdir()
    ours.parent.mkdir()
    theirs.write_text(sops.encrypt(plain, recipient=age_key.recipient), "utf-8")
    flags = ("--input-type", "binary") if name.startswith(".env") else ()
    assert _ours(capsys, "encrypt", "--age", age_key.recipient, *flags, "--output", ours,
                 plain)[0] == 0
    mask = re.compile(r'"(ENC\[[^"]*|-----BEGIN[^"]*|age1[^"]*|\d{4}-[^"]*|v1:[^"]*)"')
    theirs_doc = json.loads(mask.sub('"x"', theirs.read_text()))
    ours_doc = json.loads(mask.sub('"x"', ours.read_text()))
    ours_doc["sops"].pop("secretsfile_tag")
    # neither writes a selector for binary files (both ignore them)
    assert ours_doc == theirs_doc and list(ours_doc) == ["data", "sops"]
    for source in (theirs, ours):
        assert sops.run("decrypt", source).stdout.encode("utf-8", "surrogateescape") == RAW
        out = tmp_path / "out.bin"
        assert _ours(capsys, "decrypt", "--output", out, source)[0] == 0
        assert out.read_bytes() == RAW
        out.unlink()
        assert _ours(capsys, "decrypt", "--output-type", "json", source) == (
            0, sops.decrypt(source, "--output-type", "json"))


@pytest.mark.parametrize(("key", "value"), [("B", json.dumps({"x": PLANTED})),
                                            ("L", json.dumps([PLANTED]))])
def test_nested_dotenv_value_is_refused_by_both(sops: Sops, age_key: AgeKey, tmp_path: Path,
                                                key: str, value: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    """sops: "cannot use complex value in dotenv file", file unchanged; the same from us
    (exit 6), so the file stays readable by both."""
    plain = tmp_path / "q.env"
    plain.write_text("A=1\n")
    theirs, ours = tmp_path / "theirs.env", tmp_path / "ours.env"
    theirs.write_text(sops.encrypt(plain, recipient=age_key.recipient))
    assert _ours(capsys, "encrypt", "--age", age_key.recipient, "--output", ours, plain)[0] == 0
    before = theirs.read_text(), ours.read_text()
    assert sops.run("set", theirs, f'["{key}"]', value, check=False).returncode != 0
    assert _ours(capsys, "set", ours, f'["{key}"]', value)[0] == 6
    assert (theirs.read_text(), ours.read_text()) == before
    assert sops.decrypt(ours) == sops.decrypt(theirs) == "A=1\n"
