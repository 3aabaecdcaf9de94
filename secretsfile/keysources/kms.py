"""AWS KMS: the data key is encrypted by a KMS key (``kms`` in the sops metadata).

A recipient is sops' ``ARN[+ROLE_ARN]``, plus the encryption context and the AWS profile in
a canonical suffix, so that one string names everything the entry depends on:
``ARN[+ROLE][|k:v,k2:v2[|PROFILE]]`` (context pairs sorted; ``%``, ``|``, ``,`` and ``:`` in
them are %-escaped). It is also how sops names KMS keys in its messages (``ARN|ctx``,
``ARN||profile``). Metadata entries are written as sops writes them: ``arn``, ``role`` (when
set), ``context`` (when set), ``created_at``, ``enc`` (base64 of the CiphertextBlob) and
``aws_profile`` (always).

boto3 is the optional extra ``secretsfile[aws]``; it is imported in ``wrap``/``unwrap`` only
(0.2 s, and 0.35 s with a client), never when a config or a file's metadata is read.
Credentials come from boto3's standard chain (environment, ``AWS_PROFILE``, ``~/.aws``, SSO,
container and instance roles); ``aws_profile`` picks a profile; ``role`` is assumed through
STS with the session name ``sops@<hostname>``, as sops does. boto3 itself honours
``AWS_ENDPOINT_URL_KMS``/``AWS_ENDPOINT_URL`` (and ``_STS``). The client is built for the
region in the ARN, like sops. Every call is bounded (5 s connect, 10 s read, 2 attempts).
"""

from __future__ import annotations

import _thread  # the lock threading gives, without importing threading (~1 ms)
import binascii
import re
from collections.abc import Mapping

from secretsfile.core.pattern import Pattern
from secretsfile.core.record import Record
from secretsfile.errors import KeySourceError, UsageError
from secretsfile.keysources.aws_common import (
    NO_CREDENTIALS_HINT,
    REFUSED_CODES,
    boto3_missing,
    client_config,
    unreachable,
)
from secretsfile.keysources.interface import CliOption, KeySourceBase, SourceReport

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from typing import Any

    from secretsfile.core.metadata import MasterKey

_ARN = Pattern(r"^arn:aws[a-z-]*:kms:([a-z0-9-]+):\d{12}:(?:key|alias)/\S+$")
_ROLE = Pattern(r"^arn:aws[a-z-]*:iam::\d{12}:role/\S+$")
_ESCAPES = {"%": "%25", "|": "%7C", ",": "%2C", ":": "%3A"}
_NEEDS_BOTO3 = "AWS KMS keys need boto3: pip install 'secretsfile[aws]'"


def _escape(text: str) -> str:
    return "".join(_ESCAPES.get(char, char) for char in text)


def _unescape(text: str) -> str:
    from urllib.parse import unquote

    return unquote(text)


class KmsKey(Record, frozen=True):
    """One KMS master key: what a recipient value and a metadata entry both say."""
    arn: str
    role: str = ""
    context: tuple[tuple[str, str], ...] = ()
    profile: str = ""

    @property
    def region(self) -> str:
        return self.arn.split(":")[3]

    def text(self) -> str:
        out = self.arn + (f"+{self.role}" if self.role else "")
        pairs = ",".join(f"{_escape(k)}:{_escape(v)}" for k, v in self.context)
        if self.profile:
            return f"{out}|{pairs}|{_escape(self.profile)}"
        return f"{out}|{pairs}" if pairs else out


def parse_context(text: str, what: str = "the encryption context") -> tuple[tuple[str, str], ...]:
    """``k:v,k2:v2`` (sops' --encryption-context syntax) as sorted pairs."""
    pairs: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition(":")
        if not sep or not key or ":" in value:
            raise KeySourceError(f"{what} has a malformed pair {item[:40]!r}",
                                 hint="write key:value pairs separated by commas")
        pairs[_unescape(key)] = _unescape(value)
    return tuple(sorted(pairs.items()))


def context_of(raw: Any, arn: str) -> tuple[tuple[str, str], ...]:
    if not raw:
        return ()
    if not isinstance(raw, Mapping):
        raise KeySourceError(f"the context of KMS key {arn} is not a mapping",
                             hint="write context: {key: value}")
    return tuple(sorted((str(k), str(v)) for k, v in raw.items()))


