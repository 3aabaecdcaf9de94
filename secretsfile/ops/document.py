"""An encrypted file in memory: parse without a key, open with one, seal it again.

``read_encrypted`` needs no key (keys, status). ``open_document`` unwraps the data key,
decrypts every value and verifies the MAC. ``seal`` re-encrypts with the same cipher, so
values that did not change keep their exact ciphertext.
"""

from __future__ import annotations

import os

from secretsfile._fileio import read_text
from secretsfile.core.cipher import DATA_KEY_SIZE, ValueCipher
from secretsfile.core.integrity import structure_tag, tag_matches
from secretsfile.core.metadata import Metadata, mac_aad
from secretsfile.core.record import Record, field
from secretsfile.core.tree import Selector, decrypt_documents, encrypt_documents
from secretsfile.core.values import Branch
from secretsfile.errors import (
    AlreadyEncryptedError,
    IntegrityError,
    NotEncryptedError,
    SecretsfileError,
    scrubbed,
    warn,
)
from secretsfile.keysources.interface import Recipient
from secretsfile.ops.datakey import unwrap_data_key, wrap_data_key
from secretsfile.stores import dump_documents, format_for_path, get_store


class EncryptedDocument(Record):
    """A parsed encrypted file: encrypted documents plus metadata. No key needed."""

    path: str
    fmt: str
    docs: list[Branch]
    metadata: Metadata
    indent: int | None = None


class OpenDocument(Record):
    """An encrypted file opened with its data key: plaintext documents and the cipher."""

    source: EncryptedDocument
    plain: list[Branch]
    cipher: ValueCipher
    extra: dict[str, object] = field(default_factory=dict)


def parse_documents(text: str, fmt: str, path: str
                    ) -> tuple[list[Branch], dict[str, object] | None]:
    """Any file's documents and its sops metadata (None: not encrypted)."""
    return get_store(fmt).read(text, path)


def read_plaintext(text: str, fmt: str, path: str) -> list[Branch]:
    """A file about to be encrypted (``encrypt``, ``edit``): its documents, or
    AlreadyEncryptedError."""
    docs, metadata = get_store(fmt).read_plain(text, path)
    refuse_encrypted(metadata, path)
    return docs


def read_encrypted_file(path: str | os.PathLike[str],
                        input_type: str | None = None) -> EncryptedDocument:
    """``path`` read and parsed, no key needed; the format from its name or ``input_type``.
    The file is read first: a directory or a missing file is said as such."""
    text = read_text(path)
    return read_encrypted(text, format_for_path(path, input_type), os.fspath(path))


def read_encrypted(text: str, fmt: str, path: str) -> EncryptedDocument:
    try:
        docs, raw = parse_documents(text, fmt, path)
    except SecretsfileError as error:
        error.path = error.path or path
        raise
    if raw is None:
        raise NotEncryptedError(
            "is not encrypted (no sops metadata)",
            path=path,
            hint="encrypt it with 'secretsfile encrypt'",
        )
    try:
        metadata = Metadata.from_dict(raw)
    except SecretsfileError as error:
        error.path = path
        raise
    return EncryptedDocument(path, fmt, docs, metadata, get_store(fmt).detect_indent(text))


def refuse_encrypted(docs_meta: dict[str, object] | None, path: str) -> None:
    if docs_meta is not None:
        raise AlreadyEncryptedError(
            "is already encrypted",
            path=path,
            hint="use 'secretsfile edit' or 'secretsfile set' to change it",
        )


# -- data key (ops/datakey.py; re-exported: callers and tests use these names) -------------

__all__ = ["unwrap_data_key", "wrap_data_key"]


# -- open and seal -------------------------------------------------------------------------


@scrubbed
def open_document(document: EncryptedDocument, *, verify_mac: bool = True,
                  for_update: bool = True, strict: bool = False,
                  verify_tag: bool = True) -> OpenDocument:
    """Unwrap, decrypt and verify the MAC and the structure tag. ``for_update=False``
    (read-only callers) skips remembering IVs, which only matters when values are
    encrypted again. ``strict``: a missing structure tag is an error (the caller asks its
    project config: ``ProjectConfig.requires_tag``); ``verify_tag=False`` skips the tag
    (only ``reseal``, which replaces it).

    Errors leave without the frames that hold the data key and decrypted values."""
    data_key = unwrap_data_key(document.metadata, document.path)
    cipher = ValueCipher(data_key, remember=for_update)
    try:
        plain, mac = decrypt_documents(document.docs, cipher, document.metadata.selector)
    except SecretsfileError as error:
        error.path = error.path or document.path
        raise
    if verify_mac:
        verify(document, cipher, mac)
        if verify_tag:
            check_tag(document, plain, cipher, strict)
    return OpenDocument(document, plain, cipher)


