"""Vault/OpenBao KV v2 as a secret store, on a real ``bao server -dev``."""

from __future__ import annotations

import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest

from secretsfile.errors import ConfigError, FormatError, KeySourceError, UsageError
from secretsfile.remotes import registry
from secretsfile.remotes.vault_kv import BACKEND
from secretsfile.secrets.model import Secret
from tests.keysources.bao_server import Bao, free_port
from tests.remotes.conftest import TlsBao
from tests.remotes.contract import PLANTED, RemoteContract, group


def _url(bao: Bao, path: str) -> str:
    return f"vault://{bao.address.split('://')[1]}/{path}"


@pytest.fixture(autouse=True)
def _vault_env(bao: Bao, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULT_TOKEN", bao.token)
    monkeypatch.setenv("VAULT_ADDR", bao.address)  # http: the scheme comes from here


class TestVaultKv(RemoteContract):
    @pytest.fixture(autouse=True)
    def _server(self, bao: Bao) -> None:
        self.bao = bao
        self.prefix = "app-" + uuid.uuid4().hex[:8]
        self.url = _url(bao, f"secret/{self.prefix}")

    def raw_read(self, name: str) -> dict[str, Any]:
        status, body = self.bao.call("GET", f"secret/data/{self.prefix}/{name}")
        assert status == 200, status
        data: dict[str, Any] = body["data"]["data"]
        return data

    def raw_write(self, name: str, payload: Any) -> None:
        status, _ = self.bao.call("POST", f"secret/data/{self.prefix}/{name}", {"data": payload})
        assert status == 200, status

    def raw_write_text(self, name: str, text: str) -> None:
        request = urllib.request.Request(
            f"{self.bao.address}/v1/secret/data/{self.prefix}/{name}", method="POST",
            data=('{"data": ' + text + "}").encode(),
            headers={"X-Vault-Token": self.bao.token, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            assert answer.status == 200, answer.status

    def test_an_entry_over_1_mib_is_a_format_error_naming_it(self) -> None:
        self.raw_write("big", {"value": "x" * (1 << 20)})
        remote, loc = self.open()
        with pytest.raises(FormatError) as caught:
            remote.read(loc, "big", "prod")
        text = str(caught.value)
        assert loc.entry("big") in text and "over 1 MiB" in text
        assert not isinstance(caught.value, KeySourceError)

    def use_bad_credentials(self, monkeypatch: pytest.MonkeyPatch) -> str:
        bad = "sf-wrong-" + uuid.uuid4().hex
        monkeypatch.setenv("VAULT_TOKEN", bad)
        return bad

    def missing_mount_url(self) -> str:
        return _url(self.bao, "nomount/app")

    def make_store_down(self, monkeypatch: pytest.MonkeyPatch) -> str:
        port = free_port()
        monkeypatch.setenv("VAULT_ADDR", f"http://127.0.0.1:{port}")
        return f"vault://127.0.0.1:{port}/secret/app"


def test_schema_and_env_travel_as_custom_metadata(bao: Bao) -> None:
    remote, loc = registry.open_remote(_url(bao, "secret/meta-test"))
    remote.write(loc, group())
    status, body = bao.call("GET", "secret/metadata/meta-test/db")
    assert status == 200
    assert body["data"]["custom_metadata"] == {"secretsfile-schema": "database",
                                               "secretsfile-env": "prod",
                                               "secretsfile-shape": "group"}
    bao.call("POST", "secret/metadata/meta-test/db", {"custom_metadata": {
        **body["data"]["custom_metadata"], "owner": "platform-team"}})
    remote.write(loc, Secret("db", "staging", "one value"))
    status, body = bao.call("GET", "secret/metadata/meta-test/db")
    assert body["data"]["custom_metadata"] == {"owner": "platform-team",  # kept
                                               "secretsfile-env": "staging",
                                               "secretsfile-shape": "value"}


def test_scheme_from_vault_addr_else_https(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULT_ADDR", "http://vault.internal:8200")
    assert BACKEND.parse("vault://vault.internal:8200/secret/a").address == \
        "http://vault.internal:8200"
    assert BACKEND.parse("vault://vault.internal/secret/a").address == \
        "http://vault.internal:8200"  # the default port
    assert BACKEND.parse("vault://other:8200/secret/a").address == "https://other:8200"
    loc = BACKEND.parse("vault://h:1/team/kv/app/x")
    assert (loc.mount, loc.prefix) == ("team", "kv/app/x")


@pytest.mark.parametrize("url", ["vault://h:8200", "vault://u:p@h:8200/secret/a",
                                 "vault://h:8200/secret/../sys", "vault://h:8200/s?x=1",
                                 "vault://h:99999/secret", "vault://h:8200/a b"])
def test_bad_urls(url: str) -> None:
    with pytest.raises(UsageError) as caught:
        registry.open_remote(url)
    assert "vault://" in str(caught.value) and ":p@" not in str(caught.value)


def test_clear_text_to_another_host_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULT_ADDR", "http://vault.internal:8200")
    remote, loc = registry.open_remote("vault://vault.internal:8200/secret/a")
    with pytest.raises(KeySourceError, match="clear text"):
        remote.names(loc)


def test_nested_mount_is_found(bao: Bao) -> None:
    status, _ = bao.call("POST", "sys/mounts/team/kv", {"type": "kv",
                                                        "options": {"version": "2"}})
    assert status in (204, 400)  # 400: mounted by an earlier run of this test
    remote, loc = registry.open_remote(_url(bao, "team/kv/app"))
    remote.write(loc, group())
    status, body = bao.call("GET", "team/kv/data/app/db")
    assert status == 200 and body["data"]["data"]["password"] == PLANTED


def test_kv_version_1_is_refused(bao: Bao) -> None:
    status, _ = bao.call("POST", "sys/mounts/kv1", {"type": "kv", "options": {"version": "1"}})
    assert status in (204, 400)
    remote, loc = registry.open_remote(_url(bao, "kv1/app"))
    with pytest.raises(ConfigError, match=r"KV version 1.*not KV version 2"):
        remote.names(loc)


def test_token_limited_to_the_prefix_works(bao: Bao, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = 'path "secret/data/limited/*" { capabilities = ["create", "read", "update"] }\n' \
             'path "secret/metadata/limited/*" { capabilities = ["create", "read", "update", ' \
             '"list"] }\npath "secret/metadata/limited" { capabilities = ["list"] }'
    assert bao.call("PUT", "sys/policies/acl/limited", {"policy": policy})[0] == 204
    status, body = bao.call("POST", "auth/token/create", {"policies": ["limited"]})
    assert status == 200
    monkeypatch.setenv("VAULT_TOKEN", body["auth"]["client_token"])
    remote, loc = registry.open_remote(_url(bao, "secret/limited"))
    remote.write(loc, group())
    assert remote.names(loc) == ["db"]
    other, elsewhere = registry.open_remote(_url(bao, "secret/forbidden"))
    with pytest.raises(KeySourceError, match="refused"):
        other.write(elsewhere, group())


def test_no_token(monkeypatch: pytest.MonkeyPatch, bao: Bao) -> None:
    monkeypatch.delenv("VAULT_TOKEN")
    assert BACKEND.unusable() is not None
    remote, loc = registry.open_remote(_url(bao, "secret/a"))
    with pytest.raises(KeySourceError, match="no Vault token"):
        remote.names(loc)


class TestTls:
    @pytest.fixture(autouse=True)
    def _tls_env(self, bao_tls: TlsBao, monkeypatch: pytest.MonkeyPatch) -> None:
        self.server = bao_tls
        monkeypatch.setenv("VAULT_TOKEN", bao_tls.token)
        monkeypatch.delenv("VAULT_ADDR")  # https: the default
        self.url = "vault://" + bao_tls.address.split("://")[1] + "/secret/tls"

    def test_an_unknown_ca_is_refused(self) -> None:
        remote, loc = registry.open_remote(self.url)
        assert loc.address == self.server.address
        with pytest.raises(KeySourceError, match="TLS certificate verification failed"):
            remote.names(loc)

    def test_vault_cacert(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("VAULT_CACERT", str(self.server.ca))
        remote, loc = registry.open_remote(self.url)
        remote.write(loc, group())
        back = remote.read(loc, "db", "prod")
        assert back is not None and back.get("password") == PLANTED

    def test_skip_verify_warns(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from secretsfile.errors import set_warning_sink

        warnings: list[str] = []
        set_warning_sink(warnings.append)
        monkeypatch.setenv("VAULT_SKIP_VERIFY", "1")
        remote, loc = registry.open_remote(self.url)
        remote.write(loc, Secret("t", "prod", "x"))
        assert "t" in remote.names(loc)
        assert warnings and "not checked" in warnings[0]

    def test_unreadable_client_certificate(self, monkeypatch: pytest.MonkeyPatch,
                                           tmp_path: Path) -> None:
        monkeypatch.setenv("VAULT_CACERT", str(self.server.ca))
        monkeypatch.setenv("VAULT_CLIENT_CERT", str(tmp_path / "missing.pem"))
        remote, loc = registry.open_remote(self.url)
        with pytest.raises(KeySourceError, match="cannot read the client certificate"):
            remote.names(loc)


def test_a_url_naming_only_the_mount(bao: Bao) -> None:
    name = "root-" + uuid.uuid4().hex[:8]
    remote, loc = registry.open_remote(_url(bao, "secret"))
    assert loc.prefix == ""
    remote.write(loc, Secret(name, "prod", PLANTED))
    assert name in remote.names(loc)  # folders of other prefixes are not names
    assert all(not n.endswith("/") for n in remote.names(loc))
    assert bao.call("GET", f"secret/data/{name}")[1]["data"]["data"] == {"value": PLANTED}
