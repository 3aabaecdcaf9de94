"""The ``--decode`` pass: secrets hidden in base64, hex or percent-encoded runs.

A run is a stretch of text in one of those encodings. Each run is decoded (bounded: runs
of at most ``MAX_RUN`` characters, at most ``MAX_RUNS`` per text) and kept only when the
result is printable text. The decoded text is put back *in place of the run*, inside the
run's own line, so a rule still sees the name in front of the value
(``aws_secret_access_key: <decoded>``), and that line is scanned again, down to
``MAX_DEPTH`` levels (base64 inside percent-encoding, ...). A finding inside the decoded
part is reported at the run's place in the original text, with the encoding named in its
description. Findings are the caller's business: this module only finds runs and maps
positions, the engine scans (no import of it here).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterator
from typing import NamedTuple
from urllib.parse import unquote

from secretsfile.core.record import replace
from secretsfile.scanner.lazy_regex import LazyRegex
from secretsfile.scanner.model import Finding

__all__ = ["MAX_DEPTH", "Run", "decoded_findings", "find_runs", "merge"]

MAX_DEPTH = 2
MAX_RUN = 64 * 1024
MAX_RUNS = 500
CONTEXT = 256  # characters of the run's line kept either side when it is scanned again
_BREAKS = str.maketrans("", "", "\t\r\n")
_MIN_DECODED = 8  # shorter decoded text holds no credential worth a second pass

_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-"
# Every byte outside the base64 alphabets (both) becomes a space: the runs are then the
# words of one bytes.split(), all in C (a regex here cost 4x the whole scan).
_RUN_TABLE = bytes(b if b in _ALPHABET else 0x20 for b in range(256))
_MIN_RUN = 16
_HEX_RUN = LazyRegex(r"(?:[0-9a-fA-F]{2}){12,}")
_PERCENT_ESCAPE = LazyRegex(r"%[0-9A-Fa-f]{2}")
_PERCENT_STOP = " \t\r\n\"'<>`"
_UPPER = LazyRegex(r"[A-Z]")
_LOWER = LazyRegex(r"[a-z]")


class Run(NamedTuple):
    """An encoded stretch ``text[start:end]`` and what it decodes to."""

    start: int
    end: int
    encoding: str
    decoded: str


def _printable(data: bytes) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if len(text) < _MIN_DECODED:
        return None
    return text if _is_text(text) else None


def _is_text(text: str) -> bool:
    """Printable characters and line breaks or tabs only (the test runs in C)."""
    return text.isprintable() or text.translate(_BREAKS).isprintable()


def _from_base64(run: str) -> str | None:
    core = run.rstrip("=")
    if len(core) % 4 == 1 or not (_UPPER.search(core) and _LOWER.search(core)):
        return None  # not base64 of text (snake_case and ALLCAPS names land here)
    if ("-" in core or "_" in core) and ("+" in core or "/" in core):
        return None  # two alphabets mixed: an identifier or a path
    padded = core + "=" * (-len(core) % 4)
    try:
        if "-" in core or "_" in core:
            data = base64.urlsafe_b64decode(padded)
        else:
            data = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None
    return _printable(data)


def _from_hex(run: str) -> str | None:
    try:
        return _printable(bytes.fromhex(run))
    except ValueError:
        return None


def _from_percent(run: str) -> str | None:
    try:
        text = unquote(run, errors="strict")
    except UnicodeDecodeError:
        return None
    return text if text != run and _is_text(text) else None


def _alphabet_runs(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, kind) of each base64/hex-looking run of at least ``_MIN_RUN`` chars."""
    # One character per character (non-ASCII becomes "?"), so byte offsets are text offsets.
    buf = text.encode("ascii", "replace").translate(_RUN_TABLE)
    cursor = 0
    for word in buf.split():
        if len(word) < _MIN_RUN:
            continue
        start = buf.find(word, cursor)  # shorter words cannot hold it: the cursor suffices
        end = cursor = start + len(word)
        if _HEX_RUN.fullmatch(text, start, end):
            yield start, end, "hex"
            continue
        while end < len(text) and end - cursor < 2 and text[end] == "=":
            end += 1
        yield start, end, "base64"


