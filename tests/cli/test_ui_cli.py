"""``secretsfile ui``: the URL on stderr, the token works, Ctrl-C stops it cleanly, a port in
use is exit 2 (the server and API themselves are tested in tests/webui)."""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.cli.conftest import Runner, init_repo

USAGE = 2


@pytest.fixture
def repo(run: Runner, age_key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = init_repo(run, tmp_path, monkeypatch, "dev")
    assert run("secret", "set", "db-url", "--env", "dev", "--value", "postgres://x").code == 0
    return root


@pytest.fixture
def ui_process(repo: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    with started_ui(repo) as started:
        yield started


@contextlib.contextmanager
def started_ui(repo: Path, *options: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``secretsfile ui --no-browser OPTIONS`` in its own process, and the URL it printed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "secretsfile", "ui", "--no-browser", *options], cwd=repo,
        env=os.environ.copy(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    try:
        line = process.stderr.readline()  # "" if the process died first
        assert line.startswith("secrets page: http://127.0.0.1:"), line + process.stderr.read()
        yield process, line.split(": ", 1)[1].strip()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_ui_serves_with_the_token_and_stops_on_ctrl_c(
        ui_process: tuple[subprocess.Popen[str], str]) -> None:
    process, url = ui_process
    token = parse_qs(urlsplit(url).query)["token"][0]
    # The browser's way: the token in the URL, swapped for a session cookie by a redirect.
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with browser.open(url) as page:
        assert page.status == 200
        assert page.url.endswith("/")  # the token is gone from the address
        assert "/static/app.js" in page.read().decode()
    # A script's way: the token as a Bearer credential.
    base = url.split("?", 1)[0]
    request = urllib.request.Request(base + "api/secrets",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 200
        assert b'"db-url"' in answer.read()

    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate()
    assert process.returncode == 0, stderr
    assert "stopped" in stderr
    assert "Traceback" not in stderr
    assert stdout == ""


def test_log_prints_method_path_and_status_never_the_token(repo: Path) -> None:
    with started_ui(repo, "--log") as (process, url):
        token = parse_qs(urlsplit(url).query)["token"][0]
        base = url.split("?", 1)[0]
        browser = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        with browser.open(url):  # the token in the query: logged without it
            pass
        request = urllib.request.Request(base + "api/secrets",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request):
            pass
        port = urlsplit(url).port
        assert port is not None
        with socket.create_connection(("127.0.0.1", port)) as raw:  # a terminal escape
            raw.sendall(b"GET /api/\x1b[31mred HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
            assert raw.recv(100).startswith(b"HTTP/1.0 40")
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate()
    lines = stderr.splitlines()
    assert "GET /?token= 303" not in stderr and token not in stderr  # the query never
    assert {"GET / 303", "GET / 200", "GET /api/secrets 200"} <= set(lines), stderr
    assert "\x1b" not in stderr and "GET /api/?[31mred 40" in stderr  # shown, not obeyed


def test_port_in_use_is_one_line_and_exit_2(run: Runner, repo: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("ui", "--no-browser", "--port", str(port))
    assert result.code == USAGE
    assert f"port {port} is in use" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # the error and its hint


def test_help_has_examples(run: Runner) -> None:
    result = run("ui", "--help")
    assert result.code == 0
    assert "secretsfile ui --port 8765 --no-browser" in result.stdout
    assert "--no-browser" in result.stdout and "127.0.0.1" in result.stdout


def test_outside_a_project_is_one_line_and_exit_2(run: Runner, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    monkeypatch.delenv("SECRETSFILE_CONFIG", raising=False)
    result = run("ui", "--no-browser")
    assert result.code == USAGE
    assert "no .secretsfile.yaml" in result.stderr and "secretsfile init" in result.stderr
    assert "secrets page" not in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # the error and its hint
