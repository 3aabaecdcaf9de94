"""PGP files both ways with the real sops binary and the real gpg: sops' ``--pgp`` files
open with ``secretsfile``, ours open with sops, ``updatekeys``/``rotate`` keep them readable,
and ``.sops.yaml`` ``pgp:`` rules (flat and key groups) are honoured. Our CLI runs as a
subprocess; every output is searched for the planted values."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.keysources.gpg_home import GPG, SKIP_REASON, GpgHome, gpg_home

from .conftest import AgeKey, Sops

pytestmark = pytest.mark.skipif(GPG is None, reason=SKIP_REASON)

PLAIN = "db:\n    password: pw-PLANTED-7f3a\n    port: 5432\ntoken: tok-PLANTED-91c2\n"
PLANTED = ("PLANTED-7f3a", "PLANTED-91c2")


@pytest.fixture(scope="module")
def home() -> Iterator[GpgHome]:
    with gpg_home() as made:
        yield made


@pytest.fixture(autouse=True)
def _keyring(home: GpgHome, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GNUPGHOME", str(home.path))


def sf(*args: str | Path, cwd: Path | None = None, check: bool = True,
       env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """Our CLI in a subprocess, with no SOPS_* or age key variables inherited."""
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("SOPS_", "SECRETSFILE_AGE", "SECRETSFILE_FERNET"))}
    done = subprocess.run([sys.executable, "-m", "secretsfile", *map(str, args)], cwd=cwd,
                          env={**base, **(env or {})}, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip
    if check and done.returncode != 0:
        raise AssertionError(f"secretsfile {args[:2]} exited {done.returncode}: {done.stderr}")
    return done


def no_plant(*texts: str) -> None:
    for text in texts:
        assert not any(value in text for value in PLANTED), "a secret value leaked"


def mask(text: str) -> str:
    text = re.sub(r'(?m)^\s*"?secretsfile_tag"?\s*:.*\n', "", text)
    text = re.sub(r"ENC\[AES256_GCM,data:[^\]]*?,type:(\w+)\]", r"ENC[\1]", text)
    text = re.sub(r"-----BEGIN (PGP MESSAGE|AGE ENCRYPTED FILE)-----.*?-----END \1-----",
                  r"\1", text, flags=re.S)  # fmt: skip
    return re.sub(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", "TIME", text)


def plain_file(tmp_path: Path, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(PLAIN, encoding="utf-8")
    return path


def other_age_key(age_keys: list[AgeKey]) -> Path:
    """An age key that is no recipient: sops then needs gpg to open the file."""
    return age_keys[2].path


def test_sops_pgp_file_opens_with_secretsfile(sops: Sops, home: GpgHome, tmp_path: Path) -> None:
    by_sops = sops.run("encrypt", "--pgp", home.fingerprint, plain_file(tmp_path)).stdout
    assert f"fp: {home.fingerprint}" in by_sops and "enc: |-" in by_sops
    enc = tmp_path / "s.enc.yaml"
    enc.write_text(by_sops, encoding="utf-8")
    ours = sf("decrypt", enc)
    assert ours.stdout == sops.decrypt(enc) == PLAIN
    no_plant(ours.stderr, sf("status", enc).stdout)


def test_lowercase_fp_written_by_sops_opens_too(sops: Sops, home: GpgHome,
                                                tmp_path: Path) -> None:  # fmt: skip
    lower = home.fingerprint.lower()
    by_sops = sops.run("encrypt", "--pgp", lower, plain_file(tmp_path)).stdout
    assert f"fp: {lower}" in by_sops  # sops stores it as typed
    enc = tmp_path / "l.enc.yaml"
    enc.write_text(by_sops, encoding="utf-8")
    assert sf("decrypt", enc).stdout == PLAIN


def test_our_pgp_file_opens_with_sops_and_has_its_layout(
    sops: Sops, home: GpgHome, tmp_path: Path, age_keys: list[AgeKey]
) -> None:
    ours = sf("encrypt", "--pgp", home.fingerprint.lower(), plain_file(tmp_path))
    no_plant(ours.stdout, ours.stderr)
    assert f"fp: {home.fingerprint}\n" in ours.stdout
    enc = tmp_path / "o.enc.yaml"
    enc.write_text(ours.stdout, encoding="utf-8")
    assert sops.decrypt(enc, key_file=other_age_key(age_keys)) == PLAIN
    by_sops = sops.run("encrypt", "--pgp", home.fingerprint, plain_file(tmp_path)).stdout
    assert mask(ours.stdout) == mask(by_sops)


def test_updatekeys_adds_and_removes_a_pgp_key(
    sops: Sops, home: GpgHome, age_key: AgeKey, age_keys: list[AgeKey], tmp_path: Path
) -> None:
    enc = tmp_path / "u.enc.yaml"
    enc.write_text(sops.encrypt(plain_file(tmp_path), recipient=age_key.recipient))
    env = {"SECRETSFILE_AGE_KEY_FILE": str(age_key.path)}
    done = sf("updatekeys", enc, "--pgp", home.fingerprint, env=env)
    no_plant(done.stdout, done.stderr)
    assert sops.decrypt(enc, key_file=other_age_key(age_keys)) == PLAIN  # through gpg
    assert f"fp: {home.fingerprint}" in enc.read_text()
    sf("rotate", enc, env=env)
    assert sops.decrypt(enc, key_file=other_age_key(age_keys)) == PLAIN
    done = sf("updatekeys", enc, "--rm-pgp", home.fingerprint, env=env)
    assert "pgp:" not in enc.read_text()
    assert sops.run("decrypt", enc, key_file=other_age_key(age_keys), check=False).returncode
    assert sops.decrypt(enc) == PLAIN


def test_sops_config_pgp_rules(sops: Sops, home: GpgHome, age_key: AgeKey,
                               age_keys: list[AgeKey], tmp_path: Path) -> None:  # fmt: skip
    (tmp_path / ".sops.yaml").write_text(
        "creation_rules:\n"
        f"  - path_regex: flat\\.yaml$\n    pgp: {home.fingerprint}, {home.fingerprint[-16:]}\n"
        "  - path_regex: groups\\.yaml$\n    key_groups:\n"
        f"      - pgp: [{home.fingerprint}]\n        age: [{age_key.recipient}]\n",
        encoding="utf-8")  # fmt: skip
    for name in ("flat.yaml", "groups.yaml"):
        plain_file(tmp_path, name)
        ours = sf("encrypt", name, cwd=tmp_path)
        assert ours.stdout.count("-----BEGIN PGP MESSAGE-----") == (2 if "flat" in name else 1)
        enc = tmp_path / f"{name}.enc.yaml"
        enc.write_text(ours.stdout, encoding="utf-8")
        assert sops.decrypt(enc, key_file=other_age_key(age_keys)) == PLAIN
        by_sops = sops.run("encrypt", name, cwd=tmp_path).stdout
        assert mask(ours.stdout) == mask(by_sops)


def test_no_secret_key_says_so(sops: Sops, home: GpgHome, tmp_path: Path) -> None:
    by_sops = sops.run("encrypt", "--pgp", home.fingerprint, plain_file(tmp_path)).stdout
    enc = tmp_path / "n.enc.yaml"
    enc.write_text(by_sops, encoding="utf-8")
    with gpg_home(with_key=False) as empty:
        done = sf("decrypt", enc, check=False, env={"GNUPGHOME": str(empty.path)})
    assert done.returncode != 0
    # the file-level message names the key and every place looked in (gpg, the keyring)
    assert f"pgp {home.fingerprint}" in done.stderr
    assert f"GNUPGHOME={empty.path} (0 secret keys)" in done.stderr
    assert "Traceback" not in done.stderr
    no_plant(done.stdout, done.stderr)


def test_pgp_option_takes_comma_separated_fingerprints_in_any_case(
    sops: Sops, home: GpgHome, age_key: AgeKey, age_keys: list[AgeKey], tmp_path: Path
) -> None:
    with gpg_home(uid="second <s@example.invalid>") as second:
        home.import_keys(second.export_public())
        ours = sf("encrypt", "--pgp", f"{home.fingerprint.lower()},{second.fingerprint}",
                  plain_file(tmp_path))
    assert ours.stdout.count("-----BEGIN PGP MESSAGE-----") == 2
    enc = tmp_path / "c.enc.yaml"
    enc.write_text(ours.stdout, encoding="utf-8")
    done = sf("updatekeys", enc, "--rm-pgp", second.fingerprint.lower())
    no_plant(done.stdout, done.stderr)
    assert second.fingerprint not in enc.read_text()
    assert sops.decrypt(enc, key_file=other_age_key(age_keys)) == PLAIN
