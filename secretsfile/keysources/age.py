"""age recipients and identities, through pyrage (the Rust ``rage`` bindings).

Identities are gathered from every source, not just the first found, and every one is
tried: ``SECRETSFILE_AGE_KEY`` (key text), ``SECRETSFILE_AGE_KEY_FILE``, the default
``$XDG_CONFIG_HOME/secretsfile/age/keys.txt``, then sops' ``SOPS_AGE_KEY``,
``SOPS_AGE_KEY_FILE`` and ``…/sops/age/keys.txt``, and ssh keys for ssh recipients.
Inside ``for_environment(name)`` (the loader, ``run``, ``ci export``), the environment's
own variable comes first: ``SECRETSFILE_AGE_KEY_PROD`` for ``prod`` (see ``env_key_var``).
Only X25519 and ssh identities are ever handed to pyrage, so a file carrying an scrypt
(passphrase) stanza can never make us run an attacker-chosen work factor.
"""

from __future__ import annotations

import _thread  # the lock threading gives, without importing threading (~1 ms)
import os
import re
import stat
import sys
from collections.abc import Iterator
from contextvars import ContextVar

from secretsfile._fileio import lazy_contextmanager
from secretsfile._paths import config_home as config_home
from secretsfile.core.record import Record, field
from secretsfile.errors import KeySourceError, warn
from secretsfile.keysources.interface import CliOption, KeySourceBase, SourceReport

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any, TypeAlias

    from secretsfile.core.metadata import MasterKey

# pyrage is imported where it is used: the registry reads this module's recipient syntax
# and variables to parse configs and build the CLI, which must not load the Rust library.

_SECRET_PREFIX = "AGE-SECRET-KEY-1"
_PLUGIN_PREFIX = "AGE-PLUGIN-"
Identity: TypeAlias = "Any"  # pyrage.x25519.Identity | pyrage.ssh.Identity (a string: no typing)
_environment: ContextVar[str | None] = ContextVar("secretsfile_age_environment", default=None)


def env_key_var(env: str) -> str:
    """The per-environment key variable: ``prod`` -> ``SECRETSFILE_AGE_KEY_PROD``."""
    return "SECRETSFILE_AGE_KEY_" + re.sub(r"[^A-Za-z0-9]", "_", env).upper()


@lazy_contextmanager
def for_environment(env: str) -> Iterator[None]:
    """Within this block (this thread/task), also use ``env_key_var(env)``'s identities."""
    token = _environment.set(env)
    try:
        yield
    finally:
        _environment.reset(token)


def default_key_file() -> Path:
    from pathlib import Path  # callers that want a Path (keygen, tests); lookups use str

    return Path(default_key_path())


def default_key_path() -> str:
    return os.path.join(config_home(), "secretsfile", "age", "keys.txt")


def sops_default_key_path() -> str:
    if sys.platform == "darwin" and not os.environ.get("XDG_CONFIG_HOME"):
        return os.path.join(os.path.expanduser("~"), "Library", "Application Support", "sops",
                            "age", "keys.txt")
    return os.path.join(config_home(), "sops", "age", "keys.txt")


# Variables that hold key material itself (not paths): never handed to child processes.
KEY_VARIABLES = ("SECRETSFILE_AGE_KEY", "SOPS_AGE_KEY")
PRIVATE_KEY_PREFIXES = ("AGE-SECRET-KEY-", "AGE-PLUGIN-", "-----BEGIN")
_RECIPIENT_PREFIXES = ("age1", "ssh-ed25519 ", "ssh-rsa ")


def shown_recipient(text: str) -> str:
    """A recipient for a message; a private key pasted by mistake is never echoed."""
    if text.strip().upper().startswith(PRIVATE_KEY_PREFIXES):
        return "a private key (not shown)"
    return repr(text.strip()[:24]) + "…"


def check_recipient_syntax(text: str) -> str:
    """The recipient, stripped, if it looks like one (no pyrage needed); a pasted private
    key is refused without being echoed."""
    text = text.strip()
    if text.upper().startswith(PRIVATE_KEY_PREFIXES):
        raise KeySourceError("that is a private key, not a recipient (it is not shown)",
                             hint="give its public key: age1… (age-keygen -y shows it)")
    if not text.startswith(_RECIPIENT_PREFIXES):
        raise KeySourceError(f"{shown_recipient(text)} is not an age recipient",
                             hint="expected age1…, ssh-ed25519 … or ssh-rsa …")
    return text


def parse_recipient(text: str) -> Any:
    import pyrage

    text = check_recipient_syntax(text)
    try:
        if text.startswith(("ssh-ed25519 ", "ssh-rsa ")):
            return pyrage.ssh.Recipient.from_str(text)
        return pyrage.x25519.Recipient.from_str(text)
    except (pyrage.RecipientError, ValueError, TypeError):
        raise KeySourceError(
            f"{shown_recipient(text)} is not an age recipient",
            hint="expected age1…, ssh-ed25519 … or ssh-rsa …",
        ) from None


