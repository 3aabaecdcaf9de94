"""dotenv files: ``KEY='quoted'`` lines, safe to source with ``set -a; . FILE``."""

from __future__ import annotations

from secretsfile.core.quoting import quoted_value
from secretsfile.ops.exporting.base import ExportFormat, Variables


def dotenv_quote(value: str) -> str:
    """``value`` always quoted (``stores.dotenv_store.quoted_value``): ``set -a; . FILE`` in
    sh, dash, bash or zsh yields exactly it and runs nothing; dotenv readers (python-dotenv,
    direnv) read the same value except in the POSIX ``'it'\\''s'`` form (the README says so)."""
    return quoted_value(value, always=True)


def render(variables: Variables) -> str:
    return "".join(f"{name}={dotenv_quote(value)}\n" for name, value in variables.items())


FORMAT = ExportFormat(
    name="dotenv",
    summary="KEY='quoted' lines, safe to source with 'set -a; . FILE'.",
    render=render,
)
