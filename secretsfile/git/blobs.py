"""Blobs read by object id: the staged content of paths (``staged_blobs``), and files git
calls binary read again (``staged_text``, ``history_text``).

Blobs are named by the object id the index or the commit's tree holds, never by a path
sent to git as text (a name may hold a newline or look like ``1:x``, an index stage).
A ``.gitattributes`` ``-diff``/``binary`` attribute or git's own NUL test (on either side
of a change) makes git print "Binary files differ" and no lines; the scan applies its own
text test to the head of each new blob, and those it calls text are diffed again with
``--text``, exactly as the first read diffed them. Loaded on first use through
``git.sources`` (a hook's scan rarely needs it).
"""

from __future__ import annotations

from secretsfile.git.diff import AddedLines, parse_patch
from secretsfile.git.run import GitError, run_git
from secretsfile.git.sources import _DIFF_FLAGS, _HISTORY_FLAGS, _stream

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping, Sequence
    from typing import Any, NoReturn, TypeVar

    _T = TypeVar("_T")

    from secretsfile._fileio import StrPath
    from secretsfile.git.sources import TextTest

__all__ = ["TEXT_TEST_BYTES", "cat_objects", "history_text", "staged_blobs", "staged_text"]


def staged_blobs(root: StrPath, paths: Sequence[str]) -> dict[str, bytes | None]:
    """The staged (index) content of each path, read by the object id the index holds.

    None: the index has no file at that path (never added, removed, or a submodule). An
    unmerged path or an object git cannot read is a GitError naming the path: a caller
    must never take either for "nothing staged". Paths are never sent to git as text
    lines (a name may hold a newline or look like ``1:x``, an index stage)."""
    ids = _index_ids(root, paths)
    objects = _read_objects(root, ids)
    return {path: None if oid is None else objects[oid] for path, oid in ids.items()}


#: More paths than this are not put on git's command line: the whole index is listed.
_MAX_PATHSPECS = 1000


def _index_ids(root: StrPath, paths: Sequence[str]) -> dict[str, str | None]:
    """The object id of each path's staged entry (``git ls-files -s -z``), None if none."""
    ids: dict[str, str | None] = dict.fromkeys(paths)
    if not ids:
        return ids
    named = [p for p in ids if p] if len(ids) <= _MAX_PATHSPECS else []
    out = run_git(["ls-files", "-s", "-z", "--", *named], root)
    for entry in out.split(b"\0"):
        meta, _, raw = entry.partition(b"\t")
        name = raw.decode("utf-8", "surrogateescape")
        if not raw or name not in ids:
            continue
        mode, oid, stage = meta.decode("ascii").split(" ")
        if stage != "0":
            raise GitError("the file is unmerged: it has no staged content", path=name,
                           hint="resolve the conflict, then git add the file")  # fmt: skip
        if mode != "160000":  # a submodule's commit lives in another repository
            ids[name] = oid
    return ids


def _read_objects(root: StrPath, ids: dict[str, str | None]) -> dict[str, bytes]:
    """The objects ``ids`` (path -> object id) name; one git cannot read is an error."""
    objects = cat_objects(root, ids.values())
    for oid in ids.values():
        if oid is not None and oid not in objects:
            _unreadable(ids, oid)
    return objects


def cat_objects(root: StrPath, oids: Iterable[str | None]) -> dict[str, bytes]:
    """The objects of ``oids`` (None and repeats left out), by id, from one ``git cat-file
    --batch``; an object id git does not have is left out."""
    wanted = list(dict.fromkeys(oid for oid in oids if oid))
    if not wanted:
        return {}
    out = run_git(["cat-file", "--batch"], root, stdin=_lines(wanted))
    objects: dict[str, bytes] = {}
    pos = 0
    for oid in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split(b" ")
        pos = end + 1
        if len(header) != 3 or header[0] != oid.encode():
            continue  # "<oid> missing"
        size = int(header[2])
        objects[oid] = out[pos : pos + size]
        pos += size + 1
    return objects


def _unreadable(ids: Mapping[Any, str | None], oid: str) -> NoReturn:
    key = next(k for k, o in ids.items() if o == oid)
    raise GitError("git cannot read this file's content", path=key if isinstance(key, str)
                   else key[-1], hint="run git fsck; git add the file again")  # fmt: skip


def _lines(values: Iterable[str]) -> bytes:
    """git's stdin for ``--batch`` / ``--stdin``: each value once, in order, one a line."""
    return "".join(f"{value}\n" for value in dict.fromkeys(values)).encode("ascii")


