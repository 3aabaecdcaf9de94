"""The config is the source of truth for who can read a file: compare every configured file
(environment files, existing files matched by a creation rule) with the recipients the
config names for it, and re-wrap the data key where they differ (``updatekeys`` without
files, like ``sops updatekeys -y``). Removing a recipient rotates the data key.

Needs no key to compare; applying needs one (the data key is unwrapped to re-wrap it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from secretsfile.core.metadata import MasterKey, Metadata
from secretsfile.errors import SecretsfileError
from secretsfile.keysources import registry
from secretsfile.keysources.interface import Recipient
from secretsfile.ops import rekey
from secretsfile.ops.document import read_encrypted_file

if TYPE_CHECKING:
    from secretsfile.config.keys import KeyPlan
    from secretsfile.config.project import ProjectConfig


@dataclass(frozen=True)
class Drift:
    """One file whose recipients differ from its config; ``problem`` set: reported, never
    changed (Shamir key groups, key types secretsfile cannot wrap for)."""

    path: Path
    display: str
    added: tuple[Recipient, ...] = ()
    removed: tuple[Recipient, ...] = ()
    problem: str | None = None
    names: Mapping[Recipient, str] = field(default_factory=dict)  # the config's labels

    def _named(self, recipient: Recipient) -> str:
        name = self.names.get(recipient)
        return f"{recipient.kind} {recipient.value}" + (f" ({name})" if name else "")

    def lines(self) -> list[str]:
        if self.problem:
            return [f"{self.display}: {self.problem}"]
        return ([f"{self.display}: missing recipient {self._named(r)} (in the config)"
                 for r in self.added]
                + [f"{self.display}: extra recipient {self._named(r)} (not in the config)"
                   for r in self.removed])


def _display(path: Path, config: ProjectConfig) -> str:
    try:
        return path.resolve().relative_to(config.root.resolve()).as_posix()
    except ValueError:
        return str(path)


def configured_files(config: ProjectConfig) -> list[Path]:
    """Environment files that exist, then existing files under the project root that a
    creation rule matches (sops-encrypted ones only: the rest is check-encrypted's job)."""
    from secretsfile.config.rules import rule_matches
    from secretsfile.scanner.sources import walk

    found = [config.env_path(env) for env in config.environments]
    found = [path for path in found if path.is_file()]
    if config.creation_rules:
        seen = {path.resolve() for path in found}
        for path in walk(config.root):
            resolved = path.resolve()
            if resolved in seen or path.name in (".secretsfile.yaml", ".sops.yaml"):
                continue
            if any(rule_matches(rule, resolved) for rule in config.creation_rules):
                seen.add(resolved)
                found.append(path)
    return found


def file_drift(path: Path, config: ProjectConfig) -> Drift | None:
    """How ``path``'s recipients differ from its plan; None: in line, no plan, or not a
    sops-encrypted file."""
    plan = config.plan_for(path)
    if plan is None:
        return None
    try:
        metadata = read_encrypted_file(path).metadata
    except SecretsfileError:
        return None
    display = _display(path, config)
    if len(plan.groups) > 1 or len(metadata.key_groups) > 1:
        problem = _key_groups_drift(metadata, plan)
        return Drift(path, display, problem=problem) if problem else None
    keys = metadata.key_groups[0] if metadata.key_groups else []
    unsupported = [key for key in keys if not registry.supports(key.kind)]
    current = _recipients(keys)
    wanted = list(plan.groups[0]) if plan.groups else []
    added = tuple(r for r in wanted if r not in current)
    removed = tuple(r for r in current if r not in wanted)
    if not added and not removed:
        return None
    if unsupported:
        return Drift(path, display, added, removed, problem=(
            f"has {registry.describe(unsupported[0])}, a key secretsfile cannot re-wrap: "
            "not changed, run 'sops updatekeys' on it"))
    return Drift(path, display, added, removed)


def _recipients(keys: Sequence[MasterKey]) -> list[Recipient]:
    return [Recipient(key.kind, registry.recipient_id(key)) for key in keys]


_NOT_CHANGED = ("; key groups are not changed by updatekeys: edit them with sops "
                "('sops updatekeys' or 'sops --add-age ... --shamir-secret-sharing-threshold')")


def _key_groups_drift(metadata: Metadata, plan: KeyPlan) -> str | None:
    """Shamir files: each file group against the config's group at the same place (keys in
    any order inside a group), and the threshold (0 means every group). None: in line."""
    groups = metadata.key_groups
    if len(groups) != len(plan.groups):
        return (f"has {len(groups)} key group(s), the config {len(plan.groups)}"
                + _NOT_CHANGED)
    for index, (keys, wanted) in enumerate(zip(groups, plan.groups, strict=True)):
        current = _recipients(keys)
        missing = [r for r in wanted if r not in current]
        extra = [r for r in current if r not in wanted]
        if missing or extra:
            said = ([f"missing {r.kind} {r.value}" for r in missing]
                    + [f"extra {r.kind} {r.value}" for r in extra])
            return f"key group {index} differs from the config ({', '.join(said)})" + _NOT_CHANGED
    threshold = metadata.shamir_threshold or len(groups)
    wanted_threshold = plan.shamir_threshold or len(plan.groups)
    if threshold != wanted_threshold:
        return (f"shamir_threshold is {threshold}, the config says {wanted_threshold}"
                + _NOT_CHANGED)
    return None


def drift(config: ProjectConfig, paths: Sequence[Path] | None = None) -> list[Drift]:
    """Every configured file (or just ``paths``) whose recipients differ from the config."""
    targets = list(paths) if paths else configured_files(config)
    found = [d for d in (file_drift(path, config) for path in targets) if d is not None]
    if not found:
        return found
    from secretsfile.config.labels import read_labels

    names = {r: n for labels in read_labels(config.path).values() for r, n in labels.items()}
    return [replace(d, names=names) for d in found]


def _nothing(_done: str) -> None:
    return None


def applicable(found: Sequence[Drift]) -> list[Drift]:
    """The drifts ``apply`` changes (those without a problem)."""
    return [item for item in found if item.problem is None]


def apply(config: ProjectConfig, found: Sequence[Drift],
          advance: Callable[[str], None] = _nothing) -> None:
    """Re-wrap each applicable drift's file for its configured recipients (a removal draws
    a new data key in the same write); ``advance(display)`` after each file."""
    for item in applicable(found):
        rekey.updatekeys(item.path, rekey.KeyChange(item.added, item.removed),
                         rotate_key=bool(item.removed), config=config)
        advance(item.display)


def reconcile(config: ProjectConfig, paths: Sequence[Path] | None = None,
              advance: Callable[[str], None] = _nothing) -> list[Drift]:
    """``drift`` then ``apply``. Returns every drift found (those with a problem unchanged)."""
    found = drift(config, paths)
    apply(config, found, advance)
    return found
