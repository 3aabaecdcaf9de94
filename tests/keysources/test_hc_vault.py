"""OpenBao/Vault transit through the key-source contract, against a real ``bao server -dev``."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from secretsfile.core.metadata import MasterKey
from secretsfile.errors import KeySourceError
from secretsfile.keysources import http, registry
from secretsfile.keysources.hc_vault import split_uri
from tests.keysources.bao_server import Bao, bao, free_port  # noqa: F401  (the fixture)
from tests.keysources.contract import KeySourceContract


@pytest.fixture(autouse=True)
def vault_token(bao: Bao, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:  # noqa: F811
    monkeypatch.setenv("VAULT_TOKEN", bao.token)
    yield bao.token
    http.close_all()


class TestHcVault(KeySourceContract):
    kind = "hc_vault"

    @pytest.fixture(autouse=True)
    def _server(self, bao: Bao) -> None:  # noqa: F811
        self.bao = bao

    def make_recipient(self) -> str:
        return self.bao.key("contract")

    def forget_identities(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        monkeypatch.delenv("VAULT_TOKEN", raising=False)
        monkeypatch.setenv("HOME", str(tmp_path))


def _wrap(bao: Bao, name: str = "k1") -> tuple[MasterKey, bytes]:  # noqa: F811
    data_key = os.urandom(32)
    return registry.get("hc_vault").wrap(bao.key(name), data_key), data_key


def _unwrap_error(entry: MasterKey) -> KeySourceError:
    source = registry.get("hc_vault")
    with pytest.raises(KeySourceError) as caught:
        source.unwrap(entry)
    return caught.value


def test_metadata_is_what_sops_writes(bao: Bao) -> None:  # noqa: F811
    entry, _ = _wrap(bao)
    assert list(entry.fields) == ["vault_address", "engine_path", "key_name", "created_at",
                                  "enc"]
    assert entry.fields["vault_address"] == bao.address
    assert entry.fields["engine_path"] == "transit" and entry.fields["key_name"] == "k1"
    assert entry.enc.startswith("vault:v1:")
    assert entry.fields["created_at"].endswith("Z")


def test_bad_token_is_refused_and_never_shown(bao: Bao, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
                                              tmp_path: Path) -> None:
    entry, _ = _wrap(bao)
    (tmp_path / ".vault-token").write_text(bao.token + "\n")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("VAULT_TOKEN", "PLANTED-bad-token")  # a bad VAULT_TOKEN wins (sops)
    error = _unwrap_error(entry)
    uri = bao.key("k1")
    assert error.message == f"Vault refused the token for {uri} (permission denied)"
    assert "VAULT_TOKEN" in (error.hint or "")
    assert "PLANTED" not in str(error) and bao.token not in str(error)


def test_token_file_and_bao_token(bao: Bao, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
                                  tmp_path: Path) -> None:
    entry, data_key = _wrap(bao)
    monkeypatch.delenv("VAULT_TOKEN")
    monkeypatch.setenv("HOME", str(tmp_path))
    source = registry.get("hc_vault")
    assert source.unusable()
    (tmp_path / ".vault-token").write_text(bao.token + "\n")
    assert source.unusable() is None
    assert source.unwrap(entry) == data_key
    assert "token found" in " ".join(map(str, source.reports()))
    (tmp_path / ".vault-token").unlink()
    monkeypatch.setenv("BAO_TOKEN", bao.token)
    assert source.unwrap(entry) == data_key
    assert all(bao.token not in str(r) for r in source.reports())


def test_no_token_says_so_without_a_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VAULT_TOKEN")
    entry = MasterKey("hc_vault", {"vault_address": "http://127.0.0.1:1", "engine_path":
                                   "transit", "key_name": "k", "enc": "vault:v1:AAAA"})
    error = _unwrap_error(entry)
    assert error.message == "no Vault token for http://127.0.0.1:1/v1/transit/keys/k"


def test_missing_key_is_named(bao: Bao) -> None:  # noqa: F811
    entry, _ = _wrap(bao)
    entry.fields["key_name"] = "never-made"
    error = _unwrap_error(entry)
    assert "'never-made' not found" in error.message
    assert "VAULT_NAMESPACE" in (error.hint or "")


def test_wrong_engine_path(bao: Bao) -> None:  # noqa: F811
    entry, _ = _wrap(bao)
    entry.fields["engine_path"] = "nomount"
    assert "no transit engine at 'nomount'" in _unwrap_error(entry).message


def test_tampered_enc(bao: Bao) -> None:  # noqa: F811
    entry, _ = _wrap(bao)
    other, _ = _wrap(bao, "k2")
    entry.fields["enc"] = other.enc  # made under another key: authentication fails
    error = _unwrap_error(entry)
    assert "could not decrypt" in error.message and "authentication failed" in error.message


def test_unreachable_server_fails_fast() -> None:
    address = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    entry = MasterKey("hc_vault", {"vault_address": address, "engine_path": "transit",
                                   "key_name": "k", "enc": "vault:v1:AAAA"})
    started = time.monotonic()
    error = _unwrap_error(entry)
    assert time.monotonic() - started < 3
    assert error.message == f"cannot reach Vault at {address} (connection refused)"


def test_plain_http_to_a_remote_host_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    source = registry.get("hc_vault")
    with pytest.raises(KeySourceError) as caught:
        source.wrap("http://vault.example.invalid:8200/v1/transit/keys/k", os.urandom(32))
    assert "clear text" in caught.value.message
    assert "SECRETSFILE_VAULT_ALLOW_HTTP" in (caught.value.hint or "")


@pytest.mark.parametrize(("uri", "expected"), [
    ("https://v.example:8200/v1/transit/keys/k1", ("https://v.example:8200", "transit", "k1")),
    ("http://127.0.0.1:1/v1/team/prod/transit/keys/k/", ("http://127.0.0.1:1",
                                                         "team/prod/transit", "k")),
])
def test_uri_parsing(uri: str, expected: tuple[str, str, str]) -> None:
    assert split_uri(uri) == expected


@pytest.mark.parametrize(("uri", "message"), [
    ("https://v.example/vault/v1/transit/keys/k", "prefixed URL"),
    ("https://v.example/transit/keys/k", "not formatted correctly"),
    ("v.example/v1/transit/keys/k", "not a Vault transit URI"),
    ("https://user:PLANTED@v.example/v1/transit/keys/k", "must not contain credentials"),
])
def test_bad_uris(uri: str, message: str) -> None:
    with pytest.raises(KeySourceError) as caught:
        registry.parse_recipient(uri, "hc_vault")
    assert message in caught.value.message and "PLANTED" not in str(caught.value)


def test_nested_mount_and_keep_alive(bao: Bao) -> None:  # noqa: F811
    bao.mount("team/prod/transit")
    uri = bao.key("nested", engine="team/prod/transit")
    source = registry.get("hc_vault")
    http.close_all()
    entries = [source.wrap(uri, os.urandom(32)) for _ in range(3)]
    assert entries[0].fields["engine_path"] == "team/prod/transit"
    assert registry.recipient_id(entries[0]) == uri
    for entry in entries:
        source.unwrap(entry)
    assert sum(len(idle) for idle in http._pool.values()) == 1  # one connection, reused


def test_namespace_header(bao: Bao, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    status, _ = bao.call("POST", "sys/namespaces/ns1", {})
    if status not in (200, 204):
        pytest.skip(f"this OpenBao has no namespaces (HTTP {status})")
    assert bao.call("POST", "ns1/sys/mounts/transit", {"type": "transit"})[0] in (200, 204)
    bao.call("POST", "ns1/transit/keys/nk", {})
    monkeypatch.setenv("VAULT_NAMESPACE", "ns1")
    source = registry.get("hc_vault")
    data_key = os.urandom(32)
    entry = source.wrap(f"{bao.address}/v1/transit/keys/nk", data_key)
    assert source.unwrap(entry) == data_key
    monkeypatch.delenv("VAULT_NAMESPACE")
    assert "not found" in _unwrap_error(entry).message


def test_module_import_is_light() -> None:
    code = ("import sys, secretsfile.keysources.registry as r; r.sources(); "
            "print('http.client' in sys.modules, 'ssl' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert out.split() == ["False", "False"]


def _child_token(bao: Bao) -> str:  # noqa: F811
    status, answer = bao.call("POST", "auth/token/create", {"ttl": "10m"})
    assert status == 200, status
    return str(answer["auth"]["client_token"])


@pytest.mark.parametrize(("field", "value"), [
    ("engine_path", "auth/token/revoke-self?"),
    ("engine_path", "auth/token/revoke-self#"),
    ("engine_path", "transit/../auth/token/revoke-self"),
    ("engine_path", "transit/ "),
    ("key_name", "../../auth/token/revoke-self"),
    ("key_name", "k1?x=1"),
    ("key_name", "k%2F1"),
])
def test_file_cannot_point_the_token_elsewhere(bao: Bao, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
                                               field: str, value: str) -> None:
    entry, _ = _wrap(bao)
    token = _child_token(bao)
    monkeypatch.setenv("VAULT_TOKEN", token)
    entry.fields[field] = value
    error = _unwrap_error(entry)
    assert error.message.startswith("invalid Vault transit key in the file: " + field)
    assert bao.call("GET", "auth/token/lookup-self", token=token)[0] == 200  # still alive


@pytest.mark.parametrize("address", [
    "http://127.0.0.1:99999", "http://127.0.0.1:abc", "http://[::1", "http://127.0.0.1:0",
    "http://127.0.0.1:8200/sys?x", "http://127.0.0.1:8200/", "ftp://127.0.0.1",
    "http://127.0.0.1:8200#x", "http://\n127.0.0.1",
])
def test_bad_vault_address_in_the_file(address: str) -> None:
    entry = MasterKey("hc_vault", {"vault_address": address, "engine_path": "transit",
                                   "key_name": "k", "enc": "vault:v1:AAAA"})
    error = _unwrap_error(entry)
    assert error.message.startswith("invalid Vault transit key in the file: vault_address")
    assert "\n" not in error.message


def test_credentials_in_the_file_address_are_not_shown() -> None:
    entry = MasterKey("hc_vault", {"vault_address": "http://u:PLANTED@127.0.0.1:1",
                                   "engine_path": "transit", "key_name": "k", "enc": "x"})
    error = _unwrap_error(entry)
    assert "credentials" in error.message and "PLANTED" not in str(error)


@pytest.mark.parametrize(("uri", "message"), [
    ("http://127.0.0.1:99999/v1/transit/keys/k", "vault_address"),
    ("http://127.0.0.1:abc/v1/transit/keys/k", "vault_address"),
    ("http://[::1/v1/transit/keys/k", "not a Vault transit URI"),
    ("http://127.0.0.1:1/v1/auth/token/revoke-self?/keys/k", "no '?' or '#' part"),
    ("http://127.0.0.1:1/v1/tr..ansit/../keys/k", "engine_path"),
    ("http://127.0.0.1:1/v1/transit/keys/%2e%2e", "key_name"),
])
def test_bad_uris_are_refused_before_any_request(uri: str, message: str) -> None:
    with pytest.raises(KeySourceError) as caught:
        registry.parse_recipient(uri, "hc_vault")
    assert message in caught.value.message and "\n" not in caught.value.message


def test_names_are_percent_quoted_in_the_url(bao: Bao) -> None:  # noqa: F811
    uri = bao.key("dotted.key_v2-x")
    entry, data_key = registry.get("hc_vault").wrap(uri, b"k" * 32), b"k" * 32
    assert registry.get("hc_vault").unwrap(entry) == data_key


@pytest.mark.parametrize("variable", ["VAULT_TOKEN", "VAULT_NAMESPACE"])
def test_line_break_in_token_or_namespace(bao: Bao, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
                                          variable: str) -> None:
    entry, _ = _wrap(bao)
    value = (bao.token if variable == "VAULT_TOKEN" else "ns1") + "\nX-Evil: PLANTED"
    monkeypatch.setenv(variable, value)
    error = _unwrap_error(entry)
    assert error.message == f"{variable} holds a line break"
    assert "PLANTED" not in str(error) and bao.token not in str(error)


def test_token_file_with_a_line_break_is_named(bao: Bao, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
                                               tmp_path: Path) -> None:
    entry, _ = _wrap(bao)
    monkeypatch.delenv("VAULT_TOKEN")
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".vault-token").write_text(bao.token + "\nPLANTED\n")
    error = _unwrap_error(entry)
    assert error.message == "~/.vault-token holds a line break"
    assert bao.token not in str(error)
