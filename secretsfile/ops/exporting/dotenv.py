"""dotenv files: ``KEY='quoted'`` lines, safe to source with ``set -a; . FILE``."""

from __future__ import annotations

from secretsfile.ops.exporting.base import ExportFormat, Variables


def dotenv_quote(value: str) -> str:
    """``value`` quoted so that ``set -a; . FILE`` (sh, dash, bash, zsh) yields exactly it and
    runs nothing, while dotenv readers (python-dotenv, direnv) read the same value whenever
    the value allows it.

    1. No ``'`` and no ``\\``: single quotes, inside which every reader takes every
       character (newlines included) literally.
    2. No ``$``, no backtick, no ``\\`` at the end: double quotes, escaping only ``\\`` and
       ``"``; the shell and python-dotenv both undo exactly those two escapes, and nothing is
       left to expand (python-dotenv misreads an escaped backslash before the closing quote).
    3. Otherwise the POSIX form ``'it'\\''s'``: exact in every shell, which is the contract;
       dotenv libraries do not read it (the README says so).
    """
    if "'" not in value and "\\" not in value:
        return f"'{value}'"
    if "$" not in value and "`" not in value and not value.endswith("\\"):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return "'" + value.replace("'", "'\\''") + "'"


def render(variables: Variables) -> str:
    return "".join(f"{name}={dotenv_quote(value)}\n" for name, value in variables.items())


FORMAT = ExportFormat(
    name="dotenv",
    summary="KEY='quoted' lines, safe to source with 'set -a; . FILE'.",
    render=render,
)
