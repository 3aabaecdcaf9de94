"""File formats <-> the typed tree. No crypto here.

The format is chosen from the file extension (``.yaml``/``.yml``, ``.json``, ``.env``)
unless given explicitly.
"""

from __future__ import annotations

from pathlib import Path, PurePath
from typing import Any

from secretsfile.core.metadata import METADATA_KEY
from secretsfile.core.tree import strip_comments
from secretsfile.core.values import Branch, Comment
from secretsfile.errors import FormatError, IntegrityError, UsageError

FORMATS = ("yaml", "json", "dotenv")
_EXTENSIONS = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".env": "dotenv"}


def format_for_path(path: str | PurePath, explicit: str | None = None) -> str:
    if explicit:
        if explicit not in FORMATS:
            raise UsageError(f"unknown format {explicit!r}", hint="use yaml, json or dotenv")
        return explicit
    name = PurePath(path).name
    suffix = PurePath(path).suffix.lower()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    if name == ".env" or name.startswith(".env."):
        return "dotenv"
    if Path(path).is_dir():  # only on the error path: costs nothing otherwise
        raise UsageError(f"{path} is a directory, not a file", hint="name a secrets file")
    raise UsageError(
        f"cannot tell the format of {name!r} from its extension",
        hint="name it .yaml, .json or .env, or pass --input-type",
    )


def load_documents(text: str, fmt: str, path: str) -> list[Branch]:
    if fmt == "yaml":
        from secretsfile.stores.yaml_fast import parse_simple

        fast = parse_simple(text)  # the shape sops writes, read without PyYAML
        if fast is not None:
            return fast
        from secretsfile.stores.yaml_store import load_yaml

        return load_yaml(text, path)
    if fmt == "json":
        from secretsfile.stores.json_store import load_json

        return load_json(text, path)
    from secretsfile.stores.dotenv_store import load_dotenv

    return load_dotenv(text, path)


def split_metadata(docs: list[Branch], fmt: str) -> tuple[list[Branch], dict[str, Any] | None]:
    """Remove the sops metadata from every document; return it, or None when no document
    has any (a plaintext file).

    sops writes one identical copy into every YAML document and reads the first. A
    document without it is refused, as is a copy that differs: otherwise someone without
    a key could prepend ``api-token: ""`` + ``---`` (the MAC, which skips empty values,
    still verifies) or split the file with ``---`` so readers of one document miss the
    rest."""
    if fmt == "dotenv":
        from secretsfile.stores.dotenv_store import split_metadata as split_env

        data, env_meta = split_env(docs[0])
        return [data], env_meta
    raws = [doc.get(METADATA_KEY) for doc in docs]
    out = [{k: v for k, v in doc.items() if k != METADATA_KEY} for doc in docs]
    if all(raw is None for raw in raws):
        return out, None
    first = raws[0]
    for number, raw in enumerate(raws, start=1):
        if raw is None:
            raise IntegrityError(
                f"document {number} of {len(docs)} has no sops metadata: every document of an "
                "encrypted file carries it (a '---' or a document was added by hand)",
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


def dump_documents(docs: list[Branch], fmt: str, metadata: dict[str, Any] | None = None,
                   indent: int | None = None) -> str:  # fmt: skip
    """Write documents; with metadata, each YAML document gets its own copy (as sops does)."""
    if fmt == "dotenv":
        from secretsfile.stores.dotenv_store import dump_dotenv

        return dump_dotenv(docs, metadata)
    if metadata is not None:
        with_meta: list[Branch] = []
        for doc in docs:
            copy: dict[str | Comment, Any] = dict(doc)
            copy[METADATA_KEY] = metadata
            with_meta.append(copy)
        docs = with_meta
    if fmt == "json":
        from secretsfile.stores.json_store import dump_json

        return dump_json(docs, -1 if indent is None else indent)
    from secretsfile.stores.yaml_emit import dump_yaml

    return dump_yaml(docs, 4 if indent is None else indent)
