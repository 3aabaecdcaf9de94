"""Merging encrypted files key by key: what the git merge driver and ``merge resolve`` run.

The three versions (base, ours, theirs) arrive as text: the CLI reads them (from git's
temporary files, or from the index stages with ``git show``), ops never runs git. They
are decrypted in memory, merged per key path (``core.merge``) and sealed again with ours'
data key and metadata (theirs', when only theirs rotated the key or changed recipients),
so every value that did not change keeps its ciphertext, a value taken from theirs keeps
theirs' ciphertext when both share the data key, and the MAC and integrity tag are fresh.
Nothing here writes plaintext anywhere: a conflict is reported by key path, and ``--edit``
goes through the private editor flow of ``ops/edit``.
"""

from __future__ import annotations

import copy
import re

from secretsfile._fileio import locked, write_atomic
from secretsfile.core.merge import Side, merge_documents
from secretsfile.core.record import Record, field
from secretsfile.core.values import Branch
from secretsfile.errors import (
    ConflictError,
    FormatError,
    SecretsfileError,
    scrubbed,
    without_frames,
)
from secretsfile.keysources import registry
from secretsfile.ops.document import (
    OpenDocument,
    open_document,
    read_encrypted,
    read_plaintext,
    seal_with,
)
from secretsfile.stores import format_for_path, get_store

# typing and pathlib for mypy only: the merge driver's start-up (issue 14); aliases as strings
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from typing import Literal, TypeAlias

    from secretsfile.config.project import ProjectConfig

Choice: TypeAlias = 'Literal["ours", "theirs", "edit"] | None'
EditFlow: TypeAlias = "Callable[[str, Callable[[str], list[Branch]]], list[Branch]]"
METADATA_CONFLICT = "(sops metadata: recipients, key groups or encryption rules)"
_MARKERS = r"^(<{7}|={7}|>{7})( |$)"  # compiled on first use (not on the driver's start-up)


class Versions(Record, frozen=True):
    """The three texts of one file in a merge; ``base`` is "" when both sides added it."""

    base: str
    ours: str
    theirs: str
    path: str  # the file's path in the repository: its format, and the name in messages


class MergeOutcome(Record):
    text: str  # the merged file (ours' text unchanged when there are conflicts)
    conflicts: list[str] = field(default_factory=list)  # key paths, never values


class _Opened(Record):
    base: OpenDocument | None
    ours: OpenDocument
    theirs: OpenDocument
    fmt: str


def _open_all(versions: Versions, input_type: str | None, strict: bool) -> _Opened:
    fmt = format_for_path(versions.path, input_type)

    def open_one(text: str, side: str) -> OpenDocument:
        try:
            return open_document(read_encrypted(text, fmt, versions.path), strict=strict)
        except SecretsfileError as error:
            error.message = f"{side}: {error.message}"
            raise

    base = open_one(versions.base, "base") if versions.base.strip() else None
    return _Opened(base, open_one(versions.ours, "ours"), open_one(versions.theirs, "theirs"),
                   fmt)


def _identity(opened: OpenDocument) -> tuple[object, ...]:
    """What decides who can open a file and how: recipients, threshold, selector."""
    metadata = opened.source.metadata
    groups = [sorted((key.kind, str(registry.recipient_id(key))) for key in group)
              for group in metadata.key_groups]
    return groups, metadata.shamir_threshold, metadata.selector


def _added_recipients(ours: OpenDocument, theirs: OpenDocument) -> list[str]:
    def ids(opened: OpenDocument) -> set[str]:
        return {f"{key.kind} {registry.recipient_id(key)}"
                for key in opened.source.metadata.master_keys()}

    return sorted(ids(theirs) - ids(ours))


def _carrier(sides: _Opened, prefer: Side | None) -> tuple[OpenDocument | None, list[str]]:
    """Whose metadata and cipher the result uses: ours, unless only theirs rotated the data
    key or changed recipients (or encryption rules); both changing them differently is a
    conflict (settled by ``prefer``). None with a conflict and no preference."""
    ours, theirs, base = sides.ours, sides.theirs, sides.base or sides.ours
    ours_moved = (_identity(ours) != _identity(base)
                  or ours.cipher.data_key != base.cipher.data_key)
    theirs_moved = (_identity(theirs) != _identity(base)
                    or theirs.cipher.data_key != base.cipher.data_key)
    if not theirs_moved or (ours_moved and _identity(ours) == _identity(theirs)):
        return ours, []
    added = _added_recipients(ours, theirs)
    if not ours_moved and not added:
        return theirs, []  # theirs rotated the key or removed someone: safe to follow
    # Recipients the other branch added would silently read what this branch adds: anyone
    # can write such a branch with public keys alone, so a person must accept it.
    conflicts = [METADATA_CONFLICT + (f" (recipients added on the other branch: "
                                      f"{', '.join(added)})" if added else "")]
    if prefer is None:
        return None, conflicts
    return (theirs if prefer == "theirs" else ours), conflicts


