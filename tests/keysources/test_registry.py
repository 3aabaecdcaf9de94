"""The registry: unknown kinds, sops key types without a backend, and laziness."""

from __future__ import annotations

import subprocess
import sys

import pytest

from secretsfile.core.metadata import MasterKey
from secretsfile.errors import KeySourceError
from secretsfile.keysources import registry


def test_unknown_kind_names_the_supported_ones() -> None:
    with pytest.raises(KeySourceError, match="supported: age, pgp, fernet"):
        registry.get("gcp_kms")


def test_sops_key_types_without_a_backend_are_read_and_described() -> None:
    assert registry.config_fields()["hc_vault_transit_uri"] == "hc_vault"
    assert registry.config_recipients("gcp_kms", [{"resource_id": "projects/x"}]) == [
        ("gcp_kms", "projects/x")]
    key = MasterKey("pgp", {"fp": "ABCDEF", "enc": "x"})
    assert registry.describe(key) == "pgp ABCDEF"
    assert registry.describe(MasterKey("gcp_kms", {})) == "gcp_kms"


def test_unclaimed_recipient_lists_every_syntax() -> None:
    with pytest.raises(KeySourceError) as caught:
        registry.parse_recipient("hello")
    assert "age1…" in str(caught.value) and "fernet:<key id>" in str(caught.value)


def test_questions_about_keys_load_no_crypto_library() -> None:
    code = ("import sys; from secretsfile.keysources import registry as r; "
            "r.parse_recipient('fernet:x'); r.config_fields(); r.key_variable_prefixes(); "
            "r.cli_options(); print(sorted(m for m in ('pyrage', 'cryptography') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
