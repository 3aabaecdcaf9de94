"""A small JSON-over-HTTP client for the remote key services (stdlib only).

Connections are kept alive per (scheme, host, port) for the process, so decrypting many
files against one Vault pays for the TCP/TLS handshake once. Every call is bounded in time
and memory, whatever the server does:

* ``CONNECT_TIMEOUT`` (5 s) to connect; ``READ_TIMEOUT`` (15 s) for each read;
* ``DEADLINE`` (30 s) for the whole request, retries included: a server that trickles
  bytes is cut off then (a watchdog shuts the socket down, so a slow status line or slow
  headers are cut off too) and the caller gets ``TransportError`` with ``reached`` set;
* ``MAX_ANSWER`` (1 MiB) for the body, read in chunks (a transit answer is under 1 KiB),
  and JSON nesting (a body too deep for the decoder is a ``TransportError`` with
  ``bad_answer`` set, as an oversized one, never a RecursionError);
* at most ``RETRIES`` (2) more attempts on a connection error or a 5xx answer (never on a
  4xx: the request itself is wrong), with no new attempt once ``CONNECT_TIMEOUT``'s worth
  of time has passed.

``http.client`` and ``ssl`` are imported here only, and this module only inside a backend's
``wrap``/``unwrap``. Request headers (which carry tokens) never appear in an exception or a
message.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import socket
import ssl
import threading
import time
from urllib.parse import urlsplit

from secretsfile.core.record import Record, field

TYPE_CHECKING = False  # typing (~4 ms) and dataclasses (~6 ms with inspect) stay unloaded:
if TYPE_CHECKING:  # a Vault-transit decrypt races sops' start-up (issue 14)
    from typing import Any, TypeAlias

CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0
DEADLINE = 30.0
MAX_ANSWER = 1 << 20
RETRIES = 2
_CHUNK = 1 << 16
_BACKOFF = (0.1, 0.3)


class TransportError(Exception):
    """The service could not be reached or did not answer; ``reason`` is short and safe.
    ``reached``: the server was reached but misbehaved, and ``reason`` says how ("did not
    answer within 30 s"), to follow the server's name. ``bad_answer``: the answer itself
    was refused (over MAX_ANSWER, or nested too deeply): what was asked for is at fault,
    not the connection."""

    def __init__(self, reason: str, reached: bool = False, bad_answer: bool = False
                 ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reached = reached
        self.bad_answer = bad_answer


def _too_slow() -> TransportError:
    return TransportError(f"did not answer within {DEADLINE:g} s", reached=True)


def _too_big() -> TransportError:
    return TransportError(f"sent an answer over {MAX_ANSWER // (1 << 20)} MiB", reached=True,
                          bad_answer=True)


class Response(Record, frozen=True):
    status: int
    # the decoded JSON body, or None when there was none or it was not JSON; never in a
    # repr (a transit answer holds a data key)
    body: Any = field(repr=False)


_Origin: TypeAlias = "tuple[str, str, int]"
_pool: dict[_Origin, list[http.client.HTTPConnection]] = {}
_lock = threading.Lock()


def _origin(url: str) -> tuple[_Origin, str]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TransportError("not a valid URL (bad host or port)") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TransportError(f"not an http(s) URL: {parts.scheme or 'no scheme'}")
    if port is None:
        port = 443 if parts.scheme == "https" else 80
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return (parts.scheme, parts.hostname, port), target


def _env(*names: str) -> str | None:
    for name in names:
        value = os.environ.get(name)
        if value:
            return value
    return None


def _tls_context() -> ssl.SSLContext:
    """TLS as the Vault CLI configures it: ``VAULT_CACERT``/``VAULT_CAPATH`` (a CA file or
    directory), ``VAULT_CLIENT_CERT``/``VAULT_CLIENT_KEY`` (mutual TLS) and
    ``VAULT_SKIP_VERIFY`` (no verification, with a warning); ``BAO_*`` spellings too."""
    cafile = _env("VAULT_CACERT", "BAO_CACERT")
    capath = _env("VAULT_CAPATH", "BAO_CAPATH")
    try:
        context = ssl.create_default_context(cafile=cafile, capath=capath)
    except (OSError, ssl.SSLError):
        raise TransportError(f"cannot read the CA certificate {cafile or capath}") from None
    cert = _env("VAULT_CLIENT_CERT", "BAO_CLIENT_CERT")
    if cert:
        key = _env("VAULT_CLIENT_KEY", "BAO_CLIENT_KEY")
        try:
            context.load_cert_chain(cert, key)
        except (OSError, ssl.SSLError):
            raise TransportError(f"cannot read the client certificate {cert} "
                                 f"or its key {key or '(in the same file)'}") from None
    if _env("VAULT_SKIP_VERIFY", "BAO_SKIP_VERIFY") not in (None, "0", "false", "False"):
        from secretsfile.errors import warn

        warn("VAULT_SKIP_VERIFY is set: the Vault server's TLS certificate is not checked")
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


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


def _read_body(answer: http.client.HTTPResponse, sock: socket.socket | None,
               deadline: float) -> bytes:
    """The body, in chunks: never more than MAX_ANSWER bytes, never past the deadline."""
    if (answer.length or 0) > MAX_ANSWER:
        raise _too_big()
    chunks: list[bytes] = []
    size = 0
    while True:
        _arm(sock, deadline)
        chunk = answer.read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_ANSWER:
            raise _too_big()
        chunks.append(chunk)


def _arm(sock: socket.socket | None, deadline: float) -> None:
    """The next read waits READ_TIMEOUT at most, and never past the deadline."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _too_slow()
    if sock is not None:
        sock.settimeout(min(READ_TIMEOUT, remaining))


def _watchdog(connection: http.client.HTTPConnection, deadline: float,
              fired: list[bool]) -> threading.Timer:
    """Shut the socket down at the deadline: a read blocked in the status line or the
    headers (which http.client reads line by line) then fails at once."""
    def fire() -> None:
        fired.append(True)
        sock = connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
    timer = threading.Timer(max(0.0, deadline - time.monotonic()), fire)
    timer.daemon = True
    timer.start()
    return timer


def _exchange(connection: http.client.HTTPConnection, method: str, target: str,
              payload: bytes, headers: dict[str, str], deadline: float) -> Response:
    if connection.sock is None:
        connection.timeout = min(CONNECT_TIMEOUT, max(0.01, deadline - time.monotonic()))
        connection.connect()
    _arm(connection.sock, deadline)
    connection.request(method, target, body=payload, headers=headers)
    answer = connection.getresponse()
    raw = _read_body(answer, connection.sock, deadline)
    if answer.will_close:
        connection.close()
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = None
    except RecursionError:  # the decoder recurses per level; raw is at most MAX_ANSWER
        raise TransportError("sent JSON nested too deeply", reached=True,
                             bad_answer=True) from None
    return Response(answer.status, body)


def _once(origin: _Origin, method: str, target: str, payload: bytes,
          headers: dict[str, str], deadline: float) -> Response:
    connection = _connection(origin)
    fired: list[bool] = []
    timer = _watchdog(connection, deadline, fired)
    try:
        response = _exchange(connection, method, target, payload, headers, deadline)
    except TransportError:
        connection.close()
        raise
    except (OSError, http.client.HTTPException, ValueError) as error:
        # ValueError: http.client refusing a header value; its message holds the value.
        connection.close()
        if fired or time.monotonic() >= deadline:
            raise _too_slow() from None
        if isinstance(error, ValueError) and not isinstance(error, OSError):
            # (ssl.SSLCertVerificationError is both: it is a TLS failure, told below)
            raise TransportError("a request header could not be sent") from None
        raise TransportError(_reason(error)) from None
    finally:
        timer.cancel()
    if fired:  # the socket may be shut down: never hand it to the next request
        connection.close()
    elif connection.sock is not None:
        _release(origin, connection)
    return response


def request_json(method: str, url: str, body: Any, headers: dict[str, str],
                 retries: int = RETRIES) -> Response:
    """Send ``body`` as JSON; the answer, whatever its status. TransportError when the
    service could not be reached after the bounded retries, or kept answering 5xx, or
    took longer than DEADLINE, or sent more than MAX_ANSWER."""
    origin, target = _origin(url)
    payload = json.dumps(body).encode("utf-8")
    sent = {"Content-Type": "application/json", "Accept": "application/json", **headers}
    started = time.monotonic()
    deadline = started + DEADLINE
    attempt = 0
    while True:
        try:
            response = _once(origin, method, target, payload, sent, deadline)
            if response.status < 500:
                return response
            failure: TransportError | Response = response
        except TransportError as error:
            if error.reached:
                raise
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
