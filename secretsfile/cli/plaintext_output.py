"""Where a command may write plaintext it was asked to write to a file (``decrypt -o``,
``render -o``, ``ci export -o``): never over an encrypted file (``decrypt F -o F`` would
replace the ciphertext with the secrets in clear), never where the project says files must
be encrypted. The second rule is ``check-encrypted``'s policy, read the same way, so the
two never disagree. Neither check needs a key.
"""

from __future__ import annotations

import os

from secretsfile._paths import is_within
from secretsfile.cli.common import write_output
from secretsfile.errors import UsageError


def refuse_plaintext_target(path: str | os.PathLike[str]) -> None:
    """A UsageError (exit 2) when plaintext must not be written to ``path``."""
    from pathlib import Path  # only when writing a file: decrypt to stdout never loads it

    from secretsfile.ops.guard import check_file

    path = Path(path)
    if path.is_file() and check_file(path).encrypted:
        raise UsageError(
            "refusing to write plaintext over an encrypted file", path=str(path),
            hint="write to another path or to stdout",
        )
    from secretsfile.config.project import guard_sources
    from secretsfile.git.sources import find_repo_root
    from secretsfile.ops.guard_policy import load_policy

    start = Path(_policy_start(path))
    policy, _ = load_policy(guard_sources(start), start, find_repo_root(start))
    if policy.requires(path):
        raise UsageError(
            "refusing to write plaintext where files must be encrypted", path=str(path),
            hint=f"check-encrypted requires it ({_origin(policy.origin)}); write elsewhere "
            "or to stdout",
        )


def _origin(origin: str) -> str:
    return "its built-in patterns" if origin == "default" else origin


def _policy_start(path: str | os.PathLike[str]) -> str:
    """Where check-encrypted would look from: the working directory when the target is
    inside it (the same project, the same default patterns), else the target's directory
    (the project that governs it)."""
    cwd = os.getcwd()
    target = os.path.realpath(path)
    return cwd if is_within(target, os.path.realpath(cwd)) else os.path.dirname(target)


def write_plaintext(text: str, output: str | os.PathLike[str] | None) -> None:
    """``text`` to stdout, or to ``output`` (mode 0600) once the checks above pass."""
    if output is not None:
        refuse_plaintext_target(output)
    write_output(text, output)
