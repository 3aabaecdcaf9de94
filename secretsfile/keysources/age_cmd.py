"""age identities from a command: ``SECRETSFILE_AGE_KEY_CMD``, then sops' ``SOPS_AGE_KEY_CMD``.

As sops 3.11 does: the command line is split like a shell would (``shlex``) but no shell
runs it (no pipes, no ``$VAR``), ``SOPS_AGE_RECIPIENT`` names the recipient being opened,
and its stdout is read like a keys.txt. Unlike sops (which runs it for every age key),
``AgeKeySource.unwrap`` runs it only when the local sources hold no identity that opens
the key, once per (command, recipient) per process. A command that fails, hangs (30 s) or
prints garbage is not fatal: its report says why and joins the key's failure reason. The
command line and its stderr are never shown (either could hold a secret); only the name
of the program is.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from secretsfile.keysources.interface import SourceReport

if TYPE_CHECKING:
    from secretsfile.keysources.age import _Found

CMD_VARIABLES = ("SECRETSFILE_AGE_KEY_CMD", "SOPS_AGE_KEY_CMD")
TIMEOUT = 30.0
_MAX_OUTPUT = 1 << 20
_cache: dict[tuple[str, str, str], _Found] = {}
_lock = threading.Lock()


def configured() -> list[tuple[str, str]]:
    """(variable, command line) for each command variable set, in lookup order."""
    return [(var, os.environ[var]) for var in CMD_VARIABLES if os.environ.get(var, "").strip()]


def clear_cache() -> None:
    _cache.clear()


def from_command(var: str, command: str, recipient: str) -> _Found:
    """What ``command`` gave for ``recipient`` (run once per process)."""
    key = (var, command, recipient)
    with _lock:
        cached = _cache.get(key)
        if cached is None:
            cached = _cache[key] = run(var, command, recipient)
    return cached


def run(var: str, command: str, recipient: str) -> _Found:
    import shlex
    import subprocess

    from secretsfile.keysources.age import _Found, parse_identities

    try:
        argv = shlex.split(command)
    except ValueError as error:
        return _Found(SourceReport(var, f"cannot be split into arguments: {error}"))
    if not argv:
        return _Found(SourceReport(var, "empty command"))
    label = f"{var} ({os.path.basename(argv[0])})"
    env = {**os.environ, "SOPS_AGE_RECIPIENT": recipient}
    try:
        done = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=TIMEOUT, check=False)
    except FileNotFoundError:
        return _Found(SourceReport(label, "command not found"))
    except subprocess.TimeoutExpired:
        return _Found(SourceReport(label, f"timed out after {TIMEOUT:.0f} s"))
    except OSError as error:
        return _Found(SourceReport(label, f"could not run: {error.strerror}"))
    if done.returncode != 0:
        return _Found(SourceReport(label, f"failed: exit status {done.returncode}"))
    if len(done.stdout) > _MAX_OUTPUT:
        return _Found(SourceReport(label, "printed more than 1 MiB"))
    return parse_identities(done.stdout.decode("utf-8", "replace"), label)
