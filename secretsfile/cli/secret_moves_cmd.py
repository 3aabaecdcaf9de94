"""``secret rename|copy|export``: moving a named secret, or taking its plaintext out.

Registered onto the ``secret`` group by ``secrets_cmd.register``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from secretsfile.cli.common import out, say
from secretsfile.cli.run_cmd import AllowOpt
from secretsfile.cli.secrets_cmd import ConfigOpt, EnvOpt, PrivateOpt, _context


def rename(
    old: Annotated[str, typer.Argument(help="The secret's current name.")],
    new: Annotated[str, typer.Argument(help="Its new name (must not exist).")],
    env: EnvOpt = None,
    private: PrivateOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Rename a secret in one environment (one locked write; values are re-encrypted
    under the new name). References {{OLD…}} left in templates are listed as warnings."""
    from secretsfile.ops.secret_moves import rename_secret

    cfg, environment = _context(config, env)
    stale = rename_secret(cfg, environment, old, new, private)
    say(f"renamed {old} to {new} in {environment.name}" + (" (private)" if private else ""))
    for ref in stale:
        say(f"warning: {_shown(ref.path)}:{ref.line}: {ref.text} still names {old!r}")
    if stale:
        say(f"  update those references to {{{{{new}…}}}} (other environments keep {old})")


def copy(
    name: Annotated[str, typer.Argument(help="The secret to copy.")],
    source: Annotated[str, typer.Option("--from", help="Environment to read it from.")],
    target: Annotated[str, typer.Option("--to", help="Environment to write it into.")],
    as_name: Annotated[str | None, typer.Option("--as", help="Name in the target.")] = None,
    force: Annotated[bool, typer.Option("--force",
                                        help="Replace a secret that exists and differs.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Copy (promote) a team secret to another environment, encrypted for that
    environment's recipients. Needs keys for both files.

    Example: secretsfile secret copy app-db --from staging --to prod
    """
    from secretsfile.cli.common import project
    from secretsfile.ops.secret_moves import copy_secret

    cfg = project(config)
    src, dst = cfg.environment(source), cfg.environment(target)
    existed, differing = copy_secret(cfg, src, dst, name, as_name, force)
    shown = as_name or name
    if existed and not differing:
        say(f"{shown} in {dst.name} already holds the same values; nothing changed")
    elif existed:
        say(f"replaced {shown} in {dst.name} with {name} from {src.name} "
            f"(changed: {', '.join(differing)})")
    else:
        say(f"copied {name} from {src.name} to {dst.name}"
            + (f" as {as_name}" if as_name else ""))


def export(
    name: Annotated[str, typer.Argument(help="The secret to export.")],
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="json|dotenv|yaml",
                                           help="The output format.")] = "json",
    env: EnvOpt = None,
    private: Annotated[
        bool | None, typer.Option("--private/--team", help="Only your private / the team's.")
    ] = None,
    allow: AllowOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Print one secret's plaintext on stdout (json/yaml: the group's keys; dotenv: the
    variables 'run' gives it: NAME_KEY, its exports: and schema names, checked against the
    deny-list like 'ci export'). Asking for the export is explicit, so no --reveal is
    needed and a terminal is allowed: redirect it, e.g. > key.json (mind the file's
    permissions)."""
    from secretsfile.ops.secret_moves import export_secret

    cfg, environment = _context(config, env)
    out(export_secret(cfg, environment, name, fmt, private, allow or ()))


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def register(app: typer.Typer) -> None:
    """Add the commands to the ``secret`` group."""
    app.command("rename")(rename)
    app.command("copy")(copy)
    app.command("export")(export)
