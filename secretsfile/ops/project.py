"""Project verbs: ``init``, ``env add``, ``recipients add/remove``.

``init`` is idempotent: it creates what is missing (your key, the config, the environment
files, the ``.gitignore`` lines) and changes nothing on a second run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from secretsfile._fileio import locked, write_atomic
from secretsfile.config.edit import updated_text
from secretsfile.config.project import CONFIG_NAMES, ProjectConfig, load, parse_recipient
from secretsfile.errors import ConfigError, UsageError
from secretsfile.keysources.interface import Recipient
from secretsfile.ops import files
from secretsfile.ops.keygen import NewKey, keygen
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


def update_config(path: Path, mutate: Any) -> bool:
    """Apply ``mutate`` to the config (comments kept); write atomically if it changed."""
    with locked(path):
        text = updated_text(path, mutate)
        if text is None:
            return False
        write_atomic(path, text)
    return True


def _own_recipient() -> tuple[str, NewKey | None]:
    own = own_age_recipients()
    if own:
        return own[0], None
    key = keygen("age")
    return key.public, key


def _env_entry(recipients: list[str]) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    entry = CommentedMap()
    entry["recipients"] = CommentedSeq(recipients)
    return entry


def _add_environments(path: Path, names: list[str], recipient: str) -> bool:
    def mutate(data: Any) -> bool:
        from ruamel.yaml.comments import CommentedMap

        environments = data.get("environments")
        if environments is None:
            environments = CommentedMap()
            data["environments"] = environments
        changed = False
        for name in names:
            if name not in environments:
                environments[name] = _env_entry([recipient])
                changed = True
        if "default_env" not in data and names:
            data.insert(0, "default_env", names[0])
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
            modify_file(path, lambda doc: None)
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
    result.config_written = _add_environments(config_path, names, recipient)
    config = load(override=config_path)
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
    if len(recipients) > 1:
        _set_recipients(config.path, name, lambda current: current + recipients[1:])
    fresh = load(override=config.path)
    path = fresh.env_path(fresh.environment(name))
    if not path.exists():
        modify_file(path, lambda doc: None)
    return path


def _set_recipients(path: Path, env: str, change: Any) -> bool:
    def mutate(data: Any) -> bool:
        from ruamel.yaml.comments import CommentedSeq

        entry = data["environments"][env]
        if entry is None:
            entry = _env_entry([])
            data["environments"][env] = entry
        current = [str(r) for r in entry.get("recipients") or []]
        wanted = change(current)
        if wanted == current:
            return False
        entry["recipients"] = CommentedSeq(wanted)
        return True

    return update_config(path, mutate)


def _recipient(text: str) -> Recipient:
    kind, value = parse_recipient(text, "recipient", Path("."))
    return Recipient(kind, value)


@dataclass(frozen=True)
class RecipientChange:
    config_changed: bool
    file_changed: bool
    rotated: bool


def add_recipient(config: ProjectConfig, env_name: str, recipient: str) -> RecipientChange:
    """Re-wrap the environment's data key for the recipient, then record it in the config
    (the file first: a config that names a recipient the file lacks would mislead)."""
    env = config.environment(env_name)
    assert config.path is not None
    ref = _recipient(recipient)
    path = config.env_path(env)
    with env_keys(env.name):
        rewrapped = path.exists() and files.updatekeys(path, files.KeyChange(add=(ref,)))
    changed = _set_recipients(config.path, env.name,
                              lambda cur: cur if recipient in cur else [*cur, recipient])
    return RecipientChange(changed, rewrapped, rotated=False)


def remove_recipient(config: ProjectConfig, env_name: str, recipient: str) -> RecipientChange:
    """Drop the recipient and rotate the data key in one write, then update the config.

    What the removed key already read, and every old version in git history, stays
    readable to it: the underlying credentials must be rotated too.
    """
    env = config.environment(env_name)
    assert config.path is not None
    ref = _recipient(recipient)
    if recipient not in [f"{k}:{v}" if k == "fernet" else v for k, v in env.recipients]:
        raise UsageError(f"{recipient[:24]}… is not a recipient of {env.name}")
    path = config.env_path(env)
    file_changed = False
    if path.exists():
        with env_keys(env.name):
            file_changed = files.updatekeys(path, files.KeyChange(remove=(ref,)),
                                            rotate_key=True)
    changed = _set_recipients(config.path, env.name,
                              lambda cur: [r for r in cur if r != recipient])
    return RecipientChange(changed, file_changed, rotated=file_changed)
