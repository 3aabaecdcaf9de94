"""``secretsfile merge driver %O %A %B %L %P``: the body of git's merge driver, without Typer.

git runs it once per conflicting file of a merge, rebase or cherry-pick, so it is a hot
command (issue 14): declared in ``cli/spec.py``, it runs on the lean parser (no Typer, Click
or rich); the Typer command in ``merge_cmd`` (help, usage errors) takes its signature from the
same declaration and calls ``driver``.
"""

from __future__ import annotations

import os

from secretsfile.cli.quiet import say
from secretsfile.errors import ConflictError, SecretsfileError

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from pathlib import Path  # lean gives Paths; str paths work the same (os.fspath)


def driver(base: Path, ours: Path, theirs: Path, marker_size: int = 7, path: str = "") -> int:
    """Merge key by key into ``ours`` (exit 0), or raise ConflictError naming the key paths
    (exit 1); without a key-level merge, git's line merge of the ciphertext. Parameters:
    ``cli/spec.py`` (git's %O %A %B %L %P; %L and %P may be left out)."""
    from secretsfile._fileio import read_text, write_atomic
    from secretsfile.config.project import load_for
    from secretsfile.ops.merging import Versions, merge_versions

    name = path or str(ours)
    try:
        versions = Versions(read_text(base), read_text(ours), read_text(theirs), name)
        outcome = merge_versions(versions, config=load_for(path or ours))
    except SecretsfileError as error:
        say(f"secretsfile merge driver: {name}: no key-level merge ({error.diagnostics()}); "
            "git merges the encrypted text line by line instead")
        return _git_merge_file(base, ours, theirs, marker_size)
    if outcome.conflicts:
        raise ConflictError(
            f"changed differently on both sides: {', '.join(outcome.conflicts)}; the file "
            "stays as ours (encrypted)", path=name,
            hint=f"finish with 'secretsfile merge resolve {name} --ours', '--theirs' or "
            "'--edit'")
    write_atomic(ours, outcome.text)
    say(f"{name}: merged key by key")
    return 0


def _git_merge_file(base: Path, ours: Path, theirs: Path, marker_size: int) -> int:
    from secretsfile.git.run import run_git_status

    return run_git_status(["merge-file", f"--marker-size={marker_size}", "-L", "ours", "-L",
                           "base", "-L", "theirs", str(ours), str(base), str(theirs)],
                          os.getcwd())
