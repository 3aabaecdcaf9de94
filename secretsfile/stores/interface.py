"""What a file format is to the rest of secretsfile: the :class:`Store` interface.

A store turns file text into documents (typed trees, ``core.values``) and back, and knows
where the sops metadata sits in its files. It does no crypto: values arrive encrypted or
plain and leave as they came. The methods mirror sops' own ``Store`` interface (load and
emit, plain and encrypted), so a format sops has (INI, binary) maps onto one subclass:

- tree formats (YAML, JSON) override :meth:`Store.load` and :meth:`Store.dump` only; the
  metadata is a top-level ``sops`` key copied into every document;
- formats without nesting (dotenv, INI) also override :meth:`Store.split_metadata` and
  :meth:`Store.write` to keep the metadata as flattened ``sops_…`` keys or a ``[sops]``
  section (``stores.flatten``);
- a format whose plaintext is not a tree (binary: the whole file is the ``data`` key)
  overrides :meth:`Store.read_plain` and :meth:`Store.write` (the encrypted file is JSON).
"""

from __future__ import annotations

from secretsfile.core.values import Branch, Comment, Value, has_lone_surrogate
from secretsfile.errors import FormatError, IntegrityError

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from typing import Any, ClassVar, TypeAlias

Metadata: TypeAlias = "dict[str, Any]"  # a string, as core.values' aliases
KeyPath = list[str | int]


def unwritable(where: KeyPath, problem: str, hint: str) -> FormatError:
    """The error of a write a format cannot hold: names the key path, never the value.
    ``seal_with`` adds the file."""
    from secretsfile.core.tree import render_path

    return FormatError(f"cannot write {render_path(where) or 'the document'}: {problem}",
                       hint=hint)


def _check_text(value: Value | Comment, where: KeyPath) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(key, Comment):
                _check_text(key, where)
            else:
                if isinstance(key, str) and not key.isascii() and has_lone_surrogate(key):
                    raise unwritable([*where, key], "the key is not UTF-8 text", _UTF8_HINT)
                if type(child) is not str or not child.isascii():  # ASCII: nothing to check
                    _check_text(child, [*where, key])
    elif isinstance(value, list):
        for index, child in enumerate(value):
            _check_text(child, [*where, index])
    elif isinstance(value, Comment):
        if has_lone_surrogate(value.text):
            raise unwritable(where, "a comment here is not UTF-8 text", _UTF8_HINT)
    elif isinstance(value, str) and has_lone_surrogate(value):
        raise unwritable(where, "the value is not UTF-8 text (a lone surrogate such as "
                         "\\ud800)", _UTF8_HINT)


_UTF8_HINT = "values must be UTF-8 text; base64-encode binary data"


class Store:
    """One file format. Subclasses set the class fields and override what differs."""

    name: ClassVar[str]
    #: indent a new file is written with (None: the format has no indentation)
    default_indent: ClassVar[int | None] = None
    #: whether one file may hold several documents (YAML ``---``)
    multi_document: ClassVar[bool] = False
    #: what ``edit`` shows for a file that does not exist yet
    new_file_template: ClassVar[str] = ""

    # -- the format itself (tree formats override these two) ----------------------------

    def load(self, text: str, path: str) -> list[Branch]:
        """The documents of ``text``, metadata included; FormatError names ``path``."""
        raise NotImplementedError

    def dump(self, docs: list[Branch], indent: int | None) -> str:
        """File text for documents that already carry their metadata (if any)."""
        raise NotImplementedError

    def check_writable(self, docs: list[Branch]) -> None:
        """Refuse (FormatError naming the key path) plaintext documents this format cannot
        write so that its reader gets them back: called before any encrypted file is
        written (``ops.document.seal_with``). Every format refuses text that is not UTF-8;
        formats with fewer shapes (dotenv, INI, binary) refuse more."""
        for doc in docs:
            _check_text(doc, [])

    # -- metadata and intent (formats that do not nest override these) -----------------

    def read(self, text: str, path: str) -> tuple[list[Branch], Metadata | None]:
        """Documents without the metadata, and the metadata (None: a plaintext file)."""
        return self.split_metadata(self.load(text, path))

    def read_plain(self, text: str, path: str) -> tuple[list[Branch], Metadata | None]:
        """A file about to be encrypted; metadata found means it already is. Binary
        overrides this: any text is its plaintext."""
        return self.read(text, path)

    def write(self, docs: list[Branch], metadata: Metadata | None = None,
              indent: int | None = None) -> str:
        """File text; with metadata, each document gets its own copy (as sops does)."""
        if metadata is not None:
            from secretsfile.core.metadata import METADATA_KEY

            with_meta: list[Branch] = []
            for doc in docs:
                copy: dict[str | Comment, Any] = dict(doc)
                copy[METADATA_KEY] = metadata
                with_meta.append(copy)
            docs = with_meta
        return self.dump(docs, self.default_indent if indent is None else indent)

    def plain_output(self, docs: list[Branch]) -> list[Branch]:
        """The decrypted documents as ``decrypt`` prints them in this format (dotenv
        flattens nested values into ``a__b__0`` names)."""
        return docs

    def reader_output(self, docs: list[Branch]) -> list[Branch]:
        """``plain_output`` for another format's plaintext converted to this one, where
        readers must get back the same strings (dotenv quotes where sh or python-dotenv
        would misread a value)."""
        return self.plain_output(docs)

    def detect_indent(self, text: str) -> int | None:
        """The indent ``text`` uses, kept when the file is rewritten (None: default)."""
        return None

    def split_metadata(self, docs: list[Branch]) -> tuple[list[Branch], Metadata | None]:
        """Remove the top-level ``sops`` key from every document; return it, or None when
        no document has any (a plaintext file).

        sops writes one identical copy into every YAML document and reads the first. A
        document without it is refused, as is a copy that differs: otherwise someone
        without a key could prepend ``api-token: ""`` + ``---`` (the MAC, which skips empty
        values, still verifies) or split the file with ``---`` so readers of one document
        miss the rest."""
        from secretsfile.core.metadata import METADATA_KEY
        from secretsfile.core.tree import strip_comments

        raws = [doc.get(METADATA_KEY) for doc in docs]
        out = [{k: v for k, v in doc.items() if k != METADATA_KEY} for doc in docs]
        if all(raw is None for raw in raws):
            return out, None
        first = raws[0]
        for number, raw in enumerate(raws, start=1):
            if raw is None:
                raise IntegrityError(
                    f"document {number} of {len(docs)} has no sops metadata: every document of "
                    "an encrypted file carries it (a '---' or a document was added by hand)",
                    hint="restore the file from git",
                )
            if not isinstance(raw, dict):
                raise FormatError("the top-level 'sops' key is not a metadata mapping")
            if number > 1 and strip_comments(raw) != strip_comments(first):
                raise IntegrityError(
                    f"the sops metadata of document {number} differs from document 1's",
                    hint="restore the file from git",
                )
        assert isinstance(first, dict)
        return out, {str(k): v for k, v in first.items()}
