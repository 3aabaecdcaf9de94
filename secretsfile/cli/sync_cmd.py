"""``sync push|pull|diff``: an environment's named secrets and an external store.

Lines name secrets and keys, never values: ``+ NAME (keys: a, b)`` (created),
``~ NAME: password, port`` (changed keys), ``- NAME`` (deleted), ``! NAME: why`` (left
alone), ``= NAME`` (the same; with ``--verbose``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from secretsfile.cli.common import emit_json, out, say
from secretsfile.cli.progress import progress
from secretsfile.cli.secrets_cmd import ConfigOpt, EnvOpt, _context

if TYPE_CHECKING:
    from secretsfile.ops.sync import Change, SyncPlan

app = typer.Typer(
    help="Push and pull an environment's named secrets to and from an external store: "
    "vault://HOST:PORT/MOUNT/PREFIX (Vault/OpenBao KV v2; VAULT_TOKEN, VAULT_NAMESPACE) or "
    "awssm://REGION/PREFIX (AWS Secrets Manager; the AWS credential chain). One store "
    "entry per secret at PREFIX/NAME. The git file stays the source of truth.",
    no_args_is_help=True)

OnlyOpt = Annotated[list[str] | None, typer.Option(
    "--only", metavar="NAME", help="Only this secret (repeat for more).")]
DryRunOpt = Annotated[bool, typer.Option(
    "--dry-run", help="Show what would change; write nothing.")]
VerboseOpt = Annotated[bool, typer.Option(
    "--verbose", "-v", help="Also list the secrets that are the same (= NAME).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="The plan as JSON (names and keys).")]


def _line(change: Change) -> str:
    note = f" ({change.note})" if change.note else ""
    keys = ", ".join(change.keys)
    if change.action == "create":
        return f"+ {change.name}" + (f" (keys: {keys})" if keys else "") + note
    if change.action == "update":
        return f"~ {change.name}: {keys}{note}"
    if change.action == "delete":
        return f"- {change.name}"
    if change.action == "skip":
        return f"! {change.name}: {change.note}"
    return f"= {change.name}"


def _show(plan: SyncPlan, verbose: bool) -> None:
    lines = [_line(c) for c in plan.changes if c.action != "same" or verbose]
    if lines:
        out("\n".join(lines) + "\n")


def _summary(plan: SyncPlan, verb: str, dry_run: bool) -> None:
    counts = {action: sum(c.action == action for c in plan.changes)
              for action in ("create", "update", "delete", "same")}
    done = (f"{counts['create']} created, {counts['update']} updated, "
            f"{counts['delete']} deleted, {counts['same']} unchanged")
    if dry_run:
        say(f"dry run ({verb} {plan.url}): {done}; nothing written")
    else:
        say(f"{verb} {plan.url}: {done}")


def push(
    env: EnvOpt = None,
    to: Annotated[str | None, typer.Option(
        "--to", metavar="URL", help="The store (default: environments.ENV.store).")] = None,
    only: OnlyOpt = None,
    dry_run: DryRunOpt = False,
    prune: Annotated[bool, typer.Option(
        "--prune", help="Also delete store entries the file lacks (recoverably: a KV soft "
        "delete, an AWS 7-day recovery window).")] = False,
    verbose: VerboseOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Make the store follow the environment's team file: create and update entries
    (private secrets are never pushed). Nothing is deleted without --prune."""
    from secretsfile.ops import sync

    cfg, environment = _context(config, env)
    with progress("sync push", None) as advance:
        plan = sync.push(cfg, environment, to, only=only or (), dry_run=dry_run,
                         prune=prune, advance=advance)
    _show(plan, verbose)
    _summary(plan, "pushed to", dry_run)


def pull(
    env: EnvOpt = None,
    source: Annotated[str | None, typer.Option(
        "--from", metavar="URL", help="The store (default: environments.ENV.store).")] = None,
    only: OnlyOpt = None,
    dry_run: DryRunOpt = False,
    verbose: VerboseOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Bring the store's entries into the environment's team file in one locked write,
    as 'secret set' does: unchanged values keep their ciphertext, so git diff shows one
    line per changed value; the file stays encrypted and no plaintext touches the disk.
    Nothing is deleted; names the naming rule refuses are skipped (with a suggestion)."""
    from secretsfile.ops import sync

    cfg, environment = _context(config, env)
    with progress("sync pull", None) as advance:
        plan = sync.pull(cfg, environment, source, only=only or (), dry_run=dry_run,
                         advance=advance)
    _show(plan, verbose)
    _summary(plan, "pulled from", dry_run)


def diff(
    env: EnvOpt = None,
    with_: Annotated[str | None, typer.Option(
        "--with", metavar="URL", help="The store (default: environments.ENV.store).")] = None,
    only: OnlyOpt = None,
    as_json: JsonOpt = False,
    verbose: VerboseOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Which secrets and keys differ between the team file and the store (never values):
    + only in the file, ~ keys that differ, - only in the store. Exits 1 on any drift
    (for CI), 0 when they match."""
    from secretsfile.ops import sync

    cfg, environment = _context(config, env)
    with progress("sync diff", None) as advance:
        plan = sync.diff(cfg, environment, with_, only=only or (), advance=advance)
    if as_json:
        emit_json(plan.to_dict())
    else:
        _show(plan, verbose)
        if not plan.drift:
            say(f"in sync with {plan.url}")
    if plan.drift:
        raise typer.Exit(1)


def register(root: typer.Typer) -> None:
    app.command("push")(push)
    app.command("pull")(pull)
    app.command("diff")(diff)
    root.add_typer(app, name="sync", rich_help_panel="Secrets")
