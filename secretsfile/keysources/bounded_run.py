"""Run a helper program (gpg, a ``*_AGE_KEY_CMD``) with bounded time and memory.

One runner for every key backend that starts a program: no shell, ``data`` written to its
stdin (or stdin from /dev/null), stdout and stderr read as they come (one thread, a
selector) each up to its own cap, and one deadline for the whole exchange. A program that
prints more than its cap or outlives the deadline is killed and waited for, and the caller
gets ``TooMuchOutput`` or ``TimedOut``; what it printed is never put in either. The
program keeps the caller's terminal (no new session), so a command may still prompt on
/dev/tty. POSIX only (a selector on pipes), like the backends that use it.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO

_CHUNK = 1 << 16


@dataclass(frozen=True)
class Finished:
    code: int
    stdout: bytes
    stderr: bytes


class TimedOut(Exception):
    """The program did not finish within the deadline (it has been killed)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"did not finish within {seconds:g} s")
        self.seconds = seconds


class TooMuchOutput(Exception):
    """The program printed more than allowed on ``stream`` (it has been killed)."""

    def __init__(self, stream: str, limit: int) -> None:
        super().__init__(f"printed more than {size_text(limit)} on {stream}")
        self.stream = stream
        self.limit = limit


def size_text(count: int) -> str:
    """``4096`` -> ``4 KiB``, ``1048576`` -> ``1 MiB``."""
    for unit, size in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= size and count % size == 0:
            return f"{count // size} {unit}"
    return f"{count} bytes"


def run(argv: Sequence[str], *, timeout: float, max_stdout: int, max_stderr: int,
        data: bytes | None = None, env: Mapping[str, str] | None = None) -> Finished:
    """Run ``argv`` to its end. Raises ``TimedOut``, ``TooMuchOutput`` or ``OSError`` (the
    program cannot be started: ``FileNotFoundError`` when it does not exist)."""
    process = subprocess.Popen(
        list(argv), stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=None if env is None else dict(env))
    deadline = time.monotonic() + timeout
    try:
        out, err = _exchange(process, data or b"", deadline, timeout, (max_stdout, max_stderr))
        try:
            code = process.wait(max(deadline - time.monotonic(), 0.0))
        except subprocess.TimeoutExpired:
            raise TimedOut(timeout) from None
    finally:
        _finish(process)
    return Finished(code, out, err)


def _exchange(process: subprocess.Popen[bytes], data: bytes, deadline: float, timeout: float,
              limits: tuple[int, int]) -> tuple[bytes, bytes]:
    assert process.stdout is not None and process.stderr is not None
    out, err = process.stdout.fileno(), process.stderr.fileno()
    names = {out: ("stdout", limits[0]), err: ("stderr", limits[1])}
    buffers = {out: bytearray(), err: bytearray()}
    written = 0
    with selectors.DefaultSelector() as selector:
        for fd in buffers:
            selector.register(fd, selectors.EVENT_READ)
        if process.stdin is not None:
            os.set_blocking(process.stdin.fileno(), False)
            selector.register(process.stdin, selectors.EVENT_WRITE)
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimedOut(timeout)
            for key, _ in selector.select(left):
                if key.fd not in buffers:
                    assert process.stdin is not None
                    written = _feed(process.stdin, data, written, selector)
                    continue
                chunk = os.read(key.fd, _CHUNK)
                if not chunk:
                    selector.unregister(key.fd)
                    continue
                buffers[key.fd] += chunk
                name, limit = names[key.fd]
                if len(buffers[key.fd]) > limit:
                    raise TooMuchOutput(name, limit)
    return bytes(buffers[out]), bytes(buffers[err])


def _feed(stdin: IO[bytes], data: bytes, written: int, selector: selectors.BaseSelector) -> int:
    """Write the next piece of ``data``; close stdin when all is written (or nobody reads)."""
    try:
        written += os.write(stdin.fileno(), data[written:written + _CHUNK])
    except BlockingIOError:
        return written
    except BrokenPipeError:
        written = len(data)
    if written >= len(data):
        selector.unregister(stdin)
        stdin.close()
    return written


def _finish(process: subprocess.Popen[bytes]) -> None:
    """Kill the program if it still runs, wait for it, close our ends of its pipes."""
    if process.poll() is None:
        process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):  # stuck in the kernel
            process.wait(5.0)
    for stream in (process.stdin, process.stdout, process.stderr):
        if stream is not None and not stream.closed:
            with contextlib.suppress(OSError):  # stdin with unwritten data, reader gone
                stream.close()
