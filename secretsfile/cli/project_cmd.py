"""Project commands: init; env (env_cmd.py) and recipients (recipients_cmd.py) are
registered from here."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from secretsfile.cli.common import say

PANEL = "Project"
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="The project config (default: nearest .secretsfile.yaml).",
                 envvar="SECRETSFILE_CONFIG", show_envvar=True),
]


def init(
    env: Annotated[
        list[str] | None,
        typer.Option("--env", "-e", help="An environment to create; repeatable (default: dev)."),
    ] = None,
    git_setup: Annotated[
        bool | None,
        typer.Option("--git-setup/--no-git-setup",
                     help="Set up the git diff and merge drivers (default: inside a git "
                     "repository); see 'secretsfile git setup'."),
    ] = None,
) -> None:
    """Set up this folder: your key (if you have none), .secretsfile.yaml, one encrypted
    file per environment, and .gitignore lines. Safe to run again: it only adds what is
    missing."""
    from secretsfile.ops.project import init as init_project

    result = init_project(Path.cwd(), list(env or []))
    if result.created_key:
        say(f"created your {result.created_key.kind} key at {result.created_key.path} "
            "(back it up)")
    say(f"{'wrote' if result.config_written else 'kept'} .secretsfile.yaml "
        f"(recipient {result.recipient})")
    for path in result.files_created:
        say(f"created {path.relative_to(result.root)}")
    if result.gitignore_added:
        say(f"added to .gitignore: {', '.join(result.gitignore_added)}")
    if not result.changed:
        say("nothing to do: already initialised")
    if git_setup is not False:
        _init_git(git_setup)
    first = (env or ["dev"])[0]
    say("\nnext:")
    say(f"  secretsfile secret create app-db --env {first} --schema postgres --user=app "
        "--password=@password.txt --host=db --database=app")
    say(f"  secretsfile secret list --env {first}")
    say(f"  secretsfile recipients add {first} <teammate's age1... key>")


def _init_git(asked: bool | None) -> None:
    from secretsfile.cli.common import project
    from secretsfile.cli.git_cmd import repo_root, run_setup

    root = repo_root(Path.cwd())
    if root is None:
        if asked:
            say("not a git repository: git drivers not set up (run 'git init', then "
                "'secretsfile git setup')")
        return
    run_setup(project(None), root)


def register(app: typer.Typer) -> None:
    app.command("init", rich_help_panel=PANEL)(init)
    from secretsfile.cli import env_cmd, recipients_cmd

    env_cmd.register(app, PANEL)
    recipients_cmd.register(app, PANEL)
