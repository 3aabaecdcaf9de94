"""Where a command may write plaintext it was asked to write to a file (``decrypt -o``,
``render -o``, ``ci export -o``): never over an encrypted file (``decrypt F -o F`` would
replace the ciphertext with the secrets in clear), never where the project says files must
be encrypted. The second rule is ``check-encrypted``'s policy, read the same way, so the
two never disagree. Neither check needs a key.
"""

from __future__ import annotations

from pathlib import Path

from secretsfile.cli.common import write_output
from secretsfile.errors import UsageError


def refuse_plaintext_target(path: Path) -> None:
    """A UsageError (exit 2) when plaintext must not be written to ``path``."""
    from secretsfile.ops.guard import check_file

    if path.is_file() and check_file(path).encrypted:
        raise UsageError(
            "refusing to write plaintext over an encrypted file", path=str(path),
            hint="write to another path or to stdout",
        )
    from secretsfile.config.project import guard_sources
    from secretsfile.git.sources import find_repo_root
    from secretsfile.ops.guard_policy import load_policy

    start = _policy_start(path)
    policy, _ = load_policy(guard_sources(start), start, find_repo_root(start))
    if policy.requires(path):
        raise UsageError(
            "refusing to write plaintext where files must be encrypted", path=str(path),
            hint=f"check-encrypted requires it ({_origin(policy.origin)}); write elsewhere "
            "or to stdout",
        )


def _origin(origin: str) -> str:
    return "its built-in patterns" if origin == "default" else origin


def _policy_start(path: Path) -> Path:
    """Where check-encrypted would look from: the working directory when the target is
    inside it (the same project, the same default patterns), else the target's directory
    (the project that governs it)."""
    cwd = Path.cwd()
    target = path.resolve()
    return cwd if target.is_relative_to(cwd.resolve()) else target.parent


def write_plaintext(text: str, output: Path | None) -> None:
    """``text`` to stdout, or to ``output`` (mode 0600) once the checks above pass."""
    if output is not None:
        refuse_plaintext_target(output)
    write_output(text, output)
