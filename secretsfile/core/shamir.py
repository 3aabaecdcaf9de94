"""Shamir secret sharing over GF(2^8), as sops uses it for several key groups.

Share i of n is the polynomial evaluated at x = i + 1; a share is 32 y-bytes followed by
its x byte (33 bytes for a 32-byte data key). Combining interpolates at x = 0.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from secretsfile.errors import IntegrityError


def _mul(a: int, b: int) -> int:
    result = 0
    while b:
        if b & 1:
            result ^= a
        a <<= 1
        if a & 0x100:
            a ^= 0x11B
        b >>= 1
    return result


def _inverse(a: int) -> int:
    # a^254 = a^-1 in GF(2^8)
    result, power, exponent = 1, a, 254
    while exponent:
        if exponent & 1:
            result = _mul(result, power)
        power = _mul(power, power)
        exponent >>= 1
    return result


def split(secret: bytes, parts: int, threshold: int,
          random: Callable[[int], bytes] = os.urandom) -> list[bytes]:  # fmt: skip
    if not 2 <= threshold <= parts <= 255:
        raise ValueError("Shamir needs 2 <= threshold <= parts <= 255")
    shares = [bytearray() for _ in range(parts)]
    for byte in secret:
        coefficients = [byte, *random(threshold - 1)]
        for index in range(parts):
            x, y = index + 1, 0
            for coefficient in reversed(coefficients):  # Horner
                y = _mul(y, x) ^ coefficient
            shares[index].append(y)
    return [bytes(share) + bytes([index + 1]) for index, share in enumerate(shares)]


def combine(shares: list[bytes]) -> bytes:
    if len(shares) < 2:
        raise IntegrityError("Shamir needs at least two parts to recover the data key")
    if any(len(share) < 2 for share in shares):  # a file can hold an empty share
        raise IntegrityError("a Shamir part is empty or truncated")
    xs = [share[-1] for share in shares]
    if 0 in xs:
        raise IntegrityError("a Shamir part has x = 0 (not a share sops writes)")
    if len(set(xs)) != len(xs) or len({len(s) for s in shares}) != 1:
        raise IntegrityError("the Shamir parts are inconsistent (duplicate or mixed lengths)")
    secret = bytearray()
    for position in range(len(shares[0]) - 1):
        value = 0
        for i, share in enumerate(shares):
            basis = 1
            for j, x_j in enumerate(xs):
                if i != j:
                    basis = _mul(basis, _mul(x_j, _inverse(xs[i] ^ x_j)))
            value ^= _mul(share[position], basis)
        secret.append(value)
    return bytes(secret)
