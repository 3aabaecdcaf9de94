"""The Typer-free lean path gives exactly what the full CLI gives, or steps aside."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from secretsfile.cli.lean import parse, run
from tests.cli.conftest import Runner


@pytest.mark.parametrize(
    "args",
    [
        ("decrypt", "{f}"),
        ("decrypt", "--output-type", "json", "{f}"),
        ("decrypt", "--extract=db.user", "{f}"),
        ("get", "{f}", "db.port"),
        ("get", "{f}", "flags"),
        ("get", "--json", "{f}", "db"),
        ("get", "{f}", "no.such.key"),
        ("decrypt", "{missing}"),
        ("-q", "decrypt", "{f}"),
        ("exec-env", "{f}", "exit 3"),
        ("exec-env", "--pristine", "{f}", "true"),
        ("exec-env", "{f}", "no-such-command-14"),
        ("exec-env", "{missing}", "true"),
    ],
)
def test_lean_path_matches_full_cli(
    run_cli: Runner, enc_yaml: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    argv = [a.format(f=enc_yaml, missing=enc_yaml.with_name("nope.yaml")) for a in args]
    full = run_cli(*argv)
    capsys.readouterr()
    code = run(argv)
    lean = capsys.readouterr()
    assert code == full.code
    assert (lean.out, lean.err) == (full.stdout, full.stderr)


@pytest.mark.parametrize(
    "args",
    [
        ("set", "{f}", "db.port", "5433"),
        ("set", "--value=new", "{f}", "api_token"),
        ("set", "{f}", "db.port", "5432", "--idempotent"),
        ("set", "{f}", "db.port", '"x"', "--config", "{missing}"),
        ("encrypt", "--in-place", "{plain}"),
        ("encrypt", "-i", "--encrypted-regex", "^pass", "{plain}"),
        ("encrypt", "-i", "{f}"),
    ],
)
def test_lean_writes_match_full_cli(
    run_cli: Runner, enc_yaml: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    results = []
    for lean in (False, True):
        folder = enc_yaml.parent / ("lean" if lean else "full")
        folder.mkdir()
        enc, plain = folder / "enc.yaml", folder / "plain.yaml"
        shutil.copy(enc_yaml, enc)
        run_cli("decrypt", "--output", str(plain), str(enc_yaml))
        argv = [a.format(f=enc, plain=plain, missing=folder / "none.yaml") for a in args]
        capsys.readouterr()
        if lean:
            code, captured = run(argv), capsys.readouterr()
            out, err = captured.out, captured.err.replace(str(folder), "F")
        else:
            full = run_cli(*argv)
            code, out, err = full.code, full.stdout, full.stderr.replace(str(folder), "F")
        shown = [run_cli("decrypt", str(p)).stdout for p in (enc, plain)]
        results.append((code, out, err, shown))
    assert results[0] == results[1]


@pytest.mark.parametrize(
    "argv",
    [[], ["decrypt", "--help"], ["decrypt", "-h", "f"], ["decrypt", "a", "b"],
     ["get", "f", "k", "--nope"], ["encrypt", "--age"], ["decrypt", "--extract"],
     ["set", "f", "k"], ["set", "f", "k", "-1"], ["decrypt", "--indent", "-1", "f"],
     ["decrypt", "--indent", "x", "f"], ["decrypt", "--ignore-mac=1", "f"],
     ["encrypt", "-io", "x", "f"], ["--version"], ["rotate", "f"], ["edit", "f"]],
)
def test_anything_else_falls_back(argv: list[str]) -> None:
    assert parse(argv) is None


@pytest.mark.parametrize("value", ["1", " TRUE ", "0", "no", ""])
def test_quiet_variable_is_read_as_click_reads_it(
    run_cli: Runner, enc_yaml: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, value: str,
) -> None:
    monkeypatch.setenv("SECRETSFILE_QUIET", value)
    argv = ["git", "textconv", str(enc_yaml.with_name("nope.yaml"))]
    assert parse(argv) is not None
    full = run_cli(*argv)
    capsys.readouterr()
    code = run(argv)
    lean = capsys.readouterr()
    assert (code, lean.out, lean.err) == (full.code, full.stdout, full.stderr)


def test_a_bad_quiet_variable_is_left_to_click(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRETSFILE_QUIET", "maybe")
    assert parse(["decrypt", "f.yaml"]) is None
    assert parse(["-q", "git", "textconv", "f.yaml"]) is not None  # -q wins, as in Click


@pytest.fixture
def run_cli(run: Runner) -> Runner:
    return run
