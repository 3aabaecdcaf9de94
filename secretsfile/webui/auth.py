"""Who may talk to the secrets page, decided per request: the one place for it.

The server prints a URL with a random token. Opening ``/?token=T`` swaps it for a random
session id in an HttpOnly, SameSite=Strict cookie (a 303 to ``/`` takes the token out of
the address bar and the history); scripts send ``Authorization: Bearer T`` instead.

- ``Host`` must name this server (127.0.0.1 or localhost with its port): a DNS-rebinding
  page's requests carry its own host name and are refused (403).
- An ``Origin`` other than this server's, or a ``Sec-Fetch-Site`` saying cross-site, is
  refused (403) whatever the credential.
- A cookie request that changes something (POST, PATCH, DELETE) also needs the CSRF token
  in ``X-CSRF-Token`` (403 otherwise). A Bearer request carries no ambient credential (a
  browser never adds it by itself), so it needs no CSRF token.
- No credential, or a wrong one: 401.
"""

from __future__ import annotations

import hmac
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass

WRITES = frozenset({"POST", "PATCH", "PUT", "DELETE"})
UNAUTHORIZED = "open the URL printed by 'secretsfile ui' (it holds the token)"
SECURITY_HEADERS = (
    ("Content-Security-Policy",
     "default-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Cross-Origin-Resource-Policy", "same-origin"),
)


@dataclass(frozen=True)
class Verdict:
    """``status`` 200: go on. 303: send ``redirect`` with ``set_cookie``. 401/403: refuse
    with ``reason`` (one line, no secret in it)."""

    status: int
    reason: str = ""
    set_cookie: str | None = None
    redirect: str | None = None

    @property
    def allowed(self) -> bool:
        return self.status == 200


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"),
                               expected.encode("utf-8"))


def cookies(header: str) -> dict[str, str]:
    """``a=1; b=2`` -> {a: 1, b: 2}; malformed parts are skipped."""
    out: dict[str, str] = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name:
            out.setdefault(name, value)
    return out


class Guard:
    """The credentials of one server run: the token, the CSRF token and the session ids
    handed out (kept in memory only; a restart needs the new URL)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.token = secrets.token_urlsafe(32)
        self.csrf = secrets.token_urlsafe(32)
        self.cookie_name = f"sf_session_{port}"
        self._sessions: set[str] = set()
        self._lock = threading.Lock()

    @property
    def hosts(self) -> frozenset[str]:
        return frozenset({f"127.0.0.1:{self.port}", f"localhost:{self.port}"})

    @property
    def origins(self) -> frozenset[str]:
        return frozenset(f"http://{host}" for host in self.hosts)

    def _session(self, headers: Mapping[str, str]) -> bool:
        given = cookies(headers.get("cookie", "")).get(self.cookie_name)
        if not given:
            return False
        with self._lock:
            known = list(self._sessions)
        return any(_same(given, session) for session in known)

    def _bearer(self, headers: Mapping[str, str]) -> bool | None:
        """True/False for a right/wrong Bearer token; None when there is none."""
        scheme, _, given = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        return _same(given.strip(), self.token)

    def _new_session(self) -> str:
        session = secrets.token_urlsafe(32)
        with self._lock:
            self._sessions.add(session)
        return f"{self.cookie_name}={session}; HttpOnly; SameSite=Strict; Path=/"

    def _foreign(self, headers: Mapping[str, str]) -> str | None:
        """Why the request comes from somewhere else than this server's own page."""
        if headers.get("host", "") not in self.hosts:
            return "wrong Host header: open the page through 127.0.0.1 or localhost"
        origin = headers.get("origin")
        if origin is not None and origin not in self.origins:
            return "cross-origin request refused"
        if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
            return "cross-site request refused"
        return None

    def check(self, method: str, path: str, query: Mapping[str, str],
              headers: Mapping[str, str]) -> Verdict:
        """The verdict on one request. ``headers`` with lower-case names."""
        foreign = self._foreign(headers)
        if foreign:
            return Verdict(403, foreign)
        bearer = self._bearer(headers)
        if bearer is not None:
            return Verdict(200) if bearer else Verdict(401, UNAUTHORIZED)
        if method == "GET" and path == "/" and "token" in query:
            if not _same(query["token"], self.token):
                return Verdict(401, UNAUTHORIZED)
            return Verdict(303, set_cookie=self._new_session(), redirect="/")
        if not self._session(headers):
            return Verdict(401, UNAUTHORIZED)
        if method in WRITES and not _same(headers.get("x-csrf-token", ""), self.csrf):
            return Verdict(403, "missing or wrong X-CSRF-Token header: reload the page")
        return Verdict(200)
