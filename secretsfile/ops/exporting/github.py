"""GitHub Actions: values appended to ``$GITHUB_ENV`` as heredocs, masked first."""

from __future__ import annotations

import uuid

from secretsfile.errors import UsageError
from secretsfile.ops.exporting.base import ExportFormat, JobFile, Variables


def _mask_escape(text: str) -> str:
    """The workflow-command escaping of @actions/core (escapeData)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def github_masks(variables: Variables) -> str:
    """One ``::add-mask::`` line per value, and per line of a multi-line value."""
    lines: list[str] = []
    seen: set[str] = set()
    for value in variables.values():
        parts = [value, *value.splitlines()] if ("\n" in value or "\r" in value) else [value]
        for part in parts:
            if part.strip() and part not in seen:
                seen.add(part)
                lines.append(f"::add-mask::{_mask_escape(part)}\n")
    return "".join(lines)


def check_github(variables: Variables) -> None:
    """What ``$GITHUB_ENV`` cannot carry unchanged."""
    for name, value in variables.items():
        if value.endswith("\r"):
            raise UsageError(f"{name}: a value ending in a carriage return cannot pass "
                             "through GITHUB_ENV unchanged", hint="use 'secretsfile run'")


def github_env_text(variables: Variables) -> str:
    """``NAME<<DELIM`` heredocs for ``$GITHUB_ENV``, each with a fresh random delimiter
    that occurs in neither the name nor the value."""
    chunks = []
    for name, value in variables.items():
        while True:
            delimiter = f"ghadelimiter_{uuid.uuid4()}"
            if delimiter not in value and delimiter not in name:
                break
        chunks.append(f"{name}<<{delimiter}\n{value}\n{delimiter}\n")
    return "".join(chunks)


def render(variables: Variables) -> str:
    check_github(variables)
    return github_env_text(variables)


FORMAT = ExportFormat(
    name="github",
    summary="::add-mask:: every value on stdout, then append to $GITHUB_ENV.",
    render=render,
    job_file=JobFile("GITHUB_ENV", "a GitHub Actions step", outputs="GITHUB_OUTPUT"),
)
