"""dotenv <-> typed tree, as naive as sops' store: ``KEY=value`` lines, ``#`` comments.

No quote or ``export`` handling (so sops and secretsfile agree byte for byte), empty lines
are dropped, a literal ``\\n`` in a value is a newline. Metadata is flattened into sorted
``sops_…`` keys with ``__map_<key>`` / ``__list_<index>`` separators (``flatten.SOPS``).

This is sops' dotenv, the format of encrypted ``.env`` files. It is not the shell-safe
dotenv that ``ci export --format dotenv`` writes (``ops/exporting.dotenv_quote``: quoted
for ``set -a; . FILE``): that one would change every value's bytes for sops.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from secretsfile.core.values import Branch, Comment, scalar_text
from secretsfile.errors import FormatError
from secretsfile.stores.flatten import ENV, SOPS, flatten, unflatten_metadata
from secretsfile.stores.interface import Metadata, Store

PREFIX = "sops_"


def load_dotenv(text: str, path: str = "<dotenv>") -> list[Branch]:
    branch: Branch = {}
    for number, line in enumerate(text.split("\n"), start=1):
        if not line:
            continue
        if line.startswith("#"):
            branch[Comment(line[1:])] = None
            continue
        key, sep, value = line.partition("=")
        if not sep:
            raise FormatError(
                "invalid dotenv line: expected KEY=VALUE", path=path, line=number,
                hint="every non-comment line needs an '='",
            )  # fmt: skip
        if key in branch:
            raise FormatError(f"duplicate key {key!r}", path=path, line=number)
        branch[key] = value.replace("\\n", "\n")
    return [branch]


def _sops_flat(branch: Branch) -> dict[str, str]:
    """``branch`` flattened the way sops flattens metadata: text values, no comments and
    no empty (None) leaves."""
    return {key: scalar_text(value) for key, value in flatten(branch, SOPS).items()
            if isinstance(key, str) and value is not None}


def dump_dotenv(docs: list[Branch], metadata: dict[str, Any] | None = None) -> str:
    if len(docs) != 1:
        raise FormatError("dotenv holds exactly one document")
    lines: list[str] = []
    for key, value in docs[0].items():
        if isinstance(key, Comment):
            lines.append("#" + key.text)
        elif isinstance(value, (dict, list)):
            lines.extend(f"{k}={v}".replace("\n", "\\n")
                         for k, v in _sops_flat({key: value}).items())
        else:
            lines.append(f"{key}={scalar_text(value)}".replace("\n", "\\n"))
    if metadata is not None:
        flat_meta = _sops_flat(cast(Branch, metadata))
        for key in sorted(flat_meta):
            lines.append(f"{PREFIX}{key}={flat_meta[key]}".replace("\n", "\\n"))
    return "".join(line + "\n" for line in lines)


def split_metadata(branch: Branch) -> tuple[Branch, dict[str, Any] | None]:
    """Separate the ``sops_*`` keys and rebuild the nested metadata from them."""
    data: Branch = {}
    flat: dict[str, str] = {}
    for key, value in branch.items():
        if isinstance(key, str) and key.startswith(PREFIX):
            flat[key[len(PREFIX) :]] = str(value)
        else:
            data[key] = value
    if not flat:
        return data, None
    return data, unflatten_metadata(flat)


class DotenvStore(Store):
    name = "dotenv"
    new_file_template: ClassVar[str] = "EXAMPLE_KEY=example_value\n"

    def load(self, text: str, path: str) -> list[Branch]:
        return load_dotenv(text, path)

    def dump(self, docs: list[Branch], indent: int | None) -> str:
        return dump_dotenv(docs)

    def split_metadata(self, docs: list[Branch]) -> tuple[list[Branch], Metadata | None]:
        data, metadata = split_metadata(docs[0])
        return [data], metadata

    def write(self, docs: list[Branch], metadata: Metadata | None = None,
              indent: int | None = None) -> str:
        return dump_dotenv(docs, metadata)

    def plain_output(self, docs: list[Branch]) -> list[Branch]:
        return [flatten(docs[0], ENV)]
