"""``recipients add/remove/list``: who can read which environment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from secretsfile.cli.common import say
from secretsfile.cli.project_cmd import ConfigOpt
from secretsfile.errors import UsageError
from secretsfile.keysources import registry

if TYPE_CHECKING:
    from secretsfile.ops.project import RecipientChange

_SYNTAXES = ", or ".join(source.syntax for source in registry.sources())
_RECIPIENT_HELP = _SYNTAXES[:1].upper() + _SYNTAXES[1:] + "."
app = typer.Typer(help="Who can read an environment.", no_args_is_help=True)
AllEnvsOpt = Annotated[bool, typer.Option(
    "--all-envs", help="Every environment in the config (a person joining or leaving); "
    "then pass only the recipient.")]
_ENV_HELP = "The environment (with --all-envs: the recipient, and nothing after it)."
_HISTORY = ("warning: the removed key can still read old versions of {what} in git history; "
            "rotate the credentials it could read (database passwords, API keys, ...)")


def _split(first: str, second: str | None, all_envs: bool) -> tuple[str | None, str]:
    """(environment, recipient) from ``ENV RECIPIENT`` or ``RECIPIENT --all-envs``."""
    if all_envs:
        if second is not None:
            raise UsageError("--all-envs takes only the recipient",
                             hint="e.g. secretsfile recipients add age1… --all-envs")
        return None, first
    if second is None:
        raise UsageError("which environment?",
                         hint="pass ENV RECIPIENT, or RECIPIENT --all-envs")
    return first, second


def _said_add(env: str, change: RecipientChange) -> None:
    if change.file_changed:
        say(f"{env}: added recipient; the data key is re-wrapped, values unchanged")
    elif change.config_changed:
        say(f"{env}: recorded the recipient in the config (the file already had it)")
    else:
        say(f"{env}: already a recipient")


@app.command("add")
def recipients_add(
    env: Annotated[str, typer.Argument(metavar="ENV", help=_ENV_HELP, show_default=False)],
    recipient: Annotated[str | None, typer.Argument(
        metavar="RECIPIENT", help=_RECIPIENT_HELP, show_default=False)] = None,
    name: Annotated[str | None, typer.Option(
        "--name", help="Who it is: written as {key: …, name: NAME} in the config and shown "
        "by 'recipients list' and in errors (without it: the plain key; a '# name' comment "
        "on its line labels it too).")] = None,
    all_envs: AllEnvsOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Give a recipient access: recorded in the config (comments kept), data key re-wrapped
    for it."""
    from secretsfile.cli.common import project
    from secretsfile.ops.project import add_everywhere, add_recipient

    where, key = _split(env, recipient, all_envs)
    cfg = project(config)
    if where is None and key in {e.name for e in cfg.environments}:
        raise UsageError(f"with --all-envs the only argument is the recipient; {key!r} is an "
                         "environment",
                         hint=f"add to every environment: secretsfile recipients add age1… "
                              f"--all-envs; to {key} only: secretsfile recipients add {key} age1…")
    if where is None:
        for env_name, change in add_everywhere(cfg, key, name).items():
            _said_add(env_name, change)
    else:
        _said_add(where, add_recipient(cfg, where, key, name))


@app.command("remove")
def recipients_remove(
    env: Annotated[str, typer.Argument(metavar="ENV", help=_ENV_HELP, show_default=False)],
    recipient: Annotated[str | None, typer.Argument(
        metavar="RECIPIENT",
        help="The recipient to remove: its key, or the name the config gives it.",
        show_default=False)] = None,
    all_envs: AllEnvsOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Remove a recipient and rotate the data key.

    The removed key can still read every old version of the file in git history (and
    whatever it read before): rotate the underlying credentials too.
    """
    from secretsfile.cli.common import project
    from secretsfile.ops.project import remove_everywhere, remove_recipient

    where, key = _split(env, recipient, all_envs)
    cfg = project(config)
    changes = (remove_everywhere(cfg, key) if where is None
               else {where: remove_recipient(cfg, where, key)})
    for env_name, change in changes.items():
        note = "" if change.config_changed else " (the config no longer listed it)"
        say(f"{env_name}: removed recipient{note}"
            + ("; data key rotated" if change.rotated else ""))
    say(_HISTORY.format(what="these files" if len(changes) > 1 else "this file"))


@app.command("list")
def recipients_list(
    env: Annotated[str | None, typer.Argument(help="The environment (default: all).",
                                              show_default=False)] = None,
    env_opt: Annotated[str | None, typer.Option("--env", "-e", help="Same as ENV.")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help='The matrix: {"environments": {ENV: [{"key", "name"}, ...]}, '
        '"recipients": [{"key", "name", "environments": [ENV, ...]}]}; name is null '
        "for an unnamed key.")] = False,
    config: ConfigOpt = None,
) -> None:
    """The recipients as configured, with their names (from {key, name} entries or a
    '# name' comment on the key's line). Text: KEY<TAB>NAME per line for one environment,
    ENV<TAB>KEY<TAB>NAME for all."""
    from secretsfile.cli.common import emit_json, out, project
    from secretsfile.ops.recipient_config import recipient_matrix

    if env and env_opt and env != env_opt:
        raise UsageError(f"two environments given: {env} and {env_opt}", hint="pass one")
    matrix = recipient_matrix(project(config), env or env_opt)
    if as_json:
        emit_json(matrix)
        return
    single = bool(env or env_opt)
    for env_name, entries in matrix["environments"].items():
        for entry in entries:
            cells = ([] if single else [env_name]) + [entry["key"]] + (
                [entry["name"]] if entry["name"] else [])
            out("\t".join(cells) + "\n")


def register(root: typer.Typer, panel: str) -> None:
    root.add_typer(app, name="recipients", rich_help_panel=panel)
