"""core.digests: the built-in hashes and HMAC-SHA256 give what hashlib and hmac give."""

from __future__ import annotations

import hashlib
import hmac
import os

import pytest

from secretsfile.core.digests import compare_digest, hmac_sha256, sha256, sha512


@pytest.mark.parametrize("key_size", [0, 1, 32, 63, 64, 65, 200])
def test_hmac_sha256_matches_the_standard_library(key_size: int) -> None:
    key, message = os.urandom(key_size), os.urandom(3 * key_size + 1)
    assert hmac_sha256(key, message) == hmac.new(key, message, hashlib.sha256).digest()


def test_hashes_match_hashlib() -> None:
    data = os.urandom(10_000)
    assert sha256(data).digest() == hashlib.sha256(data).digest()
    running = sha512()
    running.update(data[:77])
    running.update(data[77:])
    assert running.hexdigest() == hashlib.sha512(data).hexdigest()
    assert compare_digest(b"abc", b"abc") and not compare_digest(b"abc", b"abd")
