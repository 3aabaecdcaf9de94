"""Building and running a Typer app the secretsfile way, for the full CLI and for the lean
entry points (the scanner hook) alike: same settings, same error boundary."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer
from typer.exceptions import Abort, TyperException

from secretsfile.cli.boundary import guarded, install_warning_handler, report
from secretsfile.cli.exit_codes import ExitCode


def new_app(help_text: str | None = None, completion: bool = False) -> typer.Typer:
    """``completion``: Typer's ``--install-completion``/``--show-completion`` (the full CLI)."""
    return typer.Typer(
        name="secretsfile",
        help=help_text,
        no_args_is_help=True,
        add_completion=completion,
        # Never render locals: they may hold plaintext secrets. Our boundary handles errors.
        pretty_exceptions_enable=False,
        pretty_exceptions_show_locals=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )


def run_app(app: typer.Typer, argv: Sequence[str] | None = None) -> int:
    """Run ``app`` under the one error boundary and return its exit code."""
    install_warning_handler()
    command = typer.main.get_command(app)
    args = list(sys.argv[1:] if argv is None else argv)

    def invoke() -> int:
        try:
            result = command.main(args=args, prog_name="secretsfile", standalone_mode=False)
        except Abort:
            report("aborted")
            return int(ExitCode.INTERRUPTED)
        except SystemExit as done:  # Typer's completion options end with sys.exit()
            return done.code if isinstance(done.code, int) else int(done.code is not None)
        except TyperException as error:  # bad flags, missing arguments: Click's usage errors
            show = getattr(error, "show", None)
            if callable(show):
                show()
            else:
                report(f"error: {error.format_message()}")
            return int(ExitCode.USAGE)
        return int(result) if isinstance(result, int) else int(ExitCode.OK)

    return guarded(invoke)
