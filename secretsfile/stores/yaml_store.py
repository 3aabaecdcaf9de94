"""YAML <-> typed tree, the way sops 3.11 (go-yaml v3) reads and writes it.

Reading tries the fast reader (``yaml_fast``: the block shape sops writes, no PyYAML
import), then the full one (``yaml_read``: libyaml with go-yaml's typing and sops' comment
placement). Writing is our own emitter in go-yaml's block style (``yaml_emit``, indent 4
by default), so a file sops wrote is rewritten byte for byte where nothing changed.

This module imports neither PyYAML nor the emitter until a file needs them.
"""

from __future__ import annotations

from secretsfile.core.values import Branch
from secretsfile.stores.interface import Store

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from typing import ClassVar


def load_yaml(text: str, path: str = "<yaml>") -> list[Branch]:
    """The full reader (``yaml_read.load_yaml``), imported on first use."""
    from secretsfile.stores.yaml_read import load_yaml as full_reader

    return full_reader(text, path)


class YamlStore(Store):
    name = "yaml"
    default_indent: ClassVar[int | None] = 4
    multi_document: ClassVar[bool] = True
    new_file_template: ClassVar[str] = (
        "# New secrets file: keys stay readable, values are encrypted on save.\n"
        "example_key: example_value\n"
    )

    def load(self, text: str, path: str) -> list[Branch]:
        from secretsfile.stores.yaml_fast import parse_simple

        fast = parse_simple(text)  # the shape sops writes, read without PyYAML
        return fast if fast is not None else load_yaml(text, path)

    def dump(self, docs: list[Branch], indent: int | None) -> str:
        from secretsfile.stores.yaml_emit import dump_yaml

        return dump_yaml(docs, 4 if indent is None else indent)

    def detect_indent(self, text: str) -> int | None:
        from secretsfile.stores.yaml_emit import detect_indent

        return detect_indent(text)

