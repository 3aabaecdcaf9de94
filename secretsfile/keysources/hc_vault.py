"""OpenBao / HashiCorp Vault transit: the data key is wrapped by a transit key on the server.

Recipients are sops' transit URIs, ``https://vault.example.com:8200/v1/<engine path>/keys/<name>``
(``--hc-vault-transit``, ``.sops.yaml`` ``hc_vault_transit_uri`` and ``hc_vault`` in key
groups). Metadata entries are exactly sops': ``vault_address, engine_path, key_name,
created_at, enc`` (``enc`` is the ``vault:v1:…`` ciphertext). Wrapping is
``PUT {addr}/v1/{engine}/encrypt/{name}``, unwrapping ``…/decrypt/…``.

The token comes from ``VAULT_TOKEN``, then ``BAO_TOKEN`` (our extension), then
``~/.vault-token``; a set variable wins even when the server refuses it, as in sops.
``VAULT_NAMESPACE`` is sent as ``X-Vault-Namespace`` (sops does not record it in the file).
The address always comes from the URI or the file's ``vault_address``, never ``VAULT_ADDR``.

Our hardening (sops has none): the token is never sent in clear text to a host other than
the loopback one; ``SECRETSFILE_VAULT_ALLOW_HTTP=1`` allows plain ``http://`` elsewhere.
The address, engine path and key name (from a URI or from the file) are checked before any
request: ``http(s)://host[:port]`` with nothing after it, an engine path of ``/``-separated
names and a key name made of ``A-Z a-z 0-9 . _ -`` (no ``.``/``..``), so a file cannot
point the token at another Vault endpoint (``auth/token/revoke-self?``); each name is
percent-quoted in the URL all the same. Time and size bounds: ``keysources/http.py``.
``vault_headers`` and ``check_transport`` (token, namespace, the clear-text rule) are
shared with the KV v2 secret store (``remotes/vault_kv.py``).
"""

from __future__ import annotations

import binascii
import os
from collections.abc import Mapping

from secretsfile.core.pattern import Pattern
from secretsfile.errors import KeySourceError
from secretsfile.keysources.interface import CliOption, KeySourceBase, SourceReport

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from typing import Any

    from secretsfile.core.metadata import MasterKey
    from secretsfile.keysources.http import Response

# http.client is imported (through keysources/http.py) only inside wrap/unwrap.

_EXAMPLE = "https://vault.example.com:8200/v1/transit/keys/keyName"
_PREFIXED = Pattern(r"/[^/]+/v\d+/[^/]+/[^/]+/[^/]+")
_WELL_FORMED = Pattern(r"/v\d+/[^/]+/[^/]+/[^/]+")
_NAME = Pattern(r"[A-Za-z0-9._-]+")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_LOGIN_HINT = ("set VAULT_TOKEN to a token allowed to use this key "
               "(or run 'bao login' / 'vault login'), and VAULT_NAMESPACE if the key is in one")
TOKEN_FILE_NAME = ".vault-token"


def split_uri(uri: str) -> tuple[str, str, str]:
    """(vault address, engine path, key name) of a transit URI, checked as sops does."""
    from urllib.parse import urlsplit  # only for a Vault key: encrypt loads every backend

    text = uri.strip()
    try:
        parts = urlsplit(text)
    except ValueError:  # an unclosed IPv6 literal
        parts = urlsplit("")
    if not parts.scheme or not parts.netloc:
        raise KeySourceError(f"{text[:60]!r} is not a Vault transit URI",
                             hint=f"write it like {_EXAMPLE}")
    if "@" in parts.netloc:  # credentials in the URI would be written to the file
        raise KeySourceError("a Vault transit URI must not contain credentials",
                             hint="give the token in VAULT_TOKEN, not in the URI")
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise KeySourceError(f"{text!r}: a Vault transit URI has no '?' or '#' part",
                             hint=f"write it like {_EXAMPLE}")
    if _PREFIXED.search(parts.path):
        raise KeySourceError(
            f"{text!r}: running Vault with a prefixed URL is not supported",
            hint=f"the format has to be like {_EXAMPLE}")
    if not _WELL_FORMED.search(parts.path):
        raise KeySourceError(f"{text!r}: the Vault path is not formatted correctly",
                             hint=f"write it like {_EXAMPLE}")
    dirs = parts.path.strip("/").split("/")
    address = f"{parts.scheme}://{parts.netloc}"
    engine, name = "/".join(d for d in dirs[1:-2] if d), dirs[-1]
    check_key(address, engine, name, f"in {text!r}")
    return address, engine, name


