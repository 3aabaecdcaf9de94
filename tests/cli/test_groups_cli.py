"""sops' key-group habits through the CLI: ``groups add`` / ``groups delete`` (stdout by
default, ``-i`` in place), ``--shamir-secret-sharing-threshold`` on encrypt and groups,
``filestatus``; and the progress rule on ``updatekeys`` over many files and ``rotate``
(no bar or escape codes when stderr is not a terminal, nothing at all with ``-q``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyrage
import pytest

from tests.cli.conftest import Runner, init_repo

PLANTED = "grp-cli-PLANTED-9d1"


def _identity(path: Path) -> str:
    identity = pyrage.x25519.Identity.generate()
    path.write_text(f"{identity}\n")
    path.chmod(0o600)
    return str(identity.to_public())


@pytest.fixture
def others(tmp_path: Path) -> tuple[str, str, Path, Path]:
    """Two more people: their recipients and one key file each."""
    b_file, c_file = tmp_path / "b.txt", tmp_path / "c.txt"
    return _identity(b_file), _identity(c_file), b_file, c_file


@pytest.fixture
def enc(run: Runner, age_key: str, tmp_path: Path) -> Path:
    """A file encrypted for my own key (one key group)."""
    path = tmp_path / "s.yaml"
    path.write_text(f"token: {PLANTED}\n")
    assert run("encrypt", "-i", path).code == 0
    return path


def _status(run: Runner, path: Path) -> dict[str, object]:
    result = run("status", "--json", path)
    assert result.code == 0, result.stderr
    return dict(json.loads(result.stdout))


def _one_line(text: str, path: Path) -> None:
    assert len(text.strip().splitlines()) == 1 and str(path) in text
    assert "Traceback" not in text and PLANTED not in text


def test_groups_add_in_place_splits_the_data_key(
    run: Runner, enc: Path, others: tuple[str, str, Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bob, _, bob_key, _ = others
    added = run("groups", "add", "-i", "--file", enc, "--age", bob)
    assert added.code == 0 and added.stdout == "", added.stderr
    info = _status(run, enc)
    assert (info["key_groups"], info["shamir_threshold"]) == (2, 2)
    alone = run("decrypt", enc)  # my key opens group 0 only: 2 of 2 are needed
    assert alone.code != 0 and "Group 1: FAILED" in alone.stderr
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_FILE", str(bob_key))
    assert run("decrypt", enc).stdout == f"token: {PLANTED}\n"


def test_groups_add_prints_the_file_and_keeps_it(
    run: Runner, enc: Path, others: tuple[str, str, Path, Path],
) -> None:
    before = enc.read_bytes()
    added = run("groups", "add", "--file", enc, "--age", others[0])
    assert added.code == 0, added.stderr
    assert enc.read_bytes() == before and PLANTED not in added.output
    assert "key_groups:" in added.stdout and others[0] in added.stdout


def test_threshold_on_groups_add_and_a_delete_below_it(
    run: Runner, enc: Path, others: tuple[str, str, Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bob, carol, bob_key, carol_key = others
    assert run("groups", "add", "-i", "--file", enc, "--age", bob).code == 0
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_FILE", str(bob_key))
    assert run("groups", "add", "-i", "--file", enc, "--age", carol,
               "--shamir-secret-sharing-threshold", "3").code == 0
    assert run("decrypt", enc).code != 0  # 2 of 3 groups open: the threshold is 3
    lowered = run("groups", "delete", "-i", "--file", enc, "2")
    assert lowered.code == 2
    _one_line(lowered.stderr, enc)
    assert "threshold is 3" in lowered.stderr and "--shamir-secret-sharing-threshold 2" in (
        lowered.stderr)
    both = carol_key.with_name("bc.txt")
    both.write_text(bob_key.read_text() + carol_key.read_text())
    both.chmod(0o600)
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_FILE", str(both))
    deleted = run("groups", "delete", "-i", "--file", enc, "--shamir-secret-sharing-threshold",
                  "2", "2")
    assert deleted.code == 0, deleted.stderr
    info = _status(run, enc)
    assert (info["key_groups"], info["shamir_threshold"]) == (2, 2)
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_FILE", str(bob_key))
    assert run("decrypt", enc).stdout == f"token: {PLANTED}\n"
    assert carol not in enc.read_text()


@pytest.mark.parametrize("args", [("delete", "7"), ("delete", "0"), ("add",),
                                  ("add", "--age", "AGE", "--shamir-secret-sharing-threshold",
                                   "3")], ids=["index", "only-group", "no-keys", "threshold"])
def test_bad_group_changes_are_one_line(
    run: Runner, enc: Path, others: tuple[str, str, Path, Path], args: tuple[str, ...],
) -> None:
    before = enc.read_bytes()
    command, *rest = args
    result = run("groups", command, "-i", "--file", enc,
                 *(others[0] if a == "AGE" else a for a in rest))
    assert result.code == 2
    _one_line(result.stderr, enc)
    assert enc.read_bytes() == before


def test_encrypt_threshold_wins_over_the_config(
    run: Runner, age_key: str, others: tuple[str, str, Path, Path], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bob, carol, _, _ = others
    groups = "".join(f"      - age: [{r}]\n" for r in (age_key, bob, carol))
    (tmp_path / ".sops.yaml").write_text(
        f"creation_rules:\n  - shamir_threshold: 3\n    key_groups:\n{groups}")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "g.yaml").write_text(f"token: {PLANTED}\n")
    result = run("encrypt", "--shamir-secret-sharing-threshold", "2", "g.yaml")
    assert result.code == 0, result.stderr
    assert re.search(r"^    shamir_threshold: 2$", result.stdout, re.M)
    too_many = run("encrypt", "--shamir-secret-sharing-threshold", "4", "g.yaml")
    assert too_many.code != 0 and len(too_many.stderr.strip().splitlines()) == 1
    assert "between 2 and 3" in too_many.stderr


def test_filestatus_is_status_json(run: Runner, enc: Path, tmp_path: Path) -> None:
    status = run("filestatus", enc)
    assert status.code == 0 and json.loads(status.stdout) == _status(run, enc)
    assert json.loads(status.stdout)["encrypted"] is True
    plain = tmp_path / "plain.yaml"
    plain.write_text(f"token: {PLANTED}\n")
    assert json.loads(run("filestatus", plain).stdout)["encrypted"] is False
    assert PLANTED not in status.output


def test_updatekeys_and_rotate_progress_stays_off_a_pipe(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    others: tuple[str, str, Path, Path],
) -> None:
    envs = ("dev", "staging", "prod")
    root = init_repo(run, tmp_path, monkeypatch, *envs)
    for env in envs:
        assert run("secret", "set", "token", "--env", env, "--value-stdin",
                   stdin=PLANTED).code == 0
    config = root / ".secretsfile.yaml"
    config.write_text(re.sub(r"(    recipients:\n)", rf"\1      - {others[0]}\n",
                             config.read_text()))
    loud = run("updatekeys")
    assert loud.code == 0, loud.stderr
    assert loud.stderr.count("updated: ") == 3 and "\x1b" not in loud.stderr
    config.write_text(re.sub(r"(    recipients:\n)", rf"\1      - {others[1]}\n",
                             config.read_text()))
    quiet = run("-q", "updatekeys")
    assert quiet.code == 0 and quiet.stderr == "" and quiet.stdout == ""
    assert run("updatekeys", "--check").code == 0
    prod = root / "secrets" / "prod.yaml"
    rotated = run("rotate", prod)
    assert rotated.code == 0 and "\x1b" not in rotated.stderr and "rotated" in rotated.stderr
    assert run("-q", "rotate", prod).stderr == ""
