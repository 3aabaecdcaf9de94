"""`updatekeys` without files follows the config; `--check` reports drift for CI and hooks.

A second person is added to prod by editing .secretsfile.yaml by hand (the pull-request
route), with a HOME of their own.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from tests.cli.conftest import Runner, init_repo, use_home

PLANTED = "uk-PLANTED-7c6d5e"
CHECKOUT = Path(__file__).resolve().parents[2]


@pytest.fixture
def project(run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = init_repo(run, tmp_path, monkeypatch, "dev", "prod")
    assert run("secret", "set", "api-token", "--env", "prod", "--value-stdin",
               stdin=PLANTED).code == 0
    return root


def _new_person(run: Runner, monkeypatch: pytest.MonkeyPatch, home: Path) -> str:
    mine = Path.home()
    use_home(monkeypatch, home)
    public = run("keygen").stdout.strip()
    use_home(monkeypatch, mine)
    return public


def _add_by_hand(root: Path, env: str, recipient: str) -> None:
    config = root / ".secretsfile.yaml"
    text = config.read_text()
    block = re.search(rf"^  {env}:\n    recipients:\n((?:      - .*\n)+)", text, re.M)
    assert block is not None
    config.write_text(text[:block.end()] + f"      - {recipient}\n" + text[block.end():])


def _remove_by_hand(root: Path, recipient: str) -> None:
    config = root / ".secretsfile.yaml"
    config.write_text(config.read_text().replace(f"      - {recipient}\n", ""))


def test_a_recipient_added_by_hand_is_drift_until_updatekeys(
    run: Runner, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bob = _new_person(run, monkeypatch, tmp_path / "bob")
    assert run("updatekeys", "--check").code == 0
    _add_by_hand(project, "prod", bob)
    before = (project / "secrets" / "prod.yaml").read_bytes()
    check = run("updatekeys", "--check")
    assert check.code == 1
    assert f"secrets/prod.yaml: missing recipient age {bob}" in check.stderr
    assert "dev.yaml" not in check.output and PLANTED not in check.output
    assert (project / "secrets" / "prod.yaml").read_bytes() == before  # --check writes nothing
    applied = run("updatekeys")
    assert applied.code == 0 and "updated: secrets/prod.yaml" in applied.stderr
    assert PLANTED not in applied.output
    assert run("updatekeys", "--check").code == 0
    use_home(monkeypatch, tmp_path / "bob")
    got = run("secret", "get", "api-token", "--env", "prod", "--reveal")
    assert got.code == 0 and got.stdout == PLANTED + "\n"


def test_a_recipient_removed_by_hand_rotates_and_warns(
    run: Runner, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bob = _new_person(run, monkeypatch, tmp_path / "bob")
    _add_by_hand(project, "prod", bob)
    assert run("updatekeys").code == 0
    prod = project / "secrets" / "prod.yaml"
    old_value = [ln for ln in prod.read_text().splitlines() if ln.startswith("api-token")]
    _remove_by_hand(project, bob)
    check = run("updatekeys", "--check")
    assert check.code == 1 and f"extra recipient age {bob}" in check.stderr
    removed = run("updatekeys")
    assert removed.code == 0 and "data key rotated" in removed.stderr
    assert "git history" in removed.stderr and PLANTED not in removed.output
    assert [ln for ln in prod.read_text().splitlines() if ln.startswith("api-token")] != old_value
    assert run("secret", "get", "api-token", "--env", "prod", "--reveal").stdout == PLANTED + "\n"
    use_home(monkeypatch, tmp_path / "bob")
    assert run("secret", "get", "api-token", "--env", "prod").code == 3


def test_files_given_without_key_options_follow_the_config(
    run: Runner, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bob = _new_person(run, monkeypatch, tmp_path / "bob")
    _add_by_hand(project, "prod", bob)
    _add_by_hand(project, "dev", bob)
    assert run("updatekeys", "secrets/dev.yaml").code == 0
    check = run("updatekeys", "--check")
    assert check.code == 1 and "secrets/prod.yaml" in check.stderr
    assert "secrets/dev.yaml" not in check.stderr


def test_key_options_keep_per_file_behaviour(
    run: Runner, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bob = _new_person(run, monkeypatch, tmp_path / "bob")
    added = run("updatekeys", "secrets/dev.yaml", "--age", bob)
    assert added.code == 0 and "updated: secrets/dev.yaml" in added.stderr
    assert "extra recipient" in run("updatekeys", "--check").stderr  # config does not list bob
    assert run("updatekeys", "--age", bob).code == 2  # key options need files
    assert run("updatekeys", "--check", "secrets/dev.yaml", "--age", bob).code == 2


def test_the_pre_commit_hook_runs_the_check(run: Runner, project: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    hooks = yaml.safe_load((CHECKOUT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = [h for h in hooks if h["id"] == "secretsfile-check"]
    assert hook["pass_filenames"] is False and hook["always_run"] is True
    program, *args = shlex.split(hook["entry"])
    assert program == "secretsfile"
    assert run(*args).code == 0
    _add_by_hand(project, "prod", _new_person(run, monkeypatch, tmp_path / "bob"))
    assert run(*args).code == 1


def test_a_file_the_config_says_nothing_about_needs_key_options(run: Runner, project: Path) -> None:
    loose = project / "loose.yaml"
    loose.write_text("a: b\n")
    assert run("encrypt", "--in-place", loose).code == 0
    nothing = run("updatekeys", loose)
    assert nothing.code == 2 and "--rm-age" in nothing.stderr and "loose.yaml" in nothing.stderr


def test_key_group_files_pass_the_check_until_a_group_changes(
    run: Runner, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    me = run("keygen").stdout.strip()  # already there: prints the public key
    bob = _new_person(run, monkeypatch, tmp_path / "bob")
    carol = _new_person(run, monkeypatch, tmp_path / "carol")
    config = project / ".secretsfile.yaml"
    plain = config.read_text()
    rule = ("creation_rules:\n  - path_regex: \\.enc\\.yaml$\n    shamir_threshold: 2\n"
            f"    key_groups:\n      - age: [{me}]\n      - age: [{bob}]\n")
    config.write_text(plain + rule)
    (project / "app.enc.yaml").write_text("key: value\n")
    assert run("encrypt", "--in-place", "app.enc.yaml").code == 0
    assert "shamir_threshold: 2" in (project / "app.enc.yaml").read_text()
    check = run("updatekeys", "--check")
    assert check.code == 0, check.stderr
    config.write_text(plain + rule.replace(f"[{bob}]", f"[{bob}, {carol}]"))
    check = run("updatekeys", "--check")
    assert check.code == 1
    assert f"app.enc.yaml: key group 1 differs from the config (missing age {carol})" \
        in check.stderr