def verify(document: EncryptedDocument, cipher: ValueCipher, computed_mac: str) -> None:
    metadata = document.metadata
    try:
        stored = cipher.decrypt(metadata.mac, mac_aad(metadata.lastmodified))
    except IntegrityError:
        raise IntegrityError(
            "the MAC does not authenticate: the mac or lastmodified field was edited",
            path=document.path,
            hint="restore the file from git",
        ) from None
    except SecretsfileError as error:
        error.path = document.path
        raise
    if stored != computed_mac:
        raise IntegrityError(
            "MAC mismatch: values were changed, reordered or removed outside secretsfile",
            path=document.path,
            hint="restore it from git; if a reviewed hand edit (e.g. a merge) broke it, "
            f"'secretsfile decrypt --ignore-mac {document.path}' shows it and "
            f"'secretsfile reseal --ignore-mac {document.path}' seals it again",
        )


STDIN = "stdin"  # the path of a document read from standard input


def check_tag(document: EncryptedDocument, plain: list[Branch], cipher: ValueCipher,
              strict: bool) -> None:
    """A tag that does not match is always an error: the file was changed outside
    secretsfile (or sops) after it was sealed. A missing tag (sops rewrote the file, or
    someone stripped it) is an error in a strict project (``integrity: strict``) and a
    warning elsewhere."""
    metadata = document.metadata
    from_stdin = document.path == STDIN or document.path.endswith(f" ({STDIN})")
    file = "FILE (the file stdin came from)" if from_stdin else document.path
    reseal = f"review the change (git diff), then run 'secretsfile reseal {file}'"
    if metadata.tag:
        computed = structure_tag(cipher.data_key, plain, metadata.selector)
        if not tag_matches(metadata.tag, computed):
            raise IntegrityError(
                "the integrity tag does not match: key names, value types, empty values or "
                "documents were changed outside secretsfile",
                path=document.path,
                hint=f"restore the file from git, or if the change is wanted, {reseal}",
            )
        return
    problem = ("has no integrity tag (sops or an older secretsfile wrote it last, or the tag "
               "was removed), so key names, empty values and value types are not authenticated")
    if strict:
        raise IntegrityError(f"{problem}; this project requires one (integrity: strict)",
                             path=document.path, hint=reseal)
    if document.path not in _warned_untagged:
        _warned_untagged.add(document.path)
        warn(f"{document.path}: {problem}; {reseal}")


_warned_untagged: set[str] = set()


def reset_warnings() -> None:
    """Warn again about files already warned about (once per file per process)."""
    _warned_untagged.clear()


def seal(opened: OpenDocument, plain: list[Branch] | None = None) -> str:
    """Encrypt ``plain`` (default: the opened documents) into file text with a fresh MAC."""
    source = opened.source
    docs = opened.plain if plain is None else plain
    return seal_with(docs, opened.cipher, source.metadata, source.fmt, source.indent,
                     path=source.path)


def seal_with(plain: list[Branch], cipher: ValueCipher, metadata: Metadata, fmt: str,
              indent: int | None, path: str | None = None) -> str:
    """The one way encrypted file text is made. First the format checks that it can write
    ``plain`` so that its reader gets it back (``Store.check_writable``: FormatError naming
    ``path`` and the key path), so no command writes a file it cannot read."""
    try:
        get_store(fmt).check_writable(plain)
    except SecretsfileError as error:
        error.path = error.path or path
        raise
    encrypted, mac = encrypt_documents(plain, cipher, metadata.selector)
    metadata.tag = structure_tag(cipher.data_key, plain, metadata.selector)
    metadata.touch()
    metadata.mac = cipher.encrypt(mac, mac_aad(metadata.lastmodified))
    return dump_documents(encrypted, fmt, metadata.to_dict(), indent)


def new_metadata(groups: list[list[Recipient]], selector: Selector, threshold: int = 0
                 ) -> tuple[Metadata, ValueCipher]:
    """A fresh data key wrapped for the recipients, and its cipher."""
    data_key = os.urandom(DATA_KEY_SIZE)
    wrapped, threshold = wrap_data_key(data_key, groups, threshold)
    metadata = Metadata(key_groups=wrapped, shamir_threshold=threshold, selector=selector)
    return metadata, ValueCipher(data_key)
