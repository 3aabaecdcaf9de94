"""``direnv-hook``: the use_secretsfile bash function for direnv's .envrc (registered by
``exec_cmd.register``, beside exec-env and exec-file, in the "Run and CI" panel)."""

from __future__ import annotations

from typing import Annotated

import typer

from secretsfile.cli.run_cmd import ConfigOpt, EnvOpt

DIRENV_HELP = (
    "Print the use_secretsfile bash function for direnv's .envrc.\n\n"
    "'use secretsfile [ENV] [OPTIONS]' in .envrc sets ENV's variables exactly as run gives "
    "them to a command (same names, deny-list, --only/--exclude/--allow; key variables never "
    "set) and replacing variables already set, as direnv's dotenv does. It reads 'ci export "
    "--format dotenv' into the shell (single-quoted: nothing in a value runs; nothing is "
    "written to disk or printed) and watches .secretsfile.yaml and the environment's files, "
    "so direnv reloads when they change.\n\n"
    "Example: secretsfile direnv-hook > ~/.config/direnv/lib/secretsfile.sh, "
    "then 'use secretsfile dev' in .envrc"
)


def direnv_hook(
    files: Annotated[bool, typer.Option(
        "--files", help="Instead: the files use_secretsfile watches for --env, "
        "NUL-separated (used by the function).")] = False,
    env: EnvOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Print the use_secretsfile function for .envrc (help: DIRENV_HELP)."""
    from secretsfile.cli.common import out, project
    from secretsfile.ops import direnv

    if not files:
        out(direnv.hook_text())
        return
    out("".join(f"{path}\0" for path in direnv.watched_files(project(config), env)))


def register(app: typer.Typer, panel: str) -> None:
    app.command("direnv-hook", help=DIRENV_HELP, rich_help_panel=panel)(direnv_hook)
