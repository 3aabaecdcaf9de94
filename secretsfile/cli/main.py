"""The Typer application and its single error boundary."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import typer
from typer.exceptions import Abort, TyperException

from secretsfile.cli.boundary import guarded, install_warning_handler, report
from secretsfile.cli.exit_codes import ExitCode

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
    from secretsfile.cli import (
        files_cmd,
        keys_cmd,
        project_cmd,
        refs_cmd,
        run_cmd,
        scan,
        secrets_cmd,
    )

    keys_cmd.register(app)
    files_cmd.register(app)
    project_cmd.register(app)
    secrets_cmd.register(app)
    refs_cmd.register(app)
    run_cmd.register(app)
    scan.register(app)


_register_commands()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    install_warning_handler()
    command = typer.main.get_command(app)
    args = list(sys.argv[1:] if argv is None else argv)

    def invoke() -> int:
        try:
            result = command.main(args=args, prog_name="secretsfile", standalone_mode=False)
        except Abort:
            report("aborted")
            return int(ExitCode.INTERRUPTED)
        except TyperException as error:  # bad flags, missing arguments: Click's usage errors
            show = getattr(error, "show", None)
            if callable(show):
                show()
            else:
                report(f"error: {error.format_message()}")
            return int(ExitCode.USAGE)
        return int(result) if isinstance(result, int) else int(ExitCode.OK)

    return guarded(invoke)
