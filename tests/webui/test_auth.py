"""The request guard, case by case: Host, Origin, token exchange, Bearer, cookie, CSRF."""

from __future__ import annotations

import pytest

from secretsfile.webui.auth import SECURITY_HEADERS, Guard, cookies

PORT = 8765
HOST = f"127.0.0.1:{PORT}"
ORIGIN = f"http://{HOST}"


@pytest.fixture
def guard() -> Guard:
    return Guard(PORT)


def _cookie(guard: Guard) -> str:
    """A session cookie as the browser sends it back after the token exchange."""
    verdict = guard.check("GET", "/", {"token": guard.token}, {"host": HOST})
    assert verdict.status == 303 and verdict.set_cookie
    return verdict.set_cookie.split(";")[0]


# (name, method, path, query, headers, expected status); "TOKEN", "COOKIE", "CSRF" are
# replaced by the guard's own values
CASES = [
    ("no credential", "GET", "/api/secrets", {}, {"host": HOST}, 401),
    ("no credential on the page", "GET", "/", {}, {"host": HOST}, 401),
    ("wrong token in URL", "GET", "/", {"token": "nope"}, {"host": HOST}, 401),
    ("empty token in URL", "GET", "/", {"token": ""}, {"host": HOST}, 401),
    ("token exchange", "GET", "/", {"token": "TOKEN"}, {"host": HOST}, 303),
    ("token exchange via localhost", "GET", "/", {"token": "TOKEN"},
     {"host": f"localhost:{PORT}"}, 303),
    ("token only works on /", "GET", "/api/secrets", {"token": "TOKEN"}, {"host": HOST}, 401),
    ("token exchange by POST", "POST", "/", {"token": "TOKEN"}, {"host": HOST}, 401),
    ("bearer", "GET", "/api/secrets", {}, {"host": HOST, "authorization": "Bearer TOKEN"},
     200),
    ("bearer write without CSRF", "POST", "/api/secrets", {},
     {"host": HOST, "authorization": "Bearer TOKEN"}, 200),
    ("wrong bearer", "GET", "/api/secrets", {},
     {"host": HOST, "authorization": "Bearer TOKENx"}, 401),
    ("wrong bearer with a good cookie", "GET", "/api/secrets", {},
     {"host": HOST, "authorization": "Bearer x", "cookie": "COOKIE"}, 401),
    ("basic auth is no bearer", "GET", "/api/secrets", {},
     {"host": HOST, "authorization": "Basic TOKEN"}, 401),
    ("cookie read", "GET", "/api/secrets", {}, {"host": HOST, "cookie": "COOKIE"}, 200),
    ("made-up cookie", "GET", "/api/secrets", {},
     {"host": HOST, "cookie": f"sf_session_{PORT}=guess"}, 401),
    ("token as cookie", "GET", "/api/secrets", {},
     {"host": HOST, "cookie": f"sf_session_{PORT}=TOKEN"}, 401),
    ("cookie write without CSRF", "POST", "/api/secrets", {},
     {"host": HOST, "cookie": "COOKIE"}, 403),
    ("cookie write with wrong CSRF", "DELETE", "/api/secrets/dev/db", {},
     {"host": HOST, "cookie": "COOKIE", "x-csrf-token": "CSRFx"}, 403),
    ("cookie write with the token as CSRF", "PATCH", "/api/secrets/dev/db", {},
     {"host": HOST, "cookie": "COOKIE", "x-csrf-token": "TOKEN"}, 403),
    ("cookie write with CSRF", "PATCH", "/api/secrets/dev/db", {},
     {"host": HOST, "cookie": "COOKIE", "x-csrf-token": "CSRF", "origin": ORIGIN}, 200),
    ("cookie write with CSRF from another origin", "POST", "/api/secrets", {},
     {"host": HOST, "cookie": "COOKIE", "x-csrf-token": "CSRF",
      "origin": "http://evil.example"}, 403),
    ("bearer from another origin", "GET", "/api/secrets", {},
     {"host": HOST, "authorization": "Bearer TOKEN", "origin": "http://evil.example"}, 403),
    ("origin on another port", "POST", "/api/secrets", {},
     {"host": HOST, "cookie": "COOKIE", "x-csrf-token": "CSRF",
      "origin": "http://127.0.0.1:1"}, 403),
    ("cross-site fetch", "GET", "/api/secrets", {},
     {"host": HOST, "cookie": "COOKIE", "sec-fetch-site": "cross-site"}, 403),
    ("same-site (other port) fetch", "GET", "/api/secrets", {},
     {"host": HOST, "cookie": "COOKIE", "sec-fetch-site": "same-site"}, 403),
    ("typed in the address bar", "GET", "/", {"token": "TOKEN"},
     {"host": HOST, "sec-fetch-site": "none"}, 303),
    ("rebound host name", "GET", "/api/secrets", {},
     {"host": f"evil.example:{PORT}", "authorization": "Bearer TOKEN"}, 403),
    ("host without port", "GET", "/", {"token": "TOKEN"}, {"host": "127.0.0.1"}, 403),
    ("host on another port", "GET", "/", {"token": "TOKEN"}, {"host": "127.0.0.1:1"}, 403),
    ("no host", "GET", "/api/secrets", {}, {"authorization": "Bearer TOKEN"}, 403),
]


def _fill(guard: Guard, cookie: str, text: str) -> str:
    return (text.replace("COOKIE", cookie).replace("TOKEN", guard.token)
            .replace("CSRF", guard.csrf))


@pytest.mark.parametrize(("method", "path", "query", "headers", "status"),
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_verdicts(guard: Guard, method: str, path: str, query: dict[str, str],
                  headers: dict[str, str], status: int) -> None:
    cookie = _cookie(guard)
    query = {k: _fill(guard, cookie, v) for k, v in query.items()}
    headers = {k: _fill(guard, cookie, v) for k, v in headers.items()}
    verdict = guard.check(method, path, query, headers)
    assert verdict.status == status, verdict.reason
    if status in (401, 403):
        assert verdict.reason and guard.token not in verdict.reason


def test_exchange_sets_a_strict_http_only_session_cookie(guard: Guard) -> None:
    verdict = guard.check("GET", "/", {"token": guard.token}, {"host": HOST})
    assert verdict.redirect == "/"
    assert verdict.set_cookie is not None
    parts = [p.strip() for p in verdict.set_cookie.split(";")]
    name, _, session = parts[0].partition("=")
    assert name == f"sf_session_{PORT}"
    assert session and session not in (guard.token, guard.csrf)
    assert {"HttpOnly", "SameSite=Strict", "Path=/"} <= set(parts[1:])


def test_each_exchange_makes_its_own_session(guard: Guard) -> None:
    assert _cookie(guard) != _cookie(guard)


def test_tokens_are_random_per_guard() -> None:
    one, two = Guard(PORT), Guard(PORT)
    assert one.token != two.token and one.csrf != two.csrf and one.token != one.csrf
    assert len(one.token) >= 40


def test_security_headers() -> None:
    headers = dict(SECURITY_HEADERS)
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(("header", "expected"), [
    ("a=1; b=2", {"a": "1", "b": "2"}),
    ("a=1;a=2", {"a": "1"}),
    ("junk; =x; b=", {"b": ""}),
    ("", {}),
])
def test_cookies(header: str, expected: dict[str, str]) -> None:
    assert cookies(header) == expected
