"""SHA-256, SHA-512 and HMAC-SHA256 without loading OpenSSL.

``import hashlib`` (and ``hmac``, which imports it) loads OpenSSL's libcrypto, ~2-3 ms of a
hot command's start-up (issue 14), for hashing a few kilobytes: the MAC over the values
(SHA-512) and the structure tag (HMAC-SHA256). CPython's own built-in modules hash that as
fast; where a build lacks them, hashlib is used. HMAC is RFC 2104 over these (the tests
check it against ``hmac``)."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # the same signatures as hashlib's and hmac's
    from hashlib import sha256, sha512
    from hmac import compare_digest
else:
    try:  # Python 3.12+
        from _sha2 import sha256, sha512
    except ImportError:
        try:
            from _sha256 import sha256
            from _sha512 import sha512
        except ImportError:  # pragma: no cover - a build without the built-in hashes
            from hashlib import sha256, sha512
    try:
        from _operator import _compare_digest as compare_digest
    except ImportError:  # pragma: no cover - not CPython
        from hmac import compare_digest

__all__ = ["compare_digest", "hmac_sha256", "sha256", "sha512"]

_BLOCK = 64  # SHA-256's block size in bytes
_INNER = bytes(x ^ 0x36 for x in range(256))
_OUTER = bytes(x ^ 0x5C for x in range(256))


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    """HMAC-SHA256(key, message), as ``hmac.new(key, message, hashlib.sha256).digest()``."""
    if len(key) > _BLOCK:
        key = sha256(key).digest()
    key = key.ljust(_BLOCK, b"\0")
    inner = sha256(key.translate(_INNER) + message).digest()
    return sha256(key.translate(_OUTER) + inner).digest()
