"""The server over HTTP (http.client against a real server in a thread): the guard at the
door, security headers on every answer, the API end to end, no value in any body."""

from __future__ import annotations

import http.client
import io
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from secretsfile.errors import UsageError
from secretsfile.webui.api import Ctx
from secretsfile.webui.server import PageServer, make_server, serve
from tests.webui.conftest import PLANTED, git, running

INDEX = '<html><head><meta name="csrf-token" content="{{csrf}}"></head></html>\n'


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


SEEN: list[Answer] = []  # every answer of this module, checked by check_every_answer


@pytest.fixture(autouse=True)
def check_every_answer() -> Iterator[None]:
    SEEN.clear()
    yield
    assert SEEN
    for answer in SEEN:
        csp = answer.headers["Content-Security-Policy"] or ""
        assert csp.startswith("default-src 'self'"), answer
        assert answer.headers["X-Content-Type-Options"] == "nosniff", answer
        assert answer.headers["Cache-Control"] == "no-store", answer
        assert not any(value.encode() in answer.body for value in PLANTED), answer


@pytest.fixture
def page(ctx: Ctx, tmp_path: Path) -> Iterator[PageServer]:
    """A running server whose page files are a stand-in index.html (the real ones are
    tested in the browser tests)."""
    static = tmp_path / "static"
    static.mkdir()
    (static / "index.html").write_text(INDEX)
    with running(make_server(ctx, static=static)) as server:
        yield server


def send(page: PageServer, method: str, path: str, body: Any = None,
         **headers: str) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", page.guard.port)
    data = None if body is None else (body if isinstance(body, bytes)
                                      else json.dumps(body).encode())
    if data is not None:
        headers.setdefault("Content-Type", "application/json")
    connection.request(method, path, body=data,
                       headers={k.replace("_", "-"): v for k, v in headers.items()})
    response = connection.getresponse()
    answer = Answer(response.status, response.headers, response.read())
    connection.close()
    SEEN.append(answer)
    return answer


def bearer(page: PageServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {page.guard.token}"}


def login(page: PageServer) -> str:
    """The session cookie the token exchange hands out, as the browser sends it back."""
    answer = send(page, "GET", f"/?token={page.guard.token}")
    assert answer.status == 303 and answer.headers["Location"] == "/"
    return answer.headers["Set-Cookie"].split(";")[0]


def test_bound_to_loopback_only(page: PageServer) -> None:
    assert page.server_address[0] == "127.0.0.1"
    assert page.url.startswith(f"http://127.0.0.1:{page.guard.port}/?token=")
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("192.0.2.1", 9))  # no packet is sent: it picks the outgoing address
        address = probe.getsockname()[0]
    except OSError:
        address = "127.0.0.1"
    finally:
        probe.close()
    if not address.startswith("127."):
        with pytest.raises(OSError):
            socket.create_connection((address, page.guard.port), timeout=5).close()
    send(page, "GET", "/")


@pytest.mark.parametrize("path", ["/", "/api/secrets", "/static/app.js", "/nothing"])
def test_no_token_is_401(page: PageServer, path: str) -> None:
    answer = send(page, "GET", path)
    assert answer.status == 401 and b"secretsfile ui" in answer.body


def test_wrong_token_is_401(page: PageServer) -> None:
    assert send(page, "GET", "/?token=wrong").status == 401
    assert send(page, "GET", "/api/secrets", Authorization="Bearer wrong").status == 401


def test_token_exchange_then_the_page_with_its_csrf_token(page: PageServer) -> None:
    answer = send(page, "GET", f"/?token={page.guard.token}")
    assert answer.status == 303
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert page.guard.token not in cookie
    index = send(page, "GET", "/", Cookie=cookie.split(";")[0])
    assert index.status == 200 and index.headers["Content-Type"].startswith("text/html")
    assert f'content="{page.guard.csrf}"'.encode() in index.body
    assert page.guard.token.encode() not in index.body
    session = send(page, "GET", "/api/session", Cookie=cookie.split(";")[0]).json()
    assert session["csrf"] == page.guard.csrf and session["environments"] == ["dev", "prod"]


def test_cookie_writes_need_the_csrf_token(page: PageServer, project: Path) -> None:
    cookie = login(page)
    new = {"name": "new-one", "env": "dev", "values": {"token": "t-PLANTED-x"}}
    assert send(page, "POST", "/api/secrets", new, Cookie=cookie).status == 403
    assert send(page, "POST", "/api/secrets", new, Cookie=cookie,
                X_CSRF_Token="wrong").status == 403
    assert send(page, "DELETE", "/api/secrets/dev/app-db", Cookie=cookie).status == 403
    assert git(project, "status", "--porcelain") == ""
    answer = send(page, "POST", "/api/secrets", new, Cookie=cookie,
                  X_CSRF_Token=page.guard.csrf, Origin=f"http://127.0.0.1:{page.guard.port}")
    assert answer.status == 201, answer.body


@pytest.mark.parametrize("headers", [
    {"Origin": "http://evil.example"},
    {"Host": "evil.example"},
    {"Host": "attacker.test:1234"},
])
def test_foreign_origin_or_host_is_403(page: PageServer, headers: dict[str, str]) -> None:
    cookie = login(page)
    answer = send(page, "GET", "/api/secrets", Cookie=cookie, **headers)
    assert answer.status == 403
    answer = send(page, "POST", "/api/secrets", {"name": "x-x-x", "env": "dev"},
                  Cookie=cookie, X_CSRF_Token=page.guard.csrf, **headers)
    assert answer.status == 403


