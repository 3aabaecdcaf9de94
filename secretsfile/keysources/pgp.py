"""PGP: the data key wrapped by the ``gpg`` binary, exactly as sops does it.

Entries live in the ``pgp:`` list of the metadata (``created_at``, ``enc`` = the armored
message, ``fp`` = the fingerprint). Encrypting runs sops' command line
(``gpg --no-default-recipient --yes --encrypt -a -r FPR --trusted-key <key id> --no-encrypt-to``)
plus ``--batch --no-tty``; decrypting runs ``gpg --batch -d``. gpg finds its keyring itself
(``GNUPGHOME`` or ``~/.gnupg``); ``SECRETSFILE_GPG_EXEC`` or sops' ``SOPS_GPG_EXEC`` name the
binary. gpg never prompts (``--pinentry-mode error``): a passphrase-protected key must be
unlocked in gpg-agent first. Recipients are fingerprints (or 16-hex key ids), compared in
upper case without spaces; sops' ``SOPS_PGP_FP`` gives default recipients.

Every gpg call is bounded (``bounded_run``): 30 s, 64 KiB of stderr, and 4 KiB of stdout
on decrypt (an ``enc`` is untrusted: a 2 KB compressed packet can decompress to gigabytes;
gpg is killed at the cap). The keyring is listed with ``--list-keys --with-keygrip`` (no
gpg-agent is started, unlike ``--list-secret-keys``), within 5 s, once per process and
keyring state, and not at all after a gpg call here timed out.
"""

from __future__ import annotations

import os
import re

from secretsfile.core.pattern import Pattern
from secretsfile.errors import KeySourceError
from secretsfile.keysources.interface import CliOption, KeySourceBase, SourceReport

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

    from secretsfile.core.metadata import MasterKey

# subprocess is imported where gpg runs (not on the hot path of other backends).

_FINGERPRINT = Pattern(r"[0-9A-F]{40}")
_KEY_ID = Pattern(r"[0-9A-F]{8,64}")
EXEC_VARIABLES = ("SECRETSFILE_GPG_EXEC", "SOPS_GPG_EXEC")
TIMEOUT = 30.0  # seconds per gpg call; gpg never waits for a passphrase (pinentry-mode error)
LIST_TIMEOUT = 5.0  # seconds for listing the keyring (reports, the own recipient)
MAX_STDOUT = 64 << 10  # an armored data key is < 2 KiB, a decrypted one 32 bytes
MAX_DATA_KEY = 4 << 10  # gpg -d: more is no sops data key (a compression bomb is cut here)
MAX_LISTING = 16 << 20  # --list-keys of a big keyring
MAX_STDERR = 64 << 10
_listed: dict[tuple[object, ...], list[str]] = {}
_hung: set[tuple[str, str]] = set()  # (binary, GNUPGHOME) where a gpg call timed out
INSTALL_HINT = "apt install gnupg / brew install gnupg"
_NO_KEY_HINT = "create one with 'gpg --quick-gen-key \"you <you@example.com>\"' or import yours"


def normalise(text: str) -> str:
    """A fingerprint as we compare it: upper case, no spaces, no ``0x``."""
    value = "".join(text.split()).upper()
    return value[2:] if value.startswith("0X") else value


def gpg_binary() -> str | None:
    """The gpg to run: $SECRETSFILE_GPG_EXEC, $SOPS_GPG_EXEC, else gpg (or gpg2) on PATH."""
    import shutil  # not at import: encrypt's options load every backend, shutil ~3 ms

    for name in EXEC_VARIABLES:
        configured = os.environ.get(name)
        if configured:
            return shutil.which(configured)
    return shutil.which("gpg") or shutil.which("gpg2")


def gpg_home() -> str:
    configured = os.environ.get("GNUPGHOME")
    return configured if configured else os.path.join(os.path.expanduser("~"), ".gnupg")


def home_label() -> str:
    configured = os.environ.get("GNUPGHOME")
    return f"GNUPGHOME={configured}" if configured else "~/.gnupg"


def _absent() -> KeySourceError:
    configured = next((f"{n}={os.environ[n]}" for n in EXEC_VARIABLES if os.environ.get(n)), "")
    where = f" ({configured} not found)" if configured else ""
    return KeySourceError(f"PGP keys need the gpg binary{where}", hint=INSTALL_HINT)


