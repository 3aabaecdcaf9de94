"""The lean parser's grammar for the scanner commands (``cli/spec.py`` declares them): a
variadic list of file arguments, a command-level ``-q`` apart from the global one, and
everything else left to Typer. Agreement with Click on random command lines: test_spec.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from secretsfile.cli.lean import command_of, parse


def test_file_arguments_are_variadic_and_none_when_absent() -> None:
    parsed = parse(["scan", "--staged", "a.py", "-", "b.md"])
    assert parsed is not None
    assert parsed[1]["paths"] == ["a.py", "-", "b.md"] and parsed[1]["staged"] is True
    parsed = parse(["check-encrypted"])
    assert parsed is not None and parsed[1]["files"] is None


def test_the_command_quiet_is_not_the_global_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRETSFILE_QUIET", raising=False)
    parsed = parse(["scan", "-q", "x"])
    assert parsed is not None and (parsed[1]["quiet"], parsed[1]["no_summary"]) == (False, True)
    parsed = parse(["-q", "check-encrypted", "x"])
    assert parsed is not None and (parsed[1]["quiet"], parsed[1]["no_summary"]) == (True, False)


def test_declared_defaults_and_values() -> None:
    parsed = parse(["scan", "-c", "cfg.toml", "--jobs", "2", "--format=sarif", "--", "-x"])
    assert parsed is not None
    kwargs = parsed[1]
    assert (kwargs["config"], kwargs["jobs"], kwargs["fmt"]) == (Path("cfg.toml"), 2, "sarif")
    assert (kwargs["paths"], kwargs["stdin_name"], kwargs["since"]) == (["-x"], "-", None)


@pytest.mark.parametrize("argv", [["scan", "--help"], ["scan", "-fjson"], ["scan", "-j", "x"],
                                  ["check-encrypted", "--since", "HEAD"], ["scan", "--staged=1"]])
def test_anything_else_is_typers(argv: list[str]) -> None:
    assert parse(argv) is None


def test_command_of_names_the_command_after_a_global_quiet() -> None:
    cmd, quiet, rest = command_of(["-q", "merge", "driver", "b", "a", "t"])
    assert cmd is not None and cmd.name == ("merge", "driver")
    assert (quiet, rest) == (True, ["b", "a", "t"])