def generate_identity() -> tuple[str, str]:
    """A new X25519 identity: (key file text, public recipient)."""
    import datetime as _dt

    import pyrage

    identity = pyrage.x25519.Identity.generate()
    public = str(identity.to_public())
    created = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    text = f"# created: {created}\n# public key: {public}\n{identity}\n"
    return text, public


def check_private_mode(path: str) -> None:
    """Warn, like ssh, when a key file is readable by group or others."""
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return
    if os.name == "posix" and mode & 0o077:
        warn(f"key file {path} is readable by others (mode {mode:04o}); "
             f"run: chmod 600 {path}")


class _Found(Record):
    report: SourceReport
    identities: list[Identity] = field(default_factory=list)


def parse_identities(text: str, label: str) -> _Found:
    """Parse key-file text: one identity per line, '#' comments and blank lines skipped."""
    import pyrage

    identities: list[Identity] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith(_PLUGIN_PREFIX):
            problems.append(f"line {number}: plugin identities are not supported yet")
            continue
        if not line.upper().startswith(_SECRET_PREFIX):
            problems.append(f"line {number}: not an age identity")
            continue
        try:
            identities.append(pyrage.x25519.Identity.from_str(line))
        except (pyrage.IdentityError, ValueError):
            problems.append(f"line {number}: malformed age identity")
    detail = f"{len(identities)} identit{'y' if len(identities) == 1 else 'ies'}"
    if problems:
        detail += "; " + "; ".join(problems)
    return _Found(SourceReport(label, detail), identities)


def _from_file(path: str, label: str, seen: dict[str, _Found] | None = None) -> _Found:
    """The identities in one key file; a file ``seen`` already in this lookup (the same
    file named by two variables) is not read, nor warned about, twice."""
    if seen is not None:
        earlier = seen.get(path)
        if earlier is not None:
            return _Found(SourceReport(label, earlier.report.detail), earlier.identities)
        seen[path] = found = _from_file(path, label)
        return found
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return _Found(SourceReport(label, "file not found"))
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        return _Found(SourceReport(label, f"unreadable: {reason}"))
    check_private_mode(path)
    return parse_identities(text, label)


def _ssh_identity(path: str, label: str) -> _Found:
    import pyrage

    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as error:
        return _Found(SourceReport(label, f"unreadable: {error.strerror}"))
    check_private_mode(path)
    try:
        identity = pyrage.ssh.Identity.from_buffer(data)
        return _Found(SourceReport(label, "1 ssh identity"), [identity])
    except (pyrage.IdentityError, ValueError, TypeError) as error:
        reason = "passphrase-protected" if "decrypted" in str(error) else "not a usable ssh key"
        return _Found(SourceReport(label, reason))


def gather(include_ssh: bool = False) -> list[_Found]:
    """Every identity source, in lookup order, with what each held."""
    found: list[_Found] = []
    seen: dict[str, _Found] = {}
    env = _environment.get()
    if env is not None:
        env_var = env_key_var(env)
        text = os.environ.get(env_var)
        found.append(_Found(SourceReport(env_var, "not set")) if text is None
                     else parse_identities(text, env_var))
    for var in ("SECRETSFILE_AGE_KEY", "SOPS_AGE_KEY"):
        text = os.environ.get(var)
        if text is None:
            found.append(_Found(SourceReport(var, "not set")))
        else:
            found.append(parse_identities(text, var))
        file_var = f"{var}_FILE"
        path = os.environ.get(file_var)
        if path is None:
            found.append(_Found(SourceReport(file_var, "not set")))
        else:
            found.append(_from_file(path, f"{file_var}={path}", seen))
        default = default_key_path() if var.startswith("SECRETSFILE") else sops_default_key_path()
        found.append(_from_file(default, default, seen))
    if include_ssh:
        explicit = os.environ.get("SOPS_AGE_SSH_PRIVATE_KEY_FILE")
        ssh = os.path.join(os.path.expanduser("~"), ".ssh")
        candidates = [explicit] if explicit else []
        candidates += [os.path.join(ssh, "id_ed25519"), os.path.join(ssh, "id_rsa")]
        for candidate in candidates:
            if os.path.exists(candidate):
                found.append(_ssh_identity(candidate, candidate))
    return found


_cache: dict[tuple[object, ...], list[_Found]] = {}


def clear_cache() -> None:
    """Forget the identities found so far (tests; a long-lived process after key changes)."""
    _cache.clear()
    from secretsfile.keysources import age_cmd

    age_cmd.clear_cache()


def _cache_key(include_ssh: bool) -> tuple[object, ...]:
    names = ("SECRETSFILE_AGE_KEY", "SECRETSFILE_AGE_KEY_FILE", "SOPS_AGE_KEY",
             "SOPS_AGE_KEY_FILE", "SOPS_AGE_SSH_PRIVATE_KEY_FILE", "XDG_CONFIG_HOME", "HOME",
             "SECRETSFILE_AGE_KEY_CMD", "SOPS_AGE_KEY_CMD")
    stamps: list[tuple[int, int] | None] = []
    for path in (default_key_path(), sops_default_key_path()):
        try:
            info = os.stat(path)
            stamps.append((info.st_mtime_ns, info.st_mode))
        except OSError:
            stamps.append(None)
    env = _environment.get()
    scoped = (env, os.environ.get(env_key_var(env))) if env is not None else (None, None)
    return (include_ssh, *scoped, *(os.environ.get(n) for n in names), *stamps)


