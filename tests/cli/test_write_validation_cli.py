"""Writes a format cannot hold are refused before the file changes (exit 6, one line naming
the file and the key path, never the value): every write goes through ``seal_with``, which
asks the store (``Store.check_writable``). sops itself refuses a nested dotenv value and
leaves the file alone; other names it writes and then cannot read back."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Runner

PLANTED = "SECRETQ-PLANTED-77"


def _encrypted(run: Runner, tmp_path: Path, name: str, text: str, recipient: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    result = run("encrypt", "--age", recipient, "-i", path)
    assert result.code == 0, result.stderr
    return path


def _refused(run: Runner, path: Path, *args: str, stdin: str | None = None) -> str:
    before = path.read_bytes()
    result = run(*args, stdin=stdin)
    assert result.code == 6, result.output
    assert path.read_bytes() == before
    assert PLANTED not in result.output
    assert str(path) in result.stderr
    errors = [line for line in result.stderr.splitlines() if not line.startswith("warning:")]
    assert len(errors) == 1, result.stderr
    assert run("decrypt", path).code == 0
    return result.stderr


@pytest.mark.parametrize(("path", "value", "named"), [
    ('["B"]', f'{{"x":"{PLANTED}"}}', '["B"]'),
    ('["B"]', f'["{PLANTED}"]', '["B"]'),
    ('["a=b"]', f'"{PLANTED}"', '["a=b"]'),
    ('["#c"]', f'"{PLANTED}"', '["#c"]'),
    ('["sops_x"]', f'"{PLANTED}"', '["sops_x"]'),
    ('["a\\nb"]', f'"{PLANTED}"', '["a\\nb"]'),
    ('["N"]', "null", '["N"]'),
    ('["S"]', '"\\ud800"', '["S"]'),
])  # fmt: skip
def test_dotenv_refuses_what_it_cannot_hold(run: Runner, age_key: str, tmp_path: Path,
                                            path: str, value: str, named: str) -> None:
    env = _encrypted(run, tmp_path, "q.env", "A=1\n", age_key)
    assert named in _refused(run, env, "set", env, path, value)


@pytest.mark.parametrize(("path", "value"), [
    ('["s"]["#c"]', f'"{PLANTED}"'), ('["s"][";c"]', f'"{PLANTED}"'),
    ('["s"]["[x]"]', f'"{PLANTED}"'), ('["s"][" lead"]', f'"{PLANTED}"'),
    ('["s"]["k"]', "null"),
    ('["s"]["n"]', f'{{"x":"{PLANTED}"}}'), ('["top"]', f'"{PLANTED}"'),
    ('["sops"]', f'{{"k":"{PLANTED}"}}'),
])  # fmt: skip
def test_ini_refuses_what_it_cannot_hold(run: Runner, age_key: str, tmp_path: Path,
                                         path: str, value: str) -> None:
    ini = _encrypted(run, tmp_path, "t.ini", "[s]\nk = v\n", age_key)
    _refused(run, ini, "set", ini, path, value)


@pytest.mark.parametrize("name", ["t.yaml", "t.json"])
def test_lone_surrogates_are_refused(run: Runner, age_key: str, tmp_path: Path,
                                     name: str) -> None:
    doc = _encrypted(run, tmp_path, name, '{"a": "1"}\n', age_key)
    assert '["k"]' in _refused(run, doc, "set", doc, '["k"]', '"x\\ud800"')
    _refused(run, doc, "set", doc, '["k"]', "--value-stdin", "--json", stdin='"\\udfff"')
    assert '["\\ud800"]' in _refused(run, doc, "set", doc, '["\\ud800"]', '"v"')


def test_a_lone_surrogate_escape_in_a_json_file_reads_as_u_fffd(
        run: Runner, age_key: str, tmp_path: Path) -> None:
    """As Go's JSON reader (and so sops) reads it: the file encrypts and decrypts."""
    plain = tmp_path / "p.json"
    plain.write_text('{"k": "a\\ud800"}\n')
    out = tmp_path / "o.json"
    assert run("encrypt", "--age", age_key, "--output", out, plain).code == 0
    result = run("decrypt", out)
    assert result.code == 0, result.stderr
    assert "a\ufffd" in result.stdout


def test_binary_set_and_unset_are_refused(run: Runner, age_key: str, tmp_path: Path) -> None:
    blob = _encrypted(run, tmp_path, "z.bin", f"{PLANTED}\n", age_key)
    assert "data" in _refused(run, blob, "set", blob, '["data"]', "5")
    _refused(run, blob, "set", blob, '["other"]', '"x"')
    _refused(run, blob, "unset", blob, '["data"]')
    assert run("set", blob, '["data"]', '"new text"').code == 0
    assert run("decrypt", blob).stdout == "new text"
