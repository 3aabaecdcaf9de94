"""The console script. The hot commands (``decrypt``, ``get``, ``encrypt``, ``set``,
``exec-env``, ``git textconv``, ``merge driver``, and the hooks' ``scan``,
``check-encrypted`` and ``check``) with a command line the lean parser fully handles run
without importing Typer or rich: start-up is most of a small file's time, and the race
with sops (a Go binary) is won or lost there.
Their parameters are declared once (``cli/spec.py``) for both parsers; anything the lean
parser does not handle (help, errors, prompts) goes to the Typer app (the scanner commands:
to the scanner-only app of ``cli/scan_cmd.py``).

A lean command runs with the cyclic garbage collector off (its trees hold no cycles, and a
collection pass every 700 allocations costs a 1,000-key encrypt ~5 ms; ``Cmd.gc_off``) and
leaves without the interpreter's teardown (freeing every module and object, ~5-10 ms): exit
handlers run and the standard streams are flushed first (``leave``)."""

from __future__ import annotations

import sys

from secretsfile.cli.lean import run as run_lean

try_fast = run_lean  # the name tests/cli/test_input_safety.py imports

_SCANNER_COMMANDS = ("scan", "check-encrypted")


def leave(code: int) -> None:
    """Exit now, skipping the teardown, when nothing else could still need it: no thread
    besides this one, and the standard streams flushed. Otherwise an ordinary exit."""
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        sys.exit(code)
    import atexit
    import os

    atexit._run_exitfuncs()
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:  # None: started with that descriptor closed (`>&-`)
                stream.flush()
    except (OSError, ValueError):
        sys.exit(code)  # the ordinary exit reports the failed flush as it always did
    os._exit(code)


def run() -> None:
    argv = sys.argv[1:]
    code = run_lean(argv, ending=True)
    if code is not None:
        leave(code)
        return
    if scanner_command(argv):
        from secretsfile.cli.scan_cmd import typer_main  # help, errors: the scanner app only

        code = typer_main(argv)
    else:
        from secretsfile.cli.main import main

        code = main(argv)
    sys.exit(code)


def scanner_command(argv: list[str]) -> bool:
    """Whether ``argv`` names ``scan`` or ``check-encrypted`` (after a global ``-q``)."""
    named = argv[1:2] if argv[:1] in (["-q"], ["--quiet"]) else argv[:1]
    return bool(named) and named[0] in _SCANNER_COMMANDS