def _seal(carrier: OpenDocument, other: OpenDocument, docs: list[Branch], fmt: str) -> str:
    cipher = carrier.cipher.clone()
    cipher.adopt(other.cipher)
    metadata = copy.deepcopy(carrier.source.metadata)
    return seal_with(docs, cipher, metadata, fmt, carrier.source.indent, carrier.source.path)


def _merge(sides: _Opened, prefer: Side | None) -> tuple[list[Branch], list[str],
                                                          OpenDocument | None]:
    base_docs = (sides.base.plain if sides.base is not None
                 else [{} for _ in sides.ours.plain])
    result = merge_documents(base_docs, sides.ours.plain, sides.theirs.plain, prefer)
    carrier, meta_conflicts = _carrier(sides, prefer)
    return result.docs, meta_conflicts + result.conflicts, carrier


@scrubbed
def merge_versions(versions: Versions, input_type: str | None = None,
                   config: ProjectConfig | None = None) -> MergeOutcome:
    """The git merge driver's work: the merged file text, or ours' text unchanged and the
    conflicting key paths. Raises when a version cannot be opened (no key: the caller
    falls back to git's own line merge of the ciphertext)."""
    sides = _open_all(versions, input_type, _strict(config, versions.path))
    docs, conflicts, carrier = _merge(sides, None)
    if conflicts or carrier is None:
        return MergeOutcome(versions.ours, conflicts)
    other = sides.theirs if carrier is sides.ours else sides.ours
    return MergeOutcome(_seal(carrier, other, docs, sides.fmt))


def _strict(config: ProjectConfig | None, path: str) -> bool:
    return config is not None and config.requires_tag(path)


def resolve_file(target: Path, versions: Versions, choice: Choice,
                 edit: EditFlow | None = None, input_type: str | None = None,
                 config: ProjectConfig | None = None) -> list[str]:
    """Finish a conflicted merge of ``target``: merge key by key, settle the conflicts
    with ours' or theirs' values (``choice``), or, for ``edit``, hand the merged plaintext
    with the conflicts marked to ``edit(text, parse)`` (the private editor flow), then
    write ``target`` sealed. ``choice`` None: only a merge without conflicts is written
    (else ConflictError). Returns the conflicting key paths that were settled."""
    with locked(target):
        try:
            text, conflicts = _resolved_text(versions, choice, edit, input_type, config)
        except Exception as error:
            raise without_frames(error) from None
        write_atomic(target, text)
    return conflicts


def _resolved_text(versions: Versions, choice: Choice, edit: EditFlow | None,
                   input_type: str | None, config: ProjectConfig | None
                   ) -> tuple[str, list[str]]:
    sides = _open_all(versions, input_type, _strict(config, versions.path))
    prefer: Side = "theirs" if choice == "theirs" else "ours"
    docs, conflicts, carrier = _merge(sides, prefer)
    assert carrier is not None
    if choice is None and conflicts:
        raise ConflictError(f"changed differently on both sides: {', '.join(conflicts)}",
                            path=versions.path, hint="choose with --ours, --theirs or --edit")
    if choice == "edit" and conflicts:
        if edit is None:
            raise ConflictError("no editor flow was given for --edit")
        theirs_docs, _, _ = _merge(sides, "theirs")
        marked = marked_text(docs, theirs_docs, sides.fmt, carrier.source.indent)
        docs = edit(marked, lambda text: _parse_resolved(text, sides.fmt, versions.path))
    other = sides.theirs if carrier is sides.ours else sides.ours
    return _seal(carrier, other, docs, sides.fmt), conflicts


def marked_text(ours_docs: list[Branch], theirs_docs: list[Branch], fmt: str,
                indent: int | None) -> str:
    """The merged plaintext with git-style markers around the lines where the two
    resolutions differ (exactly the conflicting keys): ours first, then theirs."""
    store = get_store(fmt)
    left = _lines(store.write(ours_docs, None, indent))
    right = _lines(store.write(theirs_docs, None, indent))
    lines: list[str] = []
    import difflib  # resolve --edit only

    matcher = difflib.SequenceMatcher(a=left, b=right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += left[i1:i2]
            continue
        lines += ["<<<<<<< ours\n", *_ended(left[i1:i2]), "=======\n", *_ended(right[j1:j2]),
                  ">>>>>>> theirs\n"]
    return "".join(lines)


def _lines(text: str) -> list[str]:
    """``text`` split after each \\n only, as the stores and sops read it (splitlines also
    breaks at \\r, \\x0b, \\x85, \\u2028, ...: a marker there cut a dotenv value in two
    and its tail became a key of its own)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    return [*lines, parts[-1]] if parts[-1] else lines


def _ended(lines: list[str]) -> list[str]:
    return [line if line.endswith("\n") else line + "\n" for line in lines]


def _parse_resolved(text: str, fmt: str, path: str) -> list[Branch]:
    if re.search(_MARKERS, text, re.M):
        raise FormatError("conflict markers (<<<<<<<, =======, >>>>>>>) are still in the file",
                          path=path, hint="keep one side of every marked conflict and remove "
                          "the marker lines")
    return read_plaintext(text, fmt, path)
