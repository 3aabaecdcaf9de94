"""``recipients add/remove`` write the environment file, then the config: a crash between
the two leaves them disagreeing, and running the same command again must finish the job
(from either half-done state), never fail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from secretsfile.config.project import ProjectConfig, load
from secretsfile.errors import SecretsfileError, UsageError
from secretsfile.keysources import registry
from secretsfile.ops import files, rekey
from secretsfile.ops import project as project_ops
from secretsfile.ops.keygen import NewKey, keygen
from tests.ops.conftest import PROD_TOKEN as PLANTED


class Crash(BaseException):
    """Stands for a kill: nothing after it runs."""


@pytest.fixture
def root(prod_project: Path) -> Path:
    return prod_project


@pytest.fixture
def mate(tmp_path: Path) -> NewKey:
    return keygen("age", tmp_path / "mate.txt")


def _config(root: Path) -> ProjectConfig:
    return load(override=root / ".secretsfile.yaml")


def _state(root: Path, key: NewKey) -> tuple[bool, bool]:
    """(the file is encrypted for ``key``, the config lists ``key``)."""
    groups = files.document_of(root / "secrets" / "prod.yaml").metadata.key_groups
    in_file = key.public in {registry.recipient_id(k) for group in groups for k in group}
    return in_file, ("age", key.public) in _config(root).environment("prod").recipients


def _crash_before_config_write(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*args: Any) -> bool:
        raise Crash

    monkeypatch.setattr(project_ops, "update_config", crash)


def test_add_interrupted_before_the_config_finishes_on_rerun(
    root: Path, mate: NewKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        _crash_before_config_write(patch)
        with pytest.raises(Crash):
            project_ops.add_recipient(_config(root), "prod", mate.public)
    assert _state(root, mate) == (True, False)
    change = project_ops.add_recipient(_config(root), "prod", mate.public)
    assert (change.config_changed, change.file_changed) == (True, False)
    assert _state(root, mate) == (True, True)


def test_remove_interrupted_before_the_config_finishes_on_rerun(
    root: Path, mate: NewKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    project_ops.add_recipient(_config(root), "prod", mate.public)
    with monkeypatch.context() as patch:
        _crash_before_config_write(patch)
        with pytest.raises(Crash):
            project_ops.remove_recipient(_config(root), "prod", mate.public)
    assert _state(root, mate) == (False, True)
    change = project_ops.remove_recipient(_config(root), "prod", mate.public)  # used to fail
    assert change.config_changed and change.rotated
    assert _state(root, mate) == (False, False)
    assert files.load_file(root / "secrets" / "prod.yaml") == {"api-token": PLANTED}


def test_remove_of_a_recipient_only_the_file_has(root: Path, mate: NewKey) -> None:
    """An interrupted ``add`` (or a hand-run updatekeys): the file lets the key in, the
    config does not say so. ``remove`` must still take it out."""
    prod = root / "secrets" / "prod.yaml"
    rekey.updatekeys(prod, rekey.KeyChange(add=(project_ops._recipient(mate.public),)))
    assert _state(root, mate) == (True, False)
    before = prod.read_text()
    change = project_ops.remove_recipient(_config(root), "prod", mate.public)
    assert change.rotated and not change.config_changed
    assert _state(root, mate) == (False, False)
    assert PLANTED not in prod.read_text() and before != prod.read_text()


def test_add_of_a_recipient_only_the_config_lists(root: Path, mate: NewKey) -> None:
    project_ops.update_config(root / ".secretsfile.yaml", project_ops.adding(
        "prod", project_ops._recipient(mate.public), mate.public))
    assert _state(root, mate) == (False, True)
    change = project_ops.add_recipient(_config(root), "prod", mate.public)
    assert (change.config_changed, change.file_changed) == (False, True)
    assert _state(root, mate) == (True, True)


def test_done_states_are_stable(root: Path, mate: NewKey) -> None:
    project_ops.add_recipient(_config(root), "prod", mate.public)
    again = project_ops.add_recipient(_config(root), "prod", mate.public)
    assert not (again.config_changed or again.file_changed)
    project_ops.remove_recipient(_config(root), "prod", mate.public)
    with pytest.raises(UsageError, match="is not a recipient of prod"):  # likely a typo
        project_ops.remove_recipient(_config(root), "prod", mate.public)
    assert _state(root, mate) == (False, False)


def test_a_failed_file_step_changes_neither(
    root: Path, mate: NewKey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a key for the file, nothing is written: not even the config."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "no-keys"))
    monkeypatch.setenv("HOME", str(tmp_path / "no-home"))
    config_before = (root / ".secretsfile.yaml").read_text()
    with pytest.raises(SecretsfileError) as caught:
        project_ops.add_recipient(_config(root), "prod", mate.public)
    assert PLANTED not in str(caught.value)
    assert (root / ".secretsfile.yaml").read_text() == config_before
    assert _state(root, mate) == (False, False)
