"""Parse ``git diff -U0`` / ``git log -p -U0`` output into the added lines of each file.

Pure (no git process): bytes in, ``AddedLines`` out. Hunk
headers give the exact number of old and new lines, so a content line that happens to
start with ``+++`` or ``diff --git`` is never mistaken for a header.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import chain, islice

from secretsfile.core.record import Record, field

__all__ = ["COMMIT_MARKER", "AddedLines", "parse_patch", "unquote_path"]

#: ``git log --format`` line that starts a commit in our history stream.
COMMIT_MARKER = b"\x00secretsfile-commit "

_HUNK = re.compile(rb"^@@ -\d+(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


class AddedLines(Record):
    """The lines a diff adds to one file (new-side line numbers, 1-based)."""

    path: str
    commit: str | None = None
    numbers: list[int] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    binary: bool = False
    size: int = 0

    def text(self) -> str:
        return "\n".join(self.lines)


_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "v": "\v",
    "f": "\f",
    "r": "\r",
    '"': '"',
    "\\": "\\",
}


def unquote_path(raw: bytes) -> str:
    """A path from a diff header; git C-quotes names with special characters."""
    if not raw.startswith(b'"'):
        return raw.decode("utf-8", "surrogateescape")
    body = raw[1:-1] if raw.endswith(b'"') else raw[1:]
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == 0x5C and i + 1 < len(body):  # backslash
            nxt = chr(body[i + 1])
            if nxt in "01234567" and i + 3 < len(body):
                out.append(int(body[i + 1 : i + 4], 8))
                i += 4
                continue
            out.extend(_ESCAPES.get(nxt, nxt).encode("utf-8"))
            i += 2
            continue
        out.append(ch)
        i += 1
    return bytes(out).decode("utf-8", "surrogateescape")


def _strip_prefix(path: str, prefix: str) -> str:
    return path[len(prefix) :] if path.startswith(prefix) else path


def _header_path(line: bytes) -> str:
    """The path of ``diff --git a/P b/P`` when both sides are equal (else "")."""
    rest = line.split(b" ", 2)[2] if line.count(b" ") >= 2 else b""
    if rest.startswith(b'"'):
        return ""
    if not rest.startswith(b"a/") or (len(rest) - 1) % 2:
        return ""
    half = (len(rest) - 1) // 2
    old, new = rest[:half], rest[half + 1 :]
    if old[2:] == new[2:] and new.startswith(b"b/"):
        return new[2:].decode("utf-8", "surrogateescape")
    return ""


_FILE_HEADERS = (b"diff --git ", b"diff --cc ", b"diff --combined ")


def parse_patch(lines: Iterable[bytes]) -> Iterator[AddedLines]:
    """Yield one ``AddedLines`` per file section of a patch stream (trailing newlines ok).

    Files without added lines (deletions, pure renames, mode changes) are yielded with
    empty ``lines`` so callers know the path had a change. Inside a hunk, its header's
    counts say how many old (``-``, context) and new (``+``, context) lines follow; a
    line that fits neither ends the hunk (malformed) and is read as a header. The hunk
    body is handled inline: this loop runs once per line of a whole history, except for
    a run of added lines (the whole hunk of ``-U0``), taken and checked in one piece
    (``_added_run``). Added lines are kept as bytes and decoded once per file when its
    section ends.
    """
    commit: str | None = None
    current: AddedLines | None = None
    added: list[bytes] = []  # the section's added lines (or runs) and their numbers
    numbers: list[int] = []
    old_left = new_left = new_number = 0
    source: Iterator[bytes] = iter(lines)
    runs = True  # off for good once a run fails its check: its lines are read again one by one
    while True:
        for raw in source:
            line = raw[:-1] if raw.endswith(b"\n") else raw
            first = line[:1]
            if old_left > 0 or new_left > 0:
                if first == b"+" and new_left > 0:
                    if current is not None:
                        if runs and old_left == 0 and new_left > 1:
                            block = [raw, *islice(source, min(new_left, _RUN_LINES) - 1)]
                            if not _add_run(block, new_number, added, numbers):
                                runs = False
                                break
                            new_number += len(block)
                            new_left -= len(block)
                            continue
                        added.append(line)
                        numbers.append(new_number)
                    new_number += 1
                    new_left -= 1
                    continue
                if first == b"-" and old_left > 0:
                    old_left -= 1
                    continue
                if first == b" " and old_left > 0 and new_left > 0:  # context (-U1+)
                    old_left -= 1
                    new_left -= 1
                    new_number += 1
                    continue
                if first != b"\\":
                    old_left = new_left = 0  # malformed: fall through to header parsing
            if first == b"\\":  # "\ No newline at end of file"
                continue
            if line.startswith(COMMIT_MARKER) or line.startswith(_FILE_HEADERS):
                if current is not None:
                    yield _finished(current, added, numbers)
                    added, numbers = [], []
                commit, current = _section_start(line, commit)
                continue
            if current is None:
                continue
            match = _HUNK.match(line)
            if match:
                old_left, new_left, new_number = _hunk_counts(match)
            else:
                _file_header(line, current)
        else:
            break
        source = chain(block, source)  # the failed run's lines, then the rest
    if current is not None:
        yield _finished(current, added, numbers)


#: At most this many lines are taken as one run (a hunk header's count is not trusted).
_RUN_LINES = 4096


def _hunk_counts(match: re.Match[bytes]) -> tuple[int, int, int]:
    """Old lines, new lines and the first new line number of ``@@ -a,b +c,d @@`` (an
    omitted count is 1)."""
    old, first, new = match.group(1), match.group(2), match.group(3)
    return int(old) if old is not None else 1, int(new) if new is not None else 1, int(first)


def _section_start(line: bytes, commit: str | None) -> tuple[str | None, AddedLines | None]:
    """The commit and the file section after a commit marker or a file header line."""
    if line.startswith(COMMIT_MARKER):
        return line[len(COMMIT_MARKER) :].decode("ascii", "replace").strip(), None
    return commit, AddedLines(path=_header_path(line), commit=commit)


def _add_run(block: list[bytes], first: int, added: list[bytes], numbers: list[int]) -> bool:
    """Add ``block`` (lines numbered from ``first``) as one run, if it is one (see below)."""
    run = _added_run(block)
    if run is None:
        return False
    added.append(run)
    numbers.extend(range(first, first + len(block)))
    return True


def _added_run(block: list[bytes]) -> bytes | None:
    """The block's lines as one ``+``-prefixed run joined by ``\\n`` (line ends dropped),
    when every line is an added line; else None. Two C-level counts instead of one loop
    step per line: lines split at ``\\n`` hold none, and a stream's lines end with one."""
    if block[0].endswith(b"\n"):  # from a stream: every line but the last ends with \n
        joined = b"".join(block)
        joined = joined[:-1] if joined.endswith(b"\n") else joined
    else:
        joined = b"\n".join(block)
    breaks = len(block) - 1
    if joined[:1] == b"+" and joined.count(b"\n+") == breaks == joined.count(b"\n"):
        return joined
    return None


