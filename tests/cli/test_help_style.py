"""--help reads the same everywhere: no sentence broken mid-line, one placeholder vocabulary,
examples on every command group, and every example is a real command line."""

from __future__ import annotations

import shlex
from typing import Any

import pytest
import typer

from secretsfile.cli.help_style import EXAMPLES, _verbatim, reflow
from secretsfile.cli.main import app, main


def _tree() -> Any:
    from secretsfile.cli.help_style import polish

    command = typer.main.get_command(app)
    polish(command)
    return command


def _walk(command: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    found = [(path, command)]
    for name, sub in getattr(command, "commands", {}).items():
        found += _walk(sub, (*path, name))
    return found


def test_reflow_joins_prose_and_keeps_examples() -> None:
    text = "One sentence\nbroken here.\n\nExamples:\n  $ secretsfile a\n  $ secretsfile b"
    assert reflow(text) == ("One sentence broken here.\n\n"
                            "Examples:\n  $ secretsfile a\n  $ secretsfile b")


def test_no_help_paragraph_is_broken_mid_line() -> None:
    for path, command in _walk(_tree()):
        texts = [command.help or ""] + [getattr(p, "help", None) or "" for p in command.params]
        for text in texts:
            for paragraph in text.split("\n\n"):
                assert "\n" not in paragraph or _verbatim(paragraph), (path, paragraph)


def test_every_value_has_a_placeholder() -> None:
    for path, command in _walk(_tree()):
        for param in command.params:
            if getattr(param, "is_flag", False) or param.param_type_name == "argument":
                continue
            shown = param.make_metavar(typer.Context(command))
            assert not shown.startswith("<") or "|" in shown, (path, param.name, shown)


def test_every_group_has_examples() -> None:
    groups = [" ".join(path) for path, command in _walk(_tree())
              if getattr(command, "commands", None)]
    assert set(groups) <= set(EXAMPLES), set(groups) - set(EXAMPLES)


@pytest.mark.parametrize("line", sorted({e for lines in EXAMPLES.values() for e in lines
                                         if e.startswith("secretsfile ")}))
def test_each_example_names_real_commands_and_options(line: str) -> None:
    words = shlex.split(line)[1:]
    command = _tree()
    while words and words[0] in getattr(command, "commands", {}):
        command = command.commands[words.pop(0)]
    assert not getattr(command, "commands", None), f"{line}: no such command"
    known = {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)}
    for word in words:
        if word == "--":
            break
        if word.startswith("-"):
            assert word.split("=")[0] in known, f"{line}: {word} is not an option"


def test_help_of_a_group_shows_its_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["env", "--help"]) == 0
    assert "$ secretsfile env list --json" in capsys.readouterr().out


def test_usage_errors_name_arguments_as_help_does(run: Any) -> None:
    result = run("set")
    assert result.code == 2 and "{FILE} {PATH}" in result.stderr, result.stderr
