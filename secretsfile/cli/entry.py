"""The console script. The hot commands (``decrypt``, ``get``, ``encrypt``, ``set``,
``exec-env``, ``git textconv``) with a command line the lean parser fully handles run without
importing Typer or rich: start-up is most of a small file's time, and the race with sops (a Go
binary) is won or lost there. Their parameters are declared once (``cli/spec.py``) for both
parsers; anything the lean parser does not handle (help, errors, prompts) goes to the Typer
app.

A lean command runs with the cyclic garbage collector off (its trees hold no cycles, and a
collection pass every 700 allocations costs a 1,000-key encrypt ~5 ms) and leaves without the
interpreter's teardown (freeing every module and object, ~5-10 ms): exit handlers run and
the standard streams are flushed first (``_leave``)."""

from __future__ import annotations

import gc
import sys

from secretsfile.cli.lean import run as run_lean

try_fast = run_lean  # the name tests/cli/test_input_safety.py imports

_SCANNER_COMMANDS = ("scan", "check-encrypted")


def _leave(code: int) -> None:
    """Exit now, skipping the teardown, when nothing else could still need it: no thread
    besides this one, and the standard streams flushed. Otherwise an ordinary exit."""
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        sys.exit(code)
    import atexit
    import os

    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)  # the ordinary exit reports the failed flush as it always did
    os._exit(code)


def run() -> None:
    argv = sys.argv[1:]
    gc.disable()
    code = run_lean(argv)
    if code is not None:
        _leave(code)
        return
    gc.enable()
    scanner_argv = argv[1:] if argv[:1] in (["-q"], ["--quiet"]) else argv  # -q COMMAND
    if scanner_argv and scanner_argv[0] in _SCANNER_COMMANDS:
        from secretsfile.cli.scan import main as scan_main  # the hook path: scanner only

        code = scan_main(argv)
    if code is None:
        from secretsfile.cli.main import main

        code = main(argv)
    sys.exit(code)
