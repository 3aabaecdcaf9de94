"""AWS Secrets Manager as a secret store: ``awssm://REGION/PREFIX``.

Each named secret is the secret ``PREFIX/NAME`` whose SecretString is the JSON payload
(``interface.to_payload``), tagged ``secretsfile:managed=true``, ``secretsfile:env``,
``secretsfile:shape`` and ``secretsfile:schema``. Credentials come from the standard AWS
chain, the endpoint from ``AWS_ENDPOINT_URL`` (boto3 reads it). A write restores a
secret scheduled for deletion first; ``delete`` schedules the deletion with a 7-day
recovery window (``aws secretsmanager restore-secret`` brings it back), never a forced
one. Secrets scheduled for deletion are absent. boto3 is imported inside calls only.

Read as found elsewhere: a SecretString that is not a JSON object (plain text, a JSON
string or number) is one value; a SecretString over 64 KiB (AWS's own cap), one nested
too deeply, a JSON list or a SecretBinary is a FormatError naming the entry.

Errors name the URL and the AWS error code, never ``str(error)`` (botocore may echo the
request, which holds the value).
"""

from __future__ import annotations

import json
import os
import threading
from typing import Any

from secretsfile.core.pattern import Pattern
from secretsfile.errors import (
    FormatError,
    KeySourceError,
    UsageError,
    scrubbed,
    without_frames,
)
from secretsfile.keysources.aws_common import (
    NO_CREDENTIALS_HINT,
    REFUSED_CODES,
    boto3_missing,
    client_config,
    unreachable,
)
from secretsfile.keysources.hc_vault import is_name
from secretsfile.remotes.interface import (
    Entry,
    EntryReader,
    Location,
    Remote,
    check_name,
    from_payload,
    shape_of,
    to_payload,
)
from secretsfile.secrets.model import Secret

EXAMPLE = "awssm://eu-west-1/myapp"
RECOVERY_DAYS = 7
MAX_SECRET_STRING = 64 * 1024  # AWS caps a SecretString at 65,536 bytes: nothing larger is read
TAG_SCHEMA, TAG_ENV, TAG_SHAPE, TAG_MANAGED = (
    "secretsfile:schema", "secretsfile:env", "secretsfile:shape", "secretsfile:managed")
_REGION = Pattern(r"[a-z]{2}(?:-[a-z]+)+-[0-9]+")
_NEEDS_BOTO3 = "AWS Secrets Manager needs boto3: pip install 'secretsfile[aws]'"
_ABSENT = {"ResourceNotFoundException"}
_clients: dict[tuple[str, ...], Any] = {}
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _clients.clear()


def _client(region: str) -> Any:
    """A secretsmanager client for the region, cached per region, endpoint and identity
    variables (a test or a shell that changes them gets a new client)."""
    ident = (region, *(os.environ.get(v, "") for v in (
        "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID")))
    with _lock:
        if ident in _clients:
            return _clients[ident]
    if boto3_missing():
        raise KeySourceError(_NEEDS_BOTO3)
    import boto3  # type: ignore[import-untyped]

    client = boto3.session.Session().client("secretsmanager", region_name=region,
                                            config=client_config())
    with _lock:
        _clients[ident] = client
    return client


def _code(error: Any) -> tuple[str, int]:
    response = getattr(error, "response", {}) or {}
    code = str(response.get("Error", {}).get("Code", ""))
    status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    return code, status


def _failure(error: Exception, loc: Location, action: str) -> KeySourceError:
    """One line naming the URL and the AWS code; never ``str(error)``."""
    from botocore import exceptions as bx  # type: ignore[import-untyped]

    if isinstance(error, bx.ClientError):
        code, status = _code(error)
        if code in REFUSED_CODES or code.startswith("AccessDenied") or status in (401, 403):
            return KeySourceError(f"{loc.url}: AWS refused the credentials or access "
                                  f"({code or status})", hint=NO_CREDENTIALS_HINT)
        return KeySourceError(f"{loc.url}: Secrets Manager could not {action} "
                              f"({code or status or 'error'})")
    if isinstance(error, bx.NoCredentialsError):
        return KeySourceError(f"no AWS credentials found for {loc.url}",
                              hint=NO_CREDENTIALS_HINT)
    if unreachable(error):
        return KeySourceError(f"cannot reach AWS Secrets Manager for {loc.url}",
                              hint="check the network, or AWS_ENDPOINT_URL if you set it")
    return KeySourceError(f"{loc.url}: Secrets Manager could not {action} "
                          f"({type(error).__name__})", hint=NO_CREDENTIALS_HINT)


