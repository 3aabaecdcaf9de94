"""Every bad input is one clear line and a documented exit code; never a traceback, never a
partial output file, never a planted secret value in any output."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import PLANTED, Runner

Tamper = Callable[[str], str]


def _swap_values(text: str) -> str:
    """Move the password's ciphertext onto the user key (a value moved to another key)."""
    user = re.search(r"^(\s+user: )(ENC\[.*\])$", text, re.M)
    password = re.search(r"^(\s+password: )(ENC\[.*\])$", text, re.M)
    assert user and password
    return text.replace(user.group(0), user.group(1) + password.group(2))


def _edit_data(text: str) -> str:
    return re.sub(r"(password: ENC\[AES256_GCM,data:)(.)", lambda m: m.group(1)
                  + ("A" if m.group(2) != "A" else "B"), text)


def _reorder_list(text: str) -> str:
    lines = text.splitlines(keepends=True)
    items = [i for i, line in enumerate(lines) if line.lstrip().startswith("- ENC[")]
    first, second = items[0], items[1]
    lines[first], lines[second] = lines[second], lines[first]
    return "".join(lines)


def _edit_mac(text: str) -> str:
    return re.sub(r"(mac: ENC\[AES256_GCM,data:)(.)", lambda m: m.group(1)
                  + ("A" if m.group(2) != "A" else "B"), text)


def _edit_lastmodified(text: str) -> str:
    def earlier(match: re.Match[str]) -> str:
        return f'lastmodified: "{int(match.group(1)) - 1}'

    return re.sub(r'lastmodified: "(\d{4})', earlier, text)


def _edit_recipient_enc(text: str) -> str:
    lines = text.splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if "BEGIN AGE ENCRYPTED FILE" in line)
    body = lines[index + 2]
    lines[index + 2] = body[:20] + ("A" if body[20] != "A" else "B") + body[21:]
    return "".join(lines)


def _truncate_value(text: str) -> str:
    return re.sub(r"(password: ENC\[AES256_GCM,data:[^,]*),.*", r"\1", text)


def _plaintext_value(text: str) -> str:
    return re.sub(r"password: ENC\[.*\]", "password: not-encrypted-anymore", text)


TAMPERS: dict[str, tuple[Tamper, int, str]] = {
    "value moved to another key": (_swap_values, 4, "failed authentication"),
    "value edited by hand": (_edit_data, 4, "failed authentication"),
    "list items reordered": (_reorder_list, 4, "MAC mismatch"),
    "mac edited": (_edit_mac, 4, "MAC does not authenticate"),
    "lastmodified edited": (_edit_lastmodified, 4, "MAC does not authenticate"),
    "recipient enc edited": (_edit_recipient_enc, 3, "no identity could open"),
    "truncated ENC": (_truncate_value, 6, "malformed"),
    "plaintext where ENC belongs": (_plaintext_value, 4, "in plaintext"),
}


def _assert_clean(output: str) -> None:
    assert "Traceback" not in output
    for secret in PLANTED:
        assert secret not in output


