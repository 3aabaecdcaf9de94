"""The console script. The hot read commands (``decrypt``, ``get``) with plain arguments run
without importing Typer or rich: start-up is most of a small file's decrypt time, and the
race with sops (a Go binary) is won or lost there. Anything else goes to the Typer app."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from secretsfile.cli.boundary import guarded, install_warning_handler, write_stdout

# Options the fast path understands (each takes a value); anything else falls back.
_VALUE_OPTIONS = {"decrypt": ("--output-type", "--input-type", "--extract"),
                  "get": ("--input-type",)}
_POSITIONALS = {"decrypt": 1, "get": 2}


def _parse(argv: Sequence[str]) -> tuple[str, list[str], dict[str, str]] | None:
    if not argv or argv[0] not in _VALUE_OPTIONS:
        return None
    command, allowed = argv[0], _VALUE_OPTIONS[argv[0]]
    positionals: list[str] = []
    options: dict[str, str] = {}
    rest = list(argv[1:])
    while rest:
        token = rest.pop(0)
        name, eq, inline = token.partition("=")
        if name in allowed and name not in options:
            if eq:
                options[name] = inline
            elif rest:
                options[name] = rest.pop(0)
            else:
                return None
        elif token.startswith("-"):
            return None  # --help, --json, --output, ...: the full CLI handles them
        else:
            positionals.append(token)
    if len(positionals) != _POSITIONALS[command]:
        return None
    return command, positionals, options


def try_fast(argv: Sequence[str]) -> int | None:
    """Run ``argv`` on the fast path and return the exit code, or None to use Typer."""
    parsed = _parse(argv)
    if parsed is None:
        return None
    command, positionals, options = parsed
    install_warning_handler()

    def invoke() -> int:
        from secretsfile.config.project import load_for
        from secretsfile.ops import files

        path = Path(positionals[0])
        input_type = options.get("--input-type")
        if command == "decrypt":
            text = files.decrypt_file(path, input_type, options.get("--output-type"),
                                      options.get("--extract"), load_for(path))
        else:
            value = files.get_value(path, positionals[1], input_type, load_for(path))
            text = files.value_text(value, positionals[1])
        write_stdout(text)
        return 0

    return guarded(invoke)


_SCANNER_COMMANDS = ("scan", "check-encrypted")


def run() -> None:
    argv = sys.argv[1:]
    code = try_fast(argv)
    if code is None and argv[:2] == ["git", "textconv"]:  # git's diff driver: no Typer
        from secretsfile.cli.textconv import main as textconv_main

        code = textconv_main(argv[2:])
    scanner_argv = argv[1:] if argv[:1] in (["-q"], ["--quiet"]) else argv  # -q COMMAND
    if code is None and scanner_argv and scanner_argv[0] in _SCANNER_COMMANDS:
        from secretsfile.cli.scan import main as scan_main  # the hook path: scanner only

        code = scan_main(argv)
    if code is None:
        from secretsfile.cli.main import main

        code = main(argv)
    sys.exit(code)
