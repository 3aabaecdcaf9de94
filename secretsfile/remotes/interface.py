"""The interface every external secret store implements, and the one payload mapping.

A store holds one entry per named secret at ``PREFIX/NAME``. A group's entry is a flat
map of its keys (JSON types kept: ``5432`` stays an int, ``true`` a bool); a single value's
entry is ``{"value": …}``, told apart by the ``secretsfile-shape: value`` metadata/tag
(without it, a one-key ``{"value": …}`` map reads as a single value too, the usual shape
elsewhere). The schema name travels as metadata (KV ``custom_metadata``) or tags (AWS).

Values are masked (``SecretValue``) as soon as they are read; no backend puts a value in
an error message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from secretsfile.errors import FormatError, UsageError
from secretsfile.keysources.hc_vault import is_name
from secretsfile.secrets.model import Scalar, Secret

VALUE_KEY = "value"
SHAPE_VALUE = "value"  # the shape marker of a single-value entry
SHAPE_GROUP = "group"


@dataclass(frozen=True)
class Location:
    """Where a store's entries live. ``url`` is the URL as given (for messages; it holds no
    credentials), ``address`` the server (``https://host:port``) or the AWS region,
    ``mount`` the KV mount (empty for AWS), ``prefix`` the path under it (may be empty)."""

    url: str
    scheme: str
    address: str
    mount: str
    prefix: str

    def path(self, name: str) -> str:
        """``PREFIX/NAME`` (the AWS secret name; under a nested Vault mount the server
        decides where the mount ends, so show ``entry`` to people)."""
        return f"{self.prefix}/{name}" if self.prefix else name

    def entry(self, name: str) -> str:
        """The entry's URL, for messages: ``vault://h:8200/secret/app/NAME``."""
        return f"{self.url.rstrip('/')}/{name}"


@dataclass(frozen=True)
class Described:
    """What a store says about an entry without its values."""

    name: str
    keys: list[str]
    schema: str | None = None
    updated: str | None = None  # the store's own timestamp text, when it gives one
    single: bool = False
    env: str | None = None  # the environment secretsfile wrote it for (its metadata/tag)
    managed: bool = False  # written by secretsfile (its marker metadata/tags are present)


class Remote(Protocol):
    """An external secret store backend: one module, one line in ``registry.BACKENDS``."""

    scheme: str  # "vault", "awssm"
    example: str  # an example URL, for messages and --help

    def parse(self, url: str) -> Location:
        """The location of a URL of this scheme (UsageError naming the URL and the form)."""

    def names(self, loc: Location) -> list[str]:
        """The secret names directly under the prefix (sorted; deleted entries left out)."""

    def read(self, loc: Location, name: str, env: str) -> Secret | None:
        """The entry as a masked Secret of ``env``, or None when absent or deleted."""

    def write(self, loc: Location, secret: Secret) -> None:
        """Create the entry or store a new version of it (values, schema, shape)."""

    def delete(self, loc: Location, name: str) -> None:
        """Delete the entry recoverably (KV soft delete, AWS 7-day recovery window)."""

    def describe(self, loc: Location, name: str) -> Described | None:
        """Keys, schema and update time of an entry (no values), or None when absent."""

    def unusable(self) -> str | None:
        """Why this backend cannot run here (no token, boto3 missing), cheaply; or None."""


Entry = tuple[Secret, str, "str | None", bool]  # secret, updated, env, managed


class EntryReader:
    """``read`` and ``describe`` for a backend, from its one ``_entry``: the masked entry,
    its update time and the environment / "written by secretsfile" marks it carries (or
    None when absent or deleted). One copy for every backend."""

    def _entry(self, loc: Location, name: str, env: str) -> Entry | None:
        raise NotImplementedError

    def read(self, loc: Location, name: str, env: str) -> Secret | None:
        found = self._entry(loc, name, env)
        return None if found is None else found[0]

    def describe(self, loc: Location, name: str) -> Described | None:
        found = self._entry(loc, name, "")
        if found is None:
            return None
        secret, updated, env, managed = found
        return Described(name, secret.keys, secret.schema, updated or None,
                         not secret.is_group, env, managed)


def check_name(loc: Location, name: str) -> str:
    """``name`` when it is one plain path segment (``A-Z a-z 0-9 . _ -``, not ``.``/``..``):
    a name from a file or a store cannot reach another path. UsageError otherwise."""
    if not is_name(name):
        raise UsageError(f"{name[:60]!r} cannot be a secret name in {loc.url}",
                         hint="use letters, digits, '.', '_' and '-'")
    return name


def to_payload(secret: Secret) -> dict[str, Scalar]:
    """The entry written for a secret: a group's typed map, or ``{"value": v}``."""
    if secret.is_group:
        return dict(secret.values)
    return {VALUE_KEY: secret.value or ""}


def shape_of(secret: Secret) -> str:
    return SHAPE_GROUP if secret.is_group else SHAPE_VALUE


def from_payload(name: str, env: str, payload: Any, schema: str | None, where: str,
                 shape: str | None = None) -> Secret:
    """The masked Secret of an entry read from a store. ``where`` names the entry for
    messages (``vault://h:p/secret/app/db``). A payload that is not a flat map of scalars
    is a FormatError naming ``where`` and the key, never a value."""
    if not isinstance(payload, Mapping):
        raise FormatError(f"{where}: the entry is not a map of keys",
                          hint="store a JSON object of key/value pairs")
    values: dict[str, Scalar] = {}
    for key, value in payload.items():
        if not isinstance(key, str) or isinstance(value, (Mapping, list)) or value is None:
            raise FormatError(f"{where}: key {str(key)[:60]!r} is not a plain value",
                              hint="a secret is one value or one level of key/value pairs")
        if isinstance(value, float) and value != value:  # nan
            raise FormatError(f"{where}: key {key[:60]!r} is not a finite number",
                              hint="store it as a string")
        values[key] = value if isinstance(value, (str, int, float, bool)) else str(value)
    single = shape == SHAPE_VALUE or (shape is None and list(values) == [VALUE_KEY])
    if single and list(values) == [VALUE_KEY]:
        from secretsfile.secrets.model import text_of

        return Secret(name, env, text_of(values[VALUE_KEY]))
    return Secret(name, env, None, values, schema)

