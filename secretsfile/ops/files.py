"""The library verbs on files: encrypt, decrypt, load, get, set, unset (rotate and
updatekeys: ``ops/rekey.py``).

Options in, text or data out; nothing here prints or exits. Every write is atomic and
serialised with a lock, and keeps the ciphertext of every value it did not change.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from secretsfile._fileio import StrPath, locked, read_text, write_atomic
from secretsfile.core.metadata import MasterKey
from secretsfile.core.record import Record, field
from secretsfile.core.tree import SELECTOR_FIELDS, Selector, strip_comments
from secretsfile.core.values import Branch, GoTime, Value
from secretsfile.core.values import scalar_text as scalar_text  # the CLI prints through files
from secretsfile.errors import (
    KeyUnavailableError,
    NotEncryptedError,
    SecretsfileError,
    scrubbed,
    warn,
)
from secretsfile.keysources import registry
from secretsfile.keysources.interface import Recipient
from secretsfile.ops.document import (
    STDIN,
    EncryptedDocument,
    OpenDocument,
    new_metadata,
    open_document,
    read_encrypted,
    read_encrypted_file,
    read_plaintext,
    seal,
    seal_with,
)
from secretsfile.stores import check_name, dump_documents, format_for_path, get_store

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from typing import Any

    from secretsfile.config.project import ProjectConfig
    from secretsfile.ops.recipients import KeyOptions, Plan


def _no_keys() -> KeyOptions:
    from secretsfile.ops.recipients import KeyOptions  # encrypt's module: decrypt skips it

    return KeyOptions()


class EncryptOptions(Record, frozen=True):
    keys: KeyOptions = field(default_factory=_no_keys)
    selector: dict[str, Any] = field(default_factory=dict)  # one sops selector + mac_only
    input_type: str | None = None
    output_type: str | None = None
    shamir_threshold: int = 0
    key_groups: tuple[tuple[Recipient, ...], ...] = ()  # overrides keys when given
    config: ProjectConfig | None = None  # the project whose rules say who files are for
    indent: int | None = None  # --indent: over the config's `stores:` and the default


def output_format(name: str | None) -> str | None:
    """An explicit output format, refused when unknown (the writers would fall back to
    YAML without a word); None or "" means "the input's format"."""
    return check_name(name, "output format") if name else None


def resolve_indent(given: int | None, config: ProjectConfig | None, fmt: str,
                   kept: int | None = None) -> int | None:
    """The indent a file is written with, chosen as sops does: ``--indent``, else the
    config's ``stores:`` setting for the format, else the file's own (``kept``), else the
    store's default. YAML as go-yaml takes it: 0 is the default (4), 1 or above 9 is 2."""
    chosen = given if given is not None else config.indent_for(fmt) if config else None
    if chosen is None or fmt != "yaml":
        return kept if chosen is None else chosen
    return 4 if chosen == 0 else chosen if 2 <= chosen <= 9 else 2


def _plan(options: EncryptOptions, target: StrPath | None) -> Plan:
    from secretsfile.ops.recipients import Plan, plan_for

    if options.key_groups:
        groups = [list(group) for group in options.key_groups]
        return Plan(groups, options.shamir_threshold, dict(options.selector))
    return plan_for(target, options.keys, options.selector, options.shamir_threshold,
                    config=options.config)


def _recipient_set(metadata_groups: list[list[MasterKey]]) -> list[set[tuple[str, str]]]:
    return [{(key.kind, registry.recipient_id(key)) for key in group} for group in metadata_groups]


def encrypt_text(text: str, path: str, options: EncryptOptions,
                 previous: OpenDocument | None = None, target: StrPath | None = None) -> str:
    """Encrypt plaintext file content for the recipients ``target`` (default: ``path``)
    should have. With ``previous`` (the output file, opened), reuse its data key and the
    ciphertext of unchanged values, so the diff stays minimal."""
    fmt = format_for_path(path, options.input_type)
    out_fmt = output_format(options.output_type) or fmt
    docs = read_plaintext(text, fmt, path)
    plan = _plan(options, target or path)
    selector = selector_for(plan, out_fmt)
    where = os.fspath(target) if target is not None else path  # the file a refusal names
    if previous is not None and _reusable(previous, plan, selector):
        import copy  # only an encrypt over an existing file

        metadata = copy.deepcopy(previous.source.metadata)
        indent = resolve_indent(options.indent, options.config, out_fmt, previous.source.indent)
        return seal_with(docs, previous.cipher, metadata, out_fmt, indent, where)
    indent = resolve_indent(options.indent, options.config, out_fmt)
    return seal_new(docs, out_fmt, plan, indent, where)


def seal_new(docs: list[Branch], fmt: str, plan: Plan, indent: int | None = None,
             path: str | None = None) -> str:
    """A new encrypted file's text: a fresh data key wrapped for the plan's recipients.
    The one way files are created (``encrypt``, ``edit`` of a new file, ``secret set``)."""
    metadata, cipher = new_metadata(plan.groups, selector_for(plan, fmt), plan.threshold)
    return seal_with(docs, cipher, metadata, fmt, indent, path)


