"""Where ``secretsfile scan`` puts its report: a file, coloured findings on a terminal, or
the plain rendering. Colour only when stdout is a terminal, never with ``NO_COLOR`` (any
non-empty value) or ``TERM=dumb``."""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing stays unloaded at run time (the hook's start-up)
if TYPE_CHECKING:
    from secretsfile._fileio import StrPath
    from secretsfile.scanner.report import Report


def use_colour() -> bool:
    return (
        sys.stdout is not None and sys.stdout.isatty()
        and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    )  # fmt: skip


def write_report(report: Report, fmt: str, output: StrPath | None) -> None:
    """``report`` rendered as ``fmt`` into ``output``, else on stdout."""
    from secretsfile.scanner.report import render

    if output is not None:
        from secretsfile._fileio import write_atomic

        write_atomic(output, render(report, fmt))
    elif fmt == "text" and use_colour():
        _print_coloured(report)
    else:
        from secretsfile.cli.boundary import write_stdout

        write_stdout(render(report, fmt))


def _print_coloured(report: Report) -> None:
    from rich.console import Console
    from rich.markup import escape

    from secretsfile.scanner.report import text_lines

    console = Console(highlight=False, soft_wrap=True)
    for where, rule, secret, description in text_lines(report):
        console.print(
            f"[bold]{escape(where)}[/bold] [red]{escape(rule)}[/red] "
            f"[yellow]{escape(secret)}[/yellow] [dim]{escape(description)}[/dim]"
        )
