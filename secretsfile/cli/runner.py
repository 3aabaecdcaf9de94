"""Building and running a Typer app the secretsfile way, for the full CLI and for the lean
entry points (the scanner hook) alike: same settings, same error boundary."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Annotated, Literal

import typer
from typer.exceptions import Abort, TyperException

from secretsfile.cli.boundary import guarded, install_warning_handler, report
from secretsfile.cli.exit_codes import ExitCode

QuietOpt = Annotated[bool, typer.Option(
    "--quiet", "-q", envvar="SECRETSFILE_QUIET", show_envvar=True,
    help="No messages on stderr (warnings and errors are still shown; data on stdout is "
         "unchanged).")]  # the full app's and the scanner entry's global option


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
    if _help_likely(command, args):
        from secretsfile.cli.help_style import polish

        polish(command)
        _plain_help_unless_wanted()

    def invoke() -> int:
        try:
            result = command.main(args=args, prog_name="secretsfile", standalone_mode=False)
        except Abort:
            report("aborted")
            return int(ExitCode.INTERRUPTED)
        except SystemExit as done:  # Typer's completion options end with sys.exit()
            return done.code if isinstance(done.code, int) else int(done.code is not None)
        except TyperException as error:  # bad flags, missing arguments: Click's usage errors
            from secretsfile.cli.help_style import polish

            polish(command)  # the usage line names arguments as --help does (FILE, PATH)
            show = getattr(error, "show", None)
            if callable(show):
                show()
            else:
                report(f"error: {error.format_message()}")
            return int(ExitCode.USAGE)
        return int(result) if isinstance(result, int) else int(ExitCode.OK)

    return guarded(invoke)


def _help_likely(command: object, args: list[str]) -> bool:
    """Whether this run may draw help (``-h``, or a group without its subcommand): only then
    is rich worth importing (the hook's lean path never imports it otherwise)."""
    if "-h" in args or "--help" in args:
        return True
    for token in args:
        commands = getattr(command, "commands", None)
        if not isinstance(commands, dict):
            return False
        if token in commands:
            command = commands[token]
        elif not token.startswith("-"):
            return False
    return isinstance(getattr(command, "commands", None), dict)


def _plain_help_unless_wanted() -> None:
    """Typer draws help with rich: colour on a terminal only already, but ``NO_COLOR`` keeps
    bold and dim there, and ``GITHUB_ACTIONS`` forces colour into a pipe. Any ``NO_COLOR``
    or ``TERM=dumb``, or a pipe without ``FORCE_COLOR``/``PY_COLORS``, gets no escape codes."""
    env = os.environ
    forced = env.get("FORCE_COLOR") or env.get("PY_COLORS")
    plain = bool(env.get("NO_COLOR")) or env.get("TERM") == "dumb"
    if plain or (env.get("GITHUB_ACTIONS") and not forced and not sys.stdout.isatty()):
        colours: Literal["auto"] | None = None  # rich then writes text without any style
    elif "typer.rich_utils" in sys.modules:  # an earlier run in this process (tests)
        colours = "auto"
    else:
        return  # rich is imported only if help is drawn; its default is right
    from typer import rich_utils

    rich_utils.COLOR_SYSTEM = colours