def test_bearer_needs_no_csrf_and_no_value_leaves(page: PageServer, project: Path) -> None:
    auth = bearer(page)
    listed = send(page, "GET", "/api/secrets?sort=created", **auth)
    assert listed.status == 200
    assert {row["name"] for row in listed.json()["secrets"]} == {"app-db", "api-key"}
    for path in ("/api/session", "/api/schemas", "/api/naming?name=Bad_Name"):
        assert send(page, "GET", path, **auth).status == 200
    answer = send(page, "POST", "/api/secrets", {
        "name": "billing-db", "env": "dev", "schema": "postgres", "private": False,
        "values": {"user": "u", "password": PLANTED[0], "host": "h", "database": "d"}}, **auth)
    assert answer.status == 201 and answer.json()["keys"][:2] == ["user", "password"]
    diff = git(project, "diff", "-U0", "--", "secrets/dev.yaml")
    assert "+billing-db:" in diff and "-app-db" not in diff
    patched = send(page, "PATCH", "/api/secrets/dev/billing-db", {"values": {"host": "h2"}},
                   **auth)
    assert patched.status == 200, patched.body
    assert send(page, "DELETE", "/api/secrets/dev/billing-db", **auth).status == 204
    assert send(page, "DELETE", "/api/secrets/dev/billing-db", **auth).status == 404
    assert git(project, "diff", "--", "secrets/dev.yaml").count("billing-db") == 0


@pytest.mark.parametrize(("method", "path", "body", "headers", "status"), [
    ("GET", "/api/nothing", None, {}, 404),
    ("GET", "/static/../../etc/passwd", None, {}, 404),
    ("GET", "/static/views.js", None, {}, 404),  # not in the stand-in folder
    ("PUT", "/api/secrets", {}, {}, 405),
    ("POST", "/", {}, {}, 405),
    ("POST", "/api/secrets", b"x" * 70_000, {}, 413),
    ("POST", "/api/secrets", b"{}", {"Content-Type": "text/plain"}, 415),
    ("POST", "/api/secrets", b"{nope", {}, 400),
    ("POST", "/api/secrets", b"[1]", {}, 400),
    ("POST", "/api/secrets", b"[" * 60_000, {}, 400),  # nested too deeply: still an answer
    ("POST", "/api/secrets", {"name": "bigint", "env": "dev", "values": {"v": 10**30}}, {},
     400),
    ("POST", "/api/secrets", b'{"name": "n-n-n", "env": "dev", "values": {"a": NaN}}', {}, 400),
    ("PATCH", "/api/secrets/dev/app-db", {"values": {"port": "x"}}, {}, 400),
    ("POST", "/api/secrets", {"name": "app-db", "env": "dev", "values": {"a": "b"}}, {}, 409),
    ("GET", "/api/checks?older_than=soon", None, {}, 400),  # a bad duration
])
def test_error_answers(page: PageServer, method: str, path: str, body: Any,
                       headers: dict[str, str], status: int) -> None:
    answer = send(page, method, path, body, **bearer(page), **headers)
    assert answer.status == status, answer.body
    if path.startswith("/api/") and answer.body:
        assert set(answer.json()) == {"error", "hint"}


def test_a_malformed_request_still_gets_the_headers(page: PageServer) -> None:
    with socket.create_connection(("127.0.0.1", page.guard.port), timeout=10) as raw:
        raw.sendall(b"GET / HTTP/1.1\r\n" + b"X-A: b\r\n" * 120 + b"\r\n")
        head = raw.makefile("rb").read()
    assert head.startswith(b"HTTP/1.0 431")
    assert b"Content-Security-Policy: default-src 'self'" in head
    SEEN.append(Answer(431, http.client.parse_headers(io.BytesIO(head.split(b"\r\n", 1)[1])),
                       b""))


def test_the_log_holds_no_token_and_no_body(ctx: Ctx, tmp_path: Path) -> None:
    lines: list[str] = []
    server = make_server(ctx, log=lines.append, static=tmp_path)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        send(server, "GET", f"/?token={server.guard.token}")
        send(server, "POST", "/api/secrets", {"name": "p-p-p", "env": "dev",
                                              "values": {"a": PLANTED[1]}}, **bearer(server))
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert lines == ["GET / 303", "POST /api/secrets 201"]


def test_a_port_in_use_is_a_usage_error(page: PageServer, ctx: Ctx) -> None:
    with pytest.raises(UsageError, match=f"port {page.guard.port} is in use"):
        serve(ctx, page.guard.port)
    send(page, "GET", "/api/secrets", **bearer(page))


def test_serve_reports_its_url_and_stops_cleanly_on_ctrl_c(ctx: Ctx) -> None:
    """``serve`` in this (the main) thread: ``ready`` gets the URL, a request is answered,
    Ctrl-C (KeyboardInterrupt in the main thread) makes it return and close the socket."""
    import _thread
    from urllib.parse import parse_qs, urlsplit

    seen: dict[str, Any] = {}

    def client(url: str) -> None:
        parts = urlsplit(url)
        seen["host"], seen["port"] = parts.hostname, parts.port
        token = parse_qs(parts.query)["token"][0]
        connection = http.client.HTTPConnection("127.0.0.1", parts.port)
        connection.request("GET", "/api/secrets", headers={"Authorization": f"Bearer {token}"})
        response = connection.getresponse()
        SEEN.append(Answer(response.status, response.headers, response.read()))
        connection.close()
        _thread.interrupt_main()

    serve(ctx, 0, lambda url: threading.Thread(target=client, args=(url,)).start())
    assert seen["host"] == "127.0.0.1" and SEEN[-1].status == 200
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", seen["port"]), timeout=5).close()
