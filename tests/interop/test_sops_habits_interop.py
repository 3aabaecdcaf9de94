"""sops habits on the file commands, the same command line run against the real sops
binary and our CLI, outputs compared: set's positional JSON VALUE, set/unset
--idempotent, stdin with --filename-override, --indent, `.sops.yaml` stores:,
--config / SOPS_CONFIG, and --ignore-mac on a tampered file.

Where sops takes a flag only before the command (``sops --indent 2 -d f``; its global
``--indent`` is silently ignored after ``decrypt``, measured on 3.11), ours takes it on the
command (``secretsfile decrypt --indent 2 f``)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from secretsfile.cli.main import main
from tests.interop.conftest import SOPS, AgeKey, Sops

PLAIN = 'db:\n  user: admin\n  password: PLANTED-pw-1\n  list:\n    - x\n    - "y": 1\nport: 5432\n'
PLAIN_JSON = '{"a": {"b": [1, {"c": "PLANTED-pw-2"}]}, "n": 2}'


class Both:
    """Runs one command line through sops and through our CLI, in ``cwd``."""

    def __init__(self, sops: Sops, capsys: pytest.CaptureFixture[str],
                 monkeypatch: pytest.MonkeyPatch, cwd: Path) -> None:
        self.sops, self.capsys, self.monkeypatch, self.cwd = sops, capsys, monkeypatch, cwd
        monkeypatch.chdir(cwd)

    def theirs(self, *args: str | Path, stdin: str = "", env: dict[str, str] | None = None,
               global_flags: Sequence[str] = ()) -> tuple[int, str, str]:
        assert SOPS is not None
        result = subprocess.run([SOPS, *global_flags, *map(str, args)], cwd=self.cwd,
                                env={**self.sops.env(None), **(env or {})}, input=stdin,
                                capture_output=True, text=True, timeout=120, check=False)
        return result.returncode, result.stdout, result.stderr

    def ours(self, *args: str | Path, stdin: str = "",
             env: dict[str, str] | None = None) -> tuple[int, str, str]:
        self.capsys.readouterr()
        with self.monkeypatch.context() as patch:
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            patch.setattr(sys, "stdin", io.StringIO(stdin))
            code = main([str(a) for a in args])
        captured = self.capsys.readouterr()
        return code, captured.out, captured.err

    def decrypt(self, path: Path) -> str:
        code, out, err = self.theirs("decrypt", path)
        assert code == 0, err
        return out


@pytest.fixture
def both(sops: Sops, age_key: AgeKey, capsys: pytest.CaptureFixture[str],
         monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Both:
    return Both(sops, capsys, monkeypatch, tmp_path)


def _encrypted(both: Both, recipient: str, name: str, text: str) -> Path:
    """A file sops encrypted (so both sides start from the same bytes)."""
    plain = both.cwd / f"plain-{name}"
    plain.write_text(text)
    code, out, err = both.theirs("encrypt", "--age", recipient, plain)
    assert code == 0, err
    path = both.cwd / name
    path.write_text(out)
    plain.unlink()
    return path


def _pair(both: Both, age_key: AgeKey) -> tuple[Path, Path]:
    theirs = _encrypted(both, age_key.recipient, "theirs.yaml", PLAIN)
    ours = both.cwd / "ours.yaml"
    ours.write_bytes(theirs.read_bytes())
    return theirs, ours


@pytest.mark.parametrize("key_path,value", [
    ('["db"]["user"]', '"root"'),
    ('["db"]["new"]["deep"]', '{"x": [1, "two"], "on": true}'),
    ('["port"]', "6543"),
    ('["db"]["list"][0]', '"z"'),
])
def test_set_positional_json_value_as_sops(both: Both, age_key: AgeKey, key_path: str,
                                           value: str) -> None:
    theirs, ours = _pair(both, age_key)
    assert both.theirs("set", theirs, key_path, value)[0] == 0
    assert both.ours("set", ours, key_path, value)[0] == 0
    assert both.decrypt(ours) == both.decrypt(theirs)


def test_set_value_that_is_not_json_is_refused_as_by_sops(both: Both, age_key: AgeKey) -> None:
    theirs, ours = _pair(both, age_key)
    before = ours.read_bytes()
    their_code, _, _ = both.theirs("set", theirs, '["db"]["user"]', "PLANTED-notjson")
    code, out, err = both.ours("set", ours, '["db"]["user"]', "PLANTED-notjson")
    assert their_code != 0 and code != 0
    assert ours.read_bytes() == before and "PLANTED" not in out + err


def test_idempotent_no_ops_leave_the_file_byte_identical_as_sops(
    both: Both, age_key: AgeKey
) -> None:
    theirs, ours = _pair(both, age_key)
    before = theirs.read_bytes()
    for command in (("set", "--idempotent", "{}", '["db"]["user"]', '"admin"'),
                    ("unset", "--idempotent", "{}", '["db"]["nope"]')):
        their_args = [theirs if arg == "{}" else arg for arg in command]
        our_args = [ours if arg == "{}" else arg for arg in command]
        assert both.theirs(*their_args)[0] == 0
        assert both.ours(*our_args)[0] == 0
        assert theirs.read_bytes() == ours.read_bytes() == before
    assert both.theirs("unset", theirs, '["db"]["nope"]')[0] != 0
    assert both.ours("unset", ours, '["db"]["nope"]')[0] != 0
    assert both.theirs("unset", "--idempotent", theirs, '["port"]')[0] == 0
    assert both.ours("unset", "--idempotent", ours, '["port"]')[0] == 0
    assert both.decrypt(ours) == both.decrypt(theirs)


def test_stdin_with_filename_override_as_sops(both: Both, age_key: AgeKey) -> None:
    args = ("encrypt", "--age", age_key.recipient, "--filename-override", "x.yaml")
    their_code, their_text, err = both.theirs(*args, stdin=PLAIN)
    code, our_text, our_err = both.ours(*args, stdin=PLAIN)
    assert their_code == code == 0, err + our_err
    results = []
    for text in (their_text, our_text):
        for run in (both.theirs, both.ours):
            got = run("decrypt", "--filename-override", "x.yaml", stdin=text)
            assert got[0] == 0, got[2]
            results.append(got[1])
    assert len(set(results)) == 1 and "PLANTED-pw-1" in results[0]
    # neither guesses a format from nothing: sops asks for --filename-override, we for it
    # or --input-type
    assert both.theirs("encrypt", "--age", age_key.recipient, stdin=PLAIN)[0] != 0
    assert both.ours("encrypt", "--age", age_key.recipient, stdin=PLAIN)[0] == 2


@pytest.mark.parametrize("indent", ["0", "1", "2", "3", "10"])
def test_indent_as_sops(both: Both, age_key: AgeKey, indent: str) -> None:
    yaml_file = _encrypted(both, age_key.recipient, "f.yaml", PLAIN)
    json_file = _encrypted(both, age_key.recipient, "f.json", PLAIN_JSON)
    for path in (yaml_file, json_file):
        code, theirs, err = both.theirs("-d", path, global_flags=["--indent", indent])
        assert code == 0, err
        assert both.ours("decrypt", "--indent", indent, path)[1] == theirs


def _masked(text: str) -> str:
    """The data part of an encrypted file, ciphertexts masked (layout only)."""
    text = re.sub(r"ENC\[[^\]]*\]", "ENC", text)
    return text.split('"sops"')[0] if text.startswith("{") else text.split("\nsops:")[0]


def test_sops_yaml_stores_config_and_sops_config_as_sops(both: Both, age_key: AgeKey) -> None:
    yaml_file = _encrypted(both, age_key.recipient, "f.yaml", PLAIN)
    json_file = _encrypted(both, age_key.recipient, "f.json", PLAIN_JSON)
    plain = both.cwd / "p.json"
    plain.write_text(PLAIN_JSON)
    settings = "stores:\n  yaml:\n    indent: 2\n  json:\n    indent: 3\n"
    (both.cwd / ".sops.yaml").write_text(settings)
    for path in (yaml_file, json_file):
        assert both.ours("decrypt", path)[1] == both.theirs("decrypt", path)[1]
    encrypt = ("encrypt", "--age", age_key.recipient, plain)
    assert _masked(both.ours(*encrypt)[1]) == _masked(both.theirs(*encrypt)[1])
    (both.cwd / ".sops.yaml").rename(both.cwd / "other.yaml")
    by_flag = both.theirs("decrypt", yaml_file, global_flags=["--config", "other.yaml"])[1]
    assert both.ours("decrypt", "--config", "other.yaml", yaml_file)[1] == by_flag
    env = {"SOPS_CONFIG": "other.yaml"}
    by_env = both.theirs("decrypt", json_file, env=env)[1]
    assert both.ours("decrypt", json_file, env=env)[1] == by_env
    assert by_flag.startswith("db:\n  user:") and by_env.startswith('{\n   "a"')


def test_ignore_mac_on_a_tampered_file_as_sops(both: Both, age_key: AgeKey) -> None:
    path = _encrypted(both, age_key.recipient, "f.yaml", PLAIN)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("port:")))
    assert both.theirs("decrypt", path)[0] != 0
    assert both.ours("decrypt", path)[0] != 0
    code, theirs, err = both.theirs("decrypt", "--ignore-mac", path)
    assert code == 0, err
    our_code, ours, our_err = both.ours("decrypt", "--ignore-mac", path)
    assert our_code == 0 and ours == theirs and "port" not in ours
    assert "NOT VERIFIED (--ignore-mac)" in our_err and "PLANTED" not in our_err
