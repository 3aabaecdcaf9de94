"""The dev/prod project the reference tests render against: a `database` group in each
environment and an `api-token` in prod, all encrypted for one age recipient."""

from __future__ import annotations

from pathlib import Path

from secretsfile.config.project import ProjectConfig
from secretsfile.config.project import load as project
from secretsfile.ops.secrets import save_secret
from secretsfile.secrets.model import Secret


def seed_project(root: Path, recipient: str, prod_password: str, token: str,
                 dev_password: str) -> ProjectConfig:
    """Write the config and the secrets under ``root`` (the working directory)."""
    (root / ".secretsfile.yaml").write_text(
        f"environments:\n  dev:\n    recipients: [{recipient}]\n"
        f"  prod:\n    recipients: [{recipient}]\n")
    config = project()
    prod, dev = config.choose("prod"), config.choose("dev")
    save_secret(config, prod, Secret("database", "prod", values={
        "user": "admin", "password": prod_password, "port": "5432"}), create=True)
    save_secret(config, prod, Secret("api-token", "prod", value=token), create=True)
    save_secret(config, dev, Secret("database", "dev", values={
        "user": "dev", "password": dev_password, "port": "5433"}), create=True)
    return project()
