"""age identities from a command: ``SECRETSFILE_AGE_KEY_CMD``, then sops' ``SOPS_AGE_KEY_CMD``.

As sops 3.11 does: the command line is split like a shell would (``shlex``) but no shell
runs it (no pipes, no ``$VAR``), ``SOPS_AGE_RECIPIENT`` names the recipient being opened,
and its stdout is read like a keys.txt. Unlike sops (which runs it for every age key),
``AgeKeySource.unwrap`` runs it only when the local sources hold no identity that opens
the key, once per (command, recipient) per process. A command that fails, hangs (30 s),
prints more than 1 MiB on stdout or 64 KiB on stderr (it is killed as soon as it does:
``bounded_run``) or prints garbage is not fatal: its report says why and joins the key's
failure reason. The command line and its stderr are never shown (either could hold a
secret); only the name of the program is.
"""

from __future__ import annotations

import os
import threading

from secretsfile.keysources.interface import SourceReport

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from secretsfile.keysources.age import _Found

CMD_VARIABLES = ("SECRETSFILE_AGE_KEY_CMD", "SOPS_AGE_KEY_CMD")
TIMEOUT = 30.0  # seconds
MAX_OUTPUT = 1 << 20  # stdout: a keys.txt
MAX_STDERR = 64 << 10  # never shown; a command printing more is killed
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

    from secretsfile.keysources import bounded_run
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
        done = bounded_run.run(argv, env=env, timeout=TIMEOUT, max_stdout=MAX_OUTPUT,
                               max_stderr=MAX_STDERR)
    except FileNotFoundError:
        return _Found(SourceReport(label, "command not found"))
    except OSError as error:
        return _Found(SourceReport(label, f"could not run: {error.strerror}"))
    except bounded_run.TimedOut:
        return _Found(SourceReport(label, f"timed out after {TIMEOUT:g} s"))
    except bounded_run.TooMuchOutput as error:  # killed as soon as it printed too much
        return _Found(SourceReport(label, f"{error} (stopped)"))
    if done.code != 0:
        return _Found(SourceReport(label, f"failed: exit status {done.code}"))
    return parse_identities(done.stdout.decode("utf-8", "replace"), label)
