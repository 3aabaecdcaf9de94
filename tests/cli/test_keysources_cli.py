"""``secretsfile keysources list [--json]``: every registry backend plus the sops-only kinds."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from secretsfile.keysources import registry
from tests.cli.conftest import Runner


def test_json_lists_every_registry_backend_then_sops_only(run: Runner) -> None:
    result = run("keysources", "list", "--json")
    assert result.code == 0, result.stderr
    backends = json.loads(result.stdout)
    kinds = [b["kind"] for b in backends]
    assert kinds[:len(registry.BACKENDS)] == list(registry.BACKENDS)
    assert {"gcp_kms", "azure_kv", "hckms"} <= set(kinds[len(registry.BACKENDS):])
    for backend in backends:
        assert set(backend) == {"kind", "title", "status", "usable", "reason", "needs",
                                "config_fields", "options", "identities"}
        assert backend["needs"] and backend["config_fields"]
        assert backend["usable"] == (backend["status"] == "usable")
        assert backend["usable"] == (backend["reason"] is None)
    by_kind = {b["kind"]: b for b in backends}
    assert by_kind["age"]["options"] == ["--age/-a", "--rm-age"]
    assert by_kind["azure_kv"]["config_fields"] == ["azure_keyvault"]
    assert by_kind["gcp_kms"]["status"] == "sops-only"
    assert "kept on rewrite" in by_kind["gcp_kms"]["reason"]


def test_identities_show_where_keys_come_from_without_the_keys(
    run: Runner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from secretsfile.keysources.age import generate_identity

    text, _ = generate_identity()
    monkeypatch.setenv("SOPS_AGE_KEY", text)
    monkeypatch.setenv("SOPS_AGE_KEY_CMD", "pass show age-key")
    result = run("keysources", "list", "--json")
    age = next(b for b in json.loads(result.stdout) if b["kind"] == "age")
    assert "SOPS_AGE_KEY (1 identity)" in age["identities"]
    assert any(i.startswith("SOPS_AGE_KEY_CMD (set;") for i in age["identities"])
    secret = next(line for line in text.splitlines() if line.startswith("AGE-SECRET"))
    text_out = run("keysources", "list")
    assert secret not in result.stdout + text_out.output
    assert "pass show" not in result.stdout + text_out.output  # the command is not shown


def test_text_names_unusable_backends_and_why(run: Runner,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    if "pgp" in registry.BACKENDS:
        monkeypatch.setenv("PATH", os.devnull)  # no gpg on PATH
    result = run("keysources", "list")
    assert result.code == 0, result.stderr
    assert "age (age): usable\n  needs: an age identity" in result.stdout
    assert "gcp_kms (gcp_kms): sops-only: kept on rewrite, not usable" in result.stdout
    if "pgp" in registry.BACKENDS:
        assert "pgp (PGP): unusable: " in result.stdout


def test_help_documents_the_json_shape(run: Runner) -> None:
    result = run("keysources", "list", "--help")
    assert result.code == 0 and '"status": "usable" | "unusable" | "sops-only"' in result.stdout


def test_kms_lists_its_extra_options_and_says_when_no_credentials_are_visible(
        run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("boto3")
    kms = next(b for b in json.loads(run("keysources", "list", "--json").stdout)
               if b["kind"] == "kms")
    assert {"--kms", "--rm-kms", "--encryption-context", "--aws-profile"} <= set(kms["options"])
    assert kms["status"] == "unusable"  # the test HOME has no ~/.aws and no AWS_ variable
    assert kms["reason"] == ("no AWS credentials found in the environment or ~/.aws "
                             "(instance roles are not checked)")
    monkeypatch.setenv("AWS_PROFILE", "team")
    again = next(b for b in json.loads(run("keysources", "list", "--json").stdout)
                 if b["kind"] == "kms")
    assert again["status"] == "usable"
    monkeypatch.delenv("AWS_PROFILE")
    (Path.home() / ".aws").mkdir()
    (Path.home() / ".aws" / "config").write_text("[default]\nregion = eu-west-1\n")
    assert "no AWS credentials" not in run("keysources", "list").stdout