def _finished(current: AddedLines, added: list[bytes], numbers: list[int]) -> AddedLines:
    """``current`` with its added lines (``+`` kept) as text: one decode for the section (a
    newline never continues a UTF-8 sequence, so each line decodes as it would alone)."""
    if added:
        current.lines = b"\n".join(added).decode("utf-8", "replace").split("\n+")
        current.lines[0] = current.lines[0][1:]
        # a run of k lines holds k - 1 of the \n that are not the lines' own bytes
        current.numbers = numbers
        current.size = sum(map(len, added)) - (len(numbers) - len(added))
    return current


def _file_header(line: bytes, current: AddedLines) -> None:
    """The path and binary-ness from a file section's header lines."""
    if line.startswith(b"+++ "):
        target = line[4:]
        if target != b"/dev/null":
            current.path = _strip_prefix(unquote_path(target.rstrip(b"\t")), "b/")
    elif line.startswith(b"rename to ") and not current.path:
        current.path = unquote_path(line[len(b"rename to ") :])
    elif line.startswith(b"Binary files ") or line.startswith(b"GIT binary patch"):
        current.binary = True
        if not current.path:  # the new side's name, C-quoted by git when it has to be
            match = re.search(rb' and ("?)b/(.*?)"? differ$', line)  # compiled on first use
            if match:
                quote = match.group(1)
                current.path = unquote_path(quote + match.group(2) + quote)