def selector_for(plan: Plan, fmt: str) -> Selector:
    """The plan's selector; for a binary file none at all, as in sops 3.11, whose metadata
    then records none: the whole file is the one ``data`` value and is always encrypted
    (a selector given for it, e.g. a creation rule's ``encrypted_regex``, is said and
    ignored)."""
    if fmt != "binary":
        return Selector.from_fields(plan.selector, default_suffix=True)
    if any(plan.selector.get(name) for name in (*SELECTOR_FIELDS, "mac_only_encrypted")):
        warn("encryption selectors do not apply to binary files: the whole file is "
             "encrypted (as sops does)")
    return Selector.from_fields({}, default_suffix=False)


def _reusable(previous: OpenDocument, plan: Plan, selector: Selector) -> bool:
    old = previous.source.metadata
    if old.selector != selector:
        return False
    if not plan.chosen:
        return True  # nobody asked for recipients: keep the file's own
    wanted = [{(r.kind, r.value) for r in group} for group in plan.groups]
    return _recipient_set(old.key_groups) == wanted


def open_file(path: StrPath, input_type: str | None = None, for_update: bool = True,
              config: ProjectConfig | None = None, ignore_mac: bool = False,
              source: Source | None = None) -> OpenDocument:
    """Read, decrypt and verify ``path``; ``config`` (the caller's project, None: none)
    decides whether a missing integrity tag is an error. ``ignore_mac``: skip the MAC and
    the tag, with a loud warning (every value still authenticates on its own). ``source``:
    the text comes from stdin or its format and rules from another name."""
    if source is None:
        document = read_encrypted_file(path, input_type)
    else:
        text = read_text(path) if source.text is None else source.text
        fmt = format_for_path(source.name or path, input_type)
        shown = str(path) if source.text is None else (
            f"{source.name} ({STDIN})" if source.name else STDIN)
        document = read_encrypted(text, fmt, shown)
        path = source.name if source.name else path
    return open_read(document, path, for_update, config, ignore_mac)


def open_read(document: EncryptedDocument, path: StrPath, for_update: bool = True,
              config: ProjectConfig | None = None, ignore_mac: bool = False) -> OpenDocument:
    """``open_file`` for a document already read from ``path`` (a caller that looked at its
    metadata first, without a key, need not read and parse it twice)."""
    strict = config is not None and config.requires_tag(path)
    opened = open_document(document, for_update=for_update, strict=strict,
                           verify_mac=not ignore_mac)
    if ignore_mac:
        from secretsfile.ops.integrity import warn_ignored_mac

        warn_ignored_mac(os.fspath(path))
    return opened


def _try_open_previous(path: StrPath, fmt: str) -> OpenDocument | None:
    """The existing output file opened with our keys, or None if that is not possible."""
    if not os.path.exists(path):
        return None
    try:
        return open_document(read_encrypted_file(path, fmt))
    except (NotEncryptedError, KeyUnavailableError):
        return None
    except SecretsfileError:
        return None  # a damaged previous file is simply not reused


class Source(Record, frozen=True):
    """A verb's input other than its path's: stdin ``text``; ``name`` (sops'
    --filename-override) choosing format and rules. Default: the path, by its name."""

    text: str | None = None
    name: str | None = None


PATH_SOURCE = Source()  # the default: the path itself, by its name


def encrypt_file(path: StrPath, options: EncryptOptions, output: StrPath | None = None,
                 in_place: bool = False, source: Source = PATH_SOURCE) -> str:
    """Encrypt ``path``; write to ``output`` or in place (then return ""), else return text."""
    output_format(options.output_type)
    text = read_text(path) if source.text is None else source.text
    name = source.name or os.fspath(path)
    target = path if in_place else output
    if target is None:
        return encrypt_text(text, name, options)
    with locked(target):
        out_fmt = format_for_path(target, options.output_type or options.input_type or
                                  format_for_path(name, options.input_type))
        previous = None if in_place else _try_open_previous(target, out_fmt)
        rules = source.name if source.name else target
        write_atomic(target, encrypt_text(text, name, options, previous, rules))
    return ""


# -- reading -------------------------------------------------------------------------------


def decrypt_text(text: str, path: str, input_type: str | None = None) -> OpenDocument:
    fmt = format_for_path(path, input_type)
    return open_document(read_encrypted(text, fmt, path), for_update=False)


