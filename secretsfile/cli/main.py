"""The Typer application and its single error boundary."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Sequence

import typer
from typer.exceptions import Abort, TyperException

from secretsfile.cli.exit_codes import ExitCode, exit_code_for
from secretsfile.errors import SecretsfileError

app = typer.Typer(
    name="secretsfile",
    help=(
        "Encrypted secrets files in git, sops-compatible.\n\n"
        "Keys stay readable, every value is AES-256-GCM encrypted under a per-file data key "
        "wrapped for age recipients or a Fernet key."
    ),
    no_args_is_help=True,
    add_completion=False,
    # Never render locals: they may hold plaintext secrets. Our boundary handles errors.
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _register_commands() -> None:
    # Each command module adds its commands to the app; order here is the order in --help.
    from secretsfile.cli import files_cmd, keys_cmd, scan

    keys_cmd.register(app)
    files_cmd.register(app)
    scan.register(app)


_register_commands()


def report(message: str) -> None:
    """Print a human message on stderr (data goes to stdout)."""
    typer.echo(message, err=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code; the only place errors become exit codes."""
    from secretsfile.cli.common import install_warning_handler

    install_warning_handler()
    command = typer.main.get_command(app)
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        result = command.main(args=args, prog_name="secretsfile", standalone_mode=False)
    except SecretsfileError as error:
        report(f"error: {error.diagnostics()}")
        return int(exit_code_for(error))
    except Abort:
        report("aborted")
        return int(ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
        report("interrupted")
        return int(ExitCode.INTERRUPTED)
    except TyperException as error:  # bad flags, missing arguments: Click's usage errors
        show = getattr(error, "show", None)
        if callable(show):
            show()
        else:
            report(f"error: {error.format_message()}")
        return int(ExitCode.USAGE)
    except BrokenPipeError:
        return int(ExitCode.OK)
    except Exception as error:  # the boundary: never a traceback, never a value
        report(
            f"error: unexpected {type(error).__name__}; this is a bug in secretsfile, "
            "please report it (rerun with SECRETSFILE_DEBUG=1 for a traceback without values)"
        )
        if os.environ.get("SECRETSFILE_DEBUG"):
            report_frames(error)
        return int(ExitCode.UNEXPECTED)
    return int(result) if isinstance(result, int) else int(ExitCode.OK)


def report_frames(error: BaseException) -> None:
    """Where it failed: file, line and function of each frame. No message, no locals,
    since either may hold a secret value."""
    for frame in traceback.extract_tb(error.__traceback__):
        report(f"  {frame.filename}:{frame.lineno} in {frame.name}")


def run() -> None:
    sys.exit(main())
