"""AWS KMS against a real moto server: the contract, encryption contexts, roles, profiles,
the recipient syntax, and a clear message for every way it fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from secretsfile.core.metadata import MasterKey
from secretsfile.errors import KeySourceError, UsageError
from secretsfile.keysources import kms, registry
from tests.keysources.contract import KeySourceContract
from tests.keysources.moto_server import Moto, aws_env, moto  # noqa: F401 (fixtures)

PLANTED = "PLANTEDSECRETdoNotLeak0123456789"


@pytest.fixture
def arn(aws_env: Moto) -> str:  # noqa: F811
    return aws_env.create_key()


class TestKmsContract(KeySourceContract):
    kind = "kms"

    @pytest.fixture(autouse=True)
    def _server(self, aws_env: Moto) -> None:  # noqa: F811
        self.moto = aws_env
        self._arn = ""

    def make_recipient(self) -> str:
        if not self._arn:
            self._arn = self.moto.create_key()
        return self._arn

    def forget_identities(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
            monkeypatch.delenv(name)
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
        monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
        monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
        kms.clear_cache()


def test_metadata_fields_are_sops_fields_in_sops_order(arn: str) -> None:
    source = registry.get("kms")
    entry = source.wrap(f"{arn}|env:dev,app:demo", os.urandom(32))
    assert list(entry.fields) == ["arn", "context", "created_at", "enc", "aws_profile"]
    assert entry.fields["context"] == {"app": "demo", "env": "dev"}
    assert entry.fields["aws_profile"] == ""
    assert registry.recipient_id(entry) == f"{arn}|app:demo,env:dev"
    plain = source.wrap(arn, os.urandom(32))
    assert list(plain.fields) == ["arn", "created_at", "enc", "aws_profile"]


def test_context_round_trip_and_wrong_context_is_refused(arn: str) -> None:
    source = registry.get("kms")
    data_key = os.urandom(32)
    entry = source.wrap(f"{arn}|app:demo", data_key)
    assert source.unwrap(entry) == data_key
    for context in ({"app": "other"}, None):
        fields = {**entry.fields, "context": context}
        with pytest.raises(KeySourceError) as caught:
            source.unwrap(MasterKey("kms", fields))
        assert "wrong encryption context" in caught.value.message


def test_role_is_assumed_through_sts(aws_env: Moto, arn: str) -> None:  # noqa: F811
    role = aws_env.create_role()
    source = registry.get("kms")
    data_key = os.urandom(32)
    entry = source.wrap(f"{arn}+{role}", data_key)
    assert list(entry.fields)[:2] == ["arn", "role"] and entry.fields["role"] == role
    assert registry.recipient_id(entry) == f"{arn}+{role}"
    kms.clear_cache()
    assert source.unwrap(entry) == data_key


def test_profile_from_aws_config(arn: str, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text("[team]\naws_access_key_id = testing\n"
                           "aws_secret_access_key = testing\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    source = registry.get("kms")
    entry = source.wrap(f"{arn}||team", os.urandom(32))
    assert entry.fields["aws_profile"] == "team"
    assert registry.recipient_id(entry) == f"{arn}||team"
    with pytest.raises(KeySourceError) as caught:
        source.wrap(f"{arn}||nosuch", os.urandom(32))
    assert "'nosuch'" in caught.value.message and "not configured" in caught.value.message


def test_absent_key_and_unreachable_server(arn: str, monkeypatch: pytest.MonkeyPatch) -> None:
    source = registry.get("kms")
    absent = arn.rsplit("/", 1)[0] + "/00000000-0000-0000-0000-000000000000"
    with pytest.raises(KeySourceError) as caught:
        source.wrap(absent, os.urandom(32))
    assert caught.value.message == f"KMS key {absent} does not exist"
    entry = source.wrap(arn, os.urandom(32))
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", "http://127.0.0.1:1")
    kms.clear_cache()
    with pytest.raises(KeySourceError) as caught:
        source.unwrap(entry)
    assert "cannot reach AWS KMS" in caught.value.message


def test_no_credentials_says_how_to_get_them(arn: str, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    TestKmsContract().forget_identities(monkeypatch, tmp_path)
    with pytest.raises(KeySourceError) as caught:
        registry.get("kms").wrap(arn, os.urandom(32))
    assert "no AWS credentials" in caught.value.message
    assert "AWS_PROFILE" in (caught.value.hint or "")


def test_secrets_never_appear_in_errors(arn: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", PLANTED)
    monkeypatch.setenv("AWS_SESSION_TOKEN", PLANTED)
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", "http://127.0.0.1:1")
    data_key = os.urandom(32)
    with pytest.raises(KeySourceError) as caught:
        registry.get("kms").wrap(arn, data_key)
    shown = f"{caught.value} {caught.value!r} {caught.value.hint}"
    assert PLANTED not in shown and data_key.hex() not in shown


def test_missing_boto3_is_a_clear_error(arn: str, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = registry.get("kms").wrap(arn, os.urandom(32))
    monkeypatch.setitem(sys.modules, "boto3", None)  # import boto3 -> ImportError
    kms.clear_cache()
    source = registry.get("kms")
    for call in (lambda: source.wrap(arn, b"k" * 32), lambda: source.unwrap(entry)):
        with pytest.raises(KeySourceError) as caught:
            call()
        assert caught.value.message == "AWS KMS keys need boto3: pip install 'secretsfile[aws]'"
    monkeypatch.setattr(kms, "boto3_missing", lambda: True)
    assert source.unusable() == "AWS KMS keys need boto3: pip install 'secretsfile[aws]'"


def test_recipient_syntax() -> None:
    arn = "arn:aws:kms:eu-west-1:123456789012:key/abc"
    role = "arn:aws:iam::123456789012:role/r"
    parsed = registry.parse_recipient(f" {arn}+{role}|env:dev,app:de%7Cmo|prof ")
    assert parsed == ("kms", f"{arn}+{role}|app:de%7Cmo,env:dev|prof")
    assert kms.parse_key(parsed.value).context == (("app", "de|mo"), ("env", "dev"))
    assert registry.spell(parsed) == parsed.value
    for bad in ("arn:aws:kms:eu-west-1:1:key/abc", f"{arn}+notarole", f"{arn}|novalue",
                f"{arn}|a:b|p|extra"):
        with pytest.raises(KeySourceError):
            registry.parse_recipient(bad)


def test_config_entries_flat_and_key_group_maps() -> None:
    a = "arn:aws:kms:us-east-1:123456789012:key/a"
    b = "arn:aws:kms:us-east-1:123456789012:key/b"
    role = "arn:aws:iam::123456789012:role/r"
    assert registry.config_recipients("kms", f"{a}, {b}+{role}") == [
        ("kms", a), ("kms", f"{b}+{role}")]
    maps = [{"arn": a, "context": {"env": "dev", "app": "x:y"}, "aws_profile": ""},
            {"arn": b, "role": role, "aws_profile": "team"}]
    assert registry.config_recipients("kms", maps) == [
        ("kms", f"{a}|app:x%3Ay,env:dev"), ("kms", f"{b}+{role}||team")]
    assert registry.config_recipients("kms", f"{a},{b}", {"aws_profile": "team"}) == [
        ("kms", f"{a}||team"), ("kms", f"{b}||team")]  # a flat rule's aws_profile, as sops
    # what a metadata entry says compares equal to what the config says (updatekeys drift)
    entry = MasterKey("kms", {"arn": a, "context": {"app": "x:y", "env": "dev"},
                              "created_at": "", "enc": "", "aws_profile": ""})
    assert registry.recipient_id(entry) == f"{a}|app:x%3Ay,env:dev"


def test_cli_values_fold_in_context_and_profile() -> None:
    source = registry.get("kms")
    a = "arn:aws:kms:us-east-1:123456789012:key/a"
    b = "arn:aws:kms:us-east-1:123456789012:key/b"
    got = source.cli_values(f"{a},{b}",  # type: ignore[attr-defined]
                            {"encryption-context": "k:v", "aws-profile": "p"})
    assert got == [f"{a}|k:v|p", f"{b}|k:v|p"]
    with pytest.raises(UsageError):
        source.cli_values(a, {"encryption-context": "novalue"})  # type: ignore[attr-defined]


def test_parsing_a_config_does_not_import_boto3() -> None:
    code = ("import sys; from secretsfile.keysources import registry; "
            "registry.config_recipients('kms', 'arn:aws:kms:us-east-1:123456789012:key/a'); "
            "registry.get('kms').unusable(); registry.get('kms').reports(); "
            "print('boto3' in sys.modules, 'botocore' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60, check=True)
    assert result.stdout.split() == ["False", "False"]


@pytest.mark.parametrize("endpoint", ["notaurl", "http://127.0.0.1:99999", "http://[::1"])
def test_a_bad_endpoint_is_a_key_error_naming_the_variable(
        arn: str, monkeypatch: pytest.MonkeyPatch, endpoint: str) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", PLANTED)
    monkeypatch.setenv("AWS_ENDPOINT_URL_KMS", endpoint)
    kms.clear_cache()
    with pytest.raises(KeySourceError) as caught:
        registry.get("kms").wrap(arn, os.urandom(32))
    assert "AWS_ENDPOINT_URL_KMS" in caught.value.message
    assert PLANTED not in f"{caught.value} {caught.value.hint}"
