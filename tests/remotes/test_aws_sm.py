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

    def raw_write_text(self, name: str, text: str) -> None:
        self.sm().create_secret(Name=f"{self.prefix}/{name}", SecretString=text)

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

    @pytest.mark.parametrize(("text", "value"), [
        (PLANTED, PLANTED), (json.dumps(PLANTED), PLANTED), ("5432", "5432"),
        ("{not json", "{not json")])
    def test_a_string_that_is_not_a_json_object_is_one_value(self, text: str,
                                                              value: str) -> None:
        self.raw_write_text("plain", text)
        remote, loc = self.open()
        back = remote.read(loc, "plain", "prod")
        assert back is not None and not back.is_group and back.value == value
        described = remote.describe(loc, "plain")
        assert described is not None and described.single and not described.managed

    def test_binary_is_a_format_error_naming_the_entry(self) -> None:
        self.sm().create_secret(Name=f"{self.prefix}/bin", SecretBinary=PLANTED.encode())
        remote, loc = self.open()
        with pytest.raises(FormatError) as caught:
            remote.read(loc, "bin", "prod")
        text = str(caught.value)
        assert loc.entry("bin") in text and "SecretBinary" in text and PLANTED not in text

    def test_a_secret_string_over_64_kib_is_a_format_error_naming_the_entry(self) -> None:
        self.raw_write("big", {"value": PLANTED + "x" * (64 * 1024)})
        remote, loc = self.open()
        with pytest.raises(FormatError) as caught:
            remote.read(loc, "big", "prod")
        text = str(caught.value)
        assert loc.entry("big") in text and "64 KiB" in text and PLANTED not in text
        self.raw_write("fits", {"value": "x" * (60 * 1024)})  # under the cap: read
        back = remote.read(loc, "fits", "prod")
        assert back is not None and len(back.value or "") == 60 * 1024


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
