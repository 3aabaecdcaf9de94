"""dotenv <-> typed tree, as naive as sops' store: ``KEY=value`` lines, ``#`` comments.

No quote or ``export`` handling (so sops and secretsfile agree byte for byte), empty lines
are dropped, a literal ``\\n`` in a value is a newline. Metadata is flattened into sorted
``sops_…`` keys with ``__map_<key>`` / ``__list_<index>`` separators (``flatten.SOPS``).

This is sops' dotenv, the format of encrypted ``.env`` files (and of ``edit``'s temporary
file, and of ``decrypt`` of a ``.env`` file, which sops prints byte for byte as it reads
it): quoting there would change every value's bytes for sops. Only ``reader_output`` (a
tree converted to dotenv for programs, marked ``PlainOutput``) quotes a value that a reader
would not take back byte for byte (``quoted_value``: python-dotenv, ``set -a; . FILE`` in
sh); sops prints those bare (sops issue #1951).
"""

from __future__ import annotations

from secretsfile.core.quoting import quoted_value
from secretsfile.core.values import Branch, Comment, scalar_text
from secretsfile.errors import FormatError
from secretsfile.stores.flatten import ENV, SOPS, flatten, unflatten_metadata
from secretsfile.stores.interface import Metadata, Store, unwritable

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from typing import Any, ClassVar

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


class PlainOutput(dict):  # type: ignore[type-arg]
    """A flattened branch printed for people and programs (``decrypt``), not for sops:
    its values are written quoted where needed."""


def _quoted_lines(branch: Branch) -> list[str]:
    return ["#" + key.text if isinstance(key, Comment) else
            f"{key}={quoted_value(scalar_text(value))}" for key, value in branch.items()]


def sops_flat(branch: Branch) -> dict[str, str]:
    """``branch`` flattened the way sops flattens metadata: text values, no comments and
    no empty (None) leaves."""
    return {key: scalar_text(value) for key, value in flatten(branch, SOPS).items()
            if isinstance(key, str) and value is not None}


def dump_dotenv(docs: list[Branch], metadata: dict[str, Any] | None = None) -> str:
    if len(docs) != 1:
        raise FormatError("dotenv holds exactly one document")
    if isinstance(docs[0], PlainOutput):
        return "".join(line + "\n" for line in _quoted_lines(docs[0]))
    lines: list[str] = []
    for key, value in docs[0].items():
        if isinstance(key, Comment):
            lines.append("#" + key.text)
        elif isinstance(value, (dict, list)):
            lines.extend(f"{k}={v}".replace("\n", "\\n")
                         for k, v in sops_flat({key: value}).items())
        else:
            lines.append(f"{key}={scalar_text(value)}".replace("\n", "\\n"))
    if metadata is not None:
        flat_meta = sops_flat(metadata)  # type: ignore[arg-type]  # a Branch of plain values
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


def check_dotenv(branch: Branch) -> None:
    """Refuse what ``load_dotenv`` would read back differently: a nested value (sops: "cannot
    use complex value in dotenv file"), null (sops writes ``<nil>``, then cannot decrypt
    it), and key names a ``KEY=value`` line cannot hold."""
    for key, value in branch.items():
        if isinstance(key, Comment):
            continue
        if isinstance(value, (dict, list)):
            raise unwritable([key], "a dotenv file holds flat text values, not maps or lists",
                             "set each value under its own name, or use a YAML or JSON file")
        if value is None:
            raise unwritable([key], "a dotenv file has no null", 'set "" instead')
        if not key or "=" in key or "\n" in key or key.startswith(("#", PREFIX)):
            raise unwritable([key], "a dotenv key cannot be empty, hold '=' or a newline, or "
                             f"start with '#' or '{PREFIX}'", "rename the key")


class DotenvStore(Store):
    name = "dotenv"
    new_file_template: ClassVar[str] = "EXAMPLE_KEY=example_value\n"

    def load(self, text: str, path: str) -> list[Branch]:
        return load_dotenv(text, path)

    def dump(self, docs: list[Branch], indent: int | None) -> str:
        return dump_dotenv(docs)

    def check_writable(self, docs: list[Branch]) -> None:
        if len(docs) == 1:
            check_dotenv(docs[0])
        super().check_writable(docs)

    def split_metadata(self, docs: list[Branch]) -> tuple[list[Branch], Metadata | None]:
        data, metadata = split_metadata(docs[0])
        return [data], metadata

    def write(self, docs: list[Branch], metadata: Metadata | None = None,
              indent: int | None = None) -> str:
        return dump_dotenv(docs, metadata)

    def plain_output(self, docs: list[Branch]) -> list[Branch]:
        return [flatten(docs[0], ENV)]

    def reader_output(self, docs: list[Branch]) -> list[Branch]:
        """``plain_output`` for readers of the dotenv text: written with ``write``, each value
        quoted where python-dotenv or ``set -a; . FILE`` would not read it back exactly."""
        return [PlainOutput(flatten(docs[0], ENV))]
