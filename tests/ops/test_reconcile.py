"""ops.reconcile: the config decides each file's recipients; drift is found without a key."""

from __future__ import annotations

from pathlib import Path

import pytest

from secretsfile.config.project import load
from secretsfile.keysources.interface import Recipient
from secretsfile.ops import files, reconcile
from secretsfile.ops.keygen import keygen

PLANTED = "rc-PLANTED-5a4b3c"


def _config(root: Path, prod: list[str], rules: str = "") -> None:
    listed = "".join(f"      - {r}\n" for r in prod)
    (root / ".secretsfile.yaml").write_text(
        f"environments:\n  prod:\n    recipients:\n{listed}{rules}")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, str, str]:
    monkeypatch.chdir(tmp_path)
    me = keygen("age").public
    other = keygen("age", tmp_path / "other.txt").public
    (tmp_path / "secrets").mkdir()
    _config(tmp_path, [me])
    prod = tmp_path / "secrets" / "prod.yaml"
    prod.write_text(f"token: {PLANTED}\n")
    files.encrypt_file(prod, files.EncryptOptions(config=load(tmp_path)), in_place=True)
    return tmp_path, me, other


def test_in_line_files_have_no_drift(project: tuple[Path, str, str]) -> None:
    root, _, _ = project
    assert reconcile.drift(load(root)) == []


def test_added_recipient_is_drift_then_applied(project: tuple[Path, str, str]) -> None:
    root, me, other = project
    _config(root, [me, other])
    found = reconcile.drift(load(root))
    assert [(d.display, d.added, d.removed) for d in found] == [
        ("secrets/prod.yaml", (Recipient("age", other),), ())]
    assert other in found[0].lines()[0] and PLANTED not in "".join(found[0].lines())
    before = (root / "secrets" / "prod.yaml").read_text()
    assert reconcile.reconcile(load(root)) == found
    after = (root / "secrets" / "prod.yaml").read_text()
    token = [line for line in after.splitlines() if line.startswith("token")]
    assert token == [line for line in before.splitlines() if line.startswith("token")]
    assert other in after and reconcile.drift(load(root)) == []


def test_removed_recipient_rotates_the_data_key(project: tuple[Path, str, str]) -> None:
    root, me, other = project
    _config(root, [me, other])
    reconcile.reconcile(load(root))
    before = (root / "secrets" / "prod.yaml").read_text()
    _config(root, [me])
    (item,) = reconcile.reconcile(load(root))
    assert item.removed == (Recipient("age", other),)
    after = (root / "secrets" / "prod.yaml").read_text()
    assert other not in after
    assert [ln for ln in after.splitlines() if ln.startswith("token")] != [
        ln for ln in before.splitlines() if ln.startswith("token")]
    assert files.get_value(root / "secrets" / "prod.yaml", "token") == PLANTED


def test_creation_rule_files_are_reconciled(project: tuple[Path, str, str]) -> None:
    root, me, other = project
    rules = f"creation_rules:\n  - path_regex: \\.enc\\.yaml$\n    age: {me}\n"
    _config(root, [me], rules)
    extra = root / "conf" / "app.enc.yaml"
    extra.parent.mkdir()
    extra.write_text("key: value\n")
    files.encrypt_file(extra, files.EncryptOptions(config=load(root)), in_place=True)
    (root / "conf" / "plain.enc.yaml").write_text("not: encrypted\n")  # check-encrypted's job
    assert reconcile.drift(load(root)) == []
    _config(root, [me], rules.replace(me, f"{me},{other}"))
    assert [d.display for d in reconcile.drift(load(root))] == ["conf/app.enc.yaml"]


def test_key_groups_are_reported_not_changed(project: tuple[Path, str, str]) -> None:
    root, me, other = project
    shamir = root / "secrets" / "prod.yaml"
    shamir.write_text("token: x\n")
    groups = ((Recipient("age", me),), (Recipient("age", other),))
    files.encrypt_file(shamir, files.EncryptOptions(key_groups=groups, shamir_threshold=2),
                       in_place=True)
    before = shamir.read_bytes()
    (item,) = reconcile.reconcile(load(root))
    assert item.problem is not None and "key groups" in item.problem
    assert shamir.read_bytes() == before


def test_key_group_files_drift_only_where_a_group_differs(
        project: tuple[Path, str, str]) -> None:
    root, me, other = project
    third = keygen("age", root / "third.txt").public

    def rules(second: str, threshold: int = 2) -> str:
        return (f"creation_rules:\n  - path_regex: \\.enc\\.yaml$\n"
                f"    shamir_threshold: {threshold}\n"
                f"    key_groups:\n      - age: [{me}]\n      - age: [{second}]\n")
    _config(root, [me], rules(other))
    shamir = root / "app.enc.yaml"
    shamir.write_text("key: value\n")
    files.encrypt_file(shamir, files.EncryptOptions(config=load(root)), in_place=True)
    assert reconcile.drift(load(root)) == []  # written from this very config: no drift
    _config(root, [me], rules(f"{other}, {third}"))
    (item,) = reconcile.drift(load(root))
    assert item.problem is not None
    assert f"key group 1 differs from the config (missing age {third})" in item.problem
    assert "key group 0" not in item.problem and "edit them with sops" in item.problem
    before = shamir.read_bytes()
    reconcile.reconcile(load(root))
    assert shamir.read_bytes() == before  # reported, never rewritten
    _config(root, [me], rules(other, threshold=0))  # 0: every group, which is 2 here
    assert reconcile.drift(load(root)) == []
    (root / ".secretsfile.yaml").write_text(
        (root / ".secretsfile.yaml").read_text().replace(
            f"      - age: [{other}]\n", f"      - age: [{other}]\n      - age: [{third}]\n"))
    (item,) = reconcile.drift(load(root))
    assert item.problem is not None and "has 2 key group(s), the config 3" in item.problem


def test_apply_reports_each_file_it_changed(project: tuple[Path, str, str]) -> None:
    """The progress callback: a plain function called once per re-wrapped file."""
    root, me, other = project
    _config(root, [me, other])
    found = reconcile.drift(load(root))
    done: list[str] = []
    reconcile.apply(load(root), found, done.append)
    assert done == [item.display for item in reconcile.applicable(found)] == ["secrets/prod.yaml"]
    assert reconcile.drift(load(root)) == []
