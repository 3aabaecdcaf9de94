"""keysources.aws_common: what KMS keys and the Secrets Manager remote share (their
failures against a real moto server are in test_kms.py and tests/remotes)."""

from __future__ import annotations

import pytest

from secretsfile.keysources import aws_common


def test_client_config_bounds_every_aws_client() -> None:
    pytest.importorskip("botocore")
    config = aws_common.client_config()  # KMS, STS and Secrets Manager share it
    assert (config.connect_timeout, config.read_timeout) == (5, 10)
    assert config.retries == {"max_attempts": 2}


def test_unreachable_means_no_answer_not_a_refusal() -> None:
    bx = pytest.importorskip("botocore.exceptions")
    assert aws_common.unreachable(bx.EndpointConnectionError(endpoint_url="http://127.0.0.1:9"))
    assert aws_common.unreachable(bx.ConnectTimeoutError(endpoint_url="http://127.0.0.1:9"))
    refused = bx.ClientError({"Error": {"Code": "AccessDeniedException"}}, "Decrypt")
    assert "AccessDeniedException" in aws_common.REFUSED_CODES
    assert not aws_common.unreachable(refused)
    assert not aws_common.unreachable(bx.NoCredentialsError())
