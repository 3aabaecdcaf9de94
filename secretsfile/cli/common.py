"""Helpers shared by the command modules: value input, output, JSON, warnings.

Imports nothing heavy at module level (no Typer, no secret-input or file-writing code): the
prompting and writing helpers import theirs when called, so a command that only prints pays
for printing. The scanner path (``cli/scan.py``, ``cli/progress.py``) does not import this
module at all: its quiet rule is ``cli/quiet.py``."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

from secretsfile._fileio import lazy_contextmanager
from secretsfile.cli.boundary import write_stdout
from secretsfile.cli.quiet import is_quiet as is_quiet  # the quiet rule lives in cli/quiet.py
from secretsfile.cli.quiet import say as say
from secretsfile.cli.quiet import set_quiet as set_quiet
from secretsfile.errors import UsageError

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from secretsfile.config.project import ProjectConfig
    from secretsfile.secrets.schemas import Schema


def out(text: str) -> None:
    """Data on stdout, exactly as given (``boundary.write_stdout``)."""
    write_stdout(text)


def emit_json(data: Any) -> None:
    import json  # only the commands that print JSON need it

    out(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def read_value(value: str | None, value_stdin: bool, value_file: str | os.PathLike[str] | None,
               prompt: str = "Value") -> str:  # fmt: skip
    """A secret value from stdin, a file, a hidden prompt, or (with a warning) argv."""
    from secretsfile.ops.secret_input import utf8_value

    given = int(value is not None) + int(value_file is not None) + int(value_stdin)
    if given > 1:
        raise UsageError("give the value one way: --value-stdin, --value-file or --value")
    if value is not None:
        say("warning: a value on the command line lands in shell history and the process "
            "list; prefer --value-stdin or --value-file")  # fmt: skip
        return utf8_value(value, "the --value argument")
    if value_stdin:
        stdin = getattr(sys.stdin, "buffer", sys.stdin)  # bytes, whatever the locale says
        text = utf8_value(stdin.read(), "stdin")
        return text[:-1] if text.endswith("\n") and text.count("\n") == 1 else text
    if value_file is not None:
        try:
            with open(value_file, "rb") as handle:
                return utf8_value(handle.read(), os.fspath(value_file))
        except OSError as error:
            raise UsageError(f"{value_file}: {error.strerror}") from None
    if not sys.stdin.isatty():
        raise UsageError("no value given", hint="use --value-stdin, --value-file or a terminal")
    import typer

    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


PROMPT_HELP = ("(a PEM key may be pasted whole: reading stops at its -----END line; "
               "@path reads a file; @@… is a value starting with '@')")
MAX_PEM_LINES = 10_000


def prompt_pairs(schema: Schema | None) -> dict[str, str]:
    """``-i``: each field of the schema, or keys until an empty one. Secret fields are read
    hidden, the others (user, host, account) shown; multi-line PEM values and ``@path``
    answers are accepted (``PROMPT_HELP``)."""
    if not sys.stdin.isatty():
        raise UsageError("-i needs a terminal", hint="use --values @file or --KEY=@file")
    say(f"values {PROMPT_HELP}")
    pairs: dict[str, str] = {}
    if schema is not None:
        for spec in schema.fields:
            optional = "" if spec.required else (
                f" (optional, Enter for {spec.default})" if spec.default is not None
                else " (optional, Enter to skip)")
            shown = "" if spec.secret else " [shown]"
            while True:
                value = _answer(f"{spec.name}{optional}{shown}: ", hidden=spec.secret)
                if value or not spec.required:
                    break
            if value:
                pairs[spec.name] = value
        return pairs
    while True:
        key = _read_line("key (Enter to finish): ", hidden=False)
        if not key:
            return pairs
        pairs[key] = _answer(f"value for {key}: ", hidden=True)


def prompt_values(labels: list[str]) -> list[str]:
    """``-i`` answers to ``labels``, hidden, each read as ``prompt_pairs`` reads a value (a
    line, a whole pasted PEM block, ``@path``)."""
    if not sys.stdin.isatty():
        raise UsageError("-i needs a terminal", hint="use --values @file or --KEY=@file")
    say(f"values {PROMPT_HELP}")
    return [_answer(f"{label}: ", hidden=True) for label in labels]


def _answer(label: str, hidden: bool) -> str:
    """One value: a line, a PEM block up to its -----END line, or the file of ``@path``."""
    from secretsfile.ops.secret_input import read_at

    first = _read_line(label, hidden)
    if first.startswith("@@"):
        return first[1:]
    if first.startswith("@"):
        return read_at(first, f"{label.rstrip(': ')} (@…)")
    if not first.startswith("-----BEGIN"):
        return first
    lines = [first]
    while len(lines) < MAX_PEM_LINES:
        line = _read_line("", hidden, newline=False)
        lines.append(line)
        if line.startswith("-----END") and line.rstrip().endswith("-----"):
            if hidden:
                sys.stderr.write(f"(read {len(lines)} lines)\n")
            return "\n".join(lines) + "\n"
    raise UsageError("no -----END line after the -----BEGIN line",
                     hint="answer @path to read the key from a file")


def _read_line(label: str, hidden: bool, newline: bool = True) -> str:
    """One line from the terminal, the prompt on stderr. Hidden input turns echo off
    without flushing typed-ahead input (getpass would drop the rest of a pasted key)."""
    sys.stderr.write(label)
    sys.stderr.flush()
    with _no_echo(hidden):
        line = sys.stdin.readline()
    if hidden and newline:
        sys.stderr.write("\n")
    if not line:
        raise UsageError("the input ended before every value was given")
    return line.rstrip("\r\n")


@lazy_contextmanager
def _no_echo(hidden: bool) -> Iterator[None]:
    if not hidden:
        yield
        return
    try:
        import termios
    except ImportError:  # Windows: no echo control here
        yield
        return
    try:
        fd = sys.stdin.fileno()
        old = termios.tcgetattr(fd)
    except (OSError, ValueError, AttributeError, termios.error):  # not a real terminal
        yield
        return
    new = list(old)
    new[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSANOW, new)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSANOW, old)


def write_output(text: str, output: str | os.PathLike[str] | None) -> None:
    if output is None:
        out(text)
    else:
        from secretsfile._fileio import write_atomic

        write_atomic(output, text, private=True)


def project(config: str | Path | None = None) -> ProjectConfig:
    """The project config a command works in: ``--config``, else ``SECRETSFILE_CONFIG``,
    else the nearest ``.secretsfile.yaml`` (ops never looks it up: this is handed down)."""
    from secretsfile.config.project import load

    return load(override=config)
