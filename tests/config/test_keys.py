"""Recipients in the config, parsed by the key source that owns their syntax."""

from __future__ import annotations

from pathlib import Path

import pytest

from secretsfile.config.project import load_project_config, load_sops_config
from secretsfile.errors import ConfigError

AGE = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"


def test_environment_recipients(tmp_path: Path) -> None:
    path = tmp_path / ".secretsfile.yaml"
    path.write_text(f"environments:\n  prod:\n    recipients: [{AGE}, 'fernet:0123abcd']\n")
    env = load_project_config(path).environment("prod")
    assert env.recipients == (("age", AGE), ("fernet", "0123abcd"))


FP = "28B52E586361585B18FB33F7F7611129C95C138B"  # a PGP fingerprint: read in upper case


def test_creation_rule_fields_and_key_groups(tmp_path: Path) -> None:
    path = tmp_path / ".sops.yaml"
    path.write_text(
        "creation_rules:\n"
        f"  - path_regex: a\n    age: '{AGE}, {AGE}'\n    fernet: [0123abcd]\n"
        f"    pgp: {FP.lower()}\n    hc_vault_transit_uri: http://127.0.0.1:8200/v1/transit/keys/k\n"
        f"  - shamir_threshold: 2\n    key_groups:\n      - age: [{AGE}]\n"
        "      - kms: [{arn: 'arn:aws:kms:eu-west-1:123456789012:key/x'}]\n"
    )
    first, second = load_sops_config(path)
    assert set(first.plan.groups[0]) == {("age", AGE), ("fernet", "0123abcd"), ("pgp", FP),
                                         ("hc_vault", "http://127.0.0.1:8200/v1/transit/keys/k")}
    kms_arn = "arn:aws:kms:eu-west-1:123456789012:key/x"
    assert second.plan.groups == ((("age", AGE),), (("kms", kms_arn),))
    assert second.plan.shamir_threshold == 2


@pytest.mark.parametrize("text", ["AGE-SECRET-KEY-1PLANTED", "not-a-key-PLANTED"])
def test_bad_recipient_is_a_config_error_without_the_secret(tmp_path: Path, text: str) -> None:
    path = tmp_path / ".secretsfile.yaml"
    path.write_text(f"environments:\n  prod:\n    recipients: ['{text}']\n")
    with pytest.raises(ConfigError) as caught:
        load_project_config(path)
    message = str(caught.value)
    assert "environment prod" in message and "is not a recipient" in message
    assert ("PLANTED" in message) is (not text.startswith("AGE-SECRET"))


@pytest.mark.parametrize(("rule", "message"), [
    ("key_groups: [abc]", "entry 1 key group 0: must be a map"),
    (f"key_groups: [{{age: [{AGE}]}}, 7]", "key group 1: must be a map"),
    ("key_groups: []", "key_groups must be a non-empty list"),
    ("key_groups: abc", "key_groups must be a non-empty list"),
    (f"key_groups: [{{age: [{AGE}]}}, {{}}]", "key group 1: names no recipient"),
    (f"key_groups: [{{age: [{AGE}]}}, {{age: [{AGE}]}}]\n    shamir_threshold: 3",
     "between 2 and 2 for 2 key groups (got 3)"),
    (f"key_groups: [{{age: [{AGE}]}}, {{age: [{AGE}]}}]\n    shamir_threshold: two",
     "shamir_threshold must be an integer"),
    (f"key_groups: [{{age: [{AGE}]}}, {{age: [{AGE}]}}]\n    shamir_threshold: -1",
     "between 2 and 2"),
])
def test_malformed_key_groups_are_refused_not_dropped(tmp_path: Path, rule: str,
                                                      message: str) -> None:
    path = tmp_path / ".sops.yaml"
    path.write_text(f"creation_rules:\n  - {rule}\n")
    with pytest.raises(ConfigError) as caught:
        load_sops_config(path)
    assert message in str(caught.value.message)
