"""Writers killed with SIGKILL: at a random moment, and at chosen points inside the write
window (temp file written but not yet synced, synced but not yet renamed). After every kill
the file is exactly an old or a new version (it parses, and its MAC verifies), and the next
command leaves no temp file behind. Recipient changes killed between their two writes
converge when the command is run again.

Writers are forked from this process (no interpreter start per kill), so many kills fit in
CI time; a forked writer never returns into pytest (``os._exit``).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import secretsfile
from secretsfile.config.project import load
from secretsfile.keysources import registry
from secretsfile.ops import files
from secretsfile.ops import project as project_ops
from secretsfile.ops.keygen import NewKey, keygen
from tests.ops.conftest import PROD_TOKEN

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork and SIGKILL")

BASE = {f"key{i:03d}": f"value-{i:03d}" for i in range(200)}
WRITER_ROUNDS = 60
RECIPIENT_ROUNDS = 12


def _pause(module: Any, name: str, ready: int) -> None:
    """From now on, calling ``module.name`` tells the parent (one byte on ``ready``) and
    waits there to be killed."""

    def paused(*args: Any, **kwargs: Any) -> None:
        os.write(ready, b"!")
        while True:
            time.sleep(60)

    setattr(module, name, paused)


def _fork(work: Callable[[int], None]) -> tuple[int, int]:
    """Run ``work(ready_fd)`` in a forked child; returns (pid, read end of ready)."""
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        code = 1
        try:
            os.close(ready_r)
            work(ready_w)
            code = 0
        finally:
            os._exit(code)
    os.close(ready_w)
    return pid, ready_r


def _kill(pid: int, ready: int, wait_for_ready: bool, delay: float) -> bool:
    """SIGKILL the child, either where it paused or after ``delay`` seconds; reap it.
    True when the kill interrupted it (False: it had already finished)."""
    try:
        if wait_for_ready:
            paused = os.read(ready, 1) == b"!"  # b"": the child ended without pausing
        else:
            paused = True
            time.sleep(delay)
    finally:
        os.close(ready)
        os.kill(pid, signal.SIGKILL)  # a child that already ended is a zombie until reaped
        _, status = os.waitpid(pid, 0)
    assert paused, "the child failed before reaching its pause"
    if os.WIFEXITED(status):
        assert os.WEXITSTATUS(status) == 0, "the child failed"
        return False
    return os.WTERMSIG(status) == signal.SIGKILL


def _leftovers(directory: Path, *keep: str) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name not in keep)


@pytest.fixture
def secrets_file(tmp_path: Path) -> Iterator[Path]:
    keygen("age")
    folder = tmp_path / "secrets"
    folder.mkdir()
    target = folder / "prod.yaml"
    target.write_text("".join(f"{k}: {v}\n" for k, v in BASE.items()) + "counter: 0\n")
    files.encrypt_file(target, files.EncryptOptions(), in_place=True)
    yield target


def test_sigkill_leaves_the_old_or_the_new_file_and_no_temp_file(secrets_file: Path) -> None:
    folder = secrets_file.parent
    rng = random.Random(20261201)
    last = 0
    for _ in range(WRITER_ROUNDS):
        point = rng.choice(["anywhere", "anywhere", "fsync", "replace"])
        start = last + 1

        def writer(ready: int, point: str = point, start: int = start) -> None:
            if point != "anywhere":
                _pause(os, point, ready)  # only in this child: its first call pauses
            for value in range(start, start + 10_000):
                files.set_value(secrets_file, "counter", value)

        pid, ready = _fork(writer)
        assert _kill(pid, ready, point != "anywhere", rng.uniform(0, 0.04))
        temps = _leftovers(folder, secrets_file.name)
        if point != "anywhere":
            assert len(temps) == 1 and f".secretsfile-{pid}-" in temps[0]

        data = secretsfile.load_file(secrets_file)  # parses, and the MAC verifies
        counter = data.pop("counter")
        assert data == BASE
        if point == "anywhere":
            assert counter >= last  # the child may have completed writes before the kill
        else:
            assert counter == last  # killed inside its first write: the old file
        files.set_value(secrets_file, "counter", counter + 1)  # the next command
        assert _leftovers(folder, secrets_file.name) == []
        last = counter + 1


def test_the_next_cli_command_removes_the_temp_file(secrets_file: Path) -> None:
    """The same through a real ``secretsfile set`` process."""

    def writer(ready: int) -> None:
        _pause(os, "replace", ready)
        files.set_value(secrets_file, "counter", 1)

    pid, ready = _fork(writer)
    assert _kill(pid, ready, True, 0)
    assert len(_leftovers(secrets_file.parent, secrets_file.name)) == 1
    done = subprocess.run(
        [sys.executable, "-m", "secretsfile", "set", str(secrets_file), "counter",
         "--value", "2", "--json"],
        capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert _leftovers(secrets_file.parent, secrets_file.name) == []
    assert secretsfile.load_file(secrets_file)["counter"] == 2


# -- recipients add/remove: two files, killed between (or during) the two writes ----------


@pytest.fixture
def project(prod_project: Path) -> Path:
    return prod_project


def _state(root: Path, teammate: NewKey) -> tuple[bool, bool]:
    """(the file is encrypted for the teammate, the config lists the teammate)."""
    path = root / "secrets" / "prod.yaml"
    in_file = teammate.public in {registry.recipient_id(k) for g in
                                  files.document_of(path).metadata.key_groups for k in g}
    in_config = ("age", teammate.public) in load(override=root / ".secretsfile.yaml"
                                                 ).environment("prod").recipients
    return in_file, in_config


def test_sigkill_between_recipient_writes_converges_on_rerun(
    project: Path, tmp_path: Path
) -> None:
    teammate = keygen("age", tmp_path / "mate.txt")
    config_path = project / ".secretsfile.yaml"
    rng = random.Random(7)
    for _ in range(RECIPIENT_ROUNDS):
        for verb, wanted in ((project_ops.add_recipient, True),
                             (project_ops.remove_recipient, False)):
            between = rng.random() < 0.5

            def change(ready: int, verb: Any = verb, between: bool = between) -> None:
                if between:  # the environment file is written, the config not yet
                    _pause(project_ops, "update_config", ready)
                verb(load(override=config_path), "prod", teammate.public)

            pid, ready = _fork(change)
            if _kill(pid, ready, between, rng.uniform(0, 0.05)):
                if between:
                    assert _state(project, teammate) == (wanted, not wanted)
                if _state(project, teammate) != (wanted, wanted):
                    verb(load(override=config_path), "prod", teammate.public)  # the rerun
            assert _state(project, teammate) == (wanted, wanted)
            assert _leftovers(project / "secrets", "prod.yaml") == []
            assert _leftovers(project, ".git", ".gitignore", ".secretsfile.yaml",
                              "secrets") == []
            assert files.load_file(project / "secrets" / "prod.yaml") == {
                "api-token": PROD_TOKEN}
