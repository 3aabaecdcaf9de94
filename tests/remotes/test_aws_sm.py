"""AWS Secrets Manager as a secret store, on a real moto server."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from secretsfile.errors import FormatError, KeySourceError, UsageError
from secretsfile.remotes import registry
from secretsfile.remotes.aws_sm import BACKEND
from tests.keysources.moto_server import Moto, _free_port
from tests.remotes.contract import PLANTED, RemoteContract, group

REGION = "eu-west-1"


class TestAwsSm(RemoteContract):
    @pytest.fixture(autouse=True)
    def _server(self, aws_env: Moto) -> None:
        self.moto = aws_env
        self.prefix = "app-" + uuid.uuid4().hex[:8]
        self.url = f"awssm://{REGION}/{self.prefix}"

    def sm(self) -> Any:
        return self.moto.client("secretsmanager", REGION)

    def raw_read(self, name: str) -> dict[str, Any]:
        answer = self.sm().get_secret_value(SecretId=f"{self.prefix}/{name}")
        data: dict[str, Any] = json.loads(answer["SecretString"])
        return data

    def raw_write(self, name: str, payload: Any) -> None:
        self.sm().create_secret(Name=f"{self.prefix}/{name}", SecretString=json.dumps(payload))

    def use_bad_credentials(self, monkeypatch: pytest.MonkeyPatch) -> str:
        strict: Moto = self.strict
        bad = "sf-wrong-" + uuid.uuid4().hex
        monkeypatch.setenv("AWS_ENDPOINT_URL", strict.endpoint)
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIA" + uuid.uuid4().hex[:16].upper())
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", bad)
        return bad

    @pytest.fixture(autouse=True)
    def _strict(self, moto_strict: Moto) -> None:
        self.strict = moto_strict

    def missing_mount_url(self) -> str:
        pytest.skip("Secrets Manager has no mounts")

    def make_store_down(self, monkeypatch: pytest.MonkeyPatch) -> str:
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_free_port()}")
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
        return self.url

    def test_tags_carry_schema_env_and_shape(self) -> None:
        remote, loc = self.open()
        remote.write(loc, group())
        tags = {t["Key"]: t["Value"]
                for t in self.sm().describe_secret(SecretId=f"{self.prefix}/db")["Tags"]}
        assert tags == {"secretsfile:managed": "true", "secretsfile:env": "prod",
                        "secretsfile:shape": "group", "secretsfile:schema": "database"}

    def test_delete_keeps_a_recovery_window_and_write_restores(self) -> None:
        remote, loc = self.open()
        remote.write(loc, group())
        remote.delete(loc, "db")
        info = self.sm().describe_secret(SecretId=f"{self.prefix}/db")
        assert "DeletedDate" in info  # scheduled, not gone
        remote.delete(loc, "db")  # deleting again is no error
        self.sm().restore_secret(SecretId=f"{self.prefix}/db")
        remote.delete(loc, "db")
        remote.write(loc, group())
        assert "DeletedDate" not in self.sm().describe_secret(SecretId=f"{self.prefix}/db")
        assert self.raw_read("db")["password"] == PLANTED

    def test_not_json_is_a_format_error_without_the_value(self) -> None:
        self.sm().create_secret(Name=f"{self.prefix}/plain", SecretString=PLANTED)
        remote, loc = self.open()
        with pytest.raises(FormatError) as caught:
            remote.read(loc, "plain", "prod")
        assert "not JSON" in str(caught.value) and PLANTED not in str(caught.value)


@pytest.mark.parametrize("url", ["awssm://", "awssm://notaregion/x", "awssm://eu-west-1/a/../b",
                                 "awssm://eu-west-1/a?b"])
def test_bad_urls(url: str) -> None:
    with pytest.raises(UsageError):
        registry.open_remote(url)


def test_url_parts() -> None:
    loc = BACKEND.parse("awssm://eu-west-1/team/app")
    assert (loc.address, loc.prefix, loc.path("db")) == ("eu-west-1", "team/app", "team/app/db")


def test_no_credentials(monkeypatch: pytest.MonkeyPatch, moto: Moto) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto.endpoint)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    remote, loc = registry.open_remote("awssm://eu-west-1/app")
    with pytest.raises(KeySourceError, match="no AWS credentials"):
        remote.names(loc)
