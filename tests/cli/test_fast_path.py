"""The typer-free fast path gives exactly what the full CLI gives, or steps aside."""

from __future__ import annotations

from pathlib import Path

import pytest

from secretsfile.cli.entry import _parse, try_fast
from tests.cli.conftest import Runner


@pytest.mark.parametrize(
    "args",
    [
        ("decrypt", "{f}"),
        ("decrypt", "--output-type", "json", "{f}"),
        ("decrypt", "--extract=db.user", "{f}"),
        ("get", "{f}", "db.port"),
        ("get", "{f}", "flags"),
        ("get", "{f}", "no.such.key"),
        ("decrypt", "{missing}"),
    ],
)
def test_fast_path_matches_full_cli(
    run: Runner, enc_yaml: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    argv = [a.format(f=enc_yaml, missing=enc_yaml.with_name("nope.yaml")) for a in args]
    full = run(*argv)
    capsys.readouterr()
    code = try_fast(argv)
    fast = capsys.readouterr()
    assert code == full.code
    assert (fast.out, fast.err) == (full.stdout, full.stderr)


@pytest.mark.parametrize(
    "argv",
    [[], ["decrypt"], ["decrypt", "--help"], ["decrypt", "a", "b"], ["get", "f", "k", "--json"],
     ["decrypt", "--output", "x", "f"], ["encrypt", "f"], ["decrypt", "--extract"]],
)
def test_anything_else_falls_back(argv: list[str]) -> None:
    assert _parse(argv) is None
