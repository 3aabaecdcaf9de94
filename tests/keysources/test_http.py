"""The remote-key HTTP client against misbehaving servers: a tiny socket server thread on
127.0.0.1 that answers slowly, endlessly or with errors. Every request must end in bounded
time and memory with a one-line error, and the retry policy must hold."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from secretsfile.core.metadata import MasterKey
from secretsfile.errors import KeySourceError
from secretsfile.keysources import http, registry

Handler = Callable[[socket.socket], None]

_OK = b'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n'


class Server:
    """Accepts connections on 127.0.0.1 and hands each to ``handler`` in a thread."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.hits = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                self.hits += 1
                self.handler(conn)
            except OSError:
                pass

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Handler], Server]]:
    servers: list[Server] = []

    def start(handler: Handler) -> Server:
        servers.append(Server(handler))
        return servers[-1]
    yield start
    http.close_all()
    for server in servers:
        server.close()


@pytest.fixture
def short_deadline(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(http, "DEADLINE", 1.0, raising=False)
    monkeypatch.setattr(http, "READ_TIMEOUT", 0.5)
    return 1.0


def _drip_body(conn: socket.socket) -> None:
    conn.sendall(_OK + b"Content-Length: 100000\r\n\r\n")
    for _ in range(200):
        conn.sendall(b" ")
        time.sleep(0.05)


def _drip_headers(conn: socket.socket) -> None:
    for byte in _OK + b"X-Slow: " + b"a" * 200:
        conn.sendall(bytes([byte]))
        time.sleep(0.05)


def _endless_body(conn: socket.socket) -> None:
    conn.sendall(_OK + b"\r\n")
    chunk = b" " * 65536
    for _ in range(1000):  # 64 MiB at most, then the connection closes
        conn.sendall(chunk)


def _huge_length(conn: socket.socket) -> None:
    conn.sendall(_OK + b"Content-Length: 10000000000\r\n\r\n{")
    time.sleep(2)


def _status(code: int) -> Handler:
    def answer(conn: socket.socket) -> None:
        body = b'{"errors": ["no"]}'
        conn.sendall(f"HTTP/1.1 {code} X\r\nConnection: close\r\n"
                     f"Content-Length: {len(body)}\r\n\r\n".encode()
                     + body)
    return answer


@pytest.mark.parametrize("handler", [_drip_body, _drip_headers])
def test_a_trickling_server_is_cut_off_at_the_deadline(
        serve: Callable[[Handler], Server], short_deadline: float, handler: Handler) -> None:
    server = serve(handler)
    started = time.monotonic()
    with pytest.raises(http.TransportError) as caught:
        http.request_json("PUT", server.address + "/v1/t/decrypt/k", {}, {})
    assert time.monotonic() - started < short_deadline + 1.0
    assert caught.value.reason == "did not answer within 1 s" and caught.value.reached
    assert server.hits == 1  # out of time: no retry


def test_the_deadline_is_named_in_the_vault_error(serve: Callable[[Handler], Server],
                                                  short_deadline: float,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    server = serve(_drip_body)
    monkeypatch.setenv("VAULT_TOKEN", "PLANTED-token")
    entry = MasterKey("hc_vault", {"vault_address": server.address, "engine_path": "transit",
                                   "key_name": "k", "enc": "vault:v1:AAAA"})
    with pytest.raises(KeySourceError) as caught:
        registry.get("hc_vault").unwrap(entry)
    assert caught.value.message == f"Vault at {server.address} did not answer within 1 s"
    assert "PLANTED" not in str(caught.value)


@pytest.mark.parametrize("handler", [_endless_body, _huge_length])
def test_an_oversized_answer_is_refused(serve: Callable[[Handler], Server],
                                        handler: Handler) -> None:
    server = serve(handler)
    started = time.monotonic()
    with pytest.raises(http.TransportError) as caught:
        http.request_json("PUT", server.address + "/v1/t/decrypt/k", {}, {})
    assert caught.value.reason == "sent an answer over 1 MiB" and caught.value.reached
    assert caught.value.bad_answer
    assert time.monotonic() - started < 5
    assert server.hits == 1


def _deep_body(conn: socket.socket) -> None:
    body = b'{"data": ' + b"[" * 50000 + b"]" * 50000 + b"}"
    conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                 + body)


def test_a_deeply_nested_answer_is_a_bad_answer_not_a_crash(
        serve: Callable[[Handler], Server]) -> None:
    server = serve(_deep_body)
    with pytest.raises(http.TransportError) as caught:
        http.request_json("GET", server.address + "/v1/secret/data/x", None, {})
    assert caught.value.reason == "sent JSON nested too deeply"
    assert caught.value.reached and caught.value.bad_answer
    assert server.hits == 1  # the answer is at fault: never retried


def test_5xx_is_retried_twice_and_4xx_never(serve: Callable[[Handler], Server]) -> None:
    failing = serve(_status(503))
    assert http.request_json("PUT", failing.address + "/x", {}, {}).status == 503
    assert failing.hits == 1 + http.RETRIES
    refusing = serve(_status(400))
    assert http.request_json("PUT", refusing.address + "/x", {}, {}).status == 400
    assert refusing.hits == 1


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/x", "http://127.0.0.1:abc/x",
                                 "http://[::1/x"])
def test_a_bad_url_is_a_transport_error(url: str) -> None:
    with pytest.raises(http.TransportError) as caught:
        http.request_json("PUT", url, {}, {})
    assert caught.value.reason == "not a valid URL (bad host or port)"


def test_a_bad_header_value_is_never_echoed(serve: Callable[[Handler], Server]) -> None:
    server = serve(_status(200))
    with pytest.raises(http.TransportError) as caught:
        http.request_json("PUT", server.address + "/x", {}, {"X-Vault-Token": "a\nPLANTED"})
    assert caught.value.reason == "a request header could not be sent"
    assert "PLANTED" not in str(caught.value)


def test_a_kept_alive_connection_survives_the_watchdog(
        serve: Callable[[Handler], Server], monkeypatch: pytest.MonkeyPatch) -> None:
    def keep_alive(conn: socket.socket) -> None:
        body = b'{"data": {}}'
        answer = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
        conn.sendall(answer)
        while conn.recv(65536):
            conn.sendall(answer)
    server = serve(keep_alive)
    monkeypatch.setattr(http, "DEADLINE", 0.3)
    http.request_json("PUT", server.address + "/x", {}, {})
    time.sleep(0.5)  # past the first request's deadline: its watchdog must be cancelled
    assert http.request_json("PUT", server.address + "/x", {}, {}).status == 200
    assert server.hits == 1  # one connection, reused


def test_a_response_never_shows_its_body() -> None:
    """A transit answer carries a data key: repr (a log line, a traceback) shows none."""
    answer = http.Response(200, {"data": {"plaintext": "REPR-PLANTED-key"}})
    assert "REPR-PLANTED" not in repr(answer) and answer.status == 200
