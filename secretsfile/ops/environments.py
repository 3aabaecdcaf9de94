"""``env remove`` and ``env rename``: the config (comments kept), the encrypted file and
this user's private overlay, and what points at the environment.

References (``{{ name.key }}``, in templates and ``exports:``) name secrets, never
environments, so they need no change: the environment name appears only in
``default_env`` (refused for ``remove`` without ``force``, rewritten by ``rename``) and in
the file path of an environment without ``file:`` (``secrets/<env>.yaml``, moved by
``rename``). Another environment that shares the file is named before the file is deleted.

Order for ``rename``: the files move first (each an atomic rename under the file lock,
refusing to overwrite), then the config; a rerun after a crash in between finds the old
file gone and the new one there, and only finishes the config.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from secretsfile._fileio import locked
from secretsfile.config.edit import rename_key
from secretsfile.config.project import ProjectConfig
from secretsfile.errors import UsageError
from secretsfile.ops.recipient_config import update_config
from secretsfile.secrets.naming import check_env_name


@dataclass
class EnvChange:
    """What ``env remove`` / ``env rename`` did (paths relative to the project root where
    they are inside it)."""

    config_changed: bool = False
    moved: list[tuple[Path, Path]] = field(default_factory=list)
    deleted: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)  # files left in place
    default_env_dropped: bool = False


def _sharing(config: ProjectConfig, name: str) -> list[str]:
    env = config.environment(name)
    return [other.name for other in config.environments
            if other.name != name and other.file == env.file]


def remove_environment(config: ProjectConfig, name: str, *, delete_file: bool = False,
                       force: bool = False) -> EnvChange:
    """Drop ``name`` from the config; with ``delete_file`` also its encrypted file and this
    user's private overlay. Refused while ``default_env`` names it (``force``: default_env
    is removed too)."""
    env = config.environment(name)
    assert config.path is not None
    if config.default_env == name and not force:
        raise UsageError(f"default_env is {name}: removing it would leave default_env "
                         "pointing at nothing",
                         hint="set default_env to another environment first, or pass --force "
                         "(default_env is then removed)")
    sharing = _sharing(config, name)
    if delete_file and sharing:
        raise UsageError(f"{env.file} is also the file of {', '.join(sharing)}",
                         hint="remove without --delete-file")
    change = EnvChange()

    def mutate(data: Any) -> bool:
        environments = data.get("environments")
        if not hasattr(environments, "items") or name not in environments:
            return False
        environments.pop(name)
        if data.get("default_env") == name:
            data.pop("default_env")
            change.default_env_dropped = True
        return True

    change.config_changed = update_config(config.path, mutate)
    for path in (config.env_path(env), config.private_path(env)):
        if not path.exists():
            continue
        if delete_file:
            with locked(path):
                path.unlink()
            change.deleted.append(path)
        else:
            change.kept.append(path)
    return change


def _move(old: Path, new: Path) -> bool:
    """Rename ``old`` to ``new`` atomically; False when already done (rerun)."""
    if not old.exists():
        return False
    with locked(old), locked(new):
        if new.exists():
            raise UsageError(f"{new} already exists", hint="move it away, then run again")
        new.parent.mkdir(parents=True, exist_ok=True)
        os.replace(old, new)
        directory = os.open(new.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    return True


def rename_environment(config: ProjectConfig, old: str, new: str) -> EnvChange:
    """Rename ``old`` to ``new``: the config entry (same place, same comments),
    ``default_env``, the file when it follows the default ``secrets/<env>.yaml`` (an
    explicit ``file:`` is kept) and this user's private overlay."""
    assert config.path is not None
    check_env_name(new)
    env = config.environment(old)
    if any(other.name == new for other in config.environments):
        raise UsageError(f"environment {new!r} already exists",
                         hint=f"remove it first ('secretsfile env remove {new}')")
    renamed = type(env)(new, env.file)
    change = EnvChange()
    settings = (config.raw.get("environments") or {}).get(old)
    if not (isinstance(settings, dict) and "file" in settings):
        if _sharing(config, old):
            raise UsageError(f"{env.file} is also the file of {', '.join(_sharing(config, old))}",
                             hint=f"give {old} an explicit 'file: {env.file}' first")
        renamed = type(env)(new, f"secrets/{new}.yaml")
    pairs = [(config.env_path(env), config.env_path(renamed)),
             (config.private_path(env), config.private_path(renamed))]
    for source, target in pairs:
        if source != target and _move(source, target):
            change.moved.append((source, target))

    def mutate(data: Any) -> bool:
        environments = data.get("environments")
        if not hasattr(environments, "items") or old not in environments:
            return False
        rename_key(environments, old, new)
        if data.get("default_env") == old:
            data["default_env"] = new
        return True

    change.config_changed = update_config(config.path, mutate)
    return change
