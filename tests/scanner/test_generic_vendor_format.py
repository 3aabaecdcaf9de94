"""Generic rules step aside for vendor formats and read config values as literals (issue 13).

The vendor secrets come from the vendor rules' own true samples, so no token is written twice.
"""

from __future__ import annotations

from functools import cache

import pytest

from secretsfile.scanner.engine import Scanner
from secretsfile.scanner.rules import BUILTIN_RULES

# Prefixes added by issue 13's vendor rules; each must be judged by its vendor rule alone.
PREFIXES = (
    "SWMKEY-1-", "dp.", "cio", "aio_", "00D", "3MVG9", "5Aep861", "pat-", "pat.", "sat.", "CFPAT-", "ddp_",
    "ddw_", "figd_", "fio-u-", "dG9rOj", "dG9rOm", "pscale_", "pnu_", "rdme_", "tfp_", "sdk-", "y0_", "AQVN",
    "sl.u.", "IGQVJ", "akab-", "rootly_", "bkua_", "CCIPAT_", "BBDC-", "duffel_", "EZAK", "EZTK", "shippo_",
    "live_", "oauth:",
)


@cache
def _everything() -> Scanner:
    return Scanner(list(BUILTIN_RULES))


def _vendor_secret(prefix: str) -> tuple[str, str]:
    """(rule id, secret) of the first vendor true sample whose secret starts with ``prefix``."""
    for rule in BUILTIN_RULES:
        if "generic" in rule.tags:
            continue
        scanner = Scanner([rule])
        for sample in rule.true_samples:
            for finding in scanner.scan_text(sample, "sample.txt"):
                if finding.rule_id == rule.id and finding.secret.startswith(prefix):
                    return rule.id, finding.secret
    raise AssertionError(f"no vendor rule has a true sample starting with {prefix!r}")


def _rules(text: str, path: str = "config.env") -> list[str]:
    return [f.rule_id for f in _everything().scan_text(text, path)]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_generic_rules_leave_vendor_formats_to_the_vendor_rule(prefix: str) -> None:
    rule_id, secret = _vendor_secret(prefix)
    assert _rules(f"SERVICE_TOKEN={secret}\n") == [rule_id]
    assert _rules(f'service_token = "{secret}"\n', "settings.py") == [rule_id]
    # a malformed look-alike (cut short) is the vendor rule's call, not a generic finding
    cut = secret[: max(len(prefix) + 12, len(secret) * 2 // 3)]
    assert not [r for r in _rules(f"SERVICE_TOKEN={cut}\n") if r.startswith("generic")]


def test_airtable_and_okta_header_values_are_not_generic() -> None:
    assert _rules("AIRTABLE_TOKEN=patAbCdEfGh123456.0f\n") == []
    assert not [r for r in _rules('auth_header = "SSWS 00Fk7fitIQlPFE9E6HQ6"\n') if r.startswith("generic")]


def test_a_flag_after_an_angle_placeholder_is_not_a_value() -> None:
    text = "kubeadm join 10.0.0.5:6443 --token <token> --discovery-token-ca-cert-hash sha256:0f3c9a\n"
    assert _rules(text, "join.sh") == []
    assert _rules("<apiKey>b5bb289002bff1ba29d454a204f409c7</apiKey>\n", "app.xml") == ["generic-secret-unquoted"]


def test_otpauth_uri_is_reported_once() -> None:
    found = _rules("otpauth://totp/Corp:alice?secret=KZ4TQM2PLX7WRN5VB3HJ&issuer=Corp\n", "notes.txt")
    assert not [r for r in found if r.startswith("generic")]


@pytest.mark.parametrize("path", ["app.ini", ".env", "config.properties", ".env.production", "my.cnf"])
def test_dotted_value_in_config_files_is_a_literal(path: str) -> None:
    found = _everything().scan_text("[db]\npassword = hyqj1.KAkufHZimpL1\n", path)
    assert [(f.rule_id, f.secret) for f in found] == [("generic-password-unquoted", "hyqj1.KAkufHZimpL1")]


@pytest.mark.parametrize(
    ("path", "text"),
    [("main.tf", "password = var.db_password\n"), ("app.yaml", "password: config.db_password\n"),
     ("app.ini", "password = settings.db_password\n")],
)
def test_attribute_paths_stay_references(path: str, text: str) -> None:
    assert _rules(text, path) == []


@pytest.mark.parametrize(
    "text",
    ['my_password_secure = "Kq7#vLx2mR9pTz4w"', 'apikey_myservice: "Wq8zLm3xRt7vKp2nJs5y"', 'db_pass_secure := "Hy6#pL3vQz9kXw2m"'],
)
def test_metadata_word_must_be_a_whole_name_segment(text: str) -> None:
    assert [r for r in _rules(text + "\n", "settings.py") if r.startswith("generic")]


@pytest.mark.parametrize(
    "text",
    ['token_type = "Wq8zLm3xRt7vKp2nJs5y"', 'tokenType = "Wq8zLm3xRt7vKp2nJs5y"', 'passwordhash = "Kq7vLx2mR9pTz4wQ"',
     'secret_name = "Wq8zLm3xRt7vKp2nJs5y"', 'API_KEY_ID = "Wq8zLm3xRt7vKp2nJs5y"'],
)
def test_metadata_names_stay_metadata(text: str) -> None:
    assert _rules(text + "\n", "settings.py") == []
