"""The recipients lists of ``.secretsfile.yaml``, edited in place: every comment and every
label of the keys that stay is kept (``config/edit.py`` moves the comment lines of a
removed entry to its neighbour), and a recipient is found by key or by name.

``--name alice`` writes the explicit form ``{key: age1…, name: alice}``; without it the
entry is the plain key, which the team may label with a comment.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from secretsfile._fileio import locked, write_atomic
from secretsfile.config.edit import delete_item, updated_text
from secretsfile.config.labels import Labels, entry_key, labels_of, read_labels
from secretsfile.config.project import ProjectConfig
from secretsfile.errors import SecretsfileError, UsageError
from secretsfile.keysources import registry
from secretsfile.keysources.interface import Recipient


def update_config(path: Path, mutate: Any) -> bool:
    """Apply ``mutate`` to the config (comments kept); write atomically if it changed."""
    with locked(path):
        text = updated_text(path, mutate)
        if text is None:
            return False
        write_atomic(path, text)
    return True


def env_entry(recipients: list[Any]) -> Any:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    entry = CommentedMap()
    entry["recipients"] = CommentedSeq(recipients)
    return entry


def as_recipient(text: str) -> Recipient | None:
    try:
        return registry.parse_recipient(text)
    except SecretsfileError:
        return None


def _entry(text: str, name: str | None) -> Any:
    if not name:
        return text
    from ruamel.yaml.comments import CommentedMap

    entry = CommentedMap()
    entry["key"] = text
    entry["name"] = name
    entry.fa.set_flow_style()
    return entry


def _recipients_of(data: Any, env: str) -> tuple[Any, Any]:
    from ruamel.yaml.comments import CommentedSeq

    entry = data["environments"][env]
    if entry is None:
        entry = env_entry([])
        data["environments"][env] = entry
    if entry.get("recipients") is None:
        entry["recipients"] = CommentedSeq()
    return entry, entry["recipients"]


def adding(env: str, ref: Recipient, text: str, name: str | None = None
           ) -> Callable[[Any], bool]:
    """A config change (for ``update_config``): append ``text`` (named ``name``) to
    ``env``'s recipients unless it is listed; a name given for a listed key that has
    none is recorded (the plain entry becomes explicit)."""
    def mutate(data: Any) -> bool:
        _, seq = _recipients_of(data, env)
        for index, entry in enumerate(seq):
            if as_recipient(entry_key(entry)) != ref:
                continue
            if not name or labels_of(seq).get(ref) == name or hasattr(entry, "get"):
                return False
            seq[index] = _entry(entry_key(entry), name)
            return True
        seq.append(_entry(text, name))
        return True

    return mutate


def removing(env: str, ref: Recipient) -> Callable[[Any], bool]:
    """A config change (for ``update_config``): delete every entry of ``env`` naming
    ``ref``; the other entries keep their comments."""
    def mutate(data: Any) -> bool:
        entry, seq = _recipients_of(data, env)
        hits = [i for i, item in enumerate(seq) if as_recipient(entry_key(item)) == ref]
        for index in reversed(hits):
            delete_item(entry, "recipients", seq, index)
        return bool(hits)

    return mutate


def resolve(config: ProjectConfig, text: str, envs: list[str],
            labels: Labels | None = None) -> Recipient:
    """A recipient given as a key, or as the name the config gives a key in ``envs``."""
    ref = as_recipient(text)
    if ref is not None:
        return ref
    labels = read_labels(config.path) if labels is None else labels
    for env in config.environments:  # explicit names are parsed by the loader too
        labels.setdefault(env.name, {}).update(env.names)
    found = {r for env in envs for r, name in labels.get(env, {}).items() if name == text}
    if len(found) == 1:
        return found.pop()
    names = sorted({name for env in envs for name in labels.get(env, {}).values()})
    if found:
        raise UsageError(f"{text!r} names {len(found)} different keys",
                         hint="pass the key itself")
    where = ", ".join(envs)
    raise UsageError(f"{registry.shown(text)} is neither a recipient key nor a name in {where}",
                     hint=f"known names: {', '.join(names)}" if names
                     else "pass the key (age1…), or label keys with '# name' in the config")


def recipient_matrix(config: ProjectConfig, env: str | None = None) -> dict[str, Any]:
    """Who can read what, as the config says (``recipients list --json``)::

        {"environments": {"prod": [{"key": "age1…", "name": "alice"}, …], …},
         "recipients": [{"key": "age1…", "name": "alice", "environments": ["dev", "prod"]}]}

    ``name`` is null for an unnamed key; the first name found wins in ``recipients``."""
    from secretsfile.config.labels import name_of

    envs = [config.environment(env)] if env else list(config.environments)
    labels = read_labels(config.path)
    for item in envs:
        labels.setdefault(item.name, {}).update(item.names)
    by_env: dict[str, list[dict[str, Any]]] = {}
    people: dict[Recipient, dict[str, Any]] = {}
    for item in envs:
        by_env[item.name] = []
        for recipient in item.recipients:
            key, name = registry.spell(recipient), labels[item.name].get(recipient)
            by_env[item.name].append({"key": key, "name": name})
            person = people.setdefault(recipient, {
                "key": key, "name": name_of(recipient, labels), "environments": []})
            person["environments"].append(item.name)
    return {"environments": by_env, "recipients": list(people.values())}