@pytest.mark.parametrize("name", list(TAMPERS))
def test_tampered_file_is_refused(
    run: Runner, enc_yaml: Path, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    tamper, code, message = TAMPERS[name]
    enc_yaml.write_text(tamper(enc_yaml.read_text()))
    before = enc_yaml.read_bytes()
    monkeypatch.setenv("EDITOR", "true")
    other = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
    for args in (("decrypt", enc_yaml), ("get", enc_yaml, "db.port"),
                 ("set", enc_yaml, "db.port", "--value-stdin"), ("rotate", enc_yaml),
                 ("unset", enc_yaml, "db.port"), ("edit", enc_yaml),
                 ("updatekeys", enc_yaml, "--age", other),
                 ("decrypt", "--output-type", "json", enc_yaml)):
        result = run(*args, stdin="1")
        assert result.code == code, (name, args, result.stderr)
        assert message in result.stderr
        assert result.stderr.count("\n") == 1, result.stderr  # one line
        _assert_clean(result.output)
    assert enc_yaml.read_bytes() == before  # never a partial write


_S = "hunter2-PLANTED-SECRET"
BAD_INPUTS = {
    "invalid YAML": (f"s: {_S}\na: [1, 2\nb: 3\n", 6, ":3: invalid YAML"),
    "duplicate keys": (f"a: {_S}\nb: 2\na: 3\n", 6, ":3: duplicate key 'a'"),
    "non-string key": (f"a: {_S}\n1: x\n", 6, ":2: non-string key"),
    "top-level list": (f"- {_S}\n- b\n", 6, "must be a mapping"),
}


@pytest.mark.parametrize("name", list(BAD_INPUTS))
def test_bad_plaintext_is_one_line(run: Runner, age_key: str, tmp_path: Path, name: str) -> None:
    text, code, message = BAD_INPUTS[name]
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    result = run("encrypt", "--in-place", path)
    assert result.code == code
    assert message in result.stderr
    _assert_clean(result.output)
    assert not list(tmp_path.glob(".bad.yaml.*"))


def test_invalid_json_names_the_line(run: Runner, age_key: str, tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n  "a": "hunter2-PLANTED-SECRET",\n  "b": \n}\n')
    result = run("encrypt", path)
    assert result.code == 6 and ":4: invalid JSON" in result.stderr
    _assert_clean(result.output)


def test_plaintext_given_to_decrypt(run: Runner, plain_yaml: Path) -> None:
    result = run("decrypt", plain_yaml)
    assert result.code == 6 and "is not encrypted" in result.stderr
    _assert_clean(result.output)


def test_missing_file(run: Runner, tmp_path: Path) -> None:
    result = run("decrypt", tmp_path / "nope.yaml")
    assert result.code == 2 and "no such file" in result.stderr


def test_unknown_extension_and_usage_errors(run: Runner, tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_text("a")
    plain = run("decrypt", path)  # a name no format claims is binary, as in sops
    assert plain.code == 6 and "is not encrypted" in plain.stderr
    assert run("decrypt").code == 2
    assert run("encrypt", path, "--in-place", "--output", tmp_path / "o.yaml").code == 2


def test_unreadable_key_file_is_reported(
    run: Runner, enc_yaml: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "empty"))
    bad = tmp_path / "bad-key.txt"
    bad.write_text("this is not a key\n")
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_FILE", str(bad))
    result = run("decrypt", enc_yaml)
    assert result.code == 3
    assert "line 1: not an age identity" in result.stderr
    _assert_clean(result.output)


def test_key_file_readable_by_others_warns(run: Runner, enc_yaml: Path) -> None:
    key_file = Path(os.environ["XDG_CONFIG_HOME"]) / "secretsfile" / "age" / "keys.txt"
    key_file.chmod(0o644)
    result = run("get", enc_yaml, "db.user")
    assert result.code == 0
    assert "readable by others" in result.stderr and "chmod 600" in result.stderr


def test_no_recipients_configured(run: Runner, plain_yaml: Path) -> None:
    result = run("encrypt", plain_yaml)
    assert result.code == 5 and "secretsfile keygen" in result.stderr


def test_bad_recipient(run: Runner, plain_yaml: Path) -> None:
    result = run("encrypt", "--age", "age1notarecipient", plain_yaml)
    assert result.code == 3 and "is not an age recipient" in result.stderr


def test_every_command_keeps_secrets_out_of_output(run: Runner, enc_yaml: Path) -> None:
    """Commands that do not reveal values never print them, whatever they do."""
    for args in (("keys", enc_yaml), ("status", enc_yaml), ("status", "--json", enc_yaml),
                 ("set", enc_yaml, "db.password", "--value-stdin"), ("rotate", enc_yaml),
                 ("unset", enc_yaml, "api_token"), ("--help",), ("set", "--help")):
        result = run(*args, stdin="hunter2-PLANTED-SECRET")
        assert result.code == 0, (args, result.stderr)
        _assert_clean(result.output)


def test_private_key_given_as_recipient_is_never_echoed(run: Runner, plain_yaml: Path) -> None:
    from secretsfile.keysources.age import generate_identity

    text, _ = generate_identity()
    private = text.splitlines()[-1]
    result = run("encrypt", "--age", private, plain_yaml)
    assert result.code == 3 and "private key" in result.stderr
    assert private[:16] not in result.output


def test_empty_key_group_or_bad_threshold_is_refused(
    run: Runner, age_key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "b.yaml").write_text("a: 1\n")
    for rule, message in (
        (f"key_groups: [{{age: [{age_key}]}}, {{}}]\n    shamir_threshold: 2",
         "names no recipient"),
        (f"key_groups: [{{age: [{age_key}]}}, {{age: [{age_key}]}}]\n    shamir_threshold: 3",
         "shamir_threshold must be between 2 and 2"),
    ):
        (tmp_path / ".sops.yaml").write_text(f"creation_rules:\n  - {rule}\n")
        before = (tmp_path / "b.yaml").read_text()
        result = run("encrypt", "--in-place", "b.yaml")
        assert result.code == 5 and message in result.stderr, result.stderr
        assert (tmp_path / "b.yaml").read_text() == before


@pytest.mark.parametrize("line", ["sops_age__list_x__map_enc=a", "sops_shamir_threshold=abc",
                                  "sops_age__list_99999999__map_enc=a"])
def test_malformed_dotenv_metadata_is_a_format_error(
    run: Runner, age_key: str, tmp_path: Path, line: str
) -> None:
    path = tmp_path / "s.env"
    path.write_text("A=1\n")
    assert run("encrypt", "--in-place", path).code == 0
    path.write_text(path.read_text() + line + "\n")
    for args in (("decrypt", path), ("status", path), ("keys", path)):
        result = run(*args)
        assert result.code == 6, (args, result.stderr)
        assert "Traceback" not in result.output