def parse_key(text: str) -> KmsKey:
    """``ARN[+ROLE][|context[|profile]]``; KeySourceError naming what is wrong."""
    parts = text.strip().split("|")
    if len(parts) > 3:
        raise KeySourceError(f"{text.strip()[:80]!r} is not a KMS key",
                             hint="write ARN[+ROLE_ARN][|k:v,...[|PROFILE]]")
    arn, _, role = parts[0].strip().partition("+")
    if not _ARN.match(arn):
        raise KeySourceError(f"{arn[:80]!r} is not a KMS key ARN",
                             hint="write arn:aws:kms:REGION:ACCOUNT:key/ID (or alias/NAME)")
    if role and not _ROLE.match(role):
        raise KeySourceError(f"{role[:80]!r} (the role of KMS key {arn}) is not an IAM role ARN",
                             hint="write ARN+arn:aws:iam::ACCOUNT:role/NAME")
    context = parse_context(parts[1], f"the context of KMS key {arn}") if len(parts) > 1 else ()
    profile = _unescape(parts[2].strip()) if len(parts) > 2 else ""
    return KmsKey(arn, role, context, profile)


def split_arns(text: str) -> list[str]:
    """``A,B`` as sops writes several keys; a comma inside a context stays in its key."""
    keys: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if part.startswith("arn:") or not keys:
            keys.append(part)
        else:
            keys[-1] += "," + part
    return [key for key in keys if key]


def key_of_fields(fields: Mapping[str, Any]) -> KmsKey:
    arn = str(fields.get("arn") or "")
    return KmsKey(arn, str(fields.get("role") or ""), context_of(fields.get("context"), arn),
                  str(fields.get("aws_profile") or ""))


# -- talking to KMS (boto3, imported here only) --------------------------------------------

_clients: dict[tuple[str, str, str], Any] = {}
_lock = _thread.allocate_lock()


