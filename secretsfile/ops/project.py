"""Project verbs: ``init``, ``env add``, ``recipients add/remove``.

``init`` is idempotent: it creates what is missing (your key, the config, the environment
files, the ``.gitignore`` lines) and changes nothing on a second run.

Recipient changes touch two files, the environment file and the config, and no write
spans both. The order keeps one invariant: the environment file (what actually decides
who can read) is always at least as far along as the config. The file step goes first
because it is the one that can fail for reasons other than a crash (no key to open the
file, a failed MAC): a failure there leaves both untouched. The config step only records
what the file already says. A crash between the two leaves
  add X:    the file has X, the config does not (X can read but is not listed yet);
  remove X: the file has dropped X and has a new data key, the config still lists X.
Both verbs compare what is wanted with each file separately and write only the side that
differs, so running the same command again from a half-done state (X in the file only, or
in the config only) finishes the job instead of failing; from the done state it changes
nothing. (``remove`` of a recipient that neither names stays an error: likely a typo.)
``secretsfile status FILE`` always shows who the file is really encrypted for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from secretsfile._fileio import TEMP_PATTERN
from secretsfile.config.keys import parse_recipient
from secretsfile.config.project import CONFIG_NAMES, ProjectConfig, load_project_config
from secretsfile.errors import ConfigError, UsageError
from secretsfile.keysources import registry
from secretsfile.keysources.interface import Recipient
from secretsfile.ops import files, rekey
from secretsfile.ops.keygen import NewKey, keygen
from secretsfile.ops.recipient_config import (
    adding,
    env_entry,
    removing,
    resolve,
    update_config,
)
from secretsfile.ops.recipients import own_age_recipients
from secretsfile.ops.secrets import env_keys, modify_file
from secretsfile.secrets.naming import check_env_name

GITIGNORE_LINES = (
    "# secretsfile: never commit keys or decrypted copies",
    "keys.txt",
    "*.agekey",
    "*.fernet",
    "*.dec.yaml",
    "*.dec.json",
    "*.decrypted.*",
    ".env.decrypted",
    TEMP_PATTERN,  # temp files of a write killed midway (removed by the next write)
)


@dataclass
class InitResult:
    root: Path
    recipient: str
    created_key: NewKey | None = None
    config_written: bool = False
    files_created: list[Path] = field(default_factory=list)
    gitignore_added: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created_key or self.config_written or self.files_created
                    or self.gitignore_added)


def _own_recipient() -> tuple[str, NewKey | None]:
    own = own_age_recipients()
    if own:
        return own[0], None
    key = keygen(registry.DEFAULT_KIND)
    return key.public, key


def _add_environments(path: Path, names: list[str], recipient: str, new: bool = False
                      ) -> bool:
    """Add environments (and default_env) to the config; a new project also gets
    ``integrity: strict``, so files that lost their integrity tag are refused."""
    def mutate(data: Any) -> bool:
        from ruamel.yaml.comments import CommentedMap

        environments = data.get("environments")
        if environments is None:
            environments = CommentedMap()
            data["environments"] = environments
        changed = False
        for name in names:
            if name not in environments:
                environments[name] = env_entry([recipient])
                changed = True
        if "default_env" not in data and names:
            data.insert(0, "default_env", names[0])
            changed = True
        if new and "integrity" not in data:
            data.insert(1, "integrity", "strict")
            changed = True
        return changed

    return update_config(path, mutate)


def _ensure_gitignore(root: Path) -> list[str]:
    path = root / ".gitignore"
    existing = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    missing = [line for line in GITIGNORE_LINES if line not in existing]
    if missing:
        prefix = "\n" if existing and existing[-1].strip() else ""
        with path.open("a", encoding="utf-8") as handle:
            handle.write(prefix + "\n".join(missing) + "\n")
    return [line for line in missing if not line.startswith("#")]


def _ensure_files(config: ProjectConfig) -> list[Path]:
    created = []
    for env in config.environments:
        path = config.env_path(env)
        if not path.exists():
            modify_file(config, path, lambda doc: None)
            created.append(path)
    return created


def init(root: Path, envs: list[str]) -> InitResult:
    names = envs or ["dev"]
    for name in names:
        check_env_name(name)
    recipient, new_key = _own_recipient()
    existing = next((root / n for n in CONFIG_NAMES if (root / n).exists()), None)
    config_path = existing or root / CONFIG_NAMES[0]
    result = InitResult(root, recipient, new_key)
    result.config_written = _add_environments(config_path, names, recipient,
                                              new=existing is None)
    config = load_project_config(config_path)  # the file just written, parsed again
    result.files_created = _ensure_files(config)
    result.gitignore_added = _ensure_gitignore(root)
    return result


def add_environment(config: ProjectConfig, name: str, recipients: list[str]) -> Path:
    if config.path is None:
        raise ConfigError("no .secretsfile.yaml here", hint="run 'secretsfile init' first")
    check_env_name(name)
    if any(env.name == name for env in config.environments):
        raise UsageError(f"environment {name!r} already exists")
    if not recipients:
        recipients = [_own_recipient()[0]]
    for recipient in recipients:
        parse_recipient(recipient, f"environment {name}", config.path)
    _add_environments(config.path, [name], recipients[0])
    for extra in recipients[1:]:
        update_config(config.path, adding(name, _recipient(extra), extra))
    fresh = load_project_config(config.path)
    path = fresh.env_path(fresh.environment(name))
    if not path.exists():
        modify_file(fresh, path, lambda doc: None)
    return path


def _recipient(text: str) -> Recipient:
    return parse_recipient(text, "recipient", Path("."))


def _file_recipients(path: Path) -> set[Recipient]:
    """Who the file's data key is wrapped for, read without any key."""
    groups = files.document_of(path).metadata.key_groups
    return {Recipient(key.kind, registry.recipient_id(key)) for group in groups for key in group}


