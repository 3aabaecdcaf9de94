"""The contract every secret store backend passes, on its real server.

A backend's test module subclasses ``RemoteContract`` and provides, through an autouse
fixture, ``self.url`` (a fresh prefix per test) and the hooks below, which use the store's
own API (never the backend under test)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from secretsfile.errors import ConfigError, FormatError, KeySourceError
from secretsfile.remotes import registry
from secretsfile.secrets.model import Secret

PLANTED = "PLANTED-" + uuid.uuid4().hex  # a value that must never reach a message


def group(name: str = "db", env: str = "prod") -> Secret:
    return Secret(name, env, None, {"user": "app", "port": 5432, "tls": True,
                                    "ratio": 0.5, "password": PLANTED}, "database")


class RemoteContract:
    url: str

    # -- hooks (the store's own API) -------------------------------------------------------

    def raw_read(self, name: str) -> dict[str, Any]:
        raise NotImplementedError

    def raw_write(self, name: str, payload: Any) -> None:
        raise NotImplementedError

    def raw_write_text(self, name: str, text: str) -> None:
        """Store ``text`` (JSON text, maybe not one json.dumps could write) as the entry."""
        raise NotImplementedError

    def use_bad_credentials(self, monkeypatch: pytest.MonkeyPatch) -> str:
        """Make the credentials wrong; return the credential text that must stay unseen."""
        raise NotImplementedError

    def missing_mount_url(self) -> str:
        raise NotImplementedError

    def make_store_down(self, monkeypatch: pytest.MonkeyPatch) -> str:
        """Point at a closed port; return the URL to use."""
        raise NotImplementedError

    # -- the contract -----------------------------------------------------------------------

    def open(self, url: str | None = None) -> Any:
        return registry.open_remote(url or self.url)

    def test_group_round_trip_keeps_types(self) -> None:
        remote, loc = self.open()
        remote.write(loc, group())
        assert self.raw_read("db") == {"user": "app", "port": 5432, "tls": True,
                                       "ratio": 0.5, "password": PLANTED}
        back = remote.read(loc, "db", "prod")
        assert back is not None and back.is_group and back.env == "prod"
        assert back.values == group().values
        assert back.kinds == {"port": "int", "tls": "bool", "ratio": "float"}
        assert back.schema == "database"
        assert PLANTED not in repr(back) and PLANTED not in str(back)

    def test_single_value_round_trip(self) -> None:
        remote, loc = self.open()
        remote.write(loc, Secret("api-token", "prod", PLANTED))
        assert self.raw_read("api-token") == {"value": PLANTED}
        back = remote.read(loc, "api-token", "prod")
        assert back is not None and not back.is_group and back.value == PLANTED

    def test_a_group_with_one_value_key_stays_a_group(self) -> None:
        remote, loc = self.open()
        remote.write(loc, Secret("g", "prod", None, {"value": "x"}))
        back = remote.read(loc, "g", "prod")
        assert back is not None and back.is_group and back.values == {"value": "x"}

    def test_foreign_value_entry_reads_as_single_value(self) -> None:
        self.raw_write("foreign", {"value": "v1"})
        back = self.open()[0].read(self.open()[1], "foreign", "prod")
        assert back is not None and back.value == "v1"

    def test_new_version_and_shape_change(self) -> None:
        remote, loc = self.open()
        remote.write(loc, group())
        remote.write(loc, Secret("db", "prod", "now-one-value"))
        back = remote.read(loc, "db", "prod")
        assert back is not None and back.value == "now-one-value" and back.schema is None

    def test_describe_has_keys_not_values(self) -> None:
        remote, loc = self.open()
        remote.write(loc, group())
        described = remote.describe(loc, "db")
        assert described is not None
        assert sorted(described.keys) == ["password", "port", "ratio", "tls", "user"]
        assert described.schema == "database" and not described.single
        assert PLANTED not in repr(described)
        assert described.env == "prod" and described.managed
        assert remote.describe(loc, "nothing-here") is None

    def test_an_entry_secretsfile_did_not_write_is_not_managed(self) -> None:
        self.raw_write("foreign", {"k": "v"})
        remote, loc = self.open()
        described = remote.describe(loc, "foreign")
        assert described is not None and not described.managed and described.env is None
        remote.write(loc, Secret("foreign", "dev", None, {"k": "v"}))
        described = remote.describe(loc, "foreign")
        assert described is not None and described.managed and described.env == "dev"

    def test_names_under_the_prefix_only(self) -> None:
        remote, loc = self.open()
        for name in ("b", "a"):
            remote.write(loc, Secret(name, "prod", "x"))
        sub_remote, sub = self.open(self.url + "/sub")
        sub_remote.write(sub, Secret("deeper", "prod", "x"))
        sibling_remote, sibling = self.open(self.url + "-sibling")
        sibling_remote.write(sibling, Secret("other", "prod", "x"))
        assert remote.names(loc) == ["a", "b"]
        assert sorted(registry.read_all(self.url, "prod")) == ["a", "b"]

    def test_empty_prefix_has_no_names(self) -> None:
        remote, loc = self.open(self.url + "-empty")
        assert remote.names(loc) == []
        assert remote.read(loc, "absent", "prod") is None

    def test_deleted_is_absent(self) -> None:
        remote, loc = self.open()
        remote.write(loc, group())
        remote.write(loc, Secret("kept", "prod", "x"))
        remote.delete(loc, "db")
        assert remote.read(loc, "db", "prod") is None
        assert remote.describe(loc, "db") is None
        assert remote.names(loc) == ["kept"]
        remote.delete(loc, "never-existed")  # no error
        remote.write(loc, group())  # written again after a delete
        back = remote.read(loc, "db", "prod")
        assert back is not None and back.get("password") == PLANTED

    def test_read_all_is_masked(self) -> None:
        remote, loc = self.open()
        remote.write(loc, group())
        remote.write(loc, Secret("token", "prod", PLANTED))
        found = registry.read_all(self.url, "prod")
        assert sorted(found) == ["db", "token"]
        assert found["token"].get() == PLANTED and PLANTED not in repr(found)

    def test_nested_entry_is_refused_without_its_values(self) -> None:
        self.raw_write("nested", {"outer": {"inner": PLANTED}})
        remote, loc = self.open()
        with pytest.raises(FormatError) as caught:
            remote.read(loc, "nested", "prod")
        assert "nested" in str(caught.value) and PLANTED not in str(caught.value)
        assert caught.value.__traceback__ is None or all(
            PLANTED not in repr(frame.f_locals)
            for frame, _ in _frames(caught.value.__traceback__))

    def test_deeply_nested_entry_is_a_format_error_naming_it(self) -> None:
        self.raw_write_text("deep", '{"a": ' + "[" * 5000 + "]" * 5000 + "}")
        remote, loc = self.open()
        with pytest.raises(FormatError) as caught:
            remote.read(loc, "deep", "prod")
        assert loc.entry("deep") in str(caught.value) and "\n" not in str(caught.value)
        with pytest.raises(FormatError):
            remote.describe(loc, "deep")

    def test_bad_credentials_exit_3_without_them(self, monkeypatch: pytest.MonkeyPatch
                                                  ) -> None:
        credential = self.use_bad_credentials(monkeypatch)
        remote, loc = self.open()
        with pytest.raises(KeySourceError) as caught:
            remote.names(loc)
        text = str(caught.value)
        assert credential not in text and PLANTED not in text and "\n" not in text
        assert self.url.split("://")[0] in text
        with pytest.raises(KeySourceError) as caught:
            remote.write(loc, group())
        assert PLANTED not in str(caught.value) and credential not in str(caught.value)
        assert all(PLANTED not in repr(frame.f_locals)  # no value in traceback locals
                   for frame, _ in _frames(caught.value.__traceback__))

    def test_missing_mount(self) -> None:
        remote, loc = self.open(self.missing_mount_url())
        with pytest.raises(ConfigError) as caught:  # exit 5, not a refused token
            remote.names(loc)
        assert "\n" not in str(caught.value)

    def test_store_down(self, monkeypatch: pytest.MonkeyPatch) -> None:
        remote, loc = self.open(self.make_store_down(monkeypatch))
        with pytest.raises(KeySourceError) as caught:
            remote.write(loc, group())
        assert "cannot reach" in str(caught.value) and PLANTED not in str(caught.value)


def _frames(tb: Any) -> list[tuple[Any, int]]:
    import traceback

    return list(traceback.walk_tb(tb))
