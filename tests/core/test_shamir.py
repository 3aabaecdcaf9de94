"""Shamir over GF(2^8) the sops way: x = index + 1, 33-byte shares, any threshold subset."""

from __future__ import annotations

import itertools
import os

import pytest

from secretsfile.core import shamir
from secretsfile.errors import IntegrityError


def test_any_threshold_subset_recovers_the_key() -> None:
    secret = os.urandom(32)
    shares = shamir.split(secret, 5, 3)
    assert [len(s) for s in shares] == [33] * 5
    assert [s[-1] for s in shares] == [1, 2, 3, 4, 5]
    for subset in itertools.combinations(shares, 3):
        assert shamir.combine(list(subset)) == secret
    assert shamir.combine(shares) == secret  # all parts are used, as sops does
    assert shamir.combine(shares[:2]) != secret  # below threshold: garbage, not the key


def test_known_vector_gf256_aes_polynomial() -> None:
    # degree-1 polynomial with constant 0x53 and slope 0xCA: f(1) = 0x53^0xCA, f(2) = 0x53^(2*0xCA)
    shares = shamir.split(bytes([0x53]), 2, 2, random=lambda n: bytes([0xCA]))
    assert shares == [bytes([0x53 ^ 0xCA, 1]), bytes([0x53 ^ 0x8F, 2])]  # 2*0xCA = 0x8F mod 0x11B
    assert shamir.combine(shares) == bytes([0x53])


def test_invalid_parameters() -> None:
    with pytest.raises(ValueError):
        shamir.split(bytes(32), 3, 1)
    with pytest.raises(IntegrityError):
        shamir.combine([bytes(33)])
    with pytest.raises(IntegrityError):
        shamir.combine([bytes(32) + b"\x01", bytes(32) + b"\x01"])