@dataclass(frozen=True)
class RecipientChange:
    config_changed: bool
    file_changed: bool
    rotated: bool




def add_recipient(config: ProjectConfig, env_name: str, recipient: str,
                  name: str | None = None) -> RecipientChange:
    """Re-wrap the environment's data key for the recipient, then record it in the config
    (each step skipped when already done; see the invariant above). ``name`` writes the
    explicit form ``{key: …, name: …}``."""
    env = config.environment(env_name)
    assert config.path is not None
    ref = _recipient(recipient)
    path = config.env_path(env)
    with env_keys(env.name):
        rewrapped = path.exists() and rekey.updatekeys(path, rekey.KeyChange(add=(ref,)),
                                                       config=config)
    changed = update_config(config.path, adding(env.name, ref, recipient.strip(), name))
    return RecipientChange(changed, rewrapped, rotated=False)


def remove_recipient(config: ProjectConfig, env_name: str, recipient: str | Recipient
                     ) -> RecipientChange:
    """Drop the recipient (a key or the name the config gives it) and rotate the data key
    in one write, then update the config (comments of the other entries kept).

    A recipient that only the config still lists (a removal interrupted after its file
    write) is dropped from the config, and the data key is rotated once more: that state
    cannot be told apart from a recipient dropped without rotation (``updatekeys``), and a
    second rotation costs only a larger diff. One that only the file lists (an interrupted
    ``add``) is removed from the file. What the removed key already read, and every old
    version in git history, stays readable to it: the underlying credentials must be
    rotated too.
    """
    env = config.environment(env_name)
    assert config.path is not None
    ref = recipient if isinstance(recipient, Recipient) else resolve(config, recipient,
                                                                     [env.name])
    path = config.env_path(env)
    in_file = path.exists() and ref in _file_recipients(path)
    if not in_file and ref not in env.recipients:
        from secretsfile.config.labels import read_labels, shown

        raise UsageError(f"{shown(ref, read_labels(config.path))} is not a recipient of "
                         f"{env.name}", hint=f"see 'secretsfile recipients list {env.name}'")
    rotated = False
    if path.exists():
        with env_keys(env.name):
            rotated = rekey.updatekeys(path, rekey.KeyChange(remove=(ref,) if in_file else ()),
                                       rotate_key=True, config=config)
    changed = update_config(config.path, removing(env.name, ref))
    return RecipientChange(changed, rotated, rotated=rotated)


def holds(config: ProjectConfig, env_name: str, ref: Recipient) -> bool:
    """Does the environment's config or file name ``ref``?"""
    env = config.environment(env_name)
    path = config.env_path(env)
    return ref in env.recipients or (path.exists() and ref in _file_recipients(path))


def add_everywhere(config: ProjectConfig, recipient: str, name: str | None = None
                   ) -> dict[str, RecipientChange]:
    """A person joining: ``add_recipient`` in every environment, in config order."""
    return {env.name: add_recipient(config, env.name, recipient, name)
            for env in config.environments}


def remove_everywhere(config: ProjectConfig, recipient: str) -> dict[str, RecipientChange]:
    """A person leaving: ``remove_recipient`` (data key rotated) in every environment
    whose config or file names them; none at all is an error (likely a typo)."""
    ref = resolve(config, recipient, [env.name for env in config.environments])
    envs = [env.name for env in config.environments if holds(config, env.name, ref)]
    if not envs:
        raise UsageError(f"{registry.shown(recipient)} is not a recipient of any environment",
                         hint="see 'secretsfile recipients list'")
    return {name: remove_recipient(config, name, ref) for name in envs}