def run_gpg(args: list[str], data: bytes, what: str, *, timeout: float | None = None,
            max_stdout: int = MAX_STDOUT) -> tuple[int, bytes, str]:
    """Run gpg with ``data`` on stdin: (exit code, stdout, stderr). Never prompts, never
    waits longer than ``timeout``, never holds more than ``max_stdout`` of its stdout and
    MAX_STDERR of its stderr (it is killed as soon as it prints more: a message the file
    controls may decompress to gigabytes); stdout (a data key on decrypt) is never shown."""
    from secretsfile.keysources import bounded_run

    timeout = TIMEOUT if timeout is None else timeout
    binary = gpg_binary()
    if binary is None:
        raise _absent()
    command = [binary, "--batch", "--no-tty", "--pinentry-mode", "error", *args]
    try:
        done = bounded_run.run(command, data=data, timeout=timeout, max_stdout=max_stdout,
                               max_stderr=MAX_STDERR)
    except bounded_run.TimedOut:
        _hung.add(_home_key(binary))
        raise KeySourceError(f"gpg did not answer within {timeout:g} s ({what})",
                             hint="is gpg-agent stuck? try 'gpgconf --kill gpg-agent'") from None
    except bounded_run.TooMuchOutput as error:
        printed = "output" if error.stream == "stdout" else "messages"
        data_key = error.stream == "stdout" and max_stdout == MAX_DATA_KEY
        verdict = ": not a sops data key" if data_key else ""
        raise KeySourceError(f"gpg produced more than {bounded_run.size_text(error.limit)} of "
                             f"{printed} ({what}){verdict}") from None
    except OSError:
        raise _absent() from None
    return done.code, done.stdout, done.stderr.decode("utf-8", "replace")


