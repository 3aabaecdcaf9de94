"""Bad input through the CLI and the library: exit 6 (input format) with one line, never 128
or a traceback, never a planted value; alias bombs are refused before any expansion."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import secretsfile
from secretsfile.errors import FormatError
from tests.cli.conftest import PLANTED, Runner
from tests.stores.test_bad_input import billion_laughs

INPUT_FORMAT = 6


def assert_one_clear_line(result_stderr: str, *secrets: str) -> None:
    lines = [line for line in result_stderr.splitlines() if not line.startswith("warning:")]
    assert len(lines) == 1 and lines[0].startswith("error: "), result_stderr
    assert "Traceback" not in result_stderr and "bug in secretsfile" not in result_stderr
    for secret in (*PLANTED, *secrets):
        assert secret not in result_stderr


# -- alias bombs --------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["keys", "status", "decrypt", "encrypt"])
def test_billion_laughs_is_refused_by_every_command(run: Runner, age_key: str, tmp_path: Path,
                                                    command: str) -> None:  # fmt: skip
    """It ran for minutes and took gigabytes."""
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(billion_laughs())
    result = run(command, bomb)
    assert result.code == INPUT_FORMAT, result.output
    assert_one_clear_line(result.stderr)
    assert "bomb.yaml:1:" in result.stderr and "alias" in result.stderr


@pytest.mark.parametrize("command", ["keys", "status", "decrypt"])
def test_an_anchor_in_an_encrypted_file_is_refused(run: Runner, enc_yaml: Path,
                                                   command: str) -> None:  # fmt: skip
    """sops never writes anchors: one added by hand (here a copy of a value) is refused."""
    text = enc_yaml.read_text()
    text = re.sub(r"^(\s+user: )(ENC\[)", r"\1&u \2", text, count=1, flags=re.M)
    text = re.sub(r"^(\s+port: )ENC\[.*\]$", r"\1*u", text, count=1, flags=re.M)
    enc_yaml.write_text(text)
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "&u" in row)
    result = run(command, enc_yaml)
    assert result.code == INPUT_FORMAT, result.output
    assert_one_clear_line(result.stderr)
    assert f"secrets.yaml:{line}: anchors and aliases" in result.stderr


def test_the_library_refuses_the_bomb(tmp_path: Path, age_key: str) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(billion_laughs())
    with pytest.raises(FormatError, match="alias"):
        secretsfile.load_file(bomb)
    with pytest.raises(FormatError, match="alias"):
        secretsfile.encrypt_file(bomb)


def test_plaintext_aliases_encrypt_and_decrypt_expanded(run: Runner, age_key: str,
                                                        tmp_path: Path) -> None:  # fmt: skip
    plain = tmp_path / "al.yaml"
    plain.write_text("base: &b\n    pw: hunter2-PLANTED-SECRET\nprod: *b\n")
    assert run("encrypt", "-i", plain).code == 0
    assert "&" not in plain.read_text() and "*b" not in plain.read_text()
    assert secretsfile.load_file(plain) == {"base": {"pw": PLANTED[0]}, "prod": {"pw": PLANTED[0]}}


# -- nesting ------------------------------------------------------------------------------


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """A separate process: a crash of the interpreter must not take the test run with it."""
    return subprocess.run([sys.executable, "-m", "secretsfile", *map(str, args)],
                          capture_output=True, text=True, env=os.environ.copy(), check=False)


@pytest.mark.parametrize(("name", "text"), [
    ("deep.yaml", "a: " + "[" * 100_000 + "]" * 100_000 + "\n"),
    ("deep.json", '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}\n"),
], ids=["yaml", "json"])  # fmt: skip
def test_nesting_100000_deep_is_a_format_error(tmp_path: Path, name: str, text: str) -> None:
    """YAML crashed the interpreter (SIGSEGV in libyaml's composer), JSON raised
    RecursionError."""
    path = tmp_path / name
    path.write_text(text)
    for command in ("keys", "encrypt"):
        result = _cli(command, path)
        assert result.returncode == INPUT_FORMAT, (command, result.stderr[-500:])
        assert "nested" in result.stderr and "Traceback" not in result.stderr


# -- encodings ----------------------------------------------------------------------------


def test_non_utf8_yaml_is_refused_with_its_line(run: Runner, age_key: str, enc_yaml: Path,
                                                tmp_path: Path) -> None:  # fmt: skip
    """UnicodeEncodeError (exit 128) in keys, status, decrypt and encrypt."""
    data = enc_yaml.read_bytes().replace(b"visible_unencrypted: hello",
                                         b"visible_unencrypted: h\xffllo")  # fmt: skip
    enc_yaml.write_bytes(data)
    line = data[: data.index(b"\xff")].count(b"\n") + 1
    for command in ("keys", "status", "decrypt"):
        result = run(command, enc_yaml)
        assert result.code == INPUT_FORMAT, (command, result.output)
        assert_one_clear_line(result.stderr)
        assert f"secrets.yaml:{line}: " in result.stderr and "UTF-8" in result.stderr
    plain = tmp_path / "plain.yaml"
    plain.write_bytes(b"a: 1\nb: hunter2-PLANTED-\xff\n")
    result = run("encrypt", plain)
    assert result.code == INPUT_FORMAT
    assert_one_clear_line(result.stderr, "PLANTED")
    assert "plain.yaml:2: " in result.stderr


@pytest.mark.parametrize(("name", "raw"), [
    ("bin.env", b"A=hunter2-PLANTED-\xff\xfe\n"),
    ("bin.json", b'{"a": "hunter2-PLANTED-\xff", "b": "\\ud800"}\n'),
], ids=["dotenv", "json"])  # fmt: skip
def test_non_utf8_dotenv_and_json_encrypt_and_decrypt(run: Runner, age_key: str, tmp_path: Path,
                                                      name: str, raw: bytes) -> None:  # fmt: skip
    """sops reads them byte-wise: the bytes survive dotenv; JSON makes them U+FFFD like Go."""
    path = tmp_path / name
    path.write_bytes(raw)
    assert run("encrypt", "-i", path).code == 0
    assert b"PLANTED" not in path.read_bytes()
    assert run("keys", path).code == 0 and run("status", path).code == 0
    if name.endswith(".env"):
        assert secretsfile.load_file(path) == {"A": "hunter2-PLANTED-\udcff\udcfe"}
    else:
        assert secretsfile.load_file(path) == {"a": "hunter2-PLANTED-\ufffd", "b": "\ufffd"}


# -- numbers ------------------------------------------------------------------------------


def test_a_5000_digit_integer_in_each_format(run: Runner, age_key: str, tmp_path: Path) -> None:
    """int() refuses past 4,300 digits (ValueError). YAML keeps the text, as go-yaml does;
    dotenv values are text; JSON refuses it, as Go's encoding/json does."""
    digits = "9" * 5_000
    (tmp_path / "n.yaml").write_text(f"n: {digits}\n")
    (tmp_path / "n.env").write_text(f"N={digits}\n")
    (tmp_path / "n.json").write_text(f'{{"n": {digits}}}\n')
    for name in ("n.yaml", "n.env"):
        assert run("encrypt", "-i", tmp_path / name).code == 0, name
        assert digits in run("decrypt", tmp_path / name).stdout
    result = run("encrypt", tmp_path / "n.json")
    assert result.code == INPUT_FORMAT
    assert_one_clear_line(result.stderr, digits[:40])


def test_a_huge_integer_behind_type_int_is_refused_without_its_digits(
        run: Runner, age_key: str, tmp_path: Path) -> None:  # fmt: skip
    """An ENC[...] whose type tag was changed to int over 5,000 digits of plaintext."""
    digits = "7" * 5_000
    path = tmp_path / "t.yaml"
    path.write_text(f'n: "{digits}"\n')
    assert run("encrypt", "-i", path).code == 0
    path.write_text(path.read_text().replace("type:str]", "type:int]", 1))
    result = run("decrypt", path)
    assert result.code == INPUT_FORMAT, result.output
    assert_one_clear_line(result.stderr, digits[:40])
    with pytest.raises(FormatError) as info:
        secretsfile.load_file(path)
    assert digits[:40] not in str(info.value)


def test_the_64_bit_message_does_not_echo_the_number(run: Runner, age_key: str,
                                                     tmp_path: Path) -> None:  # fmt: skip
    path = tmp_path / "u.yaml"
    path.write_text("a: 1\nsecret_number: 18446744073709551615\n")
    result = run("encrypt", path)
    assert result.code == INPUT_FORMAT
    assert_one_clear_line(result.stderr, "18446744073709551615")
    assert "u.yaml:2:" in result.stderr


# -- IVs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("iv", ["", "AAAA", "A" * 4000], ids=["empty", "3-bytes", "3000-bytes"])
def test_an_iv_the_cipher_cannot_take(run: Runner, enc_yaml: Path, iv: str) -> None:
    """A 3-byte or 3,000-byte IV raised ValueError from AESGCM (exit 128)."""
    text = re.sub(r"(password: ENC\[AES256_GCM,data:[^,]*,iv:)[^,]*", rf"\g<1>{iv}",
                  enc_yaml.read_text())  # fmt: skip
    enc_yaml.write_text(text)
    result = run("decrypt", enc_yaml)
    assert result.code == INPUT_FORMAT, result.output
    assert_one_clear_line(result.stderr)
    assert "db:password" in result.stderr


# -- empty and comment-only YAML ----------------------------------------------------------


@pytest.mark.parametrize("text", ["", "# only a comment\n"], ids=["empty", "comment"])
def test_yaml_without_a_document(run: Runner, age_key: str, tmp_path: Path, text: str,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A comment-only file raised IndexError (exit 128) everywhere; an empty one encrypted
    to a file without metadata. Like sops, encrypt refuses both; status says 'not encrypted'
    and check-encrypted blocks it."""
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    path = secrets / "x.yaml"
    path.write_text(text)
    result = run("encrypt", "-i", path)
    assert result.code == INPUT_FORMAT, result.output
    assert_one_clear_line(result.stderr)
    assert "no document" in result.stderr and path.read_text() == text
    status = run("status", path)
    assert status.code == 0 and "not encrypted" in status.stdout
    keys = run("keys", path)
    assert keys.code == INPUT_FORMAT and "not encrypted" in keys.stderr
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    monkeypatch.chdir(tmp_path)
    guard = run("check-encrypted", "secrets/x.yaml")
    assert guard.code == 1 and "not encrypted" in guard.output


@pytest.mark.parametrize("text", [
    '{"a": ' + "[" * 100_000 + "]" * 100_000 + "}\n",
    '{"a": ' + "9" * 5_000 + "}\n",
], ids=["deep", "5000-digits"])  # fmt: skip
def test_check_encrypted_judges_hostile_json(run: Runner, tmp_path: Path, text: str,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The hook's own JSON reading raised RecursionError / ValueError (exit 128)."""
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "x.json").write_text(text)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    monkeypatch.chdir(tmp_path)
    result = run("check-encrypted", "secrets/x.json")
    assert result.code == 1, result.output
    assert "secrets/x.json: not valid JSON" in result.stdout and "Traceback" not in result.output
