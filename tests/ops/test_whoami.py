"""ops.whoami: your public keys, where they come from, what you can read (no decryption)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from secretsfile.config.project import load
from secretsfile.ops import project
from secretsfile.ops.keygen import keygen
from secretsfile.ops.whoami import no_key_hint, own_keys, whoami


def test_no_key_means_nothing_and_the_hint_says_keygen() -> None:
    assert own_keys() == []
    assert whoami().keys == () and whoami().environments == ()
    assert "secretsfile keygen" in no_key_hint()
    assert "recipients add prod <your public key>" in no_key_hint("prod")


def test_own_keys_name_their_source_and_never_the_private_key() -> None:
    key = keygen("age")
    fernet = keygen("fernet")
    keys = own_keys()
    assert [(k.recipient.kind, k.spelled) for k in keys] == [
        ("age", key.public), ("fernet", f"fernet:{fernet.public}")]
    assert [r.label for r in keys[0].found_in] == [str(key.path)]
    assert "AGE-SECRET-KEY-" not in repr(whoami().as_json())
    hint = no_key_hint("prod")
    assert f"recipients add prod {key.public}" in hint and "AGE-SECRET-KEY-" not in hint


def test_environment_key_variable_counts_in_its_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ci = keygen("age", tmp_path / "ci.txt")
    lines = ci.path.read_text().splitlines()
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_PROD", lines[-1])
    assert own_keys() == []
    assert [k.spelled for k in own_keys("prod")] == [ci.public]


def test_keygen_on_an_existing_key_returns_its_public_key(tmp_path: Path) -> None:
    first = keygen("age", tmp_path / "k.txt")
    before = first.path.read_bytes()
    again = keygen("age", tmp_path / "k.txt")
    assert again.existed and not first.existed and again.public == first.public
    assert first.path.read_bytes() == before
    assert stat.S_IMODE(first.path.stat().st_mode) == 0o600
    fernet = keygen("fernet", tmp_path / "f.txt")
    assert keygen("fernet", tmp_path / "f.txt").public == fernet.public


def test_keygen_refuses_a_file_without_a_public_header(tmp_path: Path) -> None:
    from secretsfile.errors import UsageError

    target = tmp_path / "bare.txt"
    first = keygen("age", target)
    target.write_text(first.path.read_text().splitlines()[-1] + "\n")
    with pytest.raises(UsageError, match="already exists") as raised:
        keygen("age", target)
    assert "AGE-SECRET-KEY-" not in str(raised.value)


def test_environments_read_from_metadata(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                         ) -> None:
    alice = keygen("age").public
    root = tmp_path / "repo"
    root.mkdir()
    project.init(root, ["dev", "prod"])
    config = load(root)
    found = {e.name: e for e in whoami(config).environments}
    assert found["prod"].readable and found["prod"].via == (alice,) and found["prod"].configured
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "bob"))
    bob = keygen("age").public
    cfg = root / ".secretsfile.yaml"  # bob added to dev by hand (a pull request)
    text = cfg.read_text()
    cfg.write_text(text.replace(f"      - {alice}\n", f"      - {alice}\n      - {bob}\n", 1))
    found = {e.name: e for e in whoami(load(root)).environments}
    assert found["prod"].readable is False and not found["prod"].configured
    assert found["dev"].configured and found["dev"].readable is False
    (root / "secrets" / "dev.yaml").unlink()
    assert whoami(load(root)).environments[0].readable is None
    (root / "secrets" / "prod.yaml").write_text("not: encrypted\n")
    prod = whoami(load(root)).environments[1]
    assert prod.readable is False and "not encrypted" in prod.problem
