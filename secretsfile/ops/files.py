"""The library verbs on files: encrypt, decrypt, load, get, set, unset, rotate, updatekeys.

Options in, text or data out; nothing here prints or exits. Every write is atomic and
serialised with a lock, and keeps the ciphertext of every value it did not change.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from secretsfile._fileio import locked, read_text, write_atomic
from secretsfile.core.cipher import DATA_KEY_SIZE, ValueCipher
from secretsfile.core.metadata import MasterKey
from secretsfile.core.tree import Selector, strip_comments
from secretsfile.core.values import Branch, GoTime, Value
from secretsfile.core.values import scalar_text as scalar_text  # the CLI prints through files
from secretsfile.errors import (
    KeyUnavailableError,
    NotEncryptedError,
    SecretsfileError,
    UsageError,
    scrubbed,
)
from secretsfile.keysources import registry
from secretsfile.keysources.interface import Recipient
from secretsfile.ops import treepath
from secretsfile.ops.document import (
    OpenDocument,
    new_metadata,
    open_document,
    read_encrypted,
    read_encrypted_file,
    read_plaintext,
    seal,
    seal_with,
    wrap_data_key,
)
from secretsfile.ops.recipients import KeyOptions, Plan, plan_for
from secretsfile.stores import check_name, dump_documents, format_for_path, get_store

if TYPE_CHECKING:
    from secretsfile.config.project import ProjectConfig


@dataclass(frozen=True)
class EncryptOptions:
    keys: KeyOptions = field(default_factory=KeyOptions)
    selector: dict[str, Any] = field(default_factory=dict)  # one sops selector + mac_only
    input_type: str | None = None
    output_type: str | None = None
    shamir_threshold: int = 0
    key_groups: tuple[tuple[Recipient, ...], ...] = ()  # overrides keys when given
    config: ProjectConfig | None = None  # the project whose rules say who files are for


def output_format(name: str | None) -> str | None:
    """An explicit output format, refused when unknown (the writers would fall back to
    YAML without a word); None or "" means "the input's format"."""
    return check_name(name, "output format") if name else None


def _plan(options: EncryptOptions, target: Path | None) -> Plan:
    if options.key_groups:
        groups = [list(group) for group in options.key_groups]
        return Plan(groups, options.shamir_threshold, dict(options.selector))
    return plan_for(target, options.keys, options.selector, options.shamir_threshold,
                    config=options.config)


def _recipient_set(metadata_groups: list[list[MasterKey]]) -> list[set[tuple[str, str]]]:
    return [{(key.kind, registry.recipient_id(key)) for key in group} for group in metadata_groups]


def encrypt_text(text: str, path: str, options: EncryptOptions,
                 previous: OpenDocument | None = None, target: Path | None = None) -> str:
    """Encrypt plaintext file content for the recipients ``target`` (default: ``path``)
    should have. With ``previous`` (the output file, opened), reuse its data key and the
    ciphertext of unchanged values, so the diff stays minimal."""
    fmt = format_for_path(path, options.input_type)
    out_fmt = output_format(options.output_type) or fmt
    docs = read_plaintext(text, fmt, path)
    plan = _plan(options, target or Path(path))
    selector = Selector.from_fields(plan.selector, default_suffix=True)
    if previous is not None and _reusable(previous, plan, selector):
        metadata = copy.deepcopy(previous.source.metadata)
        return seal_with(docs, previous.cipher, metadata, out_fmt, previous.source.indent)
    return seal_new(docs, out_fmt, plan)


def seal_new(docs: list[Branch], fmt: str, plan: Plan) -> str:
    """A new encrypted file's text: a fresh data key wrapped for the plan's recipients.
    The one way files are created (``encrypt``, ``edit`` of a new file, ``secret set``)."""
    selector = Selector.from_fields(plan.selector, default_suffix=True)
    metadata, cipher = new_metadata(plan.groups, selector, plan.threshold)
    return seal_with(docs, cipher, metadata, fmt, None)


def _reusable(previous: OpenDocument, plan: Plan, selector: Selector) -> bool:
    old = previous.source.metadata
    if old.selector != selector:
        return False
    if not plan.chosen:
        return True  # nobody asked for recipients: keep the file's own
    wanted = [{(r.kind, r.value) for r in group} for group in plan.groups]
    return _recipient_set(old.key_groups) == wanted


def open_file(path: Path, input_type: str | None = None, for_update: bool = True,
              config: ProjectConfig | None = None, ignore_mac: bool = False) -> OpenDocument:
    """Read, decrypt and verify ``path``; ``config`` (the caller's project, None: none)
    decides whether a missing integrity tag is an error. ``ignore_mac``: skip the MAC and
    the tag, with a loud warning (every value still authenticates on its own)."""
    document = read_encrypted_file(path, input_type)
    strict = config is not None and config.requires_tag(path)
    opened = open_document(document, for_update=for_update, strict=strict,
                           verify_mac=not ignore_mac)
    if ignore_mac:
        from secretsfile.ops.integrity import warn_ignored_mac

        warn_ignored_mac(path)
    return opened


def _try_open_previous(path: Path, fmt: str) -> OpenDocument | None:
    """The existing output file opened with our keys, or None if that is not possible."""
    if not path.exists():
        return None
    try:
        return open_document(read_encrypted_file(path, fmt))
    except (NotEncryptedError, KeyUnavailableError):
        return None
    except SecretsfileError:
        return None  # a damaged previous file is simply not reused


def encrypt_file(path: Path, options: EncryptOptions, output: Path | None = None,
                 in_place: bool = False) -> str:
    """Encrypt ``path``; write to ``output`` or in place (then return ""), else return text."""
    output_format(options.output_type)
    text = read_text(path)
    target = path if in_place else output
    if target is None:
        return encrypt_text(text, str(path), options)
    with locked(target):
        out_fmt = format_for_path(target, options.output_type or options.input_type or
                                  format_for_path(path, options.input_type))
        previous = None if in_place else _try_open_previous(target, out_fmt)
        write_atomic(target, encrypt_text(text, str(path), options, previous, target))
    return ""


# -- reading -------------------------------------------------------------------------------


def decrypt_text(text: str, path: str, input_type: str | None = None) -> OpenDocument:
    fmt = format_for_path(path, input_type)
    return open_document(read_encrypted(text, fmt, path), for_update=False)


def render(opened: OpenDocument, output_type: str | None = None,
           extract: str | None = None) -> str:
    """The plaintext as file text, or one extracted value (scalars printed bare)."""
    fmt = output_format(output_type) or opened.source.fmt
    docs = opened.plain
    if extract:
        value = treepath.get_at(docs[0], treepath.parse_path(extract))
        if not isinstance(value, (dict, list)):
            return scalar_text(value)
        if isinstance(value, list) and fmt != "json":
            return dump_documents([{"value": value}], "yaml").split("\n", 1)[1]
        docs = [value] if isinstance(value, dict) else [{"value": value}]
    store = get_store(fmt)
    indent = opened.source.indent if fmt == opened.source.fmt else None
    return store.write(store.plain_output(docs), None, indent)


def value_text(value: Value, key_path: str) -> str:
    """How ``get`` prints a value: scalars bare with a newline, maps and lists as YAML."""
    if isinstance(value, (dict, list)):
        return dump_documents([value if isinstance(value, dict) else {key_path: value}], "yaml")
    text = scalar_text(value)
    return text if text.endswith("\n") else text + "\n"


@scrubbed
def decrypt_file(path: Path, input_type: str | None = None, output_type: str | None = None,
                 extract: str | None = None, config: ProjectConfig | None = None,
                 ignore_mac: bool = False) -> str:
    output_format(output_type)  # a bad option is said before any work (and without a key)
    opened = open_file(path, input_type, False, config, ignore_mac)
    return render(opened, output_type, extract)


def to_python(value: Value) -> Any:
    """Plain Python data: comments dropped, times as timezone-aware datetimes."""
    value = strip_comments(value)
    return _convert(value)


def _convert(value: Value) -> Any:
    if isinstance(value, dict):
        return {str(k): _convert(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_convert(v) for v in value]
    if isinstance(value, GoTime):
        return value.to_datetime()
    return value


@scrubbed
def load_file(path: str | Path, input_type: str | None = None,
              config: ProjectConfig | None = None) -> Any:
    """Decrypt a file in memory and return plain Python data (a dict; a list of dicts for a
    multi-document YAML file). Nothing is written to disk."""
    opened = open_file(Path(path), input_type, False, config)
    docs = [to_python(doc) for doc in opened.plain]
    return docs[0] if len(docs) == 1 else docs


@scrubbed
def get_value(path: Path, key_path: str, input_type: str | None = None,
              config: ProjectConfig | None = None) -> Value:
    opened = open_file(path, input_type, False, config)
    return treepath.get_at(opened.plain[0], treepath.parse_path(key_path))


# -- changing ------------------------------------------------------------------------------


def _rewrite(path: Path, change: Any, input_type: str | None,
             config: ProjectConfig | None) -> None:
    """Open, apply ``change(opened)``, seal with the same cipher, write atomically."""
    with locked(path):
        opened = open_file(path, input_type, True, config)
        try:
            change(opened)
        except SecretsfileError as error:
            error.path = error.path or str(path)  # the tree walk does not know the file
            raise
        write_atomic(path, seal(opened))


@scrubbed
def set_value(path: Path, key_path: str, value: Value, input_type: str | None = None,
              force: bool = False, config: ProjectConfig | None = None) -> None:
    """Set one value. Replacing data other than that value (a scalar on the way, or a map's
    keys) is a ConflictError naming the key paths unless ``force``."""
    parts = treepath.parse_path(key_path)
    _rewrite(path, lambda opened: treepath.set_at(opened.plain[0], parts, value, force),
             input_type, config)


@scrubbed
def unset_value(path: Path, key_path: str, input_type: str | None = None,
                config: ProjectConfig | None = None) -> None:
    parts = treepath.parse_path(key_path)
    _rewrite(path, lambda opened: treepath.unset_at(opened.plain[0], parts), input_type,
             config)


@scrubbed
def rotate(path: Path, input_type: str | None = None,
           config: ProjectConfig | None = None) -> None:
    """A new data key wrapped for the same recipients; every value re-encrypted."""
    with locked(path):
        opened = open_file(path, input_type, True, config)
        metadata = opened.source.metadata
        groups = _groups_of(metadata.key_groups)
        data_key = os.urandom(DATA_KEY_SIZE)
        metadata.key_groups, metadata.shamir_threshold = wrap_data_key(
            data_key, groups, metadata.shamir_threshold
        )
        opened.cipher = ValueCipher(data_key)
        write_atomic(path, seal(opened))


def _groups_of(key_groups: list[list[MasterKey]]) -> list[list[Recipient]]:
    groups: list[list[Recipient]] = []
    for group in key_groups:
        recipients: list[Recipient] = []
        for key in group:
            ident = registry.recipient_id(key)
            if not registry.supports(key.kind) or not ident:
                raise UsageError(
                    f"cannot re-wrap the data key for {registry.describe(key)}",
                    hint=f"secretsfile supports {', '.join(registry.supported_kinds())} keys; "
                    "use sops for this file",
                )
            recipients.append(Recipient(key.kind, str(ident)))
        groups.append(recipients)
    return groups


@dataclass(frozen=True)
class KeyChange:
    add: tuple[Recipient, ...] = ()
    remove: tuple[Recipient, ...] = ()


@scrubbed
def updatekeys(path: Path, change: KeyChange, input_type: str | None = None,
               rotate_key: bool = False, config: ProjectConfig | None = None) -> bool:
    """Re-wrap the data key for a changed recipient list (one key group); values keep their
    ciphertext. With ``rotate_key`` (a recipient is being removed), a new data key is drawn
    in the same write. Returns False when nothing changed."""
    with locked(path):
        opened = open_file(path, input_type, True, config)
        metadata = opened.source.metadata
        if len(metadata.key_groups) > 1:
            raise UsageError("updatekeys works on files with one key group",
                             hint="edit key groups with sops")
        current = _groups_of(metadata.key_groups)[0] if metadata.key_groups else []
        wanted = [r for r in current if r not in change.remove]
        wanted += [r for r in change.add if r not in wanted]
        missing = [r for r in change.remove if r not in current]
        if missing:
            raise UsageError(f"{missing[0].kind} {missing[0].value} is not a recipient of {path}")
        if wanted == current and not rotate_key:
            return False
        if not wanted:
            raise UsageError("refusing to remove every recipient: nobody could open the file")
        if rotate_key:
            data_key = os.urandom(DATA_KEY_SIZE)
            metadata.key_groups, _ = wrap_data_key(data_key, [wanted])
            opened.cipher = ValueCipher(data_key)
        else:
            keep = {(k.kind, registry.recipient_id(k)): k for k in metadata.key_groups[0]}
            data_key = opened.cipher.data_key
            metadata.key_groups = [[keep.get((r.kind, r.value))
                                    or wrap_data_key(data_key, [[r]])[0][0][0] for r in wanted]]
        write_atomic(path, seal(opened))
    return True


# Parse an encrypted file without any key (recipients, keys, status).
document_of = read_encrypted_file
