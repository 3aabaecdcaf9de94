"""``env add/list/remove/rename``: environments, one encrypted file each."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from secretsfile.cli.common import say
from secretsfile.cli.project_cmd import ConfigOpt
from secretsfile.errors import UsageError

if TYPE_CHECKING:
    from secretsfile.config.project import ProjectConfig

app = typer.Typer(help="Environments (one encrypted file each).", no_args_is_help=True)


@app.command("add")
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


@app.command("list")
def env_list(
    config: ConfigOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output: "
                       '[{"name", "file", "default", "recipients": [{"type", "key", '
                       '"name"}]}].')] = False,
) -> None:
    """List the environments, their files and how many recipients can read each."""
    from secretsfile.cli.common import emit_json, out, project

    cfg = project(config)
    if as_json:
        emit_json([{"name": env.name, "file": env.file, "default": env.name == cfg.default_env,
                    "recipients": [{"type": r[0], "key": r[1], "name": env.names.get(r)}
                                   for r in env.recipients]}
                   for env in cfg.environments])
        return
    for env in cfg.environments:
        out(f"{env.name}\t{env.file}\t{len(env.recipients)} recipient(s)\n")


def _shown(cfg: ProjectConfig, path: Path) -> str:
    try:
        return path.relative_to(cfg.root).as_posix()
    except ValueError:
        return str(path)


def _git_note(cfg: ProjectConfig, paths: list[Path]) -> None:
    from secretsfile.cli.git_cmd import repo_root

    root = repo_root(cfg.root)
    inside = [p for p in paths if root is not None and p.is_relative_to(root.resolve())]
    if inside:
        say(f"git: commit {', '.join(_shown(cfg, p) for p in inside)} and the config "
            "together")


@app.command("remove")
def env_remove(
    name: Annotated[str, typer.Argument(help="The environment to remove.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    delete_file: Annotated[bool, typer.Option(
        "--delete-file", help="Also delete its encrypted file and your private overlay "
        "(default: kept, no longer used).")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Remove it even when default_env names it (default_env is then "
        "removed too).")] = False,
    config: ConfigOpt = None,
) -> None:
    """Remove an environment from the config. References ({{ name.key }}) name secrets,
    not environments, so none is left dangling; default_env naming it is refused without
    --force. Git history keeps every old version of its file."""
    from secretsfile.cli.common import project
    from secretsfile.ops.environments import remove_environment

    cfg = project(config)
    cfg.environment(name)  # an unknown name fails before the question
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError(f"refusing to remove environment {name} without confirmation",
                             hint="pass --yes")
        typer.confirm(f"remove environment {name}?", abort=True)
    change = remove_environment(cfg, name, delete_file=delete_file, force=force)
    say(f"removed environment {name} from the config"
        + ("" if change.config_changed else " (it was already gone)"))
    if change.default_env_dropped:
        say("removed default_env (it named this environment)")
    for path in change.deleted:
        say(f"deleted {_shown(cfg, path)}")
    for path in change.kept:
        say(f"kept {_shown(cfg, path)} (no longer used; --delete-file deletes it)")
    if change.deleted:
        _git_note(cfg, [p.resolve() for p in change.deleted])


@app.command("rename")
def env_rename(
    old: Annotated[str, typer.Argument(help="The environment's name.")],
    new: Annotated[str, typer.Argument(help="Its new name.")],
    config: ConfigOpt = None,
) -> None:
    """Rename an environment: its config entry (comments kept), default_env, its file when
    it has the default name secrets/OLD.yaml (an explicit file: is kept) and your private
    overlay. References ({{ name.key }}) name secrets, not environments: none changes."""
    from secretsfile.cli.common import project
    from secretsfile.ops.environments import rename_environment

    cfg = project(config)
    change = rename_environment(cfg, old, new)
    say(f"renamed environment {old} to {new}"
        + ("" if change.config_changed else " (the config already had it)"))
    for source, target in change.moved:
        say(f"moved {_shown(cfg, source)} -> {_shown(cfg, target)}")
    _git_note(cfg, [p.resolve() for pair in change.moved for p in pair])
    from secretsfile.keysources.age import env_key_var

    # what lives outside this repository cannot be moved from here: say so
    say(f"outside the repository: teammates rename their private {old}.yaml to {new}.yaml "
        "(under ~/.config/secretsfile/private/<project>/ on each machine), and a CI key "
        f"set as {env_key_var(old)} becomes {env_key_var(new)}")


def register(root: typer.Typer, panel: str) -> None:
    root.add_typer(app, name="env", rich_help_panel=panel)
