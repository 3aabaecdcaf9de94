"""The secrets page's HTTP server: stdlib ``ThreadingHTTPServer`` on 127.0.0.1 only.

Every request passes ``auth.Guard`` first; then the fixed static files of
``webui/static/`` or a route of ``ROUTES`` (the JSON API of ``api``). Every response,
errors included, carries ``auth.SECURITY_HEADERS``. Bodies are capped (``MAX_BODY``) and
never logged; the log (only when the caller asks for one) says method, path without the
query (the token travels in it) and status.
"""

from __future__ import annotations

import errno
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlsplit

from secretsfile.errors import SecretsfileError, UsageError
from secretsfile.webui import api, insight
from secretsfile.webui.auth import SECURITY_HEADERS, Guard, Verdict

if TYPE_CHECKING:  # importlib.resources.abc from 3.11; the old name is what 3.10 has
    from importlib.abc import Traversable

MAX_BODY = 64 * 1024
STATIC = {  # URL path -> (file in webui/static/, content type): nothing else is served
    "/": ("index.html", "text/html; charset=utf-8"),
    "/index.html": ("index.html", "text/html; charset=utf-8"),
    "/static/style.css": ("style.css", "text/css; charset=utf-8"),
    "/static/app.js": ("app.js", "text/javascript; charset=utf-8"),
    "/static/views.js": ("views.js", "text/javascript; charset=utf-8"),
}
CSRF_PLACEHOLDER = "{{csrf}}"  # index.html's <meta name="csrf-token" content="{{csrf}}">


@dataclass(frozen=True)
class Call:
    """One API request as a route sees it: path arguments, query, JSON body."""

    ctx: api.Ctx
    args: tuple[str, ...] = ()
    query: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)
    csrf: str = ""


Route = Callable[[Call], api.Reply]


def _session(call: Call) -> api.Reply:
    status, body = api.session(call.ctx)
    return status, {**(body or {}), "csrf": call.csrf}


_ONE = r"/api/secrets/([^/]+)/([^/]+)"
ROUTES: list[tuple[str, str, Route]] = [  # (method, path pattern, route)
    ("GET", "/api/session", _session),
    ("GET", "/api/secrets", lambda c: api.list_secrets(c.ctx, c.query)),
    ("POST", "/api/secrets", lambda c: api.create(c.ctx, c.body)),
    ("PATCH", _ONE, lambda c: api.update(c.ctx, c.args[0], c.args[1], c.query, c.body)),
    ("DELETE", _ONE, lambda c: api.delete(c.ctx, c.args[0], c.args[1], c.query)),
    ("GET", "/api/schemas", lambda c: api.schemas(c.ctx)),
    ("GET", "/api/naming", lambda c: api.naming(c.ctx, c.query)),
    ("GET", "/api/recipients", lambda c: insight.recipients(c.ctx)),
    ("GET", "/api/checks", lambda c: insight.checks(c.ctx, c.query)),
]


def find_route(method: str, path: str) -> tuple[Route, tuple[str, ...]] | int:
    """The route and its path arguments, else 404 (no such path) or 405 (other method)."""
    status = 404
    for route_method, pattern, route in ROUTES:
        match = re.fullmatch(pattern, path)
        if match is None:
            continue
        if route_method == method:
            return route, tuple(unquote(arg) for arg in match.groups())
        status = 405
    return status


class PageServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, ctx: api.Ctx, port: int, log: Callable[[str], None] | None,
                 static: Traversable | None = None) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.ctx = ctx
        self.static = static or files("secretsfile.webui") / "static"
        self.guard = Guard(self.server_address[1])
        self.log = log
        self.lock = threading.Lock()  # one API call at a time: key scopes are process-wide

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.guard.port}/?token={self.guard.token}"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line, no traceback (its frames may hold a request's values)."""
        if self.log is not None:
            self.log("error: a request failed inside the server")