def _credentials_visible() -> bool:
    """Cheap, no boto3: a credentials variable, or a shared credentials/config file."""
    import os
    from pathlib import Path

    if any(os.environ.get(name) for name in (
            "AWS_ACCESS_KEY_ID", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI")):
        return True
    aws = Path.home() / ".aws"
    files = (os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or aws / "credentials",
             os.environ.get("AWS_CONFIG_FILE") or aws / "config")
    return any(Path(name).is_file() for name in files)


def _boto3() -> Any:
    try:
        import boto3  # type: ignore[import-untyped]
    except ImportError:
        raise KeySourceError(_NEEDS_BOTO3) from None
    return boto3


def _session_name() -> str:
    import socket

    host = re.sub(r"[^a-zA-Z0-9=,.@-]+", "", socket.gethostname())
    return ("sops@" + host)[:64]


def _client(key: KmsKey) -> Any:
    """A KMS client for the key's region, profile and role (cached for the process)."""
    ident = (key.region, key.profile, key.role)
    with _lock:
        if ident in _clients:
            return _clients[ident]
    boto3 = _boto3()
    config = client_config()
    session = boto3.Session(profile_name=key.profile or None)
    if key.role:
        sts = session.client("sts", region_name=key.region, config=config)
        creds = sts.assume_role(RoleArn=key.role,
                                RoleSessionName=_session_name())["Credentials"]
        session = boto3.Session(aws_access_key_id=creds["AccessKeyId"],
                                aws_secret_access_key=creds["SecretAccessKey"],
                                aws_session_token=creds["SessionToken"])
    client = session.client("kms", region_name=key.region, config=config)
    with _lock:
        _clients[ident] = client
    return client


def clear_cache() -> None:
    with _lock:
        _clients.clear()


def _failure(error: Exception, key: KmsKey, action: str) -> KeySourceError:
    """A one-line KeySourceError for any boto3/botocore failure (never its traceback)."""
    from botocore import exceptions as bx  # type: ignore[import-untyped]

    name = key.arn + (f" (role {key.role})" if key.role else "")
    if isinstance(error, bx.ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        if code == "NotFoundException":
            return KeySourceError(f"KMS key {key.arn} does not exist",
                                  hint="check the ARN, its region and the AWS account")
        if code == "InvalidCiphertextException":
            return KeySourceError(f"KMS refused the ciphertext (wrong encryption context?) "
                                  f"for key {name}",
                                  hint="the context must be the one the file was encrypted with")
        if code in REFUSED_CODES:
            return KeySourceError(f"AWS refused to {action} with KMS key {name} ({code})",
                                  hint="check your AWS credentials and the key's policy")
        return KeySourceError(f"KMS could not {action} with key {name} ({code or 'error'})")
    if isinstance(error, bx.NoCredentialsError):
        return KeySourceError(f"no AWS credentials found for KMS key {name}",
                              hint=NO_CREDENTIALS_HINT)
    if isinstance(error, bx.ProfileNotFound):
        return KeySourceError(f"AWS profile {key.profile!r} (KMS key {key.arn}) is not configured",
                              hint="add it to ~/.aws/config or fix aws_profile")
    if unreachable(error):
        return KeySourceError(f"cannot reach AWS KMS for key {name}",
                              hint="check the network, or AWS_ENDPOINT_URL_KMS if you set it")
    return KeySourceError(f"AWS KMS could not {action} with key {name} "
                          f"({type(error).__name__})", hint=NO_CREDENTIALS_HINT)


def _call(key: KmsKey, action: str, method: str, **kwargs: Any) -> dict[str, Any]:
    _boto3()  # KeySourceError when absent, before botocore is touched
    from botocore.exceptions import BotoCoreError, ClientError  # type: ignore[import-untyped]

    try:
        result: dict[str, Any] = getattr(_client(key), method)(**kwargs)
        return result
    except (BotoCoreError, ClientError) as error:
        raise _failure(error, key, action) from None
    except ValueError:  # botocore: "Invalid endpoint" (a bad URL or port); never echoed
        import os

        named = [v for v in _ENDPOINT_VARS if os.environ.get(v)] or ["the AWS configuration"]
        raise KeySourceError(f"cannot use AWS KMS for key {key.arn}: invalid endpoint or "
                             f"setting (check {' / '.join(named)})",
                             hint="an endpoint must be a URL like https://host:port") from None


_ENDPOINT_VARS = ("AWS_ENDPOINT_URL_KMS", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_STS")


class KmsKeySource(KeySourceBase):
    kind = "kms"
    title = "AWS KMS"
    syntax = "arn:aws:kms:REGION:ACCOUNT:key/ID[+ROLE_ARN]"
    id_field = "arn"
    config_fields = ("kms",)
    cli = CliOption("kms", "An AWS KMS key ARN[+ROLE_ARN]; comma-separated or repeatable.",
                    "Remove an AWS KMS key (ARN[+ROLE][|context[|profile]]).",
                    metavar="ARN[+ROLE]")
    cli_extras = (
        CliOption("encryption-context", "KMS encryption context for the --kms keys: k:v,k2:v2.",
                  "", metavar="K:V,..."),
        CliOption("aws-profile", "AWS profile for the --kms keys.", "", metavar="NAME"),
    )
    no_key_hint = "encrypt the file for a KMS key you can use (--kms ARN)"
    needs = "boto3 (pip install 'secretsfile[aws]') and AWS credentials (the standard chain)"

    def claims(self, text: str) -> bool:
        return bool(re.match(r"^arn:aws[a-z-]*:kms:", text.strip()))

    def parse_recipient(self, text: str) -> str:
        return parse_key(text).text()

    def spell(self, value: str) -> str:
        return value

    def config_entries(self, raw: Any) -> list[str]:
        if isinstance(raw, list):
            return [self._entry(item) for item in raw]
        return split_arns(raw) if isinstance(raw, str) else super().config_entries(raw)

    def config_entries_in(self, raw: Any, rule: Mapping[str, Any]) -> list[str]:
        """A rule's flat ``kms: "A,B"`` takes the rule's ``aws_profile`` (as in sops)."""
        entries = self.config_entries(raw)
        profile = rule.get("aws_profile")
        if not isinstance(raw, str) or not profile:
            return entries
        return [KmsKey(k.arn, k.role, k.context, k.profile or str(profile)).text()
                for k in map(parse_key, entries)]

    @staticmethod
    def _entry(item: Any) -> str:
        if not isinstance(item, Mapping):
            return str(item)
        arn = str(item.get("arn") or "").strip()
        role = str(item.get("role") or "").strip()
        key = parse_key(arn + (f"+{role}" if role else ""))
        return KmsKey(key.arn, key.role, context_of(item.get("context"), arn),
                      str(item.get("aws_profile") or "")).text()

    def cli_values(self, value: str, extras: Mapping[str, str | None]) -> list[str]:
        """A --kms value (``A,B`` like sops) with --encryption-context/--aws-profile folded
        into each key; UsageError when malformed."""
        try:
            keys = [parse_key(text) for text in split_arns(value)]
            text = extras.get("encryption-context")
            context = parse_context(text) if text else None
        except KeySourceError as error:
            raise UsageError(error.message, hint=error.hint) from None
        profile = extras.get("aws-profile")
        return [KmsKey(key.arn, key.role, key.context if context is None else context,
                       profile or key.profile).text() for key in keys]

    def recipient_id(self, fields: Mapping[str, Any]) -> str:
        if not fields.get("arn"):
            return ""
        try:
            return key_of_fields(fields).text()
        except KeySourceError:
            return str(fields.get("arn"))

    def unusable(self) -> str | None:
        if boto3_missing():
            return _NEEDS_BOTO3
        return None if _credentials_visible() else (
            "no AWS credentials found in the environment or ~/.aws (instance roles are not "
            "checked)")

    def wrap(self, recipient: str, data_key: bytes) -> MasterKey:
        from secretsfile.core.metadata import MasterKey

        key = parse_key(recipient)
        kwargs: dict[str, Any] = {"KeyId": key.arn, "Plaintext": data_key}
        if key.context:
            kwargs["EncryptionContext"] = dict(key.context)
        blob = _call(key, "encrypt", "encrypt", **kwargs)["CiphertextBlob"]
        fields: dict[str, Any] = {"arn": key.arn}
        if key.role:
            fields["role"] = key.role
        if key.context:
            fields["context"] = dict(key.context)
        import datetime as _dt

        now = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        fields.update(created_at=now, enc=binascii.b2a_base64(blob, newline=False).decode(),
                      aws_profile=key.profile)
        return MasterKey(self.kind, fields)

    def __init__(self) -> None:
        self._failures: list[SourceReport] = []  # what unwrap was told, for reports()

    def unwrap(self, key: MasterKey) -> bytes:
        try:
            return self._unwrap(key)
        except KeySourceError as error:
            self._failures.append(SourceReport("AWS KMS", error.message))
            raise

    def _unwrap(self, key: MasterKey) -> bytes:
        kms_key = key_of_fields(key.fields)
        if not _ARN.match(kms_key.arn):
            raise KeySourceError(f"a kms entry names no usable key ARN ({kms_key.arn[:80]!r})")
        import base64  # on use (wrap: binascii): encrypt's --kms flags load us (issue 14)
        try:
            blob = base64.b64decode(key.enc.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise KeySourceError(f"the enc of KMS key {kms_key.arn} is not base64") from None
        kwargs: dict[str, Any] = {"CiphertextBlob": blob, "KeyId": kms_key.arn}
        if kms_key.context:
            kwargs["EncryptionContext"] = dict(kms_key.context)
        return bytes(_call(kms_key, "decrypt", "decrypt", **kwargs)["Plaintext"])

    def reports(self) -> list[SourceReport]:
        import os
        from pathlib import Path

        if boto3_missing():
            return [SourceReport("boto3", "not installed: pip install 'secretsfile[aws]'")]
        found = [*self._failures, *[SourceReport(name, "set" if os.environ.get(name) else "not set")
                 for name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_ENDPOINT_URL_KMS",
                              "AWS_ENDPOINT_URL")]]
        path = (os.environ.get("AWS_SHARED_CREDENTIALS_FILE")
                or str(Path.home() / ".aws" / "credentials"))
        found.append(SourceReport(path, "found" if Path(path).is_file() else "file not found"))
        return found