class AwsSmRemote(EntryReader):
    scheme = "awssm"
    example = EXAMPLE

    def parse(self, url: str) -> Location:
        text = url.strip()
        rest = text[len("awssm://"):] if text.lower().startswith("awssm://") else ""
        region, _, prefix = rest.partition("/")
        segments = [s for s in prefix.split("/") if s]
        if not _REGION.fullmatch(region):
            raise UsageError(f"{text[:100]!r} does not name an AWS region after awssm://",
                             hint=f"write it like {EXAMPLE}")
        if not all(is_name(s) for s in segments) or "?" in text or "#" in text:
            raise UsageError(f"{text[:100]!r}: the prefix is not a path of plain names",
                             hint=f"write it like {EXAMPLE}")
        return Location(text, self.scheme, region, "", "/".join(segments))

    def unusable(self) -> str | None:
        return _NEEDS_BOTO3 if boto3_missing() else None

    def _call(self, loc: Location, action: str, method: str, **kwargs: Any) -> Any:
        client = _client(loc.address)
        from botocore.exceptions import (  # type: ignore[import-untyped]
            BotoCoreError,
            ClientError,
        )

        try:
            return getattr(client, method)(**kwargs)
        except ClientError as error:
            if _code(error)[0] in _ABSENT and action in ("read", "delete"):
                return None
            raise _failure(error, loc, action) from None
        except BotoCoreError as error:
            raise _failure(error, loc, action) from None
        except ValueError:  # botocore: an invalid endpoint; never echoed
            raise KeySourceError(f"cannot use AWS Secrets Manager for {loc.url}: invalid "
                                 "endpoint or setting (check AWS_ENDPOINT_URL)") from None

    # -- entries --------------------------------------------------------------------------

    def names(self, loc: Location) -> list[str]:
        start = f"{loc.prefix}/" if loc.prefix else ""
        found: list[str] = []
        token: str | None = None
        while True:
            page = self._call(loc, "list", "list_secrets", MaxResults=100,
                              **({"NextToken": token} if token else {}),
                              **({"Filters": [{"Key": "name", "Values": [start]}]}
                                 if start else {}))
            for entry in page.get("SecretList", []):
                name = str(entry.get("Name", ""))
                rest = name[len(start):]
                if name.startswith(start) and is_name(rest) and not entry.get("DeletedDate"):
                    found.append(rest)
            token = page.get("NextToken")
            if not token:
                return sorted(set(found))

    def _tags(self, loc: Location, secret_id: str) -> dict[str, str] | None:
        info = self._call(loc, "read", "describe_secret", SecretId=secret_id)
        if info is None or info.get("DeletedDate"):
            return None
        tags = {str(t.get("Key")): str(t.get("Value")) for t in info.get("Tags", [])}
        tags["updated"] = str(info.get("LastChangedDate") or "")
        return tags

    def _entry(self, loc: Location, name: str, env: str) -> Entry | None:
        """The masked entry, its LastChangedDate, and its env / managed tags."""
        secret_id = loc.path(check_name(loc, name))
        tags = self._tags(loc, secret_id)
        if tags is None:
            return None
        answer = self._call(loc, "read", "get_secret_value", SecretId=secret_id)
        if answer is None:
            return None
        built = _secret_of(name, env, answer, tags, loc.entry(name))
        del answer  # a malformed entry's error leaves without the value in this frame
        if isinstance(built, FormatError):
            raise built
        return (built, tags.get("updated", ""), tags.get(TAG_ENV) or None,
                tags.get(TAG_MANAGED) == "true")

    @scrubbed  # an error leaves without the frames that hold the value
    def write(self, loc: Location, secret: Secret) -> None:
        secret_id = loc.path(check_name(loc, secret.name))
        text = json.dumps(to_payload(secret))
        tags = [{"Key": TAG_MANAGED, "Value": "true"}, {"Key": TAG_ENV, "Value": secret.env},
                {"Key": TAG_SHAPE, "Value": shape_of(secret)}]
        if secret.schema:
            tags.append({"Key": TAG_SCHEMA, "Value": secret.schema})
        info = self._call(loc, "read", "describe_secret", SecretId=secret_id)
        if info is None:
            self._call(loc, "write", "create_secret", Name=secret_id, SecretString=text,
                       Tags=tags)
            return
        if info.get("DeletedDate"):
            self._call(loc, "write", "restore_secret", SecretId=secret_id)
        self._call(loc, "write", "put_secret_value", SecretId=secret_id, SecretString=text)
        self._call(loc, "write", "tag_resource", SecretId=secret_id, Tags=tags)
        if not secret.schema:
            self._call(loc, "write", "untag_resource", SecretId=secret_id,
                       TagKeys=[TAG_SCHEMA])

    def delete(self, loc: Location, name: str) -> None:
        secret_id = loc.path(check_name(loc, name))
        info = self._call(loc, "read", "describe_secret", SecretId=secret_id)
        if info is None or info.get("DeletedDate"):
            return  # absent, or already scheduled for deletion
        self._call(loc, "delete", "delete_secret", SecretId=secret_id,
                   RecoveryWindowInDays=RECOVERY_DAYS)


def _secret_of(name: str, env: str, answer: dict[str, Any], tags: dict[str, str],
               where: str) -> Secret | FormatError:
    """The Secret of a GetSecretValue answer, or the error to raise (returned without
    frames, which hold the value). A JSON object is a group (or ``{"value": …}``); any
    other text is one value."""
    text = answer.get("SecretString")
    if text is None and answer.get("SecretBinary") is not None:
        return FormatError(f"{where}: the secret is binary (SecretBinary)",
                           hint="secretsfile reads text secrets: store it as SecretString")
    text = str(text or "")
    if len(text) > MAX_SECRET_STRING or len(text.encode("utf-8", "surrogatepass")
                                           ) > MAX_SECRET_STRING:
        return FormatError(f"{where}: the SecretString is over "
                           f"{MAX_SECRET_STRING // 1024} KiB", hint="store a smaller secret")
    try:
        payload = json.loads(text) if text.lstrip()[:1] in ("{", "[", '"') else text
    except ValueError:  # its message and .doc hold the text: not JSON, so plain text
        payload = text
    except RecursionError:  # bounded by MAX_SECRET_STRING
        return FormatError(f"{where}: the SecretString is JSON nested too deeply",
                           hint="a secret is one value or one level of key/value pairs")
    if isinstance(payload, str):
        return Secret(name, env, payload)
    try:
        return from_payload(name, env, payload, tags.get(TAG_SCHEMA) or None, where,
                            tags.get(TAG_SHAPE))
    except FormatError as error:
        without_frames(error)
        return error


BACKEND: Remote = AwsSmRemote()