class Handler(BaseHTTPRequestHandler):
    server: PageServer
    server_version = "secretsfile-ui"
    sys_version = ""

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PATCH(self) -> None:
        self._handle("PATCH")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def end_headers(self) -> None:
        for name, value in SECURITY_HEADERS:
            self.send_header(name, value)
        super().end_headers()

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.server.log is not None:
            path = urlsplit(self.path).path if hasattr(self, "path") else "-"
            # anyone on this machine can send a request line: never echo its control
            # characters (terminal escapes) or an endless path to the user's terminal
            line = f"{getattr(self, 'command', None) or '-'} {path}"[:200]
            shown = "".join(c if c.isprintable() else "?" for c in line)
            self.server.log(f"{shown} {code}")

    def log_error(self, format: str, *args: Any) -> None:
        pass  # log_request reports the status; the reason may quote the request line

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self, method: str) -> None:
        url = urlsplit(self.path)
        query = dict(parse_qsl(url.query, keep_blank_values=True))
        headers = {name.lower(): value for name, value in self.headers.items()}
        verdict = self.server.guard.check(method, url.path, query, headers)
        if verdict.status == 303:
            self._redirect(verdict)
        elif not verdict.allowed:
            self._refuse(url.path, verdict)
        elif url.path in STATIC:
            self._static(method, url.path)
        else:
            self._api(method, url.path, query, headers)

    def _redirect(self, verdict: Verdict) -> None:
        self.send_response(303)
        self.send_header("Location", verdict.redirect or "/")
        if verdict.set_cookie:
            self.send_header("Set-Cookie", verdict.set_cookie)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _refuse(self, path: str, verdict: Verdict) -> None:
        if path.startswith("/api/"):
            self._json(verdict.status, {"error": verdict.reason, "hint": None})
        else:
            self._send(verdict.status, f"{verdict.reason}\n".encode(),
                       "text/plain; charset=utf-8")

    def _static(self, method: str, path: str) -> None:
        if method != "GET":
            self._json(405, {"error": f"{method} not allowed on {path}", "hint": None})
            return
        name, content_type = STATIC[path]
        resource = self.server.static / name
        if not resource.is_file():
            self._json(404, {"error": f"page file {name} is missing from the package",
                             "hint": "reinstall secretsfile"})
            return
        data = resource.read_bytes()
        if name == "index.html":
            data = data.replace(CSRF_PLACEHOLDER.encode(), self.server.guard.csrf.encode())
        self._send(200, data, content_type)

    def _api(self, method: str, path: str, query: dict[str, str],
             headers: dict[str, str]) -> None:
        found = find_route(method, path)
        if isinstance(found, int):
            self._json(found, {"error": f"no {method} {path}"[:200], "hint": None})
            return
        route, args = found
        body: dict[str, Any] = {}
        if method in ("POST", "PATCH", "PUT"):
            parsed = self._body(headers)
            if isinstance(parsed, int):
                return
            body = parsed
        call = Call(self.server.ctx, args, query, body, self.server.guard.csrf)
        status, reply = self._run(route, call, args[0] if args else body.get("env"))
        self._json(status, reply)

    def _run(self, route: Route, call: Call, env: object) -> api.Reply:
        try:
            with self.server.lock:
                return route(call)
        except SecretsfileError as error:
            return api.failure(error, env if isinstance(env, str) else None)
        except Exception as error:  # a bug: its text may quote a value, its type may not
            return 500, {"error": f"internal error ({type(error).__name__})", "hint": None}

    def _body(self, headers: dict[str, str]) -> dict[str, Any] | int:
        """The JSON object sent, or the status already answered (411, 413, 415, 400)."""
        try:
            length = int(headers.get("content-length", ""))
        except ValueError:
            return self._fail(411, "send a Content-Length header")
        if length < 0 or length > MAX_BODY:
            return self._fail(413, f"request body over {MAX_BODY // 1024} KiB")
        if headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            return self._fail(415, "send the body as Content-Type: application/json")
        try:
            parsed = json.loads(self.rfile.read(length), parse_constant=_no_constant)
        except (ValueError, UnicodeDecodeError, RecursionError):  # (MAX_BODY bounds the work)
            return self._fail(400, "the body is not valid JSON")
        if not isinstance(parsed, dict):
            return self._fail(400, "the body must be a JSON object")
        return parsed

    def _fail(self, status: int, message: str) -> int:
        self._json(status, {"error": message, "hint": None})
        return status

    def _json(self, status: int, reply: dict[str, Any] | None) -> None:
        data = b"" if reply is None else json.dumps(reply).encode()
        self._send(status, data, "application/json; charset=utf-8")

    def _send(self, status: int, data: bytes, content_type: str) -> None:
        self.send_response(status)
        if data or status != 204:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")  # NaN, Infinity: Python reads them


def make_server(ctx: api.Ctx, port: int = 0, log: Callable[[str], None] | None = None,
                static: Traversable | None = None) -> PageServer:
    """A server bound to 127.0.0.1:``port`` (0: a free port), not yet serving; ``static``:
    another folder of page files (tests), else the package's ``webui/static/``."""
    try:
        return PageServer(ctx, port, log, static)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} is in use; pick another with --port or omit it"
                             ) from None
        raise UsageError(f"cannot listen on 127.0.0.1:{port} ({error.strerror})") from None


def serve(ctx: api.Ctx, port: int = 0, ready: Callable[[str], None] | None = None, *,
          log: Callable[[str], None] | None = None) -> None:
    """Serve the page until Ctrl-C; ``ready(url)`` gets the URL with the token once the
    server listens. Returns normally after Ctrl-C, the socket closed."""
    server = make_server(ctx, port, log)
    try:
        if ready is not None:
            ready(server.url)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
