"""Secrets as environment variables for another process: the deny-list and key variables
(``denylist``), and the CI export formats, one module each behind ``base.ExportFormat``.

Adding a format: a module here defining ``FORMAT``, one line in ``FORMATS`` below, and its
tests; ``ci export --format`` lists whatever this registry holds.
"""

from __future__ import annotations

from secretsfile.ops.exporting import dotenv, github, gitlab, json_format
from secretsfile.ops.exporting.base import (
    ExportFormat,
    JobFile,
    JobTarget,
    Variables,
    job_target,
)
from secretsfile.ops.exporting.denylist import (
    DENIED_VARIABLES,
    KEY_VARIABLE_PREFIXES,
    DeniedVariableError,
    EnvironmentSecrets,
    check_variables,
    checked_values,
    denied_reason,
    export_variables,
    is_key_variable,
)
from secretsfile.ops.exporting.dotenv import dotenv_quote
from secretsfile.ops.exporting.github import github_env_text, github_masks

# name -> format, in the order --help lists them; the first is the default.
FORMATS: dict[str, ExportFormat] = {fmt.name: fmt for fmt in (
    github.FORMAT,
    gitlab.FORMAT,
    dotenv.FORMAT,
    json_format.FORMAT,
)}


def render(variables: Variables, name: str) -> str:
    """The text of format ``name`` (its refusals raised first)."""
    return FORMATS[name].render(variables)


__all__ = [
    "DENIED_VARIABLES",
    "FORMATS",
    "KEY_VARIABLE_PREFIXES",
    "DeniedVariableError",
    "EnvironmentSecrets",
    "ExportFormat",
    "JobFile",
    "JobTarget",
    "Variables",
    "check_variables",
    "checked_values",
    "denied_reason",
    "dotenv_quote",
    "export_variables",
    "github_env_text",
    "github_masks",
    "is_key_variable",
    "job_target",
    "render",
]
