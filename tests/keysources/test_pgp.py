"""PGP through the key-source contract, with real gpg keyrings (tests/keysources/gpg_home.py)."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from secretsfile.errors import KeySourceError
from secretsfile.keysources import registry
from secretsfile.keysources.interface import Recipient
from tests.keysources.contract import KeySourceContract
from tests.keysources.gpg_home import GPG, SKIP_REASON, GpgHome, gpg_home

pytestmark = pytest.mark.skipif(GPG is None, reason=SKIP_REASON)


@pytest.fixture(scope="module")
def home() -> Iterator[GpgHome]:
    with gpg_home() as made:
        yield made


@pytest.fixture(scope="module")
def empty_home() -> Iterator[GpgHome]:
    """A second keyring: no secret key (the public key is imported by tests that need it)."""
    with gpg_home(with_key=False) as made:
        yield made


@pytest.fixture(autouse=True)
def _keyring(home: GpgHome, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GNUPGHOME", str(home.path))
    for name in ("SOPS_GPG_EXEC", "SECRETSFILE_GPG_EXEC", "SOPS_PGP_FP"):
        monkeypatch.delenv(name, raising=False)


class TestPgp(KeySourceContract):
    kind = "pgp"

    @pytest.fixture(autouse=True)
    def _remember(self, home: GpgHome, empty_home: GpgHome) -> None:
        self.home, self.empty = home, empty_home

    def make_recipient(self) -> str:
        return self.home.fingerprint

    def forget_identities(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        monkeypatch.setenv("GNUPGHOME", str(self.empty.path))


def _error(call) -> KeySourceError:  # type: ignore[no-untyped-def]
    with pytest.raises(KeySourceError) as caught:
        call()
    return caught.value


def test_metadata_fields_are_sops_fields(home: GpgHome) -> None:
    data_key = os.urandom(32)
    entry = registry.get("pgp").wrap(home.fingerprint.lower(), data_key)
    assert list(entry.fields) == ["created_at", "enc", "fp"]
    assert entry.fields["fp"] == home.fingerprint
    assert entry.enc.startswith("-----BEGIN PGP MESSAGE-----\n\n")
    assert entry.enc.endswith("\n-----END PGP MESSAGE-----")  # sops writes a |- block
    assert data_key.hex() not in entry.enc


def test_fingerprints_are_compared_in_upper_case_without_spaces(home: GpgHome) -> None:
    fp = home.fingerprint
    spaced = " ".join(fp[i:i + 4] for i in range(0, 40, 4)).lower()
    assert registry.parse_recipient(spaced) == ("pgp", fp)
    assert registry.parse_recipient("pgp:0x" + fp[-16:].lower()) == ("pgp", fp[-16:])
    assert registry.spell(registry.parse_recipient(fp)) == fp
    assert registry.spell(Recipient("pgp", fp[-16:])) == "pgp:" + fp[-16:]
    entry = registry.get("pgp").wrap(fp, os.urandom(32))
    entry.fields["fp"] = fp.lower()  # sops stores the fingerprint as typed
    assert registry.recipient_id(entry) == fp


def test_claims_fingerprints_not_other_hex() -> None:
    source = registry.get("pgp")
    assert source.claims("A" * 40) and source.claims("pgp:ABCD1234ABCD1234")
    assert not source.claims("ABCD1234ABCD1234")  # a bare 16-hex id could be a Fernet id
    assert not source.claims("age1qqqq")
    error = _error(lambda: registry.parse_recipient("pgp:not-hex"))
    assert "not a PGP fingerprint" in error.message


def test_config_field_reads_sops_forms(home: GpgHome) -> None:
    fp, other = home.fingerprint, "B" * 40
    assert registry.config_fields()["pgp"] == "pgp"
    assert registry.config_recipients("pgp", f"{fp}, {other.lower()}") == [("pgp", fp),
                                                                           ("pgp", other)]
    assert registry.config_recipients("pgp", [fp[-16:]]) == [("pgp", fp[-16:])]


def test_key_id_recipient_round_trips(home: GpgHome) -> None:
    source = registry.get("pgp")
    data_key = os.urandom(32)
    entry = source.wrap(home.fingerprint[-16:], data_key)
    assert entry.fields["fp"] == home.fingerprint[-16:]
    assert source.unwrap(entry) == data_key


def test_keyring_without_the_secret_key(home: GpgHome, empty_home: GpgHome,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    data_key = os.urandom(32)
    entry = registry.get("pgp").wrap(home.fingerprint, data_key)
    monkeypatch.setenv("GNUPGHOME", str(empty_home.path))
    error = _error(lambda: registry.get("pgp").unwrap(entry))
    assert error.message == (f"no PGP secret key for {home.fingerprint} "
                             f"in GNUPGHOME={empty_home.path}")
    assert data_key.hex() not in str(error)
    reports = [str(r) for r in registry.get("pgp").reports()]
    assert f"GNUPGHOME={empty_home.path} (0 secret keys)" in reports


def test_encrypting_without_the_public_key(home: GpgHome, monkeypatch: pytest.MonkeyPatch) -> None:
    with gpg_home(with_key=False) as bare:
        monkeypatch.setenv("GNUPGHOME", str(bare.path))
        error = _error(lambda: registry.get("pgp").wrap(home.fingerprint, os.urandom(32)))
        assert error.message == f"PGP public key {home.fingerprint} is not in GNUPGHOME={bare.path}"
        assert "gpg --import" in (error.hint or "")
        bare.import_keys(home.export_public())  # a recipient needs only the public key
        assert registry.get("pgp").wrap(home.fingerprint, os.urandom(32)).enc


def test_gpg_absent(home: GpgHome, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = registry.get("pgp").wrap(home.fingerprint, os.urandom(32))
    monkeypatch.setenv("SOPS_GPG_EXEC", "/nonexistent/gpg")
    source = registry.get("pgp")
    assert "gpg binary is not installed" in (source.unusable() or "")
    error = _error(lambda: source.unwrap(entry))
    assert error.message.startswith("PGP keys need the gpg binary")
    assert "apt install gnupg" in (error.hint or "")
    assert source.own_recipient() is None
    assert "not found" in str(source.reports()[0])


def test_secretsfile_gpg_exec_wins(home: GpgHome, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOPS_GPG_EXEC", "/nonexistent/gpg")
    assert GPG is not None
    monkeypatch.setenv("SECRETSFILE_GPG_EXEC", GPG)
    source = registry.get("pgp")
    assert source.unusable() is None
    data_key = os.urandom(32)
    assert source.unwrap(source.wrap(home.fingerprint, data_key)) == data_key


def test_locked_key_fails_fast_without_prompting(monkeypatch: pytest.MonkeyPatch) -> None:
    with gpg_home(with_key=False) as locked:
        # a fixed, low s2k count: calibrating it makes a protected key take 5-10 s
        (locked.path / "gpg-agent.conf").write_text("s2k-count 65536\n", encoding="ascii")
        locked.gpg("--pinentry-mode", "loopback", "--passphrase", "PLANTED-PASS",
                   "--quick-gen-key", "p <p@example.invalid>", "future-default", "default",
                   "never")
        fp = locked.gpg("--with-colons", "--list-secret-keys").stdout.decode().split(
            "\nfpr:")[1].split(":")[8]
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=locked.env(), check=False,
                       capture_output=True, timeout=30)  # forget the cached passphrase
        monkeypatch.setenv("GNUPGHOME", str(locked.path))
        source = registry.get("pgp")
        entry = source.wrap(fp, os.urandom(32))
        started = time.monotonic()
        error = _error(lambda: source.unwrap(entry))
        assert time.monotonic() - started < 10
        assert error.message.startswith(f"PGP key {fp} is locked")
        assert "gpg-agent" in (error.hint or "")
        assert "PLANTED-PASS" not in str(error) + repr(error) + str(source.reports())


def test_own_recipient_and_default_recipients(home: GpgHome,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from secretsfile.ops.recipients import KeyOptions, resolve

    assert registry.get("pgp").own_recipient() == home.fingerprint
    monkeypatch.setenv("SOPS_PGP_FP", f"{home.fingerprint.lower()},{'C' * 40}")
    for name in ("SECRETSFILE_AGE_RECIPIENTS", "SOPS_AGE_RECIPIENTS"):
        monkeypatch.delenv(name, raising=False)
    assert [r.kind for r in resolve(KeyOptions((), []))] == ["pgp", "pgp"]


def test_no_keyring_directory_is_created(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-home"
    monkeypatch.setenv("GNUPGHOME", str(missing))
    source = registry.get("pgp")
    assert source.own_recipient() is None
    assert "not found" in str(source.reports()[-1])
    assert not missing.exists()


def _bomb(home: GpgHome, size: int) -> str:
    """A tiny armored bzip2-compressed literal packet that decompresses to ``size`` zeros."""
    assert GPG is not None
    zeros = subprocess.Popen(["head", "-c", str(size), "/dev/zero"], stdout=subprocess.PIPE)
    made = subprocess.run([GPG, "--batch", "-z9", "--compress-algo", "bzip2", "--store", "-a"],
                          stdin=zeros.stdout, env=home.env(), capture_output=True, timeout=60,
                          check=True)
    zeros.wait()
    return made.stdout.decode()


def test_compression_bomb_is_cut_at_the_data_key_cap(empty_home: GpgHome,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1.8 KB enc made decrypt hold gigabytes, even for a user without a PGP key."""
    from secretsfile.core.metadata import MasterKey

    armored = _bomb(empty_home, 256 << 20)
    assert len(armored) < 2000
    monkeypatch.setenv("GNUPGHOME", str(empty_home.path))
    entry = MasterKey("pgp", {"created_at": "2026-01-01T00:00:00Z", "enc": armored,
                              "fp": "A" * 40})
    started = time.monotonic()
    error = _error(lambda: registry.get("pgp").unwrap(entry))
    assert time.monotonic() - started < 10
    assert error.message == (f"gpg produced more than 4 KiB of output (decrypt {'A' * 40}): "
                             "not a sops data key")


