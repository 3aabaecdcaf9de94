"""A small JSON-over-HTTP client for the remote key services (stdlib only).

Connections are kept alive per (scheme, host, port) for the process, so decrypting many
files against one Vault pays for the TCP/TLS handshake once. Every call is bounded: a connect
timeout (5 s), a read timeout, at most ``retries`` more attempts on a connection error or a
5xx answer (never on a 4xx: the request itself is wrong), and no new attempt once the
connect timeout's worth of time has passed. ``http.client`` and ``ssl`` are imported here
only, and this module only inside a backend's ``wrap``/``unwrap``.

Request headers (which carry tokens) never appear in an exception or a message.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0
RETRIES = 2
_BACKOFF = (0.1, 0.3)


class TransportError(Exception):
    """The service could not be reached or did not answer; ``reason`` is short and safe."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Response:
    status: int
    body: Any  # the decoded JSON body, or None when there was none or it was not JSON


_Origin = tuple[str, str, int]
_pool: dict[_Origin, list[http.client.HTTPConnection]] = {}
_lock = threading.Lock()


def _origin(url: str) -> tuple[_Origin, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransportError(f"not an http(s) URL: {parts.scheme or 'no scheme'}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return (parts.scheme, parts.hostname, port), target


def _tls_context() -> ssl.SSLContext:
    cafile = os.environ.get("VAULT_CACERT") or os.environ.get("BAO_CACERT") or None
    try:
        return ssl.create_default_context(cafile=cafile)
    except (OSError, ssl.SSLError):
        raise TransportError(f"cannot read the CA certificate {cafile}") from None


def _connection(origin: _Origin) -> http.client.HTTPConnection:
    with _lock:
        idle = _pool.get(origin)
        if idle:
            return idle.pop()
    scheme, host, port = origin
    if scheme == "https":
        return http.client.HTTPSConnection(host, port, timeout=CONNECT_TIMEOUT,
                                           context=_tls_context())
    return http.client.HTTPConnection(host, port, timeout=CONNECT_TIMEOUT)


def _release(origin: _Origin, connection: http.client.HTTPConnection) -> None:
    with _lock:
        _pool.setdefault(origin, []).append(connection)


def _reason(error: BaseException) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, (socket.timeout, TimeoutError)):
        return "timed out"
    if isinstance(error, ssl.SSLCertVerificationError):
        return "TLS certificate verification failed"
    if isinstance(error, ssl.SSLError):
        return "TLS handshake failed"
    if isinstance(error, socket.gaierror):
        return "host name not found"
    if isinstance(error, http.client.RemoteDisconnected):
        return "the server closed the connection"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return type(error).__name__


def _once(origin: _Origin, method: str, target: str, payload: bytes,
          headers: dict[str, str]) -> Response:
    connection = _connection(origin)
    try:
        if connection.sock is None:
            connection.connect()
            connection.sock.settimeout(READ_TIMEOUT)  # type: ignore[attr-defined]
        connection.request(method, target, body=payload, headers=headers)
        answer = connection.getresponse()
        raw = answer.read()
    except (OSError, http.client.HTTPException) as error:
        connection.close()
        raise TransportError(_reason(error)) from None
    if answer.will_close:
        connection.close()
    else:
        _release(origin, connection)
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = None
    return Response(answer.status, body)


def request_json(method: str, url: str, body: Any, headers: dict[str, str],
                 retries: int = RETRIES) -> Response:
    """Send ``body`` as JSON; the answer, whatever its status. TransportError when the
    service could not be reached after the bounded retries, or kept answering 5xx."""
    origin, target = _origin(url)
    payload = json.dumps(body).encode("utf-8")
    sent = {"Content-Type": "application/json", "Accept": "application/json", **headers}
    started = time.monotonic()
    attempt = 0
    while True:
        try:
            response = _once(origin, method, target, payload, sent)
            if response.status < 500:
                return response
            failure: TransportError | Response = response
        except TransportError as error:
            failure = error
        out_of_time = time.monotonic() - started >= CONNECT_TIMEOUT
        if attempt >= retries or out_of_time:
            if isinstance(failure, Response):
                return failure
            raise failure
        time.sleep(_BACKOFF[min(attempt, len(_BACKOFF) - 1)])
        attempt += 1


def close_all() -> None:
    """Close every kept-alive connection (tests, forks)."""
    with _lock:
        connections = [c for idle in _pool.values() for c in idle]
        _pool.clear()
    for connection in connections:
        connection.close()
