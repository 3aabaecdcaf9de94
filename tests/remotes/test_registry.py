"""The secret store registry: schemes, dispatch, and the shared payload mapping."""

from __future__ import annotations

import uuid

import pytest

from secretsfile.errors import FormatError, UsageError
from secretsfile.remotes import registry
from secretsfile.remotes.interface import Location, check_name, from_payload, to_payload
from secretsfile.secrets.model import Secret
from secretsfile.secrets.naming import NamingPolicy
from tests.keysources.bao_server import Bao

PLANTED = "PLANTED-registry-value"


def test_every_backend_is_complete() -> None:
    assert registry.schemes() == ["vault", "awssm"]
    for backend in registry.backends():
        assert backend.example.startswith(backend.scheme + "://")
        loc = backend.parse(backend.example)
        assert loc.scheme == backend.scheme and loc.url == backend.example
        assert registry.backend_for(backend.example) is backend
        assert loc.entry("db") == backend.example + "/db"
        reason = backend.unusable()
        assert reason is None or isinstance(reason, str)


@pytest.mark.parametrize("url", ["gcpsm://project/x", "https://vault:8200/secret/x",
                                 "secret/x", ""])
def test_unknown_scheme_lists_the_known_ones(url: str) -> None:
    with pytest.raises(UsageError) as caught:
        registry.open_remote(url)
    text = str(caught.value)
    assert "vault://" in text and "awssm://" in text and "\n" not in text


def test_payload_mapping() -> None:
    single = Secret("token", "prod", PLANTED)
    group = Secret("db", "prod", None, {"port": 5432, "tls": False, "password": PLANTED},
                   "database")
    assert to_payload(single) == {"value": PLANTED}
    assert to_payload(group) == {"port": 5432, "tls": False, "password": PLANTED}
    back = from_payload("db", "prod", to_payload(group), "database", "x://db", "group")
    assert back.values == group.values and back.kinds == group.kinds
    assert from_payload("t", "prod", {"value": 7}, None, "x://t").value == "7"
    assert from_payload("t", "prod", {"value": "v"}, None, "x://t", "group").is_group


@pytest.mark.parametrize("payload", [[PLANTED], PLANTED, {"k": [PLANTED]},
                                     {"k": {"n": PLANTED}}, {"k": None}, None])
def test_payload_that_is_not_a_flat_map(payload: object) -> None:
    with pytest.raises(FormatError) as caught:
        from_payload("db", "prod", payload, None, "vault://h:1/secret/app/db")
    assert "vault://h:1/secret/app/db" in str(caught.value)
    assert PLANTED not in str(caught.value)


@pytest.mark.parametrize("name", ["..", ".", "a/b", "", "a b", "x?y"])
def test_names_are_one_plain_segment(name: str) -> None:
    loc = Location("vault://h:1/secret/app", "vault", "https://h:1", "secret", "app")
    with pytest.raises(UsageError):
        check_name(loc, name)


def test_read_all_leaves_out_names_sync_pull_refuses_never_keys(bao: Bao,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULT_TOKEN", bao.token)
    monkeypatch.setenv("VAULT_ADDR", bao.address)
    prefix = "read-all-" + uuid.uuid4().hex[:8]
    for name, payload in [("db", {"value": "x"}), ("dot.name", {"value": "x"}),
                          ("Upper", {"value": "x"}), ("bad-key", {"a b": "x", "2fa": "y"}),
                          ("api-token", {"value": PLANTED})]:
        status, _ = bao.call("POST", f"secret/data/{prefix}/{name}", {"data": payload})
        assert status == 200, status
    url = f"vault://{bao.address.split('://')[1]}/secret/{prefix}"
    found = registry.read_all(url, "prod")  # a key is never a reason to drop a secret
    assert sorted(found) == ["api-token", "bad-key", "db"]
    assert set(found["bad-key"].keys) == {"a b", "2fa"}
    assert sorted(registry.read_all(url, "prod", NamingPolicy())) == ["api-token", "bad-key"]
