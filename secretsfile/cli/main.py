"""The full Typer application: every command group."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

import typer

from secretsfile.cli.common import set_quiet
from secretsfile.cli.runner import QuietOpt, new_app, run_app

app = new_app(
    "Encrypted secrets files in git, sops-compatible.\n\n"
    "Keys stay readable, every value is AES-256-GCM encrypted under a per-file data key "
    "wrapped for age recipients, PGP, AWS KMS, OpenBao/Vault transit or a Fernet key "
    "('secretsfile keysources list').",
    completion=True,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("secretsfile")
        except PackageNotFoundError:  # a source tree that is not installed
            from secretsfile import __version__ as number
        typer.echo(f"secretsfile {number}")
        raise typer.Exit()


@app.callback()
def _global_options(
    quiet: QuietOpt = False,
    show_version: Annotated[bool, typer.Option(
        "--version", is_eager=True, callback=_version,
        help="Print 'secretsfile VERSION' and exit.")] = False,
) -> None:
    set_quiet(quiet)


def _register_commands() -> None:
    # Each command module adds its commands to the app; order here is the order in --help.
    from secretsfile.cli import (
        exec_cmd,
        files_cmd,
        git_cmd,
        history_cmd,
        integrity_cmd,
        keys_cmd,
        keysources_cmd,
        merge_cmd,
        project_cmd,
        refs_cmd,
        run_cmd,
        scan,
        schema_cmd,
        secret_moves_cmd,
        secrets_cmd,
        sync_cmd,
        ui_cmd,
    )

    keys_cmd.register(app)
    keysources_cmd.register(app)
    files_cmd.register(app)
    integrity_cmd.register(app)
    merge_cmd.register(app)
    project_cmd.register(app)
    git_cmd.register(app)
    secrets_cmd.register(app)
    secret_moves_cmd.register(secrets_cmd.app)  # rename, copy, export
    sync_cmd.register(app)  # push, pull, diff with an external store
    schema_cmd.register(app)
    history_cmd.register(app)
    refs_cmd.register(app)
    ui_cmd.register(app)  # the secrets page
    run_cmd.register(app)
    exec_cmd.register(app)  # exec-env, exec-file
    scan.register(app)


_register_commands()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code."""
    return run_app(app, argv)