def _fake_gpg(tmp_path: Path, body: str) -> Path:
    """A gpg that logs its arguments to calls.log, then runs ``body`` (sh)."""
    script = tmp_path / "gpg"
    script.write_text(f'#!/bin/sh\necho "$*" >> {tmp_path / "calls.log"}\n{body}\n')
    script.chmod(0o755)
    return script


def test_hung_gpg_costs_one_timeout_not_three(home: GpgHome, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from secretsfile.keysources import pgp

    entry = registry.get("pgp").wrap(home.fingerprint, os.urandom(32))
    monkeypatch.setattr(pgp, "TIMEOUT", 0.5)
    monkeypatch.setenv("SECRETSFILE_GPG_EXEC", str(_fake_gpg(tmp_path, "exec sleep 30")))
    source = registry.get("pgp")
    started = time.monotonic()
    error = _error(lambda: source.unwrap(entry))
    assert "did not answer within 0.5 s" in error.message
    assert source.own_recipient() is None  # the failure report lists the keyring: not again
    assert "0 secret keys" in str(source.reports()[-1])
    assert time.monotonic() - started < 3
    assert (tmp_path / "calls.log").read_text().count("\n") == 1


def test_keyring_listed_once_and_without_an_agent(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    assert GPG is not None
    with gpg_home() as fresh:
        subprocess.run(["gpgconf", "--kill", "gpg-agent"], env=fresh.env(), check=False,
                       capture_output=True, timeout=30)
        monkeypatch.setenv("GNUPGHOME", str(fresh.path))
        monkeypatch.setenv("SECRETSFILE_GPG_EXEC", str(_fake_gpg(tmp_path, f'exec {GPG} "$@"')))
        source = registry.get("pgp")
        for _ in range(3):
            assert source.own_recipient() == fresh.fingerprint
            assert "1 secret key" in str(source.reports()[-1])
        assert (tmp_path / "calls.log").read_text().count("\n") == 1
        assert not (fresh.path / "S.gpg-agent").exists()  # listing started no gpg-agent
        with gpg_home(uid="second <s@example.invalid>") as other:  # a new secret key: relisted
            fresh.import_keys(other.gpg("--export-secret-keys", "-a", other.fingerprint).stdout)
        assert len(source.reports()) == 2 and "2 secret keys" in str(source.reports()[-1])


def test_gpg_flooding_stderr_is_cut(home: GpgHome, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    entry = registry.get("pgp").wrap(home.fingerprint, os.urandom(32))
    monkeypatch.setenv("SECRETSFILE_GPG_EXEC", str(_fake_gpg(tmp_path, "exec yes >&2")))
    error = _error(lambda: registry.get("pgp").unwrap(entry))
    assert error.message == ("gpg produced more than 64 KiB of messages "
                             f"(decrypt {home.fingerprint})")
