"""``exec-env`` / ``exec-file`` (sops' habits) on any encrypted file, not only a project
environment: its values as the environment of ``sh -c COMMAND``, or its plaintext as a FIFO
(or private 0600 file) whose path replaces ``{}`` in the command.

The values are named as ``decrypt --output-type dotenv`` names them (the dotenv store's
flattening: ``db__password``, ``hosts__0``) and checked against ``run``'s deny-list; key
variables are stripped by ``running.child_environment``. No printing: the CLI reports.
"""

from __future__ import annotations

import os
import subprocess

from secretsfile.core.record import Record
from secretsfile.core.values import Comment, scalar_text
from secretsfile.errors import UsageError, scrubbed
from secretsfile.ops.exporting.denylist import check_variables
from secretsfile.ops.files import open_file
from secretsfile.ops.running import wait_forwarding
from secretsfile.stores import get_store

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from collections.abc import Collection, Mapping
    from pathlib import Path

    from secretsfile.config.project import ProjectConfig


@scrubbed
def file_variables(path: Path, input_type: str | None = None,
                   config: ProjectConfig | None = None, allow: Collection[str] = (),
                   ignore_mac: bool = False) -> dict[str, str]:
    """name -> value of ``path``'s first document, flattened as dotenv output flattens it;
    names checked (deny-list, ``allow``) before values are, values checked after."""
    opened = open_file(path, input_type, False, config, ignore_mac)
    flat = get_store("dotenv").plain_output(opened.plain)[0]
    keys = [str(key) for key in flat if not isinstance(key, Comment)]
    origins = {key: f"key {key!r} of {path}" for key in keys}
    check_variables(dict.fromkeys(keys, ""), origins, allow)
    variables = {str(key): scalar_text(value) for key, value in flat.items()
                 if not isinstance(key, Comment)}
    check_variables(variables, origins, allow)
    return variables


def fill_placeholder(command: str, path: str) -> str:
    """sops' substitution: every ``{}`` in ``command`` becomes ``path``."""
    return command.replace("{}", path)


class RunAs(Record, frozen=True):
    """``--user NAME``: who the command runs as (sops' flag; only root can switch)."""

    name: str
    uid: int
    gid: int
    groups: tuple[int, ...]


def run_as(user: str | None) -> RunAs | None:
    """``--user``'s account, or None. Refused unless we are root, as in sops."""
    if user is None:
        return None
    if os.geteuid() != 0:
        raise UsageError("--user needs root (as in sops): only root can run a command as "
                         "another user", hint=f"run it as that user: sudo -u {user} …")
    import pwd

    try:
        account = pwd.getpwnam(user)
    except KeyError:
        raise UsageError(f"--user {user}: no such user") from None
    groups = tuple(os.getgrouplist(user, account.pw_gid))
    return RunAs(user, account.pw_uid, account.pw_gid, groups)


def run_shell(command: str, environment: Mapping[str, str], user: RunAs | None = None) -> int:
    """``sh -c COMMAND`` (as sops runs it) with ``environment``, as ``user`` if given; its
    exit code (127: no shell), signals passed on."""
    try:
        if user is None:
            child = subprocess.Popen(["sh", "-c", command], env=dict(environment))
        else:
            child = subprocess.Popen(["sh", "-c", command], env=dict(environment),
                                     user=user.uid, group=user.gid,
                                     extra_groups=list(user.groups))
    except FileNotFoundError:
        return 127
    return wait_forwarding(child)
