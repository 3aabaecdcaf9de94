"""The key-free plaintext guard, on hand-written files and on files the real sops wrote."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from secretsfile.core.tree import Selector, must_encrypt
from secretsfile.errors import ConfigError
from secretsfile.ops.guard import check_bytes
from secretsfile.ops.guard_policy import build_policy, read_exceptions
from secretsfile.stores.registry import sops_format_for_name

ENC = "ENC[AES256_GCM,data:Zm9v,iv:MDEyMzQ1Njc4OWFi,tag:MDEyMzQ1Njc4OWFiY2RlZg==,type:str]"
META_YAML = (
    "sops:\n    age:\n        - recipient: age1xyz\n    lastmodified: '2026-01-01T00:00:00Z'\n"
    f"    mac: {ENC}\n    version: 3.11.0\n"
)


def test_encrypted_yaml_passes() -> None:
    text = (
        f"db:\n    password: {ENC}\n    empty: ''\n    nothing: null\nport_unencrypted: 5432\n"
        + META_YAML
    )
    result = check_bytes(text.encode(), "secrets/dev.yaml")
    assert result.ok, result.messages()


def test_plain_yaml_fails_without_metadata() -> None:
    result = check_bytes(b"db:\n  password: hunter2\n", "secrets/prod.yaml")
    assert not result.ok and not result.encrypted
    assert result.messages() == ["not encrypted (no sops metadata)"]


def test_plaintext_value_in_an_encrypted_file_is_reported_by_path_only() -> None:
    text = (
        f"db:\n    password: hunter2-PLANTED\n    user: {ENC}\nlist:\n    - 1\n    - {ENC}\n"
        + META_YAML
    )
    result = check_bytes(text.encode(), "s.yaml")
    assert result.encrypted and not result.ok
    assert result.plaintext == ('["db"]["password"]', '["list"][0]')
    assert "hunter2" not in " ".join(result.messages())


@pytest.mark.parametrize(
    ("selector", "allowed"),
    [
        ("unencrypted_suffix: _pub", ["host_pub"]),
        ("encrypted_suffix: _secret", ["host", "port", "host_pub"]),
        ("unencrypted_regex: ^(host|port)$", ["host", "port"]),
        ("encrypted_regex: ^password$", ["host", "port", "host_pub"]),
    ],
)
def test_selectors(selector: str, allowed: list[str]) -> None:
    leaves = {"host": "db.local", "port": 5432, "host_pub": "x", "password": ENC}
    body = "".join(f"{k}: {v}\n" for k, v in leaves.items())
    text = body + META_YAML.replace("    version:", f"    {selector}\n    version:")
    result = check_bytes(text.encode(), "s.yaml")
    plain = {p.strip('[]"') for p in result.plaintext}
    assert plain == {"host", "port", "host_pub"} - set(allowed)


def test_selector_applies_to_any_path_component() -> None:
    suffix = Selector("unencrypted_suffix", "_unencrypted")
    assert must_encrypt(suffix, ["a_unencrypted", "b"]) is False
    assert must_encrypt(Selector("encrypted_regex", "^data$"), ["data", "x"]) is True
    assert must_encrypt(Selector("encrypted_comment_regex", "x"), ["a"]) is None


def test_several_selectors_is_invalid_metadata() -> None:
    text = "a: 1\n" + META_YAML.replace(
        "    version:", "    encrypted_regex: a\n    unencrypted_regex: b\n    version:"
    )
    assert "only one encryption selector" in (check_bytes(text.encode(), "s.yaml").problem or "")


def test_json_dotenv_ini_and_binary_stores() -> None:
    meta_json = f'"sops": {{"mac": "{ENC}", "version": "3.11.0", "lastmodified": "x"}}'
    assert check_bytes(f'{{"a": "{ENC}", {meta_json}}}'.encode(), "s.json").ok
    assert check_bytes(f'{{"a": "plain", {meta_json}}}'.encode(), "s.json").plaintext == ('["a"]',)
    assert check_bytes(f'{{"data": "{ENC}", {meta_json}}}'.encode(), "secrets/cert.pem").ok
    dotenv = f"# comment\nA={ENC}\nB_unencrypted=1\nsops_mac={ENC}\nsops_version=3.11.0\n"
    assert check_bytes(dotenv.encode(), "prod.env").ok
    assert check_bytes(b"A=plain\n", "prod.env").problem == "not encrypted (no sops metadata)"
    ini = f"[db]\npassword = {ENC}\nhost = x\n[sops]\nmac = {ENC}\nversion = 3.11.0\n"
    assert check_bytes(ini.encode(), "s.ini").plaintext == ('["db"]["host"]',)


def test_only_a_well_formed_enc_value_counts_as_encrypted() -> None:
    # the prefix alone passed: ENC[AES256_GCM,<plaintext>] is refused by sops (R2 F5)
    meta = f"sops:\n    mac: {ENC}\n    version: 3.11.0\n"
    for fake in ("ENC[AES256_GCM,hunter2hunter2]", ENC[:-1] + "] trailing", ENC.replace(
            "type:str", "type:evil")):
        result = check_bytes(f"password: '{fake}'\n{meta}".encode(), "s.yaml")
        assert result.plaintext == ('["password"]',), fake
    fake_mac = "sops:\n    mac: ENC[AES256_GCM,x]\n    version: 3.11.0\n"
    result = check_bytes(f"password: {ENC}\n{fake_mac}".encode(), "s.yaml")
    assert result.problem == "invalid sops metadata (no encrypted mac)"


def test_an_unknown_metadata_field_is_not_a_hiding_place() -> None:
    # R3: `sops_db_password=…` in an encrypted .env (or a field under sops:) passed
    dotenv = f"A={ENC}\nsops_mac={ENC}\nsops_version=3.11.0\nsops_db_password=Tr0ub4dor\n"
    assert check_bytes(dotenv.encode(), "prod.env").problem == (
        "invalid sops metadata (unknown field 'db_password': not a field sops writes)")
    yaml = f"a: {ENC}\nsops:\n    mac: {ENC}\n    version: 3.11.0\n    github_token: x\n"
    assert not check_bytes(yaml.encode(), "s.yaml").ok


def test_ini_is_read_as_sops_reads_it() -> None:
    # configparser took an indented line for a continuation of the encrypted value above
    # and let the last of two equal keys win: both hid a plaintext value (R2 F6)
    meta = f"[sops]\nmac = {ENC}\nversion = 3.11.0\n"
    indented = f"[db]\npassword = {ENC}\n  token = hunter2hunter2\n" + meta
    assert check_bytes(indented.encode(), "s.ini").plaintext == ('["db"]["token"]',)
    twice = f"[db]\npassword = hunter2\npassword = {ENC}\n" + meta
    assert (check_bytes(twice.encode(), "s.ini").problem or "").startswith("not valid INI")
    assert check_bytes(b"[db]\npassword = x\npassword = y\n", "s.ini").problem == (
        "not encrypted (no sops metadata)")


def test_unparsable_and_empty_files_fail() -> None:
    assert "not valid YAML" in (check_bytes(b"a: [1\n", "s.yaml").problem or "")
    assert "not valid JSON" in (check_bytes(b"{", "s.json").problem or "")
    for text in (b"-----BEGIN PRIVATE KEY-----\nMIIB: x: y\n", b"{", b"- [a\n"):  # not JSON/YAML
        assert check_bytes(text, "secrets/k.pem").problem == "not encrypted (no sops metadata)"
    assert not check_bytes(b"", "s.yaml").ok
    assert not check_bytes(b"\xff\xfe\x00", "s.yaml").ok
    assert "no encrypted mac" in (
        check_bytes(b"a: 1\nsops:\n  version: 3\n", "s.yaml").problem or ""
    )


def test_file_format_follows_sops() -> None:
    names = ("a.yaml", "a.yml", "a.YML", "a.json", "a.env", "a.ini", ".env.local", "a.INI")
    assert [sops_format_for_name(n) for n in names] == [
        "yaml", "yaml", "binary", "json", "dotenv", "ini", "binary", "binary"]


def test_default_policy(tmp_path: Path) -> None:
    policy = build_policy(tmp_path, [], [], [])
    yes = [
        "secrets/prod.yaml",
        "app/secrets/dev.json",
        "secrets/x.env",
        "config.enc.yaml",
        "a/b.sops.json",
    ]
    no = ["secrets/readme.md", "secrets/sub/x.yaml", "src/app.py", "secretsfile.yaml"]
    assert all(policy.requires(tmp_path / p) for p in yes)
    assert not any(policy.requires(tmp_path / p) for p in no)


def test_configured_policy(tmp_path: Path) -> None:
    policy = build_policy(
        tmp_path, [(tmp_path, "conf/dev.yaml")], [(tmp_path / "k8s", r"\.secret\.ya?ml$")], ["x"]
    )
    assert policy.requires(tmp_path / "conf/dev.yaml")
    assert policy.requires(tmp_path / "k8s/app.secret.yaml")
    assert not policy.requires(tmp_path / "other/app.secret.yaml")  # relative to the rule's dir
    assert not policy.requires(tmp_path / "secrets/prod.yaml")  # defaults are off with a config


def test_every_file_below_an_environments_directory_is_required(tmp_path: Path) -> None:
    policy = build_policy(tmp_path, [(tmp_path, "secrets/dev.yaml")], [], ["x"])
    required = ["secrets/internal.yaml", "secrets/team/ops.json", "secrets/token.txt",
                "secrets/tls.pem", "secrets/.env.prod", "secrets/internal.ini"]  # fmt: skip
    exempt = ["secrets/README.md", "secrets/readme", "secrets/.gitkeep", "secrets/.gitignore",
              "secrets/.gitattributes", "secrets/.sops.yaml", "secretsx/a.yaml",
              "app.yaml"]  # fmt: skip
    assert [p for p in required if not policy.requires(tmp_path / p)] == []
    assert [p for p in exempt if policy.requires(tmp_path / p)] == []


def test_an_environment_file_at_the_root_does_not_claim_the_whole_project(tmp_path: Path) -> None:
    policy = build_policy(tmp_path, [(tmp_path, "prod.yaml")], [], ["x"])
    assert policy.requires(tmp_path / "prod.yaml")
    assert not policy.requires(tmp_path / "app.yaml")


def test_exceptions_are_globs_relative_to_the_config(tmp_path: Path) -> None:
    raw = {"check_encrypted": {"exclude_paths": ["secrets/*.example.yaml", "notes/", "x.txt"]}}
    exceptions = read_exceptions(raw, tmp_path / ".secretsfile.yaml")
    policy = build_policy(
        tmp_path,
        [(tmp_path, "secrets/dev.yaml"), (tmp_path, "secrets/x.txt")],
        [(tmp_path, r"^notes/")],
        ["x"],
        exceptions,
    )
    assert not policy.requires(tmp_path / "secrets/app.example.yaml")
    assert policy.requires(tmp_path / "secrets/sub/app.example.yaml")  # '/' anchors the glob
    assert not policy.requires(tmp_path / "notes/a.yaml")  # creation rules yield too
    assert policy.requires(tmp_path / "secrets/x.txt")  # an environment's file never does
    assert policy.requires(tmp_path / "secrets/internal.yaml")


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (["secrets/README.md"], "check_encrypted must be a mapping"),
        ({"exclude": ["a"]}, "check_encrypted: unknown key 'exclude'"),
        ({"exclude_paths": [1]}, "check_encrypted.exclude_paths must be a list of strings"),
    ],
)
def test_malformed_exceptions_are_config_errors(
    tmp_path: Path, section: object, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        read_exceptions({"check_encrypted": section}, tmp_path / ".secretsfile.yaml")
    assert caught.value.message == message
    assert caught.value.path == str(tmp_path / ".secretsfile.yaml")


@pytest.mark.skipif(shutil.which("sops") is None, reason="sops binary not installed")
@pytest.mark.parametrize("name", ["secret.yaml", "secret.json", "secret.env"])
def test_files_encrypted_by_real_sops_pass(tmp_path: Path, name: str) -> None:
    import pyrage

    identity = pyrage.x25519.Identity.generate()
    plain = {
        "secret.yaml": "db:\n  password: hunter2\n  port: 5432\nport_unencrypted: 1\n",
        "secret.json": '{"db": {"password": "hunter2", "n": [1, 2.5, true]}}',
        "secret.env": "PASSWORD=hunter2\nEMPTY=\n",
    }[name]
    path = tmp_path / name
    path.write_text(plain)
    env = {**os.environ, "SOPS_AGE_RECIPIENTS": str(identity.to_public())}
    done = subprocess.run(
        ["sops", "encrypt", "--in-place", str(path)], env=env, capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr
    result = check_bytes(path.read_bytes(), name)
    assert result.ok, result.messages()
    assert not check_bytes(plain.encode(), name).ok