_cache_lock = _thread.allocate_lock()
_CACHE_SLOTS = 8  # a few environments / ssh variants, each read once


def identities(include_ssh: bool = False) -> list[_Found]:
    """Gathered once per process per environment (cheap to call again); thread-safe."""
    key = _cache_key(include_ssh)
    with _cache_lock:
        found = _cache.get(key)
        if found is None:
            found = gather(include_ssh)
            if len(_cache) >= _CACHE_SLOTS:
                _cache.pop(next(iter(_cache)))
            _cache[key] = found
    return found


def _decrypt(blob: bytes, pool: list[Identity]) -> bytes | None:
    """The data key, or None when no identity in ``pool`` opens ``blob``."""
    import pyrage

    try:
        return bytes(pyrage.decrypt(blob, pool))
    except (pyrage.DecryptError, OSError, TypeError, ValueError):
        return None


class AgeKeySource(KeySourceBase):
    kind = "age"
    title = "age"
    syntax = "an age1… or ssh-ed25519 … public key"
    private_key_markers = PRIVATE_KEY_PREFIXES
    id_field = "recipient"
    config_fields = ("age",)
    cli = CliOption("age", "An age recipient (age1…, ssh-ed25519 …); repeatable.",
                    "Remove an age recipient.", short="-a")
    # prefixes, not names: SECRETSFILE_AGE_KEY_<ENV> (an 'x-file' environment's is
    # SECRETSFILE_AGE_KEY_X_FILE), the *_FILE paths, SOPS_AGE_KEY_CMD, the ssh key file
    key_variables = ("SECRETSFILE_AGE_KEY", "SOPS_AGE_KEY", "SOPS_AGE_SSH_PRIVATE_KEY")
    recipient_variables = ("SECRETSFILE_AGE_RECIPIENTS", "SOPS_AGE_RECIPIENTS")
    no_key_hint = "create your key with 'secretsfile keygen'"
    needs = "an age identity (keys.txt, SOPS_AGE_KEY, SOPS_AGE_KEY_CMD) or an ssh key"

    def __init__(self) -> None:
        self._used_ssh = False
        self._commands: dict[str, SourceReport] = {}  # what each key command gave

    def claims(self, text: str) -> bool:
        return text.strip().startswith(_RECIPIENT_PREFIXES)

    def parse_recipient(self, text: str) -> str:
        return check_recipient_syntax(text)

    def own_recipient(self) -> str | None:
        """The public key of this user's first age identity (secretsfile sources first)."""
        for found in identities():
            if found.identities:
                return str(found.identities[0].to_public())
        return None

    def generate(self) -> tuple[str, str]:
        return generate_identity()

    def default_key_file(self) -> Path | None:
        return default_key_file()

    def wrap(self, recipient: str, data_key: bytes) -> MasterKey:
        import pyrage

        from secretsfile.core.metadata import MasterKey

        parsed = parse_recipient(recipient)
        armored = pyrage.encrypt(data_key, [parsed], armored=True).decode("ascii")
        return MasterKey(self.kind, {"recipient": recipient.strip(), "enc": armored})

    def unwrap(self, key: MasterKey) -> bytes:
        recipient = str(key.fields.get("recipient", ""))
        include_ssh = recipient.startswith("ssh-")
        self._used_ssh = self._used_ssh or include_ssh
        pool = [i for found in identities(include_ssh) for i in found.identities]
        blob = key.enc.lstrip().encode("ascii", "replace")
        if pool and (opened := _decrypt(blob, pool)) is not None:
            return opened
        # no local identity opens it: ask the key commands (SOPS_AGE_KEY_CMD), lazily
        from secretsfile.keysources import age_cmd

        ran: list[_Found] = []
        for var, command in [] if include_ssh else age_cmd.configured():
            ran.append(age_cmd.from_command(var, command, recipient))
            self._commands[var] = ran[-1].report
            if ran[-1].identities and (opened := _decrypt(blob, ran[-1].identities)) is not None:
                return opened
        problems = "".join(f"; {found.report}" for found in ran if not found.identities)
        total = len(pool) + sum(len(found.identities) for found in ran)
        if not total:
            raise KeySourceError("no age identity found" + problems)
        raise KeySourceError(f"none of {total} age identities matches{problems}")

    def reports(self) -> list[SourceReport]:
        from secretsfile.keysources.age_cmd import CMD_VARIABLES

        found = [found.report for found in identities(self._used_ssh)]
        for var in CMD_VARIABLES:
            if var in self._commands:
                found.append(self._commands[var])
            else:
                found.append(SourceReport(var, "set; runs when no other identity opens a key"
                                          if os.environ.get(var, "").strip() else "not set"))
        return found
