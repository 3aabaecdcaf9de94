"""The console script. The hot commands (``decrypt``, ``get``, ``encrypt``, ``set``,
``exec-env``, ``git textconv``) with a command line the lean parser fully handles run without
importing Typer or rich: start-up is most of a small file's time, and the race with sops (a Go
binary) is won or lost there. Their parameters are declared once (``cli/spec.py``) for both
parsers; anything the lean parser does not handle (help, errors, prompts) goes to the Typer
app."""

from __future__ import annotations

import sys

from secretsfile.cli.lean import run as run_lean

try_fast = run_lean  # the name tests/cli/test_input_safety.py imports

_SCANNER_COMMANDS = ("scan", "check-encrypted")


def run() -> None:
    argv = sys.argv[1:]
    code = run_lean(argv)
    scanner_argv = argv[1:] if argv[:1] in (["-q"], ["--quiet"]) else argv  # -q COMMAND
    if code is None and scanner_argv and scanner_argv[0] in _SCANNER_COMMANDS:
        from secretsfile.cli.scan import main as scan_main  # the hook path: scanner only

        code = scan_main(argv)
    if code is None:
        from secretsfile.cli.main import main

        code = main(argv)
    sys.exit(code)