def is_name(text: str) -> bool:
    return bool(_NAME.fullmatch(text)) and text not in (".", "..")


def check_key(address: str, engine: str, name: str, where: str) -> None:
    """KeySourceError unless ``address`` is ``http(s)://host[:port]`` and ``engine`` and
    ``name`` are plain names: what a file says must not reach another Vault endpoint."""
    from urllib.parse import urlsplit  # only for a Vault key: encrypt loads every backend

    try:
        parts = urlsplit(address)
        well_formed = (parts.port != 0 and parts.scheme in ("http", "https")
                       and bool(parts.hostname)
                       and f"{parts.scheme}://{parts.netloc}" == address)
    except ValueError:  # a bad port or IPv6 literal
        well_formed = False
    if "@" in address:  # userinfo: maybe credentials, never shown
        problem = "vault_address holds credentials"
    elif not well_formed:
        problem = f"vault_address {address[:80]!r} is not http(s)://host[:port]"
    elif not all(is_name(part) for part in engine.split("/")):
        problem = f"engine_path {engine[:80]!r} is not a '/'-separated list of names"
    elif not is_name(name):
        problem = f"key_name {name[:80]!r} is not a plain name"
    else:
        return
    raise KeySourceError(f"invalid Vault transit key {where}: {problem}",
                         hint=f"a transit key looks like {_EXAMPLE}")


def _url(address: str, engine: str, action: str, name: str) -> str:
    from urllib.parse import quote

    path = "/".join(quote(part, safe="") for part in [*engine.split("/"), action, name])
    return f"{address}/v1/{path}"


def join_uri(address: str, engine_path: str, key_name: str) -> str:
    return f"{address}/v1/{engine_path}/keys/{key_name}"


def token_file() -> str:
    return os.path.join(os.path.expanduser("~"), TOKEN_FILE_NAME)


def find_token() -> tuple[str | None, list[SourceReport]]:
    """The token to send, and where it was looked for (never the token itself)."""
    reports: list[SourceReport] = []
    for name in ("VAULT_TOKEN", "BAO_TOKEN"):
        value = os.environ.get(name, "").strip()
        reports.append(SourceReport(name, "set" if value else "not set"))
        if value:
            return value, reports
    path = token_file()
    try:
        with open(path, encoding="utf-8") as handle:
            value = handle.read().strip()
    except FileNotFoundError:
        reports.append(SourceReport(path, "file not found"))
        return None, reports
    except (OSError, UnicodeDecodeError):
        reports.append(SourceReport(path, "unreadable"))
        return None, reports
    reports.append(SourceReport(path, "token found" if value else "empty"))
    return value or None, reports


def token_source() -> str:
    """Where find_token found the token (its last report), for messages: never the token."""
    label = find_token()[1][-1].label
    return "~/" + TOKEN_FILE_NAME if label == token_file() else label


def vault_headers(where: str) -> dict[str, str]:
    """The token and namespace headers for a request about ``where`` (a URI or store URL,
    named in messages); KeySourceError when there is no token or a header cannot be sent.
    Messages name the variable, never its value."""
    token, _ = find_token()
    if not token:
        raise KeySourceError(f"no Vault token for {where}", hint=_LOGIN_HINT)
    headers = {"X-Vault-Token": token}
    variable = ""
    for variable in ("VAULT_NAMESPACE", "BAO_NAMESPACE"):
        namespace = os.environ.get(variable)
        if namespace:
            headers["X-Vault-Namespace"] = namespace
            break
    for header, value in headers.items():
        source = variable if header == "X-Vault-Namespace" else token_source()
        if any(c in value for c in "\r\n"):
            raise KeySourceError(f"{source} holds a line break", hint=f"fix {source}")
        if not value.isascii() or not value.isprintable():
            raise KeySourceError(f"{source} holds a character that cannot be sent",
                                 hint=f"fix {source}")
    return headers


