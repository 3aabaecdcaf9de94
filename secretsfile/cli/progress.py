"""Progress on long work (scan --history, updatekeys over many files, rotate, sync).

One rule for every command: a rich progress bar on stderr only when stderr is a terminal,
never with ``--quiet`` or ``NO_COLOR``/``TERM=dumb`` (a script's stderr stays plain lines).
Ops report through a plain callback (``Advance``) and never import rich.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from secretsfile.cli.quiet import is_quiet

Advance = Callable[[str], None]  # called once per unit of work done, with what was done


def wanted() -> bool:
    """Whether a live bar may be drawn on stderr in this run."""
    if is_quiet() or os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    return sys.stderr.isatty()


@contextmanager
def progress(description: str, total: int | None) -> Iterator[Advance]:
    """A callback to call once per unit of work (a file, a commit); a bar when ``wanted()``,
    otherwise nothing (the command's own summary line says what was done)."""
    if not wanted():
        yield _ignore
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)

        def advance(_done: str) -> None:  # the item's name is not shown: it could be long
            bar.advance(task)

        yield advance


def _ignore(_done: str) -> None:
    return None
