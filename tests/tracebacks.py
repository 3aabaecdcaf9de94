"""What a tool that records traceback locals (Sentry, rich, ``pytest -l``) would store."""

from __future__ import annotations

import traceback
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parent)


def recorded_locals(error: BaseException) -> str:
    """``repr()`` of every local of every frame of ``error``'s traceback and of the
    exceptions chained to it, except the tests' own frames (they hold the planted values)."""
    lines: list[str] = []
    seen: set[int] = set()
    pending: list[BaseException | None] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        lines.append(repr(current))
        for frame, _ in traceback.walk_tb(current.__traceback__):
            if frame.f_code.co_filename.startswith(_TESTS):
                continue
            lines += [f"{frame.f_code.co_name}: {name}={value!r}"
                      for name, value in frame.f_locals.items()]
        pending += [current.__cause__, current.__context__]
    return "\n".join(lines)
