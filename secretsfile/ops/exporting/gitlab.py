"""GitLab dotenv reports: ``KEY=value`` lines, only for values inert to a shell."""

from __future__ import annotations

import re

from secretsfile.errors import UsageError
from secretsfile.ops.exporting.base import ExportFormat, Variables

# Characters that mean nothing to a shell in the value of an unquoted assignment
# (NAME=value): GitLab reads report values as written, so they cannot be quoted.
_SHELL_ACTIVE = re.compile(r"""[\s'"\\$`|&;<>()~]|[\x00-\x1f\x7f]""")


def check_gitlab(variables: Variables) -> None:
    """GitLab's dotenv reports keep quotes and backslashes as written and hold one line, so
    a value is exported only if it is the same unquoted to GitLab and to a shell."""
    unsafe = [name for name, value in variables.items() if _SHELL_ACTIVE.search(value)]
    if unsafe:
        raise UsageError(
            f"cannot write {', '.join(unsafe)} as a GitLab dotenv report: GitLab reads values "
            "unquoted and on one line, and these hold whitespace, quotes, a backslash or "
            "characters a shell would run ($, `, ;, |, &, <, >, parentheses, ~)",
            hint="use 'secretsfile run', or --format dotenv (quoted) for a file to source")


def render(variables: Variables) -> str:
    check_gitlab(variables)
    return "".join(f"{name}={value}\n" for name, value in variables.items())


FORMAT = ExportFormat(
    name="gitlab",
    summary="KEY=value lines, for values that are the same unquoted to GitLab and to a shell.",
    render=render,
    note="GitLab does not mask values decrypted in a job, and dotenv report artifacts are "
    "stored and downloadable; prefer 'secretsfile run'",
)