def render(opened: OpenDocument, output_type: str | None = None,
           extract: str | None = None, indent: int | None = None) -> str:
    """The plaintext as file text, or one extracted value (scalars printed bare)."""
    fmt = output_format(output_type) or opened.source.fmt
    docs = opened.plain
    if extract:
        from secretsfile.ops import treepath  # key paths: only get, set and --extract

        value = treepath.get_at(docs[0], treepath.parse_path(extract))
        if not isinstance(value, (dict, list)):
            return scalar_text(value)
        if isinstance(value, list) and fmt != "json":
            return dump_documents([{"value": value}], "yaml").split("\n", 1)[1]
        docs = [value] if isinstance(value, dict) else [{"value": value}]
    store = get_store(fmt)
    if indent is None:
        indent = opened.source.indent if fmt == opened.source.fmt else None
    # A .env decrypts to sops' exact bytes (it re-encrypts as it was); converted to dotenv,
    # values are quoted so that sh and python-dotenv read back the same strings.
    converted = fmt == "dotenv" and opened.source.fmt != "dotenv"
    plain = store.reader_output(docs) if converted else store.plain_output(docs)
    return store.write(plain, None, indent)


def value_text(value: Value, key_path: str) -> str:
    """How ``get`` prints a value: scalars bare with a newline, maps and lists as YAML."""
    if isinstance(value, (dict, list)):
        return dump_documents([value if isinstance(value, dict) else {key_path: value}], "yaml")
    text = scalar_text(value)
    return text if text.endswith("\n") else text + "\n"


@scrubbed
def decrypt_file(path: StrPath, input_type: str | None = None, output_type: str | None = None,
                 extract: str | None = None, config: ProjectConfig | None = None,
                 ignore_mac: bool = False, indent: int | None = None,
                 source: Source | None = None) -> str:
    output_format(output_type)  # a bad option is said before any work (and without a key)
    opened = open_file(path, input_type, False, config, ignore_mac, source)
    fmt = output_format(output_type) or opened.source.fmt
    kept = opened.source.indent if fmt == opened.source.fmt else None
    return render(opened, output_type, extract, resolve_indent(indent, config, fmt, kept))


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
def load_file(path: StrPath, input_type: str | None = None,
              config: ProjectConfig | None = None) -> Any:
    """Decrypt a file in memory and return plain Python data (a dict; a list of dicts for a
    multi-document YAML file). Nothing is written to disk."""
    opened = open_file(path, input_type, False, config)
    docs = [to_python(doc) for doc in opened.plain]
    return docs[0] if len(docs) == 1 else docs


@scrubbed
def get_value(path: StrPath, key_path: str, input_type: str | None = None,
              config: ProjectConfig | None = None) -> Value:
    from secretsfile.ops import treepath

    opened = open_file(path, input_type, False, config)
    return treepath.get_at(opened.plain[0], treepath.parse_path(key_path))


# -- changing ------------------------------------------------------------------------------


def _rewrite(path: StrPath, change: Callable[[Branch], bool], input_type: str | None,
             config: ProjectConfig | None, indent: int | None = None) -> bool:
    """Open, apply ``change(document)``, seal with the same cipher, write atomically; when
    ``change`` says nothing changed, write nothing (the file stays byte-identical)."""
    with locked(path):
        opened = open_file(path, input_type, True, config)
        try:
            if not change(opened.plain[0]):
                return False
        except SecretsfileError as error:
            error.path = error.path or os.fspath(path)  # the tree walk does not know the file
            raise
        source = opened.source
        source.indent = resolve_indent(indent, config, source.fmt, source.indent)
        write_atomic(path, seal(opened))
    return True


@scrubbed
def set_value(path: StrPath, key_path: str, value: Value, input_type: str | None = None,
              force: bool = False, config: ProjectConfig | None = None,
              idempotent: bool = False, indent: int | None = None) -> bool:
    """Set one value. Replacing data other than that value (a scalar on the way, or a map's
    keys) is a ConflictError naming the key paths unless ``force``. ``idempotent`` (sops'
    flag): no write when the path already holds exactly ``value``. True if written."""
    from secretsfile.ops import treepath
    from secretsfile.ops.tree_match import holds

    parts = treepath.parse_path(key_path)

    def change(doc: Branch) -> bool:
        if idempotent and holds(doc, parts, value):
            return False
        treepath.set_at(doc, parts, value, force)
        return True

    return _rewrite(path, change, input_type, config, indent)


@scrubbed
def unset_value(path: StrPath, key_path: str, input_type: str | None = None,
                config: ProjectConfig | None = None, idempotent: bool = False,
                indent: int | None = None) -> bool:
    """Remove one key; ``idempotent`` (sops' flag): a missing one is no error and no write.
    True if written."""
    from secretsfile.ops import treepath
    from secretsfile.ops.tree_match import holds

    parts = treepath.parse_path(key_path)

    def change(doc: Branch) -> bool:
        if idempotent and not holds(doc, parts, compare=False):
            return False
        treepath.unset_at(doc, parts)
        return True

    return _rewrite(path, change, input_type, config, indent)


# Parse an encrypted file without any key (recipients, keys, status).
document_of = read_encrypted_file
