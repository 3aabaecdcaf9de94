"""One pass over the built command tree that makes ``--help`` read the same everywhere.

Docstrings are wrapped at the source's width; rich keeps those line breaks, which breaks
sentences mid-line at any other terminal width. ``polish`` rejoins each paragraph (a
paragraph whose lines are indented, or start with ``$``, ``-`` or ``•``, is kept as
written: examples and lists), gives every value a placeholder of one vocabulary (``FILE``,
``DIR``, ``N``, ``TEXT``; arguments by their upper-cased name) and adds each group's
examples as its epilog.
"""

from __future__ import annotations

from typing import Any

# Examples per command group (the top level is ""): each line is a real command line,
# checked against the command tree by tests/cli/test_help_style.py.
EXAMPLES: dict[str, tuple[str, ...]] = {
    "": (
        "secretsfile init",
        "secretsfile secret set db-password --env dev",
        "secretsfile run --env dev -- python train.py",
        "secretsfile decrypt secrets/prod.yaml --extract '[\"db\"][\"password\"]'",
    ),
    "env": (
        "secretsfile env list --json",
        "secretsfile env add staging",
        "secretsfile env rename staging stage",
    ),
    "recipients": (
        "secretsfile recipients list --json",
        "secretsfile recipients add prod age1… --name alice",
        "secretsfile recipients remove prod alice",
    ),
    "secret": (
        "secretsfile secret create app-db --schema postgres -i --env dev",
        "secretsfile secret list --env dev",
        "secretsfile secret get app-db --env dev --json",
        "secretsfile secret copy app-db --from staging --to prod",
    ),
    "sync": (
        "secretsfile sync push --env prod --to vault://vault.internal:8200/secret/myapp",
        "secretsfile sync diff --env prod --with awssm://eu-west-1/myapp",
        "secretsfile sync pull --env prod --from awssm://eu-west-1/myapp --dry-run",
    ),
    "schema": ("secretsfile schema list", "secretsfile schema show postgres --json"),
    "git": ("secretsfile git setup", "git diff secrets/prod.yaml"),
    "merge": ("secretsfile merge resolve secrets/prod.yaml",),
    "ci": ("secretsfile ci export --env prod --format github",),
    "hooks": ("secretsfile hooks install", "secretsfile hooks uninstall"),
    "keysources": ("secretsfile keysources list --json",),
    "groups": ("secretsfile groups add -i --file secrets/prod.yaml --age age1…",
               "secretsfile groups delete -i --file secrets/prod.yaml 1"),
}


def reflow(text: str) -> str:
    """``text`` with each prose paragraph on one line (see the module docstring)."""
    paragraphs = text.strip("\n").split("\n\n")
    return "\n\n".join(p if _verbatim(p) else " ".join(line.strip() for line in p.split("\n"))
                       for p in paragraphs)


def _verbatim(paragraph: str) -> bool:
    lines = paragraph.split("\n")
    return paragraph.startswith("\b") or any(
        line[:1] in (" ", "\t") or line.lstrip().startswith(("$ ", "- ", "• ")) for line in lines
    )


def examples_epilog(group: str) -> str | None:
    lines = EXAMPLES.get(group)
    if not lines:
        return None
    return "Examples:\n" + "\n".join(f"  $ {line}" for line in lines)


def polish(command: Any, group: str = "") -> None:
    """Apply the help rules to ``command`` (a click command or group) and its subcommands."""
    if command.help:
        command.help = reflow(command.help)
    subcommands = getattr(command, "commands", None)
    if subcommands is not None and not command.epilog:
        command.epilog = examples_epilog(group)
    for param in command.params:
        _placeholder(param)
        if getattr(param, "help", None):
            param.help = reflow(param.help)
    for name, sub in (subcommands or {}).items():
        polish(sub, name if not group else f"{group} {name}")


def _placeholder(param: Any) -> None:
    """A default placeholder for a value without one: FILE/DIR for paths, N for numbers,
    TEXT otherwise; arguments by their name (``FILE``, ``NAME``)."""
    if param.metavar is not None or getattr(param, "is_flag", False):
        return
    if param.param_type_name == "argument":
        param.metavar = (param.name or "value").upper()
        return
    type_name = getattr(param.type, "name", "")
    if type_name in ("path", "file"):
        only_dirs = getattr(param.type, "dir_okay", True) and not getattr(
            param.type, "file_okay", True)
        param.metavar = "DIR" if only_dirs else "FILE"
    elif type_name in ("integer", "int", "float"):
        param.metavar = "N"
    elif type_name in ("text", "string", "str"):
        param.metavar = "TEXT"
