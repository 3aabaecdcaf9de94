"""``secretsfile hooks install|uninstall``: a plain git pre-commit hook, no framework.

The installed hook runs ``secretsfile scan --staged`` and ``secretsfile check-encrypted
--staged`` and then chains to the hook it replaced, which it keeps as
``pre-commit.legacy`` (restored by ``uninstall``). Like pre-commit, we refuse to install
when ``core.hooksPath`` points elsewhere (another hook manager owns the hooks).
"""

from __future__ import annotations

import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from secretsfile._fileio import write_atomic
from secretsfile.errors import ConflictError
from secretsfile.git.run import GitError, run_git

__all__ = ["HOOK_MARKER", "HookChange", "hook_script", "hooks_dir", "install", "uninstall"]

# v2: the launcher that keeps the repository off sys.path (v1 ran `python -m`); a v1 hook is
# still ours: `secretsfile hooks install` replaces it.
HOOK_MARKER = "# secretsfile-hook v2"
_MARKERS = ("# secretsfile-hook v1", HOOK_MARKER)
HOOK_NAME = "pre-commit"
LEGACY_NAME = "pre-commit.legacy"


@dataclass(frozen=True)
class HookChange:
    hook: Path
    legacy: Path | None  # the previous hook, kept (install) or restored (uninstall)
    changed: bool


def hooks_dir(root: Path) -> Path:
    """The repository's hooks directory (per worktree-aware ``git rev-parse``)."""
    try:
        configured = run_git(["config", "--get", "core.hooksPath"], root).strip()
    except GitError:
        configured = b""  # exit 1: not set
    if configured:
        raise ConflictError(
            "core.hooksPath is set, so another tool manages this repository's hooks",
            hint="add `secretsfile scan --staged` and `secretsfile check-encrypted --staged` to "
            "that tool, or unset core.hooksPath",
        )
    raw = run_git(["rev-parse", "--git-path", "hooks"], root)
    out = raw.decode("utf-8", "surrogateescape").strip()
    path = Path(out)
    return path if path.is_absolute() else (root / path)


# The scanner's entry for `python -E -c`, not `python -m secretsfile.cli.scan`: -m puts the
# working directory (the repository being committed to) first on sys.path, where a re.py,
# enum.py or secretsfile.py at its top would run in place of the real module. -c puts ""
# there, which the launcher drops before importing anything (-P does it only from 3.11 on);
# -E ignores PYTHONPATH, whose empty or "." entry would put it back (and let the
# repository's sitecustomize.py run before the launcher). The interpreter is the one
# secretsfile was installed into (its site-packages, user site included).
LAUNCHER = (
    "import sys\n"
    'if sys.path[:1] == [""]:\n'
    "    del sys.path[0]\n"
    "from secretsfile.cli.scan import main\n"
    "sys.exit(main(fast_exit=True))\n"
)


def hook_script(python: str = sys.executable) -> str:
    """The hook's text: runs this interpreter's secretsfile, else one on PATH; fails closed."""
    quoted = shlex.quote(python)
    launcher = shlex.quote(LAUNCHER)
    return f"""#!/bin/sh
{HOOK_MARKER}: installed by `secretsfile hooks install`, removed by `secretsfile hooks uninstall`.
# Blocks commits that add credentials or plaintext secrets files, then runs the hook it
# replaced (kept as {LEGACY_NAME}). Bypass once with `git commit --no-verify`.
here=$(cd "$(dirname "$0")" && pwd)
if [ -x {quoted} ]; then
    run() {{ {quoted} -E -c {launcher} "$@"; }}
elif command -v secretsfile >/dev/null 2>&1; then
    run() {{ secretsfile "$@"; }}
else
    echo "secretsfile: not found; reinstall it or run 'secretsfile hooks uninstall'" >&2
    exit 1
fi
run scan --staged || exit $?
run check-encrypted --staged || exit $?
if [ -x "$here/{LEGACY_NAME}" ]; then
    exec "$here/{LEGACY_NAME}" "$@"
fi
exit 0
"""


def _is_ours(path: Path) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            head = handle.read(4096)
            return any(marker in head for marker in _MARKERS)
    except OSError:
        return False


def install(root: Path, python: str = sys.executable) -> HookChange:
    """Install (or update) the hook, keeping a foreign hook as ``pre-commit.legacy``."""
    directory = hooks_dir(root)
    directory.mkdir(parents=True, exist_ok=True)
    hook = directory / HOOK_NAME
    legacy = directory / LEGACY_NAME
    kept: Path | None = None
    if (hook.exists() or hook.is_symlink()) and not _is_ours(hook):
        if legacy.exists():
            raise ConflictError(
                f"both {hook.name} (not ours) and {legacy.name} exist",
                path=str(directory),
                hint=f"merge or remove {legacy.name}, then install again",
            )
        os.replace(hook, legacy)
        kept = legacy
    elif legacy.exists():
        kept = legacy
    text = hook_script(python)
    changed = not hook.exists() or hook.read_text(encoding="utf-8", errors="replace") != text
    write_atomic(hook, text, mode=0o755)
    os.chmod(hook, 0o755)  # an existing hook of ours keeps its mode; make sure it runs
    return HookChange(hook, kept, changed)


def uninstall(root: Path) -> HookChange:
    """Remove our hook and put the previous one back; a foreign hook is left alone."""
    directory = hooks_dir(root)
    hook = directory / HOOK_NAME
    legacy = directory / LEGACY_NAME
    if not hook.exists() or not _is_ours(hook):
        return HookChange(hook, None, False)
    hook.unlink()
    restored: Path | None = None
    if legacy.exists():
        os.replace(legacy, hook)
        restored = hook
    return HookChange(hook, restored, True)
