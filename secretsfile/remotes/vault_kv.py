"""Vault / OpenBao KV version 2 as a secret store: ``vault://HOST[:PORT]/MOUNT/PREFIX``.

Each named secret is the KV entry ``MOUNT/PREFIX/NAME`` (``{mount}/data/…`` for values,
``{mount}/metadata/…`` for ``custom_metadata``: ``secretsfile-schema``, ``-env``,
``-shape``, merged into what other tools keep there). The mount may be nested
(``team/kv``): the server says where it ends (``sys/internal/ui/mounts/PATH``, which a
token limited to its paths may read), and a missing mount or a KV v1 engine is a
ConfigError. A soft-deleted entry (listed, but its latest version deleted) is absent;
``delete`` soft-deletes the latest version (``bao kv undelete`` brings it back).

The port defaults to 8200. The scheme is ``VAULT_ADDR``'s (or ``BAO_ADDR``'s) when it
names the same host and port, https otherwise. Token, namespace and the clear-text rule
are the transit key source's (``keysources/hc_vault.py``); TLS options and time/size
bounds are ``keysources/http.py``'s.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit

from secretsfile.errors import (
    ConfigError,
    FormatError,
    KeySourceError,
    UsageError,
    scrubbed,
    without_frames,
)
from secretsfile.keysources.hc_vault import (
    check_transport,
    find_token,
    is_name,
    token_source,
    vault_headers,
)
from secretsfile.remotes.interface import (
    Entry,
    EntryReader,
    Location,
    Remote,
    check_name,
    from_payload,
    shape_of,
    to_payload,
)
from secretsfile.secrets.model import Secret

if TYPE_CHECKING:
    from secretsfile.keysources.http import Response

EXAMPLE = "vault://vault.example.com:8200/secret/myapp"
DEFAULT_PORT = 8200
SCHEMA_META, ENV_META, SHAPE_META = "secretsfile-schema", "secretsfile-env", "secretsfile-shape"
_LOGIN_HINT = "set VAULT_TOKEN (or run 'bao login'/'vault login') to a token allowed on this path"

_mounts: dict[tuple[str, str], tuple[str, str]] = {}  # (address, path) -> (mount, prefix)
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _mounts.clear()


def _bad_url(url: str, problem: str) -> UsageError:
    return UsageError(f"{url[:100]!r} {problem}", hint=f"write it like {EXAMPLE}")


def _scheme_for(host: str, port: int) -> str:
    for variable in ("VAULT_ADDR", "BAO_ADDR"):
        try:
            parts = urlsplit(os.environ.get(variable, ""))
            given = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            continue
        if parts.hostname == host and given == port and parts.scheme in ("http", "https"):
            return parts.scheme
    return "https"


def _errors(response: Response) -> str:
    body = response.body
    found = body.get("errors") if isinstance(body, dict) else None
    return "; ".join(str(e) for e in found)[:200] if isinstance(found, list) else ""


class VaultKvRemote(EntryReader):
    scheme = "vault"
    example = EXAMPLE

    def parse(self, url: str) -> Location:
        text = url.strip()
        try:
            parts = urlsplit(text)
            port = parts.port or DEFAULT_PORT
        except ValueError:
            raise _bad_url(text, "has a bad host or port") from None
        if parts.scheme != "vault" or not parts.hostname:
            raise _bad_url(text, "is not a vault://HOST:PORT/MOUNT/PREFIX URL")
        if "@" in text:  # userinfo: maybe credentials, never shown
            raise UsageError("a vault:// URL must not hold credentials",
                             hint="give the token in VAULT_TOKEN, not in the URL")
        if parts.query or parts.fragment or "?" in text or "#" in text:
            raise _bad_url(text, "has a '?' or '#' part")
        segments = [s for s in parts.path.split("/") if s]
        if not segments or not all(is_name(s) for s in segments):
            raise _bad_url(text, "needs a mount and a path of plain names after the host")
        host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
        address = f"{_scheme_for(parts.hostname, port)}://{host}:{port}"
        return Location(text, self.scheme, address, segments[0], "/".join(segments[1:]))

    def unusable(self) -> str | None:
        token, _ = find_token()
        return None if token else "no Vault token (VAULT_TOKEN, BAO_TOKEN or ~/.vault-token)"

    # -- entries --------------------------------------------------------------------------

    def names(self, loc: Location) -> list[str]:
        mount, prefix = self._mount(loc)
        response = self._call(loc, "LIST", f"{mount}/metadata/{prefix}")
        if response.status == 404:
            return []
        keys = self._data(loc, response).get("keys")
        listed = [k for k in keys if isinstance(k, str) and is_name(k)] if isinstance(
            keys, list) else []
        return sorted(k for k in listed if self._alive(loc, mount, prefix, k))

    @scrubbed  # an error leaves without the frames that hold the value
    def write(self, loc: Location, secret: Secret) -> None:
        mount, prefix = self._mount(loc)
        path = self._path(prefix, check_name(loc, secret.name))
        response = self._call(loc, "POST", f"{mount}/data/{path}", {"data": to_payload(secret)})
        self._data(loc, response, allow_empty=True)
        # other tools' custom_metadata stays (read and merged: PATCH needs a capability
        # that tokens allowed create/read/update often lack)
        response = self._call(loc, "GET", f"{mount}/metadata/{path}")
        found = self._data(loc, response).get("custom_metadata") or {}
        custom = {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}
        custom.update({ENV_META: secret.env, SHAPE_META: shape_of(secret)})
        custom.pop(SCHEMA_META, None)
        if secret.schema:
            custom[SCHEMA_META] = secret.schema
        response = self._call(loc, "POST", f"{mount}/metadata/{path}",
                              {"custom_metadata": custom})
        self._data(loc, response, allow_empty=True)

    def delete(self, loc: Location, name: str) -> None:
        mount, prefix = self._mount(loc)
        path = self._path(prefix, check_name(loc, name))
        response = self._call(loc, "DELETE", f"{mount}/data/{path}")
        if response.status != 404:
            self._data(loc, response, allow_empty=True)

    # -- helpers --------------------------------------------------------------------------

    @staticmethod
    def _path(prefix: str, name: str) -> str:
        return f"{prefix}/{name}" if prefix else name

    def _entry(self, loc: Location, name: str, env: str) -> Entry | None:
        """The masked entry, its version's time, and its env / managed marks (secretsfile
        writes the env and shape on every entry: either marks it as its own), or None when
        absent or soft-deleted.
        A malformed entry's error leaves without this frame's plaintext."""
        mount, prefix = self._mount(loc)
        path = self._path(prefix, check_name(loc, name))
        response = self._call(loc, "GET", f"{mount}/data/{path}", entry=loc.entry(name))
        if response.status == 404:
            return None
        data = self._data(loc, response)
        meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        custom = (meta or {}).get("custom_metadata")
        tags = {k: str(v) for k, v in custom.items()} if isinstance(custom, dict) else {}
        try:
            secret = from_payload(name, env, data.get("data"), tags.get(SCHEMA_META) or None,
                                  loc.entry(name), tags.get(SHAPE_META))
        except FormatError as error:
            del data, response
            raise without_frames(error) from None
        return (secret, str((meta or {}).get("created_time") or ""),
                tags.get(ENV_META) or None, ENV_META in tags or SHAPE_META in tags)

    def _alive(self, loc: Location, mount: str, prefix: str, name: str) -> bool:
        response = self._call(loc, "GET", f"{mount}/metadata/{self._path(prefix, name)}")
        if response.status == 404:
            return False
        data = self._data(loc, response)
        versions = data.get("versions")
        current = versions.get(str(data.get("current_version"))) if isinstance(
            versions, dict) else None
        if not isinstance(current, dict):
            return False
        return not current.get("deletion_time") and not current.get("destroyed")

    def _mount(self, loc: Location) -> tuple[str, str]:
        """(mount, prefix under it) as the server sees the URL's path; ConfigError when no
        KV v2 engine is mounted there."""
        full = self._path(loc.mount, loc.prefix)
        with _lock:
            known = _mounts.get((loc.address, full))
        if known:
            return known
        response = self._call(loc, "GET", f"sys/internal/ui/mounts/{full}")
        if response.status in (400, 403, 404) and "permission denied" not in _errors(response):
            raise ConfigError(f"{loc.url}: no secrets engine is mounted at {full!r} on "
                              f"{loc.address} (or the token may not use that path)",
                              hint=f"check the mount in the URL, like {EXAMPLE}")
        data = self._data(loc, response)
        mount = str(data.get("path") or "").strip("/")
        options = data.get("options") if isinstance(data.get("options"), dict) else {}
        version = str((options or {}).get("version") or "1")
        if data.get("type") not in ("kv", "generic") or version != "2" or not mount:
            kind = f"KV version {version}" if data.get("type") == "kv" else repr(data.get("type"))
            raise ConfigError(f"{loc.url}: the engine at {mount or full!r} is {kind}, "
                              "not KV version 2",
                              hint=f"enable one with 'bao secrets enable -path={mount or full}"
                              " -version=2 kv' or point the URL at a KV v2 mount")
        resolved = (mount, full[len(mount):].strip("/"))
        with _lock:
            _mounts[(loc.address, full)] = resolved
        return resolved

    def _call(self, loc: Location, method: str, path: str, body: Any = None,
              entry: str | None = None) -> Response:
        """The answer; an ``entry`` read whose answer is refused (over 1 MiB, nested too
        deeply) is a FormatError naming that entry, not a server problem."""
        from secretsfile.keysources.http import TransportError, request_json

        check_transport(loc.address, loc.url)
        headers = vault_headers(loc.url)
        url = f"{loc.address}/v1/" + quote(path, safe="/")
        try:
            return request_json(method, url, body, headers)
        except TransportError as error:
            if error.bad_answer and entry:
                raise FormatError(f"{entry}: the entry cannot be read (Vault {error.reason})",
                                  hint="a secret is one level of key/value pairs under "
                                  "1 MiB") from None
            if error.reached:
                raise KeySourceError(f"{loc.url}: Vault at {loc.address} {error.reason}",
                                     hint="check the server") from None
            raise KeySourceError(f"cannot reach Vault at {loc.address} for {loc.url} "
                                 f"({error.reason})",
                                 hint="check the address and that Vault is running") from None

    def _data(self, loc: Location, response: Response, allow_empty: bool = False
              ) -> dict[str, Any]:
        body = response.body
        data = body.get("data") if isinstance(body, dict) else None
        if response.status in (200, 204) and (isinstance(data, dict) or allow_empty):
            return data if isinstance(data, dict) else {}
        if response.status == 403:
            raise KeySourceError(f"{loc.url}: the token from {token_source()} was refused "
                                 "(permission denied)", hint=_LOGIN_HINT)
        raise KeySourceError(f"{loc.url}: Vault answered HTTP {response.status}",
                             hint="check the server's log")


BACKEND: Remote = VaultKvRemote()
