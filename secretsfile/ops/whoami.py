"""Who you are to secretsfile: your public recipients (one per key source that holds a
local identity), where each came from, and which environments of a project list one of
them -- read from each file's metadata, without decrypting. Never touches private keys
beyond asking each source for its public id; and the no-key hint built from the same."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from secretsfile.errors import SecretsfileError
from secretsfile.keysources import registry
from secretsfile.keysources.interface import Recipient, SourceReport

if TYPE_CHECKING:
    from secretsfile.config.project import Environment, ProjectConfig


@dataclass(frozen=True)
class OwnKey:
    """One of your public recipients, as a recipients list writes it, and the places its
    source found identities in."""

    recipient: Recipient
    spelled: str
    found_in: tuple[SourceReport, ...]


@dataclass(frozen=True)
class EnvAccess:
    name: str
    file: str
    configured: bool  # one of your recipients is in the config's recipients
    readable: bool | None  # one of them is among the file's recipients; None: no file
    via: tuple[str, ...] = ()  # which of yours (spelled)
    problem: str = ""  # the file could not be read


@dataclass(frozen=True)
class Identity:
    keys: tuple[OwnKey, ...]
    environments: tuple[EnvAccess, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "recipients": [{"kind": k.recipient.kind, "recipient": k.spelled,
                            "found_in": [{"source": r.label, "detail": r.detail}
                                         for r in k.found_in]} for k in self.keys],
            "environments": [{"name": e.name, "file": e.file, "configured": e.configured,
                              "readable": e.readable, "via": list(e.via),
                              **({"problem": e.problem} if e.problem else {})}
                             for e in self.environments],
        }


def _holds_identities(report: SourceReport) -> bool:
    """A report saying "N identities"/"N keys" with N > 0 (not "not set", "0 keys")."""
    count = report.detail.split(" ", 1)[0]
    return count.isdigit() and int(count) > 0


@contextmanager
def _scoped(env: str | None) -> Iterator[None]:
    """Within ``env``, the environment-specific key variable counts too."""
    if env is None:
        yield
        return
    from secretsfile.keysources.age import for_environment

    with for_environment(env):
        yield


def own_keys(env: str | None = None) -> list[OwnKey]:
    """Your public recipient per key source that finds a local identity."""
    keys: list[OwnKey] = []
    with _scoped(env):
        for source in registry.sources():
            value = source.own_recipient()
            if value is None:
                continue
            recipient = Recipient(source.kind, value)
            found = tuple(r for r in registry.get(source.kind).reports() if _holds_identities(r))
            keys.append(OwnKey(recipient, registry.spell(recipient), found))
    return keys


def _file_recipients(config: ProjectConfig, env: Environment) -> set[Recipient] | None:
    from secretsfile.ops.document import read_encrypted_file

    path = config.env_path(env)
    if not path.exists():
        return None
    document = read_encrypted_file(path)
    return {Recipient(key.kind, registry.recipient_id(key))
            for key in document.metadata.master_keys()}


def _access(config: ProjectConfig, env: Environment) -> EnvAccess:
    mine = {k.recipient: k.spelled for k in own_keys(env.name)}
    configured = any(r in mine for r in env.recipients)
    try:
        in_file = _file_recipients(config, env)
    except SecretsfileError as error:
        return EnvAccess(env.name, env.file, configured, False, problem=error.message)
    if in_file is None:
        return EnvAccess(env.name, env.file, configured, None)
    via = tuple(spelled for recipient, spelled in mine.items() if recipient in in_file)
    return EnvAccess(env.name, env.file, configured, bool(via), via)


def whoami(config: ProjectConfig | None = None) -> Identity:
    """Your keys, and per environment of ``config`` whether you can read it."""
    envs = tuple(_access(config, env) for env in config.environments) if config else ()
    return Identity(tuple(own_keys()), envs)


def no_key_hint(env: str | None = None) -> str:
    """What to do when no identity of yours opens a file: make a key, or hand your public
    key to someone who can read it (``recipients add ENV`` when the environment is known)."""
    keys = own_keys(env)
    if not keys:
        return ("you have no key: create one with 'secretsfile keygen', then ask someone who "
                "can read it to add its public key"
                + (f" with 'secretsfile recipients add {env} <your public key>'" if env else ""))
    public = keys[0].spelled
    option = registry.get(keys[0].recipient.kind).cli.name
    if env is not None:
        return (f"your public key is {public}; ask someone who can read {env!r} to run "
                f"'secretsfile recipients add {env} {public}'")
    return (f"your public key is {public}; ask a recipient to run "
            f"'secretsfile recipients add ENV {public}' (in a project) or "
            f"'secretsfile updatekeys FILE --{option} {keys[0].recipient.value}'")
