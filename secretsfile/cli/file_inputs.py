"""Where the file commands' input comes from: a path, or stdin as ``-`` (sops reads stdin
when the file is left out), the selector options and ``set``'s value. No Typer here: the lean
parser (``cli/lean.py``) runs these commands without it."""

from __future__ import annotations

import os
import sys

from secretsfile.cli.common import read_value
from secretsfile.core.pattern import Pattern
from secretsfile.errors import FormatError, UsageError
from secretsfile.ops.files import Source

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from typing import Any


def selector(unencrypted_suffix: str | None, encrypted_suffix: str | None,
             unencrypted_regex: str | None, encrypted_regex: str | None,
             unencrypted_comment_regex: str | None, encrypted_comment_regex: str | None,
             mac_only_encrypted: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "unencrypted_suffix": unencrypted_suffix,
        "encrypted_suffix": encrypted_suffix,
        "unencrypted_regex": unencrypted_regex,
        "encrypted_regex": encrypted_regex,
        "unencrypted_comment_regex": unencrypted_comment_regex,
        "encrypted_comment_regex": encrypted_comment_regex,
    }
    selected = {k: v for k, v in fields.items() if v}
    if mac_only_encrypted:
        selected["mac_only_encrypted"] = True
    return selected


def is_stdin(file: str | os.PathLike[str] | None) -> bool:
    return file is None or os.fspath(file) == "-"


def source_of(file: str | os.PathLike[str] | None, name: str | None,
              input_type: str | None) -> Source | None:
    """Where ``encrypt``/``decrypt`` read from: None for a plain file; stdin text (with
    the format from ``--filename-override`` or ``--input-type``); or a file read under
    another name."""
    if not is_stdin(file):
        return Source(name=name) if name else None
    if not name and not input_type:
        raise UsageError("reading stdin needs --filename-override NAME or --input-type",
                         hint="e.g. --filename-override secrets.yaml (its extension gives "
                         "the format, its path the creation rules)")
    if sys.stdin.isatty():
        raise UsageError("no FILE given and stdin is a terminal",
                         hint="name a file, or pipe the file in")
    stream: Any = getattr(sys.stdin, "buffer", sys.stdin)
    data = stream.read()
    if isinstance(data, bytes):  # bytes that are not UTF-8 kept as _fileio.read_text keeps them
        data = data.decode("utf-8", "surrogateescape")
    return Source(text=str(data), name=name)


def set_value_of(positional: str | None, value: str | None, value_stdin: bool,
           value_file: str | os.PathLike[str] | None, as_json: bool, key_path: str) -> Any:
    """``set``'s value: the positional VALUE (JSON, as sops takes it) or one option."""
    from secretsfile.ops.secret_input import parse_json

    if positional is not None and (value is not None or value_stdin or value_file):
        raise UsageError("give the value one way: VALUE, --value-stdin, --value-file or --value")
    text = read_value(value if positional is None else positional, value_stdin, value_file,
                      prompt=f"Value for {key_path}")
    if positional is None and not as_json:
        return text
    try:
        return parse_json(text, "VALUE" if positional is not None else "--json value")
    except FormatError as error:
        error.hint = error.hint or "a string is JSON in quotes: '\"text\"'"
        raise


_JSON_NUMBER = Pattern(r"-(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
# ``set`` takes unknown options as arguments so that VALUE may be a negative number (sops
# takes ``set f '["k"]' -1``); anything else that looks like an option stays an error.
ALLOW_NEGATIVE_VALUE = {"ignore_unknown_options": True, "allow_extra_args": True}


def refuse_unknown_options(*arguments: str | None, value: str | None,
                           extra: list[str]) -> None:
    """A usage error for an argument that is an unknown option, not a negative VALUE."""
    for argument in (*arguments, value, *extra):
        if argument and argument.startswith("-") and argument != "-" and not (
                argument is value and _JSON_NUMBER.fullmatch(argument)):
            raise UsageError(f"no such option: {argument.split('=', 1)[0]}",
                             hint="see 'secretsfile set -h'; a negative VALUE is a number: -1")
    if extra:
        raise UsageError(f"unexpected extra argument(s): {' '.join(extra)}",
                         hint="see 'secretsfile set -h'")
