"""``secretsfile git textconv [--redact] FILE``: git's diff driver, on the lean path (no Typer).

git runs it once per side of every diff of a file marked ``diff=secretsfile``, so it
starts the way ``decrypt`` does (no Typer, no rich). It never fails a diff: without a
key, or on any error, it prints its input unchanged and exits 0 (an error other than a
missing key or a plaintext file is named in one line on stderr, never a traceback).

Redaction: ``--redact``, ``SECRETSFILE_REDACT_DIFFS=1``, or ``git: {redact_diffs: true}``
in the project config.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Parameters: cli/spec.py; the lean parser (cli/lean.py) runs ``textconv`` without Typer.
_TRUE = ("1", "true", "yes", "on")


def redact_configured() -> bool:
    """The environment variable, else the project config's ``git.redact_diffs``; always
    inside ``git commit`` (``-v`` / ``commit.verbose`` writes the diff into
    ``.git/COMMIT_EDITMSG``, which stays on disk)."""
    if os.environ.get("SECRETSFILE_REDACT_DIFFS", "").strip().lower() in _TRUE:
        return True
    if _inside_git_commit():
        return True
    from secretsfile.config.project import load

    section = load().raw.get("git")
    return isinstance(section, dict) and section.get("redact_diffs") is True


def _inside_git_commit(levels: int = 4) -> bool:
    """Whether an ancestor process (git runs textconv directly or through sh) is
    ``git commit``: read from /proc on Linux; elsewhere assume not."""
    pid = os.getppid()
    for _ in range(levels):
        try:
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            status = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return False
        names = [Path(a.decode("utf-8", "replace")).name for a in argv if a]
        if names and names[0] == "git" and "commit" in names[1:]:
            return True
        pid = int(status[1])  # the parent's pid
        if pid <= 1:
            return False
    return False


def _say(message: str) -> None:
    # Every message here names a problem (the diff still shows the file as is): a warning,
    # which --quiet / SECRETSFILE_QUIET keep, like every command's warnings.
    from secretsfile.cli.quiet import say

    say(f"warning: secretsfile git textconv: {message} (showing the file as is)")


def textconv(file: str, redact: bool) -> int:
    """Print ``file`` as key lines, or unchanged; always exit 0."""
    try:
        raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
    except OSError as error:
        _say(f"cannot read {file}: {error.strerror}")
        return 0
    text: str | None = None
    try:
        redact = redact or redact_configured()
        from secretsfile.ops.textconv import convert

        result = convert(raw.decode("utf-8"), file, redact)
        text = result.text
        if result.reason:
            _say(result.reason)
    except UnicodeDecodeError:
        pass  # not text: not an encrypted file
    except Exception as error:  # a broken config, ...: never fail the diff
        from secretsfile.errors import SecretsfileError

        _say(error.message if isinstance(error, SecretsfileError)
             else f"unexpected {type(error).__name__}")
    try:
        from secretsfile.cli.boundary import write_stdout

        # raw bytes travel as surrogate escapes: write_stdout gives back the same bytes
        write_stdout(raw.decode("utf-8", "surrogateescape") if text is None else text)
    except BrokenPipeError:
        pass
    return 0

