"""sops' binary store: the whole file is the text value of one key, ``data`` (AAD
``data:``), and the encrypted file is the JSON store's ``{"data": "ENC[…]", "sops": {…}}``.

Bytes that are not UTF-8 travel as surrogate escapes (``_fileio.read_text``) and are
encrypted and written back as the original bytes. Decrypting to binary emits ``data``
as it is; any other tree has no binary data (sops: "No binary data found in tree").
"""

from __future__ import annotations

import json
import re
from typing import ClassVar

from secretsfile.core.values import Branch
from secretsfile.errors import FormatError, UsageError
from secretsfile.stores.interface import Metadata, unwritable
from secretsfile.stores.json_store import JsonStore

DATA_KEY = "data"
_OBJECT_START = re.compile(r"\s*\{")


def looks_encrypted(text: str) -> bool:
    """Whether ``text`` is a JSON object with top-level ``data`` and ``sops`` keys (a file
    sops wrote with its binary store). Cheap on anything that does not start with ``{``."""
    if not _OBJECT_START.match(text):
        return False
    try:
        parsed = json.loads(text)
    except ValueError:
        return False
    return isinstance(parsed, dict) and DATA_KEY in parsed and "sops" in parsed


def _refuse_plaintext_data(docs: list[Branch]) -> None:
    """An encrypted binary file whose data is not encrypted: a selector (``--encrypted-regex
    x``, ``--unencrypted-regex data``…) left it out. sops 3.11 ignores selectors for binary
    files (its #1927: they could leave the data in plaintext); we refuse to write."""
    for doc in docs:
        data = doc.get(DATA_KEY)
        if isinstance(data, str) and data and not data.startswith("ENC["):
            raise UsageError(
                "encryption selectors do not apply to binary files: the data would be written "
                "in plaintext",
                hint="drop --encrypted-regex/--unencrypted-regex/--*-suffix (and the rule's "
                "selector) for this file",
            )


class BinaryStore(JsonStore):
    name = "binary"
    new_file_template: ClassVar[str] = ""

    def read(self, text: str, path: str) -> tuple[list[Branch], Metadata | None]:
        """A sops binary document, else plaintext: any text is the data. So an encrypted
        file is refused as plaintext (sops would encrypt it again; that is never wanted)."""
        if looks_encrypted(text):
            return super().read(text, path)
        return [{DATA_KEY: text}], None

    def check_writable(self, docs: list[Branch]) -> None:
        """A binary file holds one text value, ``data``: ``set`` of another key or of a
        number, or ``unset data``, would leave a file that decrypts to nothing."""
        hint = "a binary file holds one text value, 'data': set [\"data\"] to a string"
        if len(docs) != 1 or DATA_KEY not in docs[0]:
            raise unwritable([DATA_KEY], "a binary file cannot be without its data", hint)
        for key, value in docs[0].items():
            if key != DATA_KEY:
                raise unwritable([str(key)], "a binary file holds no other key", hint)
            if not isinstance(value, str):
                raise unwritable([DATA_KEY], "binary data is text, not another type", hint)
        super().check_writable(docs)

    def read_plain(self, text: str, path: str) -> tuple[list[Branch], Metadata | None]:
        return self.read(text, path)

    def write(self, docs: list[Branch], metadata: Metadata | None = None,
              indent: int | None = None) -> str:
        if metadata is not None:
            _refuse_plaintext_data(docs)
            return super().write(docs, metadata, indent)
        data = docs[0].get(DATA_KEY) if len(docs) == 1 else None
        if not isinstance(data, str):
            raise FormatError("no binary data: the binary format needs one top-level text "
                              "value named 'data'", hint="pick another --output-type")
        return data
