"""Helpers shared by the command modules: value input, output, JSON, warnings."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from secretsfile._fileio import write_atomic
from secretsfile.errors import UsageError
from secretsfile.ops.secret_input import utf8_value

if TYPE_CHECKING:
    from secretsfile.config.project import ProjectConfig
    from secretsfile.secrets.schemas import Schema


def say(message: str) -> None:
    """A message for the human, on stderr (stdout is for data)."""
    typer.echo(message, err=True)


def out(text: str) -> None:
    """Data on stdout, exactly as given."""
    sys.stdout.write(text)
    sys.stdout.flush()


def emit_json(data: Any) -> None:
    out(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


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


def prompt_pairs(schema: Schema | None) -> dict[str, str]:
    """``-i``: each field of the schema (hidden input), or keys until an empty one."""
    if not sys.stdin.isatty():
        raise UsageError("-i needs a terminal", hint="use --values @file or --KEY=@file")
    pairs: dict[str, str] = {}
    if schema is not None:
        for spec in schema.fields:
            label = f"{spec.name}{'' if spec.required else ' (optional, Enter to skip)'}"
            value = typer.prompt(label, hide_input=True, default="" if not spec.required else None,
                                 show_default=False)
            if value:
                pairs[spec.name] = value
        return pairs
    while True:
        key = typer.prompt("key (Enter to finish)", default="", show_default=False)
        if not key:
            return pairs
        pairs[key] = typer.prompt(f"value for {key}", hide_input=True)


def write_output(text: str, output: Path | None) -> None:
    if output is None:
        out(text)
    else:
        write_atomic(output, text, private=True)


def project(config: str | Path | None = None) -> ProjectConfig:
    """The project config a command works in: ``--config``, else ``SECRETSFILE_CONFIG``,
    else the nearest ``.secretsfile.yaml`` (ops never looks it up: this is handed down)."""
    from secretsfile.config.project import load

    return load(override=config)
