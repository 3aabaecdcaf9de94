"""The contract every key backend (age, Fernet, later Vault transit, KMS, PGP) fulfils.

A key source wraps the file's data key (or a Shamir share of it) for one recipient and
unwraps it again with whatever identities the user has. Everything else the tool needs to
know about a kind of key lives on the source too, so adding a backend is one module and one
line in ``registry.py``:

- ``kind``: its list in the sops metadata (and in a key group); ``wrap`` writes its stanza;
- its recipient syntax: ``claims``/``parse_recipient``/``spell`` (``age1…``, ``fernet:<id>``),
  ``config_fields`` (``.sops.yaml`` fields: ``age``, ``hc_vault_transit_uri``, ...) and
  ``config_entries`` (how one such field is read: comma-separated text, a list, sops' maps);
- ``recipient_id``: which metadata field names who an entry is for;
- discovering identities: ``own_recipient``, ``reports`` (the availability report);
- ``key_variables``: environment variables holding its key material (``run`` strips them);
- ``cli``: its command-line options (``--age``/``--rm-age``, ``--fernet``, later ``--kms``);
- ``generate``/``default_key_file`` for ``keygen`` when the key is local.

Nothing here imports a crypto library: the registry reads these attributes to build the CLI
and parse the config, and only ``wrap``/``unwrap``/``generate`` import pyrage or cryptography.
"""

from __future__ import annotations

from collections.abc import Mapping

from secretsfile.core.record import Record
from secretsfile.errors import KeySourceError, UsageError

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, NamedTuple, Protocol

    from secretsfile.core.metadata import MasterKey
else:
    Protocol = object  # only mypy checks KeySource: at run time it is a plain base class

# Recipient: who a data key is wrapped for, a key kind and its public identifier. A tuple,
# so ``("age", "age1…")`` compares equal to it. At run time the same class comes from
# collections: typing.NamedTuple would import typing.
if TYPE_CHECKING:

    class Recipient(NamedTuple):
        kind: str  # the metadata list name: "age", "fernet", ...
        value: str  # an age recipient, a Fernet key id, a KMS ARN, a transit URI, ...
else:
    from collections import namedtuple

    Recipient = namedtuple("Recipient", ("kind", "value"))


class SourceReport(Record, frozen=True):
    """One place an identity was looked for, and what was found there."""

    label: str
    detail: str

    def __str__(self) -> str:
        return f"{self.label} ({self.detail})"


class CliOption(Record, frozen=True):
    """A source's command-line options; the CLI generates them from the registry."""

    name: str  # --NAME VALUE adds a recipient; --rm-NAME VALUE removes one (updatekeys)
    help: str
    remove_help: str
    short: str | None = None  # "-a"
    metavar: str = "RECIPIENT"
    own_key_flag: str | None = None  # "fernet": --fernet wraps for your own key of this kind
    own_key_help: str = ""


class KeySource(Protocol):
    kind: str
    title: str  # the kind in messages: "age", "Fernet"
    syntax: str  # how its recipients are written, for hints: "fernet:<key id>"
    private_key_markers: tuple[str, ...]  # text starting so is a private key: never echoed
    config_fields: tuple[str, ...]
    cli: CliOption
    key_variables: tuple[str, ...]  # prefixes: every variable starting with one is stripped
    recipient_variables: tuple[str, ...]  # variables listing default recipients
    no_key_hint: str  # how to get a key of this kind, for "no key found" errors

    def claims(self, text: str) -> bool:
        """Is ``text`` (a recipient as written in a recipients list) one of ours?"""
        ...

    def parse_recipient(self, text: str) -> str:
        """The normalised public id; KeySourceError when malformed (never echoes a private
        key). Must not import a crypto library: config files are parsed with it."""
        ...

    def spell(self, value: str) -> str:
        """``value`` as a recipients list writes it (the inverse of ``parse_recipient``)."""
        ...

    def config_entries(self, raw: Any) -> list[str]:
        """The recipients a ``.sops.yaml`` field holds, as text for ``parse_recipient``."""
        ...

    def recipient_id(self, fields: Mapping[str, Any]) -> str:
        """Who a metadata entry of this kind is for ("" when it does not say)."""
        ...

    def own_recipient(self) -> str | None:
        """The public id of the user's own first key of this kind, None without one."""
        ...

    def generate(self) -> tuple[str, str]:
        """A new key: (key file text, public id). UsageError for remote keys."""
        ...

    def default_key_file(self) -> Path | None:
        ...

    def wrap(self, recipient: str, data_key: bytes) -> MasterKey:
        """Wrap ``data_key`` for one recipient; raises KeySourceError on a bad recipient."""
        ...

    def unwrap(self, key: MasterKey) -> bytes:
        """Unwrap with the user's identities; raises KeySourceError saying why it failed."""
        ...

    def reports(self) -> list[SourceReport]:
        """Every identity source consulted, for the 'nothing could open it' message."""
        ...

    needs: str  # what using it takes, for `keysources list`: "the gpg binary", "VAULT_TOKEN"

    def unusable(self) -> str | None:
        """Why this backend cannot work on this machine now (a missing binary, extra or
        credential), None when it can; cheap: no network, no crypto import."""
        ...


class KeySourceBase:
    """Defaults for a source whose recipients are written ``<scheme><id>`` and whose
    metadata entries name them in ``id_field``; a remote key service (KMS, Vault transit)
    typically only adds ``wrap``, ``unwrap`` and ``reports``."""

    kind: str
    title: str
    cli: CliOption
    scheme: str = ""  # "fernet:": the prefix that marks our recipients
    id_field: str = ""  # the metadata field holding the recipient id
    syntax: str = ""
    private_key_markers: tuple[str, ...] = ()
    config_fields: tuple[str, ...] = ()
    key_variables: tuple[str, ...] = ()
    recipient_variables: tuple[str, ...] = ()
    no_key_hint: str = ""
    needs: str = ""

    def unusable(self) -> str | None:
        return None

    def claims(self, text: str) -> bool:
        return bool(self.scheme) and text.strip().startswith(self.scheme)

    def parse_recipient(self, text: str) -> str:
        text = text.strip()
        value = text[len(self.scheme):].strip() if self.claims(text) else text
        if not value:
            raise KeySourceError(f"an empty {self.title} recipient",
                                 hint=f"write {self.scheme}<id>")
        return value

    def spell(self, value: str) -> str:
        return self.scheme + value

    def config_entries(self, raw: Any) -> list[str]:
        if raw is None:
            return []
        if isinstance(raw, str):
            return [part.strip() for part in raw.split(",") if part.strip()]
        if isinstance(raw, list):
            return [str(item.get(self.id_field) or item) if isinstance(item, dict)
                    else str(item) for item in raw]
        return [str(raw)]

    def recipient_id(self, fields: Mapping[str, Any]) -> str:
        return str(fields.get(self.id_field) or "")

    def own_recipient(self) -> str | None:
        return None

    def generate(self) -> tuple[str, str]:
        raise UsageError(f"secretsfile cannot create {self.title} keys",
                         hint=f"create the key with your {self.title} tooling")

    def default_key_file(self) -> Path | None:
        return None
