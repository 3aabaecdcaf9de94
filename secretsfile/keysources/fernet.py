"""Fernet: a symmetric key that wraps the data key, identified by a short fingerprint.

Entries live in a ``fernet:`` list of the metadata (``key_id`` + ``enc`` token); sops
ignores that list. Keys come from ``SECRETSFILE_FERNET_KEY`` (one or more keys separated by
whitespace or commas), ``SECRETSFILE_FERNET_KEY_FILE``, or the default file
``$XDG_CONFIG_HOME/secretsfile/fernet/keys.txt``. Fernet is AES-128-CBC + HMAC-SHA256;
use age unless a shared symmetric key is what you need.
"""

from __future__ import annotations

import binascii
import os

from secretsfile.core.digests import sha256
from secretsfile.core.pattern import Pattern
from secretsfile.core.record import Record, field
from secretsfile.errors import KeySourceError
from secretsfile.keysources.age import check_private_mode, config_home
from secretsfile.keysources.interface import CliOption, KeySourceBase, SourceReport

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from pathlib import Path

    from secretsfile.core.metadata import MasterKey

# cryptography is imported where it is used (see keysources/age.py for why).

_SPLIT = Pattern(r"[\s,]+")
# Variables that hold key material itself (not paths): never handed to child processes.
KEY_VARIABLES = ("SECRETSFILE_FERNET_KEY",)


def default_key_file() -> Path:
    from pathlib import Path  # callers that want a Path (keygen, tests); lookups use str

    return Path(default_key_path())


def default_key_path() -> str:
    return os.path.join(config_home(), "secretsfile", "fernet", "keys.txt")


def key_id(key: str) -> str:
    """A fingerprint that names a key without revealing it (16 hex characters)."""
    import base64  # on use: encrypt's options load this module, not its keys (issue 14)

    raw = base64.urlsafe_b64decode(key.encode("ascii"))
    return sha256(b"secretsfile fernet key id\0" + raw).hexdigest()[:16]


def generate_key() -> tuple[str, str]:
    """A new key: (key file text, key id)."""
    import datetime as _dt

    from cryptography.fernet import Fernet

    key = Fernet.generate_key().decode("ascii")
    created = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    ident = key_id(key)
    return f"# created: {created}\n# key id: {ident}\n{key}\n", ident


class _Loaded(Record, frozen=True):
    report: SourceReport
    keys: dict[str, str] = field(repr=False)  # key id -> key: never in a repr


def _parse(text: str, label: str) -> _Loaded:
    from cryptography.fernet import Fernet

    keys: dict[str, str] = {}
    bad = 0
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for token in _SPLIT.split(line):
            try:
                Fernet(token.encode("ascii"))
                keys[key_id(token)] = token
            except (ValueError, binascii.Error, UnicodeEncodeError):
                bad += 1
    detail = f"{len(keys)} key{'s' if len(keys) != 1 else ''}"
    if bad:
        detail += f"; {bad} malformed"
    return _Loaded(SourceReport(label, detail), keys)


def gather() -> list[_Loaded]:
    loaded: list[_Loaded] = []
    text = os.environ.get("SECRETSFILE_FERNET_KEY")
    if text is None:
        loaded.append(_Loaded(SourceReport("SECRETSFILE_FERNET_KEY", "not set"), {}))
    else:
        loaded.append(_parse(text, "SECRETSFILE_FERNET_KEY"))
    env_file = os.environ.get("SECRETSFILE_FERNET_KEY_FILE")
    paths = [(env_file, f"SECRETSFILE_FERNET_KEY_FILE={env_file}")] if env_file else []
    if not env_file:
        loaded.append(_Loaded(SourceReport("SECRETSFILE_FERNET_KEY_FILE", "not set"), {}))
    paths.append((default_key_path(), default_key_path()))
    for path, label in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                content = handle.read()
        except FileNotFoundError:
            loaded.append(_Loaded(SourceReport(label, "file not found"), {}))
            continue
        except (OSError, UnicodeDecodeError):
            loaded.append(_Loaded(SourceReport(label, "unreadable"), {}))
            continue
        check_private_mode(path)
        loaded.append(_parse(content, label))
    return loaded


def available_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for loaded in gather():
        for ident, key in loaded.keys.items():
            keys.setdefault(ident, key)
    return keys


_NO_KEY_HINT = "run 'secretsfile keygen --type fernet' or set SECRETSFILE_FERNET_KEY"


class FernetKeySource(KeySourceBase):
    kind = "fernet"
    title = "Fernet"
    syntax = "fernet:<key id>"
    scheme = "fernet:"
    id_field = "key_id"
    config_fields = ("fernet",)
    cli = CliOption("fernet-id", "Add a Fernet key id.", "Remove a Fernet key id.",
                    metavar="KEY_ID", own_key_flag="fernet",
                    own_key_help="Also wrap the data key with your Fernet key.")
    key_variables = ("SECRETSFILE_FERNET_KEY",)  # and _FILE
    no_key_hint = _NO_KEY_HINT
    needs = "a Fernet key (SECRETSFILE_FERNET_KEY[_FILE] or the Fernet key file)"

    def own_recipient(self) -> str | None:
        return next(iter(available_keys()), None)

    def generate(self) -> tuple[str, str]:
        return generate_key()

    def default_key_file(self) -> Path | None:
        return default_key_file()

    def wrap(self, recipient: str, data_key: bytes) -> MasterKey:
        from secretsfile.core.metadata import MasterKey

        """``recipient`` is a key id, or empty for the first available key."""
        from cryptography.fernet import Fernet

        keys = available_keys()
        if not keys:
            raise KeySourceError("no Fernet key found", hint=_NO_KEY_HINT)
        ident = recipient or next(iter(keys))
        if ident not in keys:
            raise KeySourceError(
                f"Fernet key {ident} is not available here",
                hint="set SECRETSFILE_FERNET_KEY or SECRETSFILE_FERNET_KEY_FILE to that key",
            )
        token = Fernet(keys[ident].encode("ascii")).encrypt(data_key).decode("ascii")
        return MasterKey(self.kind, {"key_id": ident, "enc": token})

    def unwrap(self, key: MasterKey) -> bytes:
        from cryptography.fernet import Fernet, InvalidToken

        ident = str(key.fields.get("key_id", ""))
        secret = available_keys().get(ident)
        if secret is None:
            raise KeySourceError(f"Fernet key {ident} not found")
        try:
            return Fernet(secret.encode("ascii")).decrypt(key.enc.encode("ascii"))
        except (InvalidToken, UnicodeEncodeError):
            raise KeySourceError(f"Fernet key {ident} could not open its token") from None

    def reports(self) -> list[SourceReport]:
        return [loaded.report for loaded in gather()]
