"""AWS KMS files, both ways with the real sops binary, against a real moto server.

sops (called directly, not through the pyenv shim) encrypts with ``--kms`` and an encryption
context and secretsfile decrypts; secretsfile's CLI encrypts, updatekeys and rotates and sops
decrypts; both read the same ``.sops.yaml`` rules (flat ``kms`` and key-group maps). Every
output is searched for the secret access key and the planted values.
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

import pytest

from tests.interop.backend_tools import BackendTools
from tests.keysources.moto_server import Moto, aws_env, moto  # noqa: F401  (fixtures)

PLANTED = "kms-PLANTED-value-5b2d"
PLAIN = f"db:\n    password: {PLANTED}\n    port: 5432\napi: tok-{PLANTED}\n"


class Tools(BackendTools):
    def __init__(self, moto: Moto, home: Path,  # noqa: F811
                 capsys: pytest.CaptureFixture[str]) -> None:
        secret = os.environ["AWS_SECRET_ACCESS_KEY"]
        super().__init__(home, capsys, strip=("AWS_",),
                         sops_env={**moto.env(), "AWS_SECRET_ACCESS_KEY": secret},
                         credential=secret, plain=PLAIN, planted=PLANTED)
        self.moto = moto


@pytest.fixture
def tools(aws_env: Moto, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
          capsys: pytest.CaptureFixture[str]) -> Tools:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "aws-secret-PLANTED-91f3")  # moto signs anything
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    (tmp_path / "plain.yaml").write_text(PLAIN)
    return Tools(aws_env, tmp_path, capsys)


def test_sops_encrypts_with_context_we_decrypt(tools: Tools, tmp_path: Path) -> None:
    arn = tools.moto.create_key()
    enc = tools.sops("encrypt", "--kms", arn, "--encryption-context", "app:demo",
                     tmp_path / "plain.yaml").stdout
    assert "app: demo" in enc
    (tmp_path / "s.enc.yaml").write_text(enc)
    assert tools.ours("decrypt", tmp_path / "s.enc.yaml") == PLAIN
    tools.assert_no_leak()


def test_we_encrypt_sops_decrypts(tools: Tools, tmp_path: Path) -> None:
    a, b = tools.moto.create_key(), tools.moto.create_key()
    role = tools.moto.create_role()
    enc = tools.ours("encrypt", "--kms", f"{a},{b}+{role}", "--encryption-context",
                     "app:demo,env:dev", tmp_path / "plain.yaml")
    assert enc.count("- arn: ") == 2 and f"role: {role}" in enc
    assert "aws_profile: \"\"" in enc and "app: demo" in enc
    (tmp_path / "o.enc.yaml").write_text(enc)
    assert tools.sops("decrypt", tmp_path / "o.enc.yaml").stdout == PLAIN
    tools.assert_no_leak()


def test_updatekeys_add_remove_and_rotate(tools: Tools, tmp_path: Path) -> None:
    a, b = tools.moto.create_key(), tools.moto.create_key()
    target = tmp_path / "u.enc.yaml"
    target.write_text(tools.sops("encrypt", "--kms", a, tmp_path / "plain.yaml").stdout)
    tools.ours("updatekeys", target, "--kms", b, "--encryption-context", "app:demo")
    text = target.read_text()
    assert f"arn: {a}" in text and f"arn: {b}" in text and "app: demo" in text
    tools.ours("updatekeys", target, "--rm-kms", a)
    text = target.read_text()
    assert f"arn: {a}" not in text and f"arn: {b}" in text
    assert tools.sops("decrypt", target).stdout == PLAIN
    before = text
    tools.ours("rotate", target)
    assert target.read_text() != before and f"arn: {b}" in target.read_text()
    assert tools.sops("decrypt", target).stdout == PLAIN
    tools.assert_no_leak()


def test_flat_creation_rule(tools: Tools, tmp_path: Path) -> None:
    a, b = tools.moto.create_key(), tools.moto.create_key()
    (tmp_path / ".sops.yaml").write_text(
        f"creation_rules:\n  - path_regex: .*\\.yaml$\n    kms: \"{a},{b}\"\n")
    enc = tools.ours("encrypt", tmp_path / "plain.yaml")
    assert enc.count("- arn: ") == 2
    (tmp_path / "r.enc.yaml").write_text(enc)
    assert tools.sops("decrypt", tmp_path / "r.enc.yaml").stdout == PLAIN
    theirs = tools.sops("encrypt", tmp_path / "plain.yaml").stdout  # sops reads the same rule
    (tmp_path / "t.enc.yaml").write_text(theirs)
    assert tools.ours("decrypt", tmp_path / "t.enc.yaml") == PLAIN
    tools.assert_no_leak()


def test_flat_rule_aws_profile(tools: Tools, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    arn = tools.moto.create_key()
    (tmp_path / ".aws").mkdir()
    (tmp_path / ".aws" / "credentials").write_text(
        "[team]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    monkeypatch.setenv("HOME", str(tmp_path))  # sops and boto3 both read ~/.aws
    (tmp_path / ".sops.yaml").write_text(
        f"creation_rules:\n  - path_regex: .*\\.yaml$\n    kms: \"{arn}\"\n"
        "    aws_profile: team\n")
    for enc in (tools.ours("encrypt", tmp_path / "plain.yaml"),
                tools.sops("encrypt", tmp_path / "plain.yaml").stdout):
        assert "aws_profile: team" in enc
        (tmp_path / "p.enc.yaml").write_text(enc)
        assert tools.ours("decrypt", tmp_path / "p.enc.yaml") == PLAIN
        assert tools.sops("decrypt", tmp_path / "p.enc.yaml").stdout == PLAIN
        before = (tmp_path / "p.enc.yaml").read_text()
        tools.ours("updatekeys", tmp_path / "p.enc.yaml")  # config and file agree: no drift
        assert (tmp_path / "p.enc.yaml").read_text() == before
    tools.assert_no_leak()


def test_key_group_maps_with_context(tools: Tools, tmp_path: Path) -> None:
    a, b = tools.moto.create_key(), tools.moto.create_key()
    (tmp_path / ".sops.yaml").write_text(
        "creation_rules:\n  - path_regex: .*\\.yaml$\n    shamir_threshold: 2\n"
        "    key_groups:\n"
        f"      - kms:\n          - arn: {a}\n            context: {{app: demo}}\n"
        "            aws_profile: \"\"\n"
        f"      - kms:\n          - arn: {b}\n            context: {{app: other, env: dev}}\n")
    enc = tools.ours("encrypt", tmp_path / "plain.yaml")
    (tmp_path / "g.enc.yaml").write_text(enc)
    assert tools.sops("decrypt", tmp_path / "g.enc.yaml").stdout == PLAIN
    theirs = tools.sops("encrypt", tmp_path / "plain.yaml").stdout
    (tmp_path / "h.enc.yaml").write_text(theirs)
    assert tools.ours("decrypt", tmp_path / "h.enc.yaml") == PLAIN
    # the file matches its rule: updatekeys sees no drift in either file
    for name in ("g.enc.yaml", "h.enc.yaml"):
        before = (tmp_path / name).read_text()
        tools.ours("updatekeys", tmp_path / name)
        assert (tmp_path / name).read_text() == before
    tools.assert_no_leak()


def test_wrong_context_and_absent_key_exit_3(tools: Tools, tmp_path: Path) -> None:
    arn = tools.moto.create_key()
    enc = tools.sops("encrypt", "--kms", arn, "--encryption-context", "app:demo",
                     tmp_path / "plain.yaml").stdout
    (tmp_path / "w.enc.yaml").write_text(enc.replace("app: demo", "app: other"))
    err = tools.ours("decrypt", tmp_path / "w.enc.yaml", code=3)
    assert "wrong encryption context" in err and "Traceback" not in err
    absent = arn.rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"
    err = tools.ours("encrypt", "--kms", absent, tmp_path / "plain.yaml", code=3)
    assert f"KMS key {absent} does not exist" in err
    err = tools.ours("encrypt", "--kms", "arn:aws:kms:nope", tmp_path / "plain.yaml", code=2)
    assert "is not a KMS key ARN" in err
    tools.assert_no_leak()
