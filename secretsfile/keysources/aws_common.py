"""What every AWS caller shares (KMS master keys, STS roles, the Secrets Manager remote):
bounded client settings, the codes that mean "refused", the credentials hint, and which
botocore failures mean "cannot reach AWS". boto3/botocore load only when called."""

from __future__ import annotations

TYPE_CHECKING = False  # typing's flag without importing typing (issue 14); mypy knows it
if TYPE_CHECKING:
    from typing import Any

__all__ = ["NO_CREDENTIALS_HINT", "REFUSED_CODES", "boto3_missing", "client_config",
           "unreachable"]  # fmt: skip

NO_CREDENTIALS_HINT = ("set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY), "
                       "or run 'aws configure'")
REFUSED_CODES = frozenset({"AccessDeniedException", "AccessDenied", "UnrecognizedClientException",
                           "InvalidSignatureException", "ExpiredTokenException",
                           "InvalidClientTokenId", "SignatureDoesNotMatch"})  # fmt: skip


def boto3_missing() -> bool:
    from importlib.util import find_spec

    try:
        return find_spec("boto3") is None
    except (ImportError, ValueError):
        return True


def client_config() -> Any:
    """botocore's settings for every AWS client (KMS, STS, Secrets Manager): bounded."""
    from botocore.config import Config  # type: ignore[import-untyped]

    return Config(connect_timeout=5, read_timeout=10, retries={"max_attempts": 2})


def unreachable(error: Exception) -> bool:
    """Whether ``error`` is botocore's "no answer from AWS" (connection refused or closed, a
    timeout): the network or the endpoint setting is at fault, not the credentials."""
    from botocore import exceptions as bx  # type: ignore[import-untyped]

    return isinstance(error, (bx.EndpointConnectionError, bx.ConnectTimeoutError,
                              bx.ReadTimeoutError, bx.ConnectionClosedError))
