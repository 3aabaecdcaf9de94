"""The ``sops`` metadata block: master keys (per key group), MAC, lastmodified, selectors.

Field order and omission rules follow sops 3.11's struct tags so that untouched files are
rewritten byte for byte. Master key entries keep every field they were read with, so key
types secretsfile cannot use (pgp, kms, ...) survive a rewrite that keeps the data key.
"""

from __future__ import annotations

import re

from secretsfile.core.integrity import TAG_FIELD
from secretsfile.core.record import Record, field
from secretsfile.core.tree import Selector
from secretsfile.core.values import GoTime, format_time
from secretsfile.errors import FormatError

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    import datetime as _dt
    from typing import Any

METADATA_KEY = "sops"
SOPS_VERSION = "3.11.0"
# Flat list fields in the order sops emits them around lastmodified/mac.
_FLAT_BEFORE = ("kms", "gcp_kms", "hckms", "azure_kv", "hc_vault", "age", "fernet")
_FLAT_AFTER = ("pgp",)
KEY_KINDS = _FLAT_BEFORE + _FLAT_AFTER
# Order of the lists inside a key_groups entry; hc_vault and age are always written.
_GROUP_ORDER = ("pgp", "kms", "gcp_kms", "hckms", "azure_kv", "hc_vault", "age", "fernet")
_GROUP_ALWAYS = ("hc_vault", "age")


class MasterKey(Record):
    """One wrapped copy of the data key (or of a Shamir share) for one key source.

    Raw data: which field names the recipient is the key source's business
    (``keysources.registry.recipient_id``/``describe``), since core knows no key source.
    """

    kind: str
    fields: dict[str, Any]

    @property
    def enc(self) -> str:
        return str(self.fields.get("enc") or "")


class Metadata(Record):
    key_groups: list[list[MasterKey]] = field(default_factory=list)
    shamir_threshold: int = 0
    lastmodified: str = ""
    mac: str = ""
    selector: Selector = field(default_factory=Selector)
    version: str = SOPS_VERSION
    tag: str = ""  # the structure tag (core.integrity); "" when sops last wrote the file

    def master_keys(self) -> list[MasterKey]:
        return [key for group in self.key_groups for key in group]

    def touch(self, now: _dt.datetime | None = None) -> None:
        if now is None:  # what format_time gives for UTC whole seconds, without datetime
            import time

            self.lastmodified = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            return
        import datetime as _dt  # only when a caller gives the moment

        self.lastmodified = format_time(now.replace(microsecond=0).astimezone(_dt.timezone.utc))

    # -- reading ---------------------------------------------------------------------

    @classmethod
    def from_dict(cls, raw: Any) -> Metadata:
        if not isinstance(raw, dict):
            raise FormatError("the sops metadata block is not a mapping")
        groups: list[list[MasterKey]] = []
        raw_groups = raw.get("key_groups")
        if raw_groups:
            if not isinstance(raw_groups, list):
                raise FormatError("sops.key_groups must be a list")
            groups = [_read_group(group) for group in raw_groups]
        else:
            groups = [_read_group(raw)]
        version = raw.get("version")
        if not isinstance(version, str):
            raise FormatError(
                "sops.version must be a string", hint="files from sops 1.x are not supported"
            )
        lastmodified = raw.get("lastmodified")
        if isinstance(lastmodified, GoTime):
            lastmodified = lastmodified.text
        if not isinstance(lastmodified, str) or not lastmodified:
            raise FormatError("sops.lastmodified is missing", hint="restore the file from git")
        mac = raw.get("mac")
        if not isinstance(mac, str) or not mac:
            raise FormatError("sops.mac is missing", hint="restore the file from git")
        tag = raw.get(TAG_FIELD) or ""
        if not isinstance(tag, str):
            raise FormatError(f"sops.{TAG_FIELD} must be a string",
                              hint="restore the file from git")
        selector = Selector.from_fields(raw, default_suffix=True)
        return cls(groups, _threshold(raw.get("shamir_threshold")), lastmodified, mac,
                   selector, version, tag)

    # -- writing ---------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.shamir_threshold:
            out["shamir_threshold"] = self.shamir_threshold
        single = len(self.key_groups) <= 1
        flat = _lists_by_kind(self.key_groups[0]) if single and self.key_groups else {}
        if not single:
            out["key_groups"] = [_write_group(group) for group in self.key_groups]
        for kind in _FLAT_BEFORE:
            if flat.get(kind):
                out[kind] = flat[kind]
        out["lastmodified"] = self.lastmodified
        out["mac"] = self.mac
        if self.tag:
            out[TAG_FIELD] = self.tag
        for kind in _FLAT_AFTER:
            if flat.get(kind):
                out[kind] = flat[kind]
        out.update(self.selector.to_fields())
        if self.selector.mac_only_encrypted:
            out["mac_only_encrypted"] = True
        out["version"] = self.version
        return out


def _threshold(raw: Any) -> int:
    """``shamir_threshold``: an int; older sops wrote ``2.0``, dotenv stores text. Anything
    else (``.inf``, ``nan``, ``true``, a huge number) is a format error, not a crash."""
    if raw is None or raw == "" or raw == 0:
        return 0
    try:
        value = int(float(raw)) if isinstance(raw, (float, str)) else raw
    except (ValueError, OverflowError):
        value = None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 255:
        raise FormatError("sops.shamir_threshold must be an integer from 0 to 255",
                          hint="restore the file from git")
    return value


def _read_group(raw: dict[str, Any]) -> list[MasterKey]:
    if not isinstance(raw, dict):
        raise FormatError("a sops key group is not a mapping")
    keys: list[MasterKey] = []
    for kind in KEY_KINDS:
        entries = raw.get(kind) or []
        if not isinstance(entries, list):
            raise FormatError(f"sops.{kind} must be a list")
        for entry in entries:
            if not isinstance(entry, dict):
                raise FormatError(f"an entry of sops.{kind} is not a mapping")
            keys.append(MasterKey(kind, {str(k): v for k, v in entry.items()}))
    return keys


def _lists_by_kind(group: list[MasterKey]) -> dict[str, list[dict[str, Any]]]:
    lists: dict[str, list[dict[str, Any]]] = {}
    for key in group:
        lists.setdefault(key.kind, []).append(dict(key.fields))
    return lists


def _write_group(group: list[MasterKey]) -> dict[str, Any]:
    lists = _lists_by_kind(group)
    out: dict[str, Any] = {}
    for kind in _GROUP_ORDER:
        if lists.get(kind) or kind in _GROUP_ALWAYS:
            out[kind] = lists.get(kind, [])
    return out


_RFC3339 = re.compile(
    r"^(\d{4})-(\d\d)-(\d\d)[Tt](\d\d):(\d\d):(\d\d)(?:\.\d+)?(Z|z|[+-]\d\d:\d\d)\Z"
)


def mac_aad(lastmodified: str) -> str:
    """The MAC's additional data: lastmodified re-formatted as Go ``time.RFC3339``.

    sops parses the stored string and formats it again, which drops fractional seconds;
    using the raw string would fail on files whose timestamp carries them.
    """
    match = _RFC3339.match(lastmodified.strip())
    if match is None:
        raise FormatError(
            "sops.lastmodified is not an RFC 3339 time",
            hint="restore the file from git",
        )
    year, month, day, hour, minute, second, zone = match.groups()
    text = f"{year}-{month}-{day}T{hour}:{minute}:{second}"
    if zone in ("Z", "z", "+00:00", "-00:00"):
        return text + "Z"
    return text + zone