def check_transport(address: str, where: str) -> None:
    """KeySourceError unless the token may be sent to ``address``: https, or http to the
    loopback host, or anywhere with ``SECRETSFILE_VAULT_ALLOW_HTTP=1``."""
    from urllib.parse import urlsplit  # only for a Vault key: encrypt loads every backend

    parts = urlsplit(address)
    if parts.scheme == "https":
        return
    if parts.scheme != "http":
        raise KeySourceError(f"{where}: Vault addresses are http:// or https://",
                             hint=f"write it like {_EXAMPLE}")
    if parts.hostname in _LOOPBACK or os.environ.get("SECRETSFILE_VAULT_ALLOW_HTTP") == "1":
        return
    raise KeySourceError(f"refusing to send the Vault token in clear text to {address}",
                         hint="use https://, or set SECRETSFILE_VAULT_ALLOW_HTTP=1 to allow it")


def _errors(response: Response) -> str:
    body = response.body
    found = body.get("errors") if isinstance(body, dict) else None
    text = "; ".join(str(e) for e in found) if isinstance(found, list) else ""
    return text[:200] or f"HTTP {response.status}"


class HcVaultKeySource(KeySourceBase):
    kind = "hc_vault"
    title = "Vault transit"
    syntax = f"a Vault transit URI ({_EXAMPLE})"
    id_field = "key_name"
    config_fields = ("hc_vault_transit_uri", "hc_vault")
    cli = CliOption("hc-vault-transit",
                    "Add an OpenBao/Vault transit key (URI like " + _EXAMPLE + ").",
                    "Remove an OpenBao/Vault transit key (its URI).", metavar="URI")
    key_variables = ("VAULT_TOKEN", "BAO_TOKEN")
    no_key_hint = "set VAULT_TOKEN (or run 'bao login') for the file's Vault transit key"
    needs = "a Vault token (VAULT_TOKEN, BAO_TOKEN or ~/.vault-token); VAULT_NAMESPACE if used"

    def __init__(self) -> None:
        self._failures: list[SourceReport] = []

    # -- recipient syntax ---------------------------------------------------------------

    def claims(self, text: str) -> bool:
        text = text.strip()
        return text.startswith(("http://", "https://")) and "/v" in text

    def parse_recipient(self, text: str) -> str:
        return join_uri(*split_uri(text))

    def spell(self, value: str) -> str:
        return value

    def config_entries(self, raw: Any) -> list[str]:
        if isinstance(raw, list):
            return [self.recipient_id(item) if isinstance(item, Mapping) and
                    "vault_address" in item else str(item) for item in raw]
        return super().config_entries(raw)

    def recipient_id(self, fields: Mapping[str, Any]) -> str:
        address = str(fields.get("vault_address") or "")
        if not address:
            return ""
        return join_uri(address, str(fields.get("engine_path") or ""),
                        str(fields.get("key_name") or ""))

    # -- availability -------------------------------------------------------------------

    def unusable(self) -> str | None:
        token, _ = find_token()
        return None if token else "no Vault token (VAULT_TOKEN, BAO_TOKEN or ~/.vault-token)"

    def reports(self) -> list[SourceReport]:
        return [*find_token()[1], *self._failures]

    # -- wrapping -----------------------------------------------------------------------

    def wrap(self, recipient: str, data_key: bytes) -> MasterKey:
        import base64  # on use: encrypt's options load this module, not its keys (issue 14)

        from secretsfile.core.metadata import MasterKey
        from secretsfile.core.values import format_time

        address, engine, name = split_uri(recipient)
        body = {"plaintext": base64.b64encode(data_key).decode("ascii")}
        data = self._call(address, engine, name, "encrypt", body)
        ciphertext = data.get("ciphertext")
        if not isinstance(ciphertext, str) or not ciphertext.startswith("vault:"):
            raise self._fail(join_uri(address, engine, name),
                             "Vault answered without a ciphertext", "check the server")
        import datetime as _dt

        now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
        return MasterKey(self.kind, {"vault_address": address, "engine_path": engine,
                                     "key_name": name, "created_at": format_time(now),
                                     "enc": ciphertext})

    def unwrap(self, key: MasterKey) -> bytes:
        address = str(key.fields.get("vault_address") or "")
        engine = str(key.fields.get("engine_path") or "")
        name = str(key.fields.get("key_name") or "")
        if not address or not name:
            raise KeySourceError("a hc_vault entry without vault_address or key_name",
                                 hint="restore the file from git")
        check_key(address, engine, name, "in the file")
        data = self._call(address, engine, name, "decrypt", {"ciphertext": key.enc})
        import base64

        try:
            return base64.b64decode(str(data.get("plaintext") or ""), validate=True)
        except (binascii.Error, ValueError):
            raise self._fail(join_uri(address, engine, name),
                             "Vault answered without a plaintext", "check the server") from None

    # -- the server ---------------------------------------------------------------------

    def _fail(self, uri: str, message: str, hint: str, detail: str = "") -> KeySourceError:
        """The error to raise; its report (``detail``, short: the URI is its label) joins
        ``reports()``, which the 'nothing could open it' message lists."""
        self._failures.append(SourceReport(uri, detail or message))
        return KeySourceError(message, hint=hint)

    def _headers(self, uri: str) -> dict[str, str]:
        try:
            return vault_headers(uri)
        except KeySourceError as error:
            raise self._fail(uri, error.message, error.hint or "",
                             "no token" if error.message.startswith("no Vault token")
                             else "") from None

    def _check_transport(self, address: str, uri: str) -> None:
        try:
            check_transport(address, uri)
        except KeySourceError as error:
            raise self._fail(uri, error.message, error.hint or "") from None

    def _call(self, address: str, engine: str, name: str, action: str,
              body: dict[str, str]) -> dict[str, Any]:
        from secretsfile.keysources.http import TransportError, request_json

        uri = join_uri(address, engine, name)
        self._check_transport(address, uri)
        headers = self._headers(uri)
        url = _url(address, engine, action, name)
        try:
            response = request_json("PUT", url, body, headers)
        except TransportError as error:
            if error.reached:
                raise self._fail(uri, f"Vault at {address} {error.reason}",
                                 "check the address in the file and the server",
                                 error.reason) from None
            raise self._fail(uri, f"cannot reach Vault at {address} ({error.reason})",
                             "check the address in the file and that Vault is running",
                             f"unreachable: {error.reason}") from None
        data = response.body.get("data") if isinstance(response.body, dict) else None
        if response.status == 200 and isinstance(data, dict):
            return data
        raise self._refused(uri, engine, name, action, response)

    def _refused(self, uri: str, engine: str, name: str, action: str,
                 response: Response) -> KeySourceError:
        reason = _errors(response)
        if response.status == 403:
            return self._fail(uri, f"Vault refused the token for {uri} (permission denied)",
                              _LOGIN_HINT, "the token was refused (permission denied)")
        if "encryption key not found" in reason:
            return self._fail(uri, f"Vault transit key {name!r} not found ({uri})",
                              "check the key name, and VAULT_NAMESPACE: sops does not "
                              "record the namespace in the file", "key not found")
        if response.status == 404:
            return self._fail(uri, f"no transit engine at {engine!r} on the Vault of {uri} "
                              f"({reason})", "check the engine path in the URI")
        return self._fail(uri, f"Vault could not {action} with {uri} ({reason})",
                          "the file's enc may have been altered: restore it from git"
                          if action == "decrypt" else "check the key and its policy")
