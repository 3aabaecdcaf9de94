"""sops metadata is skipped only in sops documents, and only its known fields (R2 F4)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pyrage
import pytest

from secretsfile.keysources.interface import Recipient
from secretsfile.ops import files
from secretsfile.scanner.engine import Scanner
from secretsfile.scanner.model import Rule
from secretsfile.scanner.rules import BUILTIN_RULES
from secretsfile.scanner.sops_blocks import sops_block_lines

TOKEN = "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d"
PLAIN = {
    "yaml": "db:\n    user: admin\n    password: hunter2\n# a comment\nport: 5432\n",
    "json": '{"db": {"user": "admin", "password": "hunter2"}, "port": 5432}\n',
    "env": "USER=admin\nPASSWORD=hunter2\n",
    "ini": "[db]\nuser = admin\npassword = hunter2\n",
}
#: Anything long and base64-like: metadata not skipped shows up as a finding of this rule.
ANYTHING = Rule("anything", "d", r"[A-Za-z0-9+/=_-]{20,}", ())
SOPS = shutil.which("sops")


@pytest.fixture(scope="module")
def recipients() -> list[str]:
    return [str(pyrage.x25519.Identity.generate().to_public()) for _ in range(2)]


def ours(fmt: str, recipients: list[str], groups: bool = False) -> str:
    if groups:
        options = files.EncryptOptions(
            key_groups=tuple((Recipient("age", r),) for r in recipients), shamir_threshold=2
        )
    else:
        options = files.EncryptOptions(key_groups=(tuple(Recipient("age", r) for r in recipients),))
    return files.encrypt_text(PLAIN[fmt], f"s.{fmt}", options)


def by_sops(fmt: str, recipients: list[str], tmp_path: Path) -> str:
    if SOPS is None:
        pytest.skip("no sops binary")
    path = tmp_path / f"p.{fmt}"
    path.write_text(PLAIN[fmt])
    done = subprocess.run([SOPS, "encrypt", "--age", ",".join(recipients), str(path)],
                          capture_output=True, text=True, check=True, cwd=tmp_path,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})  # fmt: skip
    return done.stdout


def metadata_lines(fmt: str, text: str) -> set[int]:
    """Every line of the metadata as sops lays it out (JSON: inside the object)."""
    lines = text.split("\n")
    if fmt == "env":
        return {n for n, line in enumerate(lines, 1) if line.startswith("sops_")}
    marker = {"yaml": "sops:", "ini": "[sops]", "json": '    "sops": {'.replace("    ", "\t")}
    start = lines.index(marker[fmt]) + 1
    end = len(lines) - (2 if fmt == "json" else 0)
    return set(range(start + (fmt == "json"), end + 1))


def covered(text: str) -> set[int]:
    return {n for a, b in sops_block_lines(text) for n in range(a, b + 1)}


@pytest.mark.parametrize("fmt", list(PLAIN))
def test_files_sops_writes_are_skipped_whole(fmt: str, recipients: list[str],
                                             tmp_path: Path) -> None:  # fmt: skip
    text = by_sops(fmt, recipients, tmp_path)
    assert metadata_lines(fmt, text) - covered(text) <= {len(text.split("\n"))}
    assert Scanner(BUILTIN_RULES).scan_text(text, f"s.{fmt}") == []
    assert [f.line for f in Scanner((ANYTHING,)).scan_text(text, f"s.{fmt}")] == []


@pytest.mark.parametrize("groups", [False, True])
@pytest.mark.parametrize("fmt", list(PLAIN))
def test_files_secretsfile_writes_are_skipped_whole(fmt: str, groups: bool,
                                                    recipients: list[str]) -> None:  # fmt: skip
    text = ours(fmt, recipients, groups)
    assert metadata_lines(fmt, text) - covered(text) <= {len(text.split("\n"))}
    assert Scanner((ANYTHING, *BUILTIN_RULES)).scan_text(text, f"s.{fmt}") == []


def found(text: str, path: str) -> bool:
    return any(f.rule_id == "github-pat" for f in Scanner(BUILTIN_RULES).scan_text(text, path))


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (f"sops:\n  t: {TOKEN}\n", "a.yaml"),  # no mac, no version
        (f'sops_t = "{TOKEN}"\n', "b.py"),
        (json.dumps({"x": {"sops": {"t": TOKEN}}}), "c.json"),
        (f"a:\n  sops:\n    t: {TOKEN}\n", "d.yaml"),
    ],
)
def test_look_alikes_are_scanned(text: str, path: str) -> None:
    assert found(text, path)


def _yaml_with(recipients: list[str], old: str, new: str) -> str:
    text = ours("yaml", recipients)
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("    mac:", f"    github_token: {TOKEN}\n    mac:"),  # an unknown field
        ("    lastmodified:", f"  t: {TOKEN}\n    lastmodified:"),  # not at the field indent
        ("          enc: |", f"          enc: {TOKEN}\n          x: |"),  # not a wrapped key
        ("        - recipient: ", f"        - recipient: {TOKEN} "),  # text tacked on
        (
            "    unencrypted_suffix: _unencrypted",
            f"    unencrypted_suffix: _unencrypted\r  t: {TOKEN}",
        ),  # YAML: a line break
        (
            "    unencrypted_suffix: _unencrypted",
            f"    unencrypted_suffix: _unencrypted\x85t: {TOKEN}",
        ),
        ("    version:", f"\u3000t: {TOKEN}\n    version:"),  # not a YAML indent
        ("    version:", f"\tt: {TOKEN}\n    version:"),
        ("    version:", f"# note\n    t: {TOKEN}\n    version:"),
        ("    mac: ENC[AES256_GCM,", f"    unencrypted_regex: {TOKEN}\n    mac: ENC[AES256_GCM,x"),
    ],
)
def test_yaml_lines_that_are_no_metadata_are_scanned(recipients: list[str], old: str,
                                                     new: str) -> None:  # fmt: skip
    assert found(_yaml_with(recipients, old, new), "s.yaml")


def test_each_yaml_document_needs_its_own_valid_block(recipients: list[str]) -> None:
    good = ours("yaml", recipients)
    assert not found(good + "---\n" + good, "s.yaml")
    bad = f"a: 1\nsops:\n    t: {TOKEN}\n    version: 3.11.0\n"
    assert found(good + "---\n" + bad, "s.yaml")


def test_dotenv_ini_json_unknown_fields_are_scanned(recipients: list[str]) -> None:
    env = ours("env", recipients)
    assert found(env + f"sops_github_token={TOKEN}\n", "s.env")
    assert found(env + f"sops_age__list_0__map_token={TOKEN}\n", "s.env")
    assert found(env.replace("sops_version=", f"sops_version={TOKEN}\nX="), "s.env")
    assert found(ours("ini", recipients) + f"github_token = {TOKEN}\n", "s.ini")
    assert found(ours("ini", recipients) + f"[more]\nversion = {TOKEN}\n", "s.ini")
    doc = json.loads(ours("json", recipients))
    doc["sops"]["github_token"] = TOKEN
    assert found(json.dumps(doc, indent="\t"), "s.json")
    doc = json.loads(ours("json", recipients))
    doc["sops"]["mac"] = "ENC[AES256_GCM," + TOKEN + "]"
    doc["sops"]["lastmodified"] = TOKEN
    assert found(json.dumps(doc, indent="\t"), "s.json")


def test_json_block_must_close_the_document(recipients: list[str]) -> None:
    doc = json.loads(ours("json", recipients))
    meta = doc.pop("sops")
    meta["unencrypted_suffix"] = "x" * 24  # what a custom rule matches, on a metadata line
    opened = json.dumps({"sops": meta, "z": 1}, indent="\t")
    closing = json.dumps({"z": 1, "sops": meta}, indent="\t")
    assert Scanner((ANYTHING,)).scan_text(opened, "s.json") != []
    assert Scanner((ANYTHING,)).scan_text(closing, "s.json") == []
    # a built-in vendor rule reads metadata lines too: a token pasted into a field value
    # (R3) is reported; a real sops file holds no such shape
    meta["unencrypted_suffix"] = TOKEN
    assert found(json.dumps({"z": 1, "sops": meta}, indent="\t"), "s.json")


def test_crlf_files_keep_their_metadata_skipped(recipients: list[str]) -> None:
    for fmt in ("yaml", "env", "ini"):
        text = ours(fmt, recipients).replace("\n", "\r\n")
        assert Scanner((ANYTHING, *BUILTIN_RULES)).scan_text(text, f"s.{fmt}") == [], fmt


def test_a_vendor_token_is_reported_wherever_it_hides_in_a_sops_file(
        recipients: list[str]) -> None:
    # R3: values of known metadata fields, a *_regex line's comment, a KMS context, and a
    # token that is valid base64 inside an ENC value's data all hid it from the scanner
    text = ours("yaml", recipients)
    for planted in (f"    lastmodified: {TOKEN}\n", f"    unencrypted_regex: x  # {TOKEN}\n",
                    f"    kms:\n        - arn: arn:aws:kms:x\n          context:\n"
                    f"            team: {TOKEN}\n"):
        tampered = text.replace("    lastmodified:", planted + "    lastmodified:", 1)
        assert found(tampered, "s.yaml"), planted
    enc = ("ENC[AES256_GCM,data:AKIAZ7QW3RTY5UIOPL2K,iv:MDEyMzQ1Njc4OWFi,"
           "tag:MDEyMzQ1Njc4OWFiY2RlZg==,type:str]")
    findings = Scanner(BUILTIN_RULES).scan_text(f"key: {enc}\n" + text, "s.yaml")
    assert [f.rule_id for f in findings] == ["aws-access-key-id"]
