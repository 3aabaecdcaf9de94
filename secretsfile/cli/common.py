"""Helpers shared by the command modules: value input, output, JSON, warnings."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from secretsfile._fileio import write_atomic
from secretsfile.errors import FormatError, UsageError


def say(message: str) -> None:
    """A message for the human, on stderr (stdout is for data)."""
    typer.echo(message, err=True)


def out(text: str) -> None:
    """Data on stdout, exactly as given."""
    sys.stdout.write(text)
    sys.stdout.flush()


def emit_json(data: Any) -> None:
    out(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def utf8_value(raw: bytes | str, source: str) -> str:
    """A value as UTF-8 text, or a FormatError naming ``source`` (never the bytes). Values
    are text: non-UTF-8 bytes would reach YAML, JSON, dotenv and programs as mangled
    escapes. A str from argv carries undecodable bytes as surrogates; they count too."""
    try:
        data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw
        return data.decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError) as error:
        raise FormatError(
            f"{source}: not UTF-8 text (at offset {error.start})",
            hint="secret values are text; base64-encode binary data first, e.g. "
            "base64 FILE | secretsfile set ... --value-stdin",
        ) from None


def read_value(value: str | None, value_stdin: bool, value_file: Path | None,
               prompt: str = "Value") -> str:  # fmt: skip
    """A secret value from stdin, a file, a hidden prompt, or (with a warning) argv."""
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
            return utf8_value(value_file.read_bytes(), str(value_file))
        except OSError as error:
            raise UsageError(f"{value_file}: {error.strerror}") from None
    if not sys.stdin.isatty():
        raise UsageError("no value given", hint="use --value-stdin, --value-file or a terminal")
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


def write_output(text: str, output: Path | None) -> None:
    if output is None:
        out(text)
    else:
        write_atomic(output, text, private=True)
