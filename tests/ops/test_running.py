"""run's machinery without a CLI: --file specs, the child's environment (no key variable
ever inherited), and the hand-off directory removed afterwards."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from secretsfile.errors import UsageError
from secretsfile.ops.running import (
    FileKind,
    FileSpec,
    child_environment,
    handoff,
    parse_file_specs,
)


def test_file_specs() -> None:
    assert parse_file_specs(["gcp-key=GOOGLE_CREDS", "db.password=PGPASSFILE"]) == [
        FileSpec("gcp-key", None, "GOOGLE_CREDS"), FileSpec("db", "password", "PGPASSFILE")]
    assert FileSpec("db", "password", "V").origin == "--file db.password=V"
    for bad in ("noequals", "=VAR", "name=", "name=1BAD", "name=A-B"):
        with pytest.raises(UsageError):
            parse_file_specs([bad])


def test_child_environment_strips_keys_and_keeps_existing() -> None:
    current = {"HOME": "/h", "SECRETSFILE_AGE_KEY_PROD": "AGE-SECRET-KEY-1", "DB": "old",
               "sops_age_key_file": "/k"}
    env, kept = child_environment({"DB": "new", "API": "x"}, False, current)
    assert env == {"HOME": "/h", "DB": "old", "API": "x"} and kept == ["DB"]
    env, kept = child_environment({"DB": "new"}, True, current)
    assert env["DB"] == "new" and kept == []


@pytest.mark.parametrize("kind", list(FileKind))
def test_handoff_files_are_private_and_removed(kind: FileKind) -> None:
    with handoff([("V", b"value")], kind) as paths:
        path = Path(paths["V"])
        assert (path.stat().st_mode & 0o777) == 0o600
        assert path.read_bytes() == b"value"
        if kind is FileKind.fifo and hasattr(os, "mkfifo"):
            assert path.read_bytes() == b"value"  # served again to the next reader
    assert not path.exists() and not path.parent.exists()
