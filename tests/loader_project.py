"""A two-environment project (dev, prod; one age key each) for the loader, run, ci export
and pydantic tests. Every value is planted: tests grep outputs for ``PLANTED``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from secretsfile.keysources.age import generate_identity
from secretsfile.ops.files import EncryptOptions, encrypt_file
from secretsfile.ops.recipients import KeyOptions

# Built at run time so that the repository's own scanner sees no private key block here.
PEM = "\n".join([
    "-----BEGIN " + "PRIVATE KEY-----",
    "MIIEvPLANTEDPEMLINEabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ",
    "EOF",
    "PLANTEDpem<<EOF=x%0A::add-mask::",
    "-----END " + "PRIVATE KEY-----",
]) + "\n"

DEV = {
    "db": {"user": "dev-PLANTED-user", "password": "dev-PLANTED-pw%0A::x<<y"},
    "api-token": "dev-PLANTED-token",
    "tls-key": PEM,
}
PROD = {
    "db": {"user": "prod-PLANTED-user", "password": "prod-PLANTED-pw"},
    "api-token": "prod-PLANTED-token",
}


def planted(text: str) -> list[str]:
    """Every planted value (or line of one) that occurs in ``text``."""
    values: list[str] = []
    for data in (DEV, PROD):
        for value in data.values():
            values += list(value.values()) if isinstance(value, dict) else [value]
    pieces = {v for v in values} | {line for v in values for line in v.splitlines()
                                    if "PLANTED" in line}
    return sorted(p for p in pieces if p in text)


def _yaml(data: dict[str, object]) -> str:
    lines = []
    for name, value in data.items():
        if isinstance(value, dict):
            lines.append(f"{name}:")
            lines += [f"    {k}: '{v}'" for k, v in value.items()]
        elif isinstance(value, str) and "\n" in value:
            lines.append(f"{name}: |")
            lines += [f"    {line}" for line in value.splitlines()]
        else:
            lines.append(f"{name}: '{value}'")
    return "\n".join(lines) + "\n"


@dataclass
class Project:
    root: Path
    dev_key: str
    prod_key: str
    dev_recipient: str
    prod_recipient: str

    def path(self, env: str) -> Path:
        return self.root / "secrets" / f"{env}.yaml"

    def write(self, env: str, data: dict[str, object]) -> None:
        """Replace an environment's file with ``data``, encrypted for its key."""
        path = self.path(env)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_yaml(data))
        recipient = self.dev_recipient if env == "dev" else self.prod_recipient
        encrypt_file(path, EncryptOptions(keys=KeyOptions(age=(recipient,))), in_place=True)


def make_project(root: Path, default_env: str | None = None) -> Project:
    dev_key, dev_recipient = generate_identity()
    prod_key, prod_recipient = generate_identity()
    config = (f"environments:\n  dev: {{recipients: [{dev_recipient}]}}\n"
              f"  prod: {{recipients: [{prod_recipient}]}}\n")
    if default_env:
        config += f"default_env: {default_env}\n"
    root.mkdir(parents=True, exist_ok=True)
    (root / ".secretsfile.yaml").write_text(config)
    project = Project(root, dev_key, prod_key, dev_recipient, prod_recipient)
    project.write("dev", DEV)
    project.write("prod", PROD)
    return project


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    """The project, as the working directory, with both environments' keys in
    SECRETSFILE_AGE_KEY_DEV / _PROD, and an empty loader cache."""
    from secretsfile.loader import clear_cache

    made = make_project(tmp_path / "repo")
    monkeypatch.chdir(made.root)
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_DEV", made.dev_key)
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_PROD", made.prod_key)
    clear_cache()
    return made
