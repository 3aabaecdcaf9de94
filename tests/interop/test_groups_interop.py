"""sops' key-group habits, the same command line on the sops binary and on secretsfile:
``groups add`` / ``groups delete`` (stdout by default, ``-i`` in place, the threshold
refusal), ``--shamir-secret-sharing-threshold`` on encrypt over ``.sops.yaml`` key groups,
and ``filestatus``. Each side's output opens with the other tool."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from secretsfile.cli.main import main
from secretsfile.ops.inspect import status

from .conftest import AgeKey, Sops

PLANTED = "grp-PLANTED-5150"
PLAIN = f"token: {PLANTED}\n"


def _ours(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _shape(path: Path) -> tuple[int, int, list[tuple[str, str]]]:
    """What both tools must agree on: groups, threshold, each group's recipients."""
    info = status(path)
    return (info.key_groups, info.shamir_threshold,
            [(r["group"], r["id"]) for r in info.recipients])


@pytest.fixture
def keys_all(key_file_for: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Both tools hold all three identities."""
    path: Path = key_file_for(0, 1, 2)
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_FILE", str(path))
    return path


@pytest.fixture
def two_groups(sops: Sops, age_keys: list[AgeKey], keys_all: Path, tmp_path: Path) -> Path:
    """A sops file with key groups [key 0], [key 1] (threshold 2, written by sops)."""
    plain = tmp_path / "s.yaml"
    plain.write_text(PLAIN)
    path = tmp_path / "two.yaml"
    path.write_text(sops.encrypt(plain, recipient=age_keys[0].recipient))
    sops.run("groups", "add", "-i", "--file", path, "--age", age_keys[1].recipient,
             key_file=keys_all)
    return path


def _pair(path: Path) -> tuple[Path, Path]:
    theirs, ours = path.with_name("theirs.yaml"), path.with_name("ours.yaml")
    shutil.copy(path, theirs)
    shutil.copy(path, ours)
    return theirs, ours


def test_groups_add_prints_the_new_file_like_sops(
    sops: Sops, capsys: pytest.CaptureFixture[str], two_groups: Path, age_keys: list[AgeKey],
    keys_all: Path, key_file_for: Any,
) -> None:
    theirs, ours = _pair(two_groups)
    before = two_groups.read_bytes()
    args = ("groups", "add", "--file", "FILE", "--age", age_keys[2].recipient,
            "--shamir-secret-sharing-threshold", "2")
    done = sops.run(*(str(theirs) if a == "FILE" else a for a in args), key_file=keys_all)
    code, out, err = _ours(capsys, *(str(ours) if a == "FILE" else a for a in args))
    assert code == 0, err
    assert theirs.read_bytes() == ours.read_bytes() == before  # stdout only, on both
    (theirs.parent / "t-out.yaml").write_text(done.stdout)
    (ours.parent / "o-out.yaml").write_text(out)
    assert _shape(theirs.parent / "t-out.yaml") == _shape(ours.parent / "o-out.yaml")
    assert _shape(ours.parent / "o-out.yaml")[:2] == (3, 2)
    # 2 of 3: the last two groups open each side's output, in the other tool
    for path in (theirs.parent / "t-out.yaml", ours.parent / "o-out.yaml"):
        assert sops.decrypt(path, key_file=key_file_for(1, 2)) == PLAIN
    assert PLANTED not in out + err + done.stdout + done.stderr


def test_groups_delete_in_place_like_sops(
    sops: Sops, capsys: pytest.CaptureFixture[str], two_groups: Path, keys_all: Path,
    key_file_for: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    theirs, ours = _pair(two_groups)
    flags = ("-i", "--shamir-secret-sharing-threshold", "1", "1")
    done = sops.run("groups", "delete", "--file", theirs, *flags, key_file=keys_all)
    code, out, err = _ours(capsys, "groups", "delete", "--file", ours, *flags)
    assert code == 0, err
    assert done.stdout == out == ""
    assert _shape(theirs) == _shape(ours) == (1, 1, [("0", _shape(two_groups)[2][0][1])])
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_FILE", str(key_file_for(0)))
    assert sops.decrypt(ours, key_file=key_file_for(0)) == PLAIN
    assert _ours(capsys, "decrypt", theirs)[1] == PLAIN


def test_a_delete_below_the_threshold_is_refused_like_sops(
    sops: Sops, capsys: pytest.CaptureFixture[str], two_groups: Path, keys_all: Path,
) -> None:
    theirs, ours = _pair(two_groups)
    before = two_groups.read_bytes()
    done = sops.run("groups", "delete", "-i", "--file", theirs, "1", check=False,
                    key_file=keys_all)
    code, out, err = _ours(capsys, "groups", "delete", "-i", "--file", ours, "1")
    assert done.returncode != 0 and code != 0
    assert "threshold is 2" in done.stderr.lower() and "threshold is 2" in err.lower()
    assert theirs.read_bytes() == ours.read_bytes() == before
    assert out == "" and len(err.strip().splitlines()) == 1 and str(ours) in err


def test_encrypt_threshold_overrides_the_config_like_sops(
    sops: Sops, capsys: pytest.CaptureFixture[str], age_keys: list[AgeKey], keys_all: Path,
    key_file_for: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    groups = "".join(f"      - age: [{key.recipient}]\n" for key in age_keys)
    (tmp_path / ".sops.yaml").write_text(
        f"creation_rules:\n  - shamir_threshold: 3\n    key_groups:\n{groups}")
    (tmp_path / "g.yaml").write_text(PLAIN)
    monkeypatch.chdir(tmp_path)
    flags = ("encrypt", "--shamir-secret-sharing-threshold", "2", "g.yaml")
    theirs = tmp_path / "theirs.yaml"
    theirs.write_text(sops.run(*flags, cwd=tmp_path).stdout)
    code, out, err = _ours(capsys, *flags)
    assert code == 0, err
    ours = tmp_path / "ours.yaml"
    ours.write_text(out)
    assert _shape(theirs) == _shape(ours)
    assert _shape(ours)[:2] == (3, 2)
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_FILE", str(key_file_for(0, 2)))
    assert sops.decrypt(ours, key_file=key_file_for(0, 2)) == PLAIN
    assert _ours(capsys, "decrypt", theirs)[1] == PLAIN


def test_filestatus_has_the_keys_sops_prints(
    sops: Sops, capsys: pytest.CaptureFixture[str], two_groups: Path, tmp_path: Path,
) -> None:
    plain = tmp_path / "plain.yaml"
    plain.write_text(PLAIN)
    for path in (two_groups, plain):
        theirs = json.loads(sops.run("filestatus", path).stdout)
        code, out, err = _ours(capsys, "filestatus", path)
        assert code == 0, err
        ours = json.loads(out)
        assert {k: ours[k] for k in theirs} == theirs  # sops' keys, same values
        assert PLANTED not in out + err
    missing = tmp_path / "missing.yaml"
    assert sops.run("filestatus", missing, check=False).returncode != 0
    code, _, err = _ours(capsys, "filestatus", missing)
    assert code != 0 and len(err.strip().splitlines()) == 1
