"""Project commands: init, env add, recipients add/remove."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from secretsfile.cli.common import say
from secretsfile.keysources import registry

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


env_app = typer.Typer(help="Environments (one encrypted file each).", no_args_is_help=True)


@env_app.command("add")
def env_add(
    name: Annotated[str, typer.Argument(help="Environment name, e.g. staging.")],
    recipient: Annotated[
        list[str] | None,
        typer.Option("--recipient", "-r", help="Who may read it (default: you); repeatable."),
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Add an environment to the config and create its encrypted file."""
    from secretsfile.cli.common import project
    from secretsfile.ops.project import add_environment

    path = add_environment(project(config), name, list(recipient or []))
    say(f"added environment {name} ({path})")


@env_app.command("list")
def env_list(config: ConfigOpt = None) -> None:
    """List the environments and their files."""
    from secretsfile.cli.common import out, project

    cfg = project(config)
    for env in cfg.environments:
        out(f"{env.name}\t{env.file}\t{len(env.recipients)} recipient(s)\n")


_SYNTAXES = ", or ".join(source.syntax for source in registry.sources())
_RECIPIENT_HELP = _SYNTAXES[:1].upper() + _SYNTAXES[1:] + "."
recipients_app = typer.Typer(help="Who can read an environment.", no_args_is_help=True)


@recipients_app.command("add")
def recipients_add(
    env: Annotated[str, typer.Argument(help="The environment.")],
    recipient: Annotated[str, typer.Argument(help=_RECIPIENT_HELP)],
    config: ConfigOpt = None,
) -> None:
    """Give a recipient access: recorded in the config, data key re-wrapped for it."""
    from secretsfile.cli.common import project
    from secretsfile.ops.project import add_recipient

    change = add_recipient(project(config), env, recipient)
    if change.file_changed:
        say(f"{env}: added recipient; the data key is re-wrapped, values unchanged")
    elif change.config_changed:
        say(f"{env}: recorded the recipient in the config (the file already had it)")
    else:
        say(f"{env}: already a recipient")


@recipients_app.command("remove")
def recipients_remove(
    env: Annotated[str, typer.Argument(help="The environment.")],
    recipient: Annotated[str, typer.Argument(help="The recipient to remove.")],
    config: ConfigOpt = None,
) -> None:
    """Remove a recipient and rotate the data key.

    The removed key can still read every old version of the file in git history (and
    whatever it read before): rotate the underlying credentials too.
    """
    from secretsfile.cli.common import project
    from secretsfile.ops.project import remove_recipient

    change = remove_recipient(project(config), env, recipient)
    where = "" if change.config_changed else " (the config no longer listed it)"
    say(f"{env}: removed recipient{where}" + ("; data key rotated" if change.rotated else ""))
    say("warning: the removed key can still read old versions of this file in git history; "
        "rotate the credentials it could read (database passwords, API keys, ...)")


@recipients_app.command("list")
def recipients_list(
    env: Annotated[str, typer.Argument(help="The environment.")],
    config: ConfigOpt = None,
) -> None:
    """The environment's recipients, as configured."""
    from secretsfile.cli.common import out, project

    for recipient in project(config).environment(env).recipients:
        out(registry.spell(recipient) + "\n")


def register(app: typer.Typer) -> None:
    app.command("init", rich_help_panel=PANEL)(init)
    app.add_typer(env_app, name="env", rich_help_panel=PANEL)
    app.add_typer(recipients_app, name="recipients", rich_help_panel=PANEL)
