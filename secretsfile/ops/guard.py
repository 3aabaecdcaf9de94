"""Key-free check that a secrets file is encrypted: sops metadata present, no plaintext value.

A file passes when it carries sops metadata (a top-level ``sops`` mapping in YAML/JSON, a
``[sops]`` section in INI, ``sops_*`` keys in dotenv) with a ``mac`` and a ``version``,
and every leaf that the file's own selector says must be encrypted is either empty/null or
a string starting with ``ENC[AES256_GCM,``. The selector is the metadata's
``unencrypted_suffix`` (default ``_unencrypted``), ``encrypted_suffix``,
``unencrypted_regex`` or ``encrypted_regex``; like sops, a selector applies when ANY
component of the leaf's key path matches. Files using the comment selectors
(``*_comment_regex``) are checked for metadata only (comments are not parsed here).

Files are read by the stores' readers. The reading is lenient where that is the point: a
plaintext file the reader refuses is reported as not encrypted, not as an error. Nothing
here decrypts or needs a key, and nothing reports a value: only key paths.
"""

from __future__ import annotations

import os

from secretsfile._paths import normal_path
from secretsfile.core.record import Record
from secretsfile.errors import ConfigError, SecretsfileError
from secretsfile.stores.registry import sops_format_for_name

TYPE_CHECKING = False  # typing stays unloaded at run time (the hook's start-up, issue 14)
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from secretsfile._fileio import StrPath
    from secretsfile.core.tree import Selector

__all__ = ["GuardResult", "check_bytes", "check_file"]

_NO_METADATA = "not encrypted (no sops metadata)"


class GuardResult(Record, frozen=True):
    path: str
    encrypted: bool  # valid sops metadata was found
    plaintext: tuple[str, ...] = ()  # key paths like ["db"]["password"], never values
    problem: str | None = None  # why the file as a whole fails (no metadata, unparsable)

    @property
    def ok(self) -> bool:
        return self.encrypted and not self.plaintext and self.problem is None

    def messages(self) -> list[str]:
        out: list[str] = []
        if self.problem:
            out.append(self.problem)
        out.extend(f"plaintext value at {p}" for p in self.plaintext)
        return out


def check_file(path: StrPath, display: str | None = None) -> GuardResult:
    shown = display or normal_path(os.fspath(path))  # Path.as_posix(), without pathlib
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        return GuardResult(shown, False, problem=f"cannot read the file ({error.strerror})")
    return check_bytes(data, shown)


def check_bytes(data: bytes, display: str, fmt: str | None = None) -> GuardResult:
    """Judge a file's content; ``fmt`` defaults to the format its name implies."""
    fmt = fmt or sops_format_for_name(display)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return GuardResult(
            display, False, problem="not encrypted (binary content, no sops metadata)"
        )
    if not text.strip():
        return GuardResult(display, False, problem="not encrypted (empty file, no sops metadata)")
    if fmt in ("dotenv", "ini"):
        return _check_flat(text, display, fmt)
    if fmt in ("json", "yaml"):
        return _check_documents(_documents(text, fmt), display)
    # binary store: sops writes JSON (or YAML with --output-type yaml) around the data, so
    # text that is neither is a plaintext file (a token in a .txt, a PEM key), not a typo
    parsed = _documents(text, "json")
    if isinstance(parsed, str):
        parsed = _documents(text, "yaml")
    if isinstance(parsed, str):
        return GuardResult(display, False, problem=_NO_METADATA)
    return _check_documents(parsed, display)


def _documents(text: str, fmt: str) -> list[Any] | str:
    """The documents, as the stores read them (go-yaml typing, the fast reader for the
    block YAML sops writes), or why the text is not valid."""
    from secretsfile.stores import load_documents

    try:
        return list(load_documents(text, fmt, "<guard>"))
    except SecretsfileError as error:
        line = getattr(error, "line", None)
        return f"not valid {fmt.upper()}" + (f" (line {line})" if line else "")
    except (ValueError, RecursionError):  # an integer over 4,300 digits, deep nesting
        return f"not valid {fmt.upper()} (a number too long or nesting too deep)"


def _selector(meta: Mapping[str, Any]) -> Selector | str:
    from secretsfile.core.tree import Selector  # with core.cipher: only for sops metadata

    try:
        return Selector.from_fields(dict(meta), default_suffix=True)
    except ConfigError as error:
        return f"invalid sops metadata: {error.message}"


def _metadata_problem(meta: object) -> str | None:
    if not isinstance(meta, dict):
        return _NO_METADATA
    from secretsfile.core.enc_value import METADATA_FIELDS, is_enc_value

    mac = meta.get("mac")
    if not isinstance(mac, str) or not is_enc_value(mac):
        return "invalid sops metadata (no encrypted mac)"
    unknown = sorted(str(key) for key in meta if key not in METADATA_FIELDS)
    if unknown:  # sops ignores them: a place to leave a value in clear (`sops_password=`)
        return f"invalid sops metadata (unknown field {unknown[0]!r}: not a field sops writes)"
    if meta.get("version") in (None, ""):
        return "invalid sops metadata (no version)"
    return None


def _judge(body: Any, meta: object, display: str, prefix: str = "") -> GuardResult:
    """One document's verdict: its metadata, then its values against the selector."""
    problem = _metadata_problem(meta)
    if problem is not None:
        return GuardResult(display, False, problem=prefix + problem)
    assert isinstance(meta, dict)
    selector = _selector(meta)
    if isinstance(selector, str):
        return GuardResult(display, False, problem=prefix + selector)
    from secretsfile.core.tree import plaintext_paths, render_path

    paths = tuple(prefix + render_path(p) for p in plaintext_paths(body, selector))
    return GuardResult(display, True, paths)


def _check_documents(parsed: list[Any] | str, display: str) -> GuardResult:
    if isinstance(parsed, str):
        return GuardResult(display, False, problem=parsed)
    if not parsed:
        return GuardResult(display, False, problem=_NO_METADATA)
    plaintext: list[str] = []
    for index, document in enumerate(parsed):
        prefix = f"document {index + 1}: " if len(parsed) > 1 else ""
        if not isinstance(document, dict):
            return GuardResult(display, False, problem=prefix + _NO_METADATA)
        body = {k: v for k, v in document.items() if k != "sops"}
        result = _judge(body, document.get("sops"), display, prefix)
        if not result.encrypted:
            return result
        plaintext += result.plaintext
    return GuardResult(display, True, tuple(plaintext))


# What a dotenv or INI file holding sops metadata has; without it, text its store refuses
# is a plaintext file, not an invalid encrypted one.
_MARKERS = {"dotenv": "\nsops_", "ini": "\n[sops]"}
_NAMES = {"dotenv": "dotenv", "ini": "INI"}


def _check_flat(text: str, display: str, fmt: str) -> GuardResult:
    """dotenv and INI, through their stores: read exactly as sops reads them (go-ini for
    INI: an indented line is a key, not a continuation; a duplicate key is an error)."""
    from secretsfile.stores import load_documents, split_metadata

    try:
        data, meta = split_metadata(load_documents(text, fmt, display), fmt)
    except SecretsfileError as error:
        if _MARKERS[fmt] not in "\n" + text:
            return GuardResult(display, False, problem=_NO_METADATA)
        line = getattr(error, "line", None)
        where = f" (line {line})" if line else ""
        return GuardResult(display, False, problem=f"not valid {_NAMES[fmt]}{where}")
    return _judge(data[0], meta, display)