def _percent_runs(text: str) -> Iterator[tuple[int, int, str]]:
    stop = 0
    for m in _PERCENT_ESCAPE.finditer(text):
        if m.start() < stop:
            continue
        start = m.start()
        while start > 0 and text[start - 1] not in _PERCENT_STOP:
            start -= 1
        stop = m.end()
        while stop < len(text) and text[stop] not in _PERCENT_STOP:
            stop += 1
        yield start, stop, "percent"


_DECODERS: dict[str, Callable[[str], str | None]] = {
    "base64": _from_base64,
    "hex": _from_hex,
    "percent": _from_percent,
}


def find_runs(text: str) -> list[Run]:
    """The decodable runs of ``text``, in order, none overlapping (base64/hex win)."""
    found: list[Run] = []
    spans = list(_alphabet_runs(text))
    if "%" in text:
        spans.extend(_percent_runs(text))
    taken: list[tuple[int, int]] = []
    for start, end, kind in spans:
        if end - start > MAX_RUN:
            continue
        if kind == "percent" and any(a < end and start < b for a, b in taken):
            continue
        decoded = _DECODERS[kind](text[start:end])
        if decoded is None:
            continue
        found.append(Run(start, end, kind, decoded))
        taken.append((start, end))
        if len(found) >= MAX_RUNS:
            break
    return sorted(found)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    pos = text.find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return starts


def _in_place(run: Run, text: str) -> tuple[str, int, int]:
    """The run's line (``CONTEXT`` characters either side at most: a minified line may hold
    hundreds of runs) with the decoded text in place of the run, and where that text lies."""
    line_begin = max(text.rfind("\n", 0, run.start) + 1, run.start - CONTEXT)
    line_end = text.find("\n", run.end)
    line_end = min(len(text) if line_end < 0 else line_end, run.end + CONTEXT)
    head = text[line_begin : run.start]
    return head + run.decoded + text[run.end : line_end], len(head), len(head) + len(run.decoded)


def decoded_findings(
    text: str, runs: list[Run], scan: Callable[[str, int, int], list[Finding]]
) -> Iterator[tuple[Run, Finding]]:
    """Findings inside the decoded runs, at the run's line and column of ``text``.

    ``scan(piece, first, stop)`` scans one piece of text (the run's line with the run
    decoded in place at ``piece[first:stop]``) and returns findings whose line and column
    are the piece's.
    """
    for run in runs:
        piece, first, stop = _in_place(run, text)
        found = scan(piece, first, stop)
        if not found:
            continue
        starts = _line_starts(piece)
        line = text.count("\n", 0, run.start) + 1
        column = run.start - (text.rfind("\n", 0, run.start) + 1) + 1
        for finding in found:
            offset = starts[min(finding.line, len(starts)) - 1] + finding.column - 1
            if not first <= offset < stop:
                continue  # the line's own text: the plain pass reports it
            note = f"{finding.description} (decoded {run.encoding})"
            yield run, replace(finding, line=line, column=column, description=note)


def merge(text: str, plain: list[Finding], decoded: list[tuple[Run, Finding]]) -> list[Finding]:
    """The plain findings plus the decoded ones they do not already cover.

    A plain finding whose secret is a whole run (a Kubernetes Secret's ``data:`` value, a
    generic high-entropy value) gives way to what was found inside the run.
    """
    if not decoded:
        return plain
    replaced = {(text[run.start : run.end], f.line) for run, f in decoded}
    kept = [f for f in plain if (f.secret, f.line) not in replaced]
    seen = {(f.rule_id, f.line, f.secret) for f in kept}
    for _run, finding in decoded:
        key = (finding.rule_id, finding.line, finding.secret)
        if key not in seen:
            seen.add(key)
            kept.append(finding)
    return kept