def _gpg_reason(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    return (lines[-1] if lines else "no message")[:200]


def _failure(fp: str, stderr: str, encrypting: bool) -> KeySourceError:
    home = home_label()
    if encrypting and ("No public key" in stderr or "unusable public key" in stderr):
        return KeySourceError(f"PGP public key {fp} is not in {home}",
                              hint="import the public key first: gpg --import <file>")
    if any(s in stderr.lower() for s in ("no pinentry", "bad passphrase", "cancel")):
        return KeySourceError(f"PGP key {fp} is locked (passphrase or card PIN) and "
                              "gpg-agent has none cached",
                              hint="unlock it in gpg-agent first, e.g. 'echo | gpg -as "
                                   f"-u {fp} >/dev/null' (or 'gpg --card-status'), then retry")
    if "No secret key" in stderr:
        return KeySourceError(f"no PGP secret key for {fp} in {home}",
                              hint="import the secret key (gpg --import) or ask a recipient "
                                   "to add your key")
    action = "encrypt for" if encrypting else "decrypt with"
    return KeySourceError(f"gpg could not {action} PGP key {fp}: {_gpg_reason(stderr)}",
                          hint=f"check the key with 'gpg --list-keys {fp}'")


def _home_key(binary: str) -> tuple[str, str]:
    return binary, gpg_home()


def _keyring_stamp() -> tuple[int, ...]:
    """When the keyring last changed (a new key changes its directory or pubring)."""
    home = gpg_home()
    stamps = []
    for name in ("pubring.kbx", "pubring.gpg", "private-keys-v1.d"):
        try:
            stamps.append(os.stat(os.path.join(home, name)).st_mtime_ns)
        except OSError:
            stamps.append(0)
    return tuple(stamps)


def secret_fingerprints() -> list[str]:
    """The primary fingerprints of the keys with a secret part in the keyring ([] without
    gpg or a keyring: the keyring directory is never created here). Listed once per process
    and keyring state, within LIST_TIMEOUT, and not at all once gpg hung here."""
    binary = gpg_binary()
    if binary is None or not os.path.isdir(gpg_home()) or _home_key(binary) in _hung:
        return []
    key = (*_home_key(binary), *_keyring_stamp())
    if key not in _listed:
        try:
            _listed[key] = _list_secret_keys()
        except KeySourceError:
            return []
    return list(_listed[key])


def _list_secret_keys() -> list[str]:
    """Public keys with a keygrip whose private key file exists: ``--list-secret-keys``
    would start a gpg-agent (it asks the agent), ``--list-keys`` does not."""
    code, out, _ = run_gpg(["--no-auto-check-trustdb", "--with-colons", "--with-keygrip",
                            "--list-keys"], b"", "list keys", timeout=LIST_TIMEOUT,
                           max_stdout=MAX_LISTING)
    private = os.path.join(gpg_home(), "private-keys-v1.d")
    fingerprints: list[str] = []
    primary = ""
    for line in out.decode("utf-8", "replace").splitlines():
        fields = line.split(":")
        if fields[0] == "pub":
            primary = "?"
        elif fields[0] == "fpr" and primary == "?" and len(fields) > 9:
            primary = fields[9].upper()
        elif (fields[0] == "grp" and len(fields) > 9 and primary not in ("", "?")
              and primary not in fingerprints and re.fullmatch(r"[0-9A-Fa-f]{40}", fields[9])
              and os.path.isfile(os.path.join(private, f"{fields[9].upper()}.key"))):
            fingerprints.append(primary)
    return fingerprints if code == 0 else []


def clear_cache() -> None:
    """Forget the keyring listings and hung gpg binaries (tests; a long-lived process)."""
    _listed.clear()
    _hung.clear()


class PgpKeySource(KeySourceBase):
    kind = "pgp"
    title = "PGP"
    syntax = "a PGP fingerprint (40 hex digits, or pgp:<key id>)"
    scheme = "pgp:"
    id_field = "fp"
    config_fields = ("pgp",)
    cli = CliOption("pgp", "A PGP fingerprint (comma-separated like sops); repeatable.",
                    "Remove a PGP fingerprint.", metavar="FINGERPRINT")
    recipient_variables = ("SOPS_PGP_FP",)
    no_key_hint = _NO_KEY_HINT
    needs = "the gpg binary and a key in its keyring (GNUPGHOME or ~/.gnupg)"

    def unusable(self) -> str | None:
        if gpg_binary() is None:
            return f"the gpg binary is not installed ({INSTALL_HINT})"
        return None

    def claims(self, text: str) -> bool:
        return super().claims(text) or bool(_FINGERPRINT.fullmatch(normalise(text)))

    def parse_recipient(self, text: str) -> str:
        text = text.strip()
        value = normalise(text[len(self.scheme):] if text.startswith(self.scheme) else text)
        if not _KEY_ID.fullmatch(value):
            raise KeySourceError(f"{value[:20]!r} is not a PGP fingerprint",
                                 hint="write the 40 hex digits 'gpg --fingerprint' shows")
        return value

    def spell(self, value: str) -> str:
        return value if _FINGERPRINT.fullmatch(value) else self.scheme + value

    def cli_values(self, value: str, chosen: Mapping[str, Any] | None = None) -> list[str]:
        """One ``--pgp``/``--rm-pgp`` value: comma-separated like sops', normalised so a
        removal compares equal to the metadata's ``fp``."""
        return [self.parse_recipient(part) for part in value.split(",") if part.strip()]

    def config_entries(self, raw: Any) -> list[str]:
        if isinstance(raw, list):
            return [str(item.get("fp") or item) if isinstance(item, dict) else str(item)
                    for item in raw]
        return super().config_entries(raw)

    def recipient_id(self, fields: Mapping[str, Any]) -> str:
        return normalise(str(fields.get("fp") or ""))

    def own_recipient(self) -> str | None:
        return next(iter(secret_fingerprints()), None)

    def wrap(self, recipient: str, data_key: bytes) -> MasterKey:
        import datetime as _dt

        from secretsfile.core.metadata import MasterKey
        from secretsfile.core.values import format_time

        fp = self.parse_recipient(recipient)
        args = ["--no-default-recipient", "--yes", "--encrypt", "-a", "-r", fp,
                "--trusted-key", fp[-16:], "--no-encrypt-to"]
        code, out, err = run_gpg(args, data_key, f"encrypt for {fp}")
        if code != 0 or b"-----BEGIN PGP MESSAGE-----" not in out:
            raise _failure(fp, err, encrypting=True)
        now = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
        armored = out.decode("ascii", "replace").replace("\r\n", "\n").rstrip("\n")
        return MasterKey(self.kind, {"created_at": format_time(now), "enc": armored, "fp": fp})

    def unwrap(self, key: MasterKey) -> bytes:
        fp = self.recipient_id(key.fields) or "(no fp)"
        if not key.enc.strip():
            raise KeySourceError(f"the PGP entry for {fp} has no enc")
        code, out, err = run_gpg(["-d"], key.enc.encode("utf-8", "replace"), f"decrypt {fp}",
                                 max_stdout=MAX_DATA_KEY)
        if code != 0:
            raise _failure(fp, err, encrypting=False)
        return out

    def reports(self) -> list[SourceReport]:
        binary = gpg_binary()
        if binary is None:
            return [SourceReport("gpg", f"not found; {INSTALL_HINT}")]
        home = gpg_home()
        if not os.path.isdir(home):
            return [SourceReport("gpg", binary), SourceReport(home_label(), "not found")]
        count = len(secret_fingerprints())
        detail = f"{count} secret key{'s' if count != 1 else ''}"
        return [SourceReport("gpg", binary), SourceReport(home_label(), detail)]
