"""Vault transit files, both ways with the real sops binary, against a real OpenBao dev server.

sops (called directly, not through the pyenv shim) encrypts with ``--hc-vault-transit`` and
secretsfile decrypts; secretsfile's CLI encrypts, updatekeys and rotates and sops decrypts.
Every output is searched for the Vault token and the planted values.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from tests.interop.backend_tools import BackendTools
from tests.keysources.bao_server import Bao, bao  # noqa: F401  (the fixture)

PLANTED = "vault-PLANTED-value-7c1e"
PLAIN = f"db:\n    password: {PLANTED}\n    port: 5432\napi: tok-{PLANTED}\n"


class Tools(BackendTools):
    def __init__(self, bao: Bao, home: Path,  # noqa: F811
                 capsys: pytest.CaptureFixture[str]) -> None:
        super().__init__(home, capsys, strip=("VAULT_",), sops_env={"VAULT_TOKEN": bao.token},
                         credential=bao.token, plain=PLAIN, planted=PLANTED)
        self.bao = bao


@pytest.fixture
def tools(bao: Bao, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
          capsys: pytest.CaptureFixture[str]) -> Tools:
    monkeypatch.setenv("VAULT_TOKEN", bao.token)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    (tmp_path / "plain.yaml").write_text(PLAIN)
    return Tools(bao, tmp_path, capsys)


def test_sops_encrypts_we_decrypt(tools: Tools, tmp_path: Path) -> None:
    uri = tools.bao.key("k1")
    enc = tools.sops("encrypt", "--hc-vault-transit", uri, tmp_path / "plain.yaml").stdout
    (tmp_path / "s.enc.yaml").write_text(enc)
    out = tools.ours("decrypt", tmp_path / "s.enc.yaml")
    assert out == PLAIN
    tools.assert_no_leak()


def test_we_encrypt_sops_decrypts(tools: Tools, tmp_path: Path) -> None:
    uri = tools.bao.key("k1")
    enc = tools.ours("encrypt", "--hc-vault-transit", uri, tmp_path / "plain.yaml")
    assert f"vault_address: {tools.bao.address}" in enc and "key_name: k1" in enc
    (tmp_path / "o.enc.yaml").write_text(enc)
    out = tools.sops("decrypt", tmp_path / "o.enc.yaml").stdout
    assert out == PLAIN
    tools.assert_no_leak()


def test_updatekeys_add_remove_and_rotate(tools: Tools, tmp_path: Path) -> None:
    k1, k2 = tools.bao.key("k1"), tools.bao.key("k2")
    target = tmp_path / "u.enc.yaml"
    target.write_text(tools.sops("encrypt", "--hc-vault-transit", k1,
                                 tmp_path / "plain.yaml").stdout)
    tools.ours("updatekeys", target, "--hc-vault-transit", k2)
    text = target.read_text()
    assert "key_name: k1" in text and "key_name: k2" in text
    tools.ours("updatekeys", target, "--rm-hc-vault-transit", k1)
    text = target.read_text()
    assert "key_name: k1" not in text and "key_name: k2" in text
    assert tools.sops("decrypt", target).stdout == PLAIN
    before = text
    tools.ours("rotate", target)
    assert target.read_text() != before and "key_name: k2" in target.read_text()
    out = tools.sops("decrypt", target).stdout
    assert out == PLAIN
    tools.assert_no_leak()


def test_creation_rule_with_transit_uris(tools: Tools, tmp_path: Path) -> None:
    k1, k2 = tools.bao.key("k1"), tools.bao.key("k2")
    (tmp_path / ".sops.yaml").write_text(
        f"creation_rules:\n  - path_regex: .*\\.yaml$\n    hc_vault_transit_uri: \"{k1},{k2}\"\n")
    enc = tools.ours("encrypt", tmp_path / "plain.yaml")
    assert enc.count("vault_address:") == 2
    (tmp_path / "r.enc.yaml").write_text(enc)
    assert tools.sops("decrypt", tmp_path / "r.enc.yaml").stdout == PLAIN
    ours = tools.sops("encrypt", tmp_path / "plain.yaml").stdout  # sops reads the same rule
    assert ours.count("vault_address:") == 2
    tools.assert_no_leak()


def test_bad_token_exits_3_through_the_cli(tools: Tools, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    uri = tools.bao.key("k1")
    (tmp_path / "b.enc.yaml").write_text(
        tools.sops("encrypt", "--hc-vault-transit", uri, tmp_path / "plain.yaml").stdout)
    monkeypatch.setenv("VAULT_TOKEN", "PLANTED-wrong-token")
    err = tools.ours("decrypt", tmp_path / "b.enc.yaml", code=3)
    assert "permission denied" in err and uri in err
    assert "PLANTED" not in err and "Traceback" not in err
    tools.assert_no_leak()
