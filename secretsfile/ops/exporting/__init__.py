"""Secrets as environment variables for another process: the deny-list and key variables
(``denylist``), and the CI export formats, one module each behind ``base.ExportFormat``.

Adding a format: a module here defining ``FORMAT``, one line in ``_FORMAT_MODULES`` below, and
its tests; ``ci export --format`` lists whatever ``FORMATS`` holds.

Names load on first use: ``exec-env`` and ``run`` need only the deny-list, not the formats
(their dataclasses, ``uuid``, ``platform``) on their start-up path (issue 14).
"""

from __future__ import annotations

from secretsfile._lazy import module

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from typing import Any

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

    FORMATS: dict[str, ExportFormat]

# the format modules, in the order --help lists them; the first is the default
_FORMAT_MODULES = ("github", "gitlab", "dotenv", "json_format")
_HOME = {
    "base": ("ExportFormat", "JobFile", "JobTarget", "Variables", "job_target"),
    "denylist": ("DENIED_VARIABLES", "KEY_VARIABLE_PREFIXES", "DeniedVariableError",
                 "EnvironmentSecrets", "check_variables", "checked_values", "denied_reason",
                 "export_variables", "is_key_variable"),
    "dotenv": ("dotenv_quote",),
    "github": ("github_env_text", "github_masks"),
}
_MODULE_OF = {name: module for module, names in _HOME.items() for name in names}


def _submodule(name: str) -> Any:
    return module(f"{__name__}.{name}")


def __getattr__(name: str) -> Any:
    if name == "FORMATS":
        modules = [_submodule(module) for module in _FORMAT_MODULES]
        formats = {module.FORMAT.name: module.FORMAT for module in modules}
        globals()["FORMATS"] = formats
        return formats
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(_submodule(module), name)
    globals()[name] = value
    return value


def render(variables: Variables, name: str) -> str:
    """The text of format ``name`` (its refusals raised first)."""
    formats: dict[str, ExportFormat] = __getattr__("FORMATS")
    return formats[name].render(variables)


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
