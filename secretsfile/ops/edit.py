"""Edit an encrypted file in ``$EDITOR`` without leaving plaintext behind.

The plaintext goes to a private directory (mode 0700, on tmpfs when ``/dev/shm`` exists) in
a file of mode 0600 that is removed afterwards, whatever happens. Nothing is written when
nothing changed. When the edited text does not parse, the caller decides whether to open
the editor again (``retry``) instead of losing the edit.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from secretsfile._fileio import locked, private_dir, read_text, write_atomic
from secretsfile.core.tree import Selector
from secretsfile.errors import FormatError, UsageError
from secretsfile.ops.document import (
    OpenDocument,
    new_metadata,
    open_document,
    parse_documents,
    read_encrypted,
    refuse_encrypted,
    seal,
    seal_with,
)
from secretsfile.ops.recipients import KeyOptions, plan_for
from secretsfile.stores import dump_documents, format_for_path

NEW_FILE_TEMPLATE = {
    "yaml": "# New secrets file: keys stay readable, values are encrypted on save.\n"
    "example_key: example_value\n",
    "json": '{\n\t"example_key": "example_value"\n}\n',
    "dotenv": "EXAMPLE_KEY=example_value\n",
}


@dataclass(frozen=True)
class EditResult:
    changed: bool
    created: bool


def editor_command() -> list[str]:
    for var in ("SECRETSFILE_EDITOR", "SOPS_EDITOR", "VISUAL", "EDITOR"):
        value = os.environ.get(var)
        if value:
            return shlex.split(value)
    for fallback in ("vim", "nano", "vi"):
        if shutil.which(fallback):
            return [fallback]
    raise UsageError("no editor found", hint="set EDITOR, e.g. EDITOR=nano")


@contextlib.contextmanager
def private_file(name: str) -> Iterator[Path]:
    """A 0600 file in a fresh 0700 directory (tmpfs if available), removed on exit."""
    directory = private_dir()
    path = directory / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    try:
        yield path
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _run_editor(path: Path) -> None:
    command = [*editor_command(), str(path)]
    try:
        result = subprocess.run(command, check=False)
    except FileNotFoundError:
        raise UsageError(f"editor {command[0]!r} not found", hint="set EDITOR") from None
    if result.returncode != 0:
        raise UsageError(f"the editor exited with status {result.returncode}; nothing saved")


def edit_file(path: Path, keys: KeyOptions | None = None,
              retry: Callable[[FormatError], bool] = lambda error: False,
              input_type: str | None = None) -> EditResult:
    """Decrypt to a private file, run the editor, re-encrypt if the content changed."""
    fmt = format_for_path(path, input_type)
    with locked(path):
        opened: OpenDocument | None = None
        if path.exists():
            opened = open_document(read_encrypted(read_text(path), fmt, str(path)))
            original = dump_documents(opened.plain, fmt, indent=opened.source.indent)
        else:
            original = NEW_FILE_TEMPLATE[fmt]
        with private_file(f"edit{path.suffix or '.txt'}") as scratch:
            scratch.write_text(original, encoding="utf-8")
            while True:
                _run_editor(scratch)
                edited = scratch.read_text(encoding="utf-8")
                if edited == original and opened is not None:
                    return EditResult(changed=False, created=False)
                try:
                    docs, meta = parse_documents(edited, fmt, str(path))
                    refuse_encrypted(meta, str(path))
                    break
                except FormatError as error:
                    if not retry(error):
                        raise
        if opened is None:
            plan = plan_for(path, keys or KeyOptions())
            selector = Selector.from_fields(plan.selector, default_suffix=True)
            metadata, cipher = new_metadata(plan.groups, selector, plan.threshold)
            write_atomic(path, seal_with(docs, cipher, metadata, fmt, None))
            return EditResult(changed=True, created=True)
        write_atomic(path, seal(opened, docs))
        return EditResult(changed=True, created=False)