def _chunks(items: Sequence[_T]) -> Iterator[Sequence[_T]]:
    """``items`` in pieces that fit on git's command line as pathspecs."""
    return (items[n : n + _MAX_PATHSPECS] for n in range(0, len(items), _MAX_PATHSPECS))


#: How much of a blob git calls binary our own text test reads (the scanner's NUL window).
TEXT_TEST_BYTES = 8192


def staged_text(root: StrPath, paths: Sequence[str], is_text: TextTest) -> list[AddedLines]:
    """The added lines of staged files git called binary (``-diff``/``binary`` attributes,
    or its NUL test on either side) whose staged content is text to ``is_text(head,
    size, path)`` (``head``: its first ``TEXT_TEST_BYTES``; ``size``: the whole blob's, so
    a file over the size limit is left out before it is diffed): the staged diff of those
    paths again, with ``--text``. True binaries are left out."""
    ids = _index_ids(root, paths)
    heads = _object_heads(root, ids)
    text = [p for p, oid in ids.items() if oid is not None and is_text(*heads[oid], p)]
    sections: list[AddedLines] = []
    for chunk in _chunks(text):
        out = run_git(["diff", "--cached", "--text", *_DIFF_FLAGS, "--diff-filter=ACMRTUXB",
                       "--", *chunk], root)  # fmt: skip
        asked = set(chunk)
        sections.extend(s for s in parse_patch(out.split(b"\n")) if s.path in asked)
    return sections


def history_text(root: StrPath, changes: Sequence[tuple[str, str]], is_text: TextTest
                 ) -> list[AddedLines]:  # fmt: skip
    """``staged_text`` for history: the (commit, path) sections git called binary, read
    again with ``--text`` (as ``history_added_lines_for`` reads them) where the commit's
    new blob is text."""
    ids = _commit_ids(root, changes)
    heads = _object_heads(root, ids)
    text = [key for key, oid in ids.items() if is_text(*heads[oid], key[1])]
    sections: list[AddedLines] = []
    for piece in _chunks(text):
        chunk = set(piece)
        paths = sorted({p for _, p in chunk})
        args = ["diff-tree", "--stdin", "-p", "-r", "--text", *_HISTORY_FLAGS, "--", *paths]
        feed = _lines(c for c, _ in piece)
        sections.extend(s for s in _stream(root, args, feed) if (s.commit, s.path) in chunk)
    return sections


def _commit_ids(root: StrPath, changes: Sequence[tuple[str, str]]
                ) -> dict[tuple[str, str], str]:  # fmt: skip
    """The new blob id of each (commit, path) (``git diff-tree --raw -z``); paths are
    taken by count, never by their text."""
    wanted = set(changes)
    ids: dict[tuple[str, str], str] = {}
    for chunk in _chunks(list(wanted)):
        out = run_git(["diff-tree", "--stdin", "-r", "-z", "--raw", "--no-abbrev", "--root",
                       "--no-renames", "--", *sorted({p for _, p in chunk})], root,
                      stdin=_lines(c for c, _ in chunk))  # fmt: skip
        tokens = iter(out.split(b"\0"))
        commit = ""
        for token in tokens:
            if not token.startswith(b":"):
                commit = token.decode("ascii").strip()  # the commit line before its entries
                continue
            _, mode, _, oid, _ = token.decode("ascii").split(" ")
            key = (commit, next(tokens).decode("utf-8", "surrogateescape"))
            if key in wanted and mode != "160000" and oid.strip("0"):
                ids[key] = oid
    return ids


def _object_heads(root: StrPath, ids: Mapping[Any, str | None]
                  ) -> dict[str, tuple[bytes, int]]:  # fmt: skip
    """The first ``TEXT_TEST_BYTES`` of each object ``ids`` names and its size, read as git
    streams them: a large binary is never held whole."""
    wanted = list(dict.fromkeys(oid for oid in ids.values() if oid is not None))
    if not wanted:
        return {}
    from secretsfile.git.pipe import READ_SIZE, git_output  # here: a binary section is rare

    heads: dict[str, tuple[bytes, int]] = {}
    with git_output(root, ["cat-file", "--batch"], _lines(wanted)) as out:
        for oid in wanted:
            header = out.readline().split(b" ")
            if len(header) != 3 or header[0] != oid.encode("ascii"):
                _unreadable(ids, oid)
            size = int(header[2])
            head = out.read(min(size, TEXT_TEST_BYTES))
            heads[oid] = (head, size)
            left = size + 1 - len(head)  # the rest of the object, then a newline
            while left > 0 and (chunk := out.read(min(left, READ_SIZE))):
                left -= len(chunk)
    return heads
