"""``sync push|pull|diff``: an environment's named secrets and an external store.

Lines name secrets and keys, never values: ``+ NAME (keys: a, b)`` (created),
``~ NAME: password, port`` (changed keys), ``- NAME`` (deleted), ``! NAME: why`` (left
alone or skipped), ``= NAME`` (the same; with ``--verbose``). A skip that needs attention
(a malformed entry, a refused name, key, shape or schema) makes the command exit 1 after
the rest is done.
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
    "--verbose", "-v", help="Also list the secrets that are the same (= NAME) and "
    "the file's keys a pull keeps.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="The plan as JSON (names and keys).")]


def _line(change: Change, show_kept: bool) -> str:
    note = f" ({change.note})" if change.note else ""
    keys = ", ".join(change.keys)
    if show_kept and change.kept:
        note += f" (keeps {', '.join(change.kept)}: only in the file)"
    if change.action == "create":
        return f"+ {change.name}" + (f" (keys: {keys})" if keys else "") + note
    if change.action == "update":
        return f"~ {change.name}: {keys}{note}"
    if change.action == "delete":
        return f"- {change.name}"
    if change.action == "skip":
        return f"! {change.name}: {change.note}"
    return f"= {change.name}{note}"


def _show(plan: SyncPlan, verbose: bool, dry_run: bool = False) -> None:
    lines = [_line(c, verbose or dry_run) for c in plan.changes
             if c.action != "same" or verbose]
    if lines:
        out("\n".join(lines) + "\n")


def _summary(plan: SyncPlan, verbs: tuple[str, str], dry_run: bool) -> None:
    """The counts on stderr; exit 1 when a secret was skipped for a problem."""
    counts = {action: sum(c.action == action for c in plan.changes)
              for action in ("create", "update", "delete", "same", "skip")}
    done = (f"{counts['create']} created, {counts['update']} updated, "
            f"{counts['delete']} deleted, {counts['same']} unchanged, "
            f"{counts['skip']} skipped")
    if dry_run:
        say(f"dry run: would {verbs[0]} {plan.url}: {done}; nothing written")
    else:
        say(f"{verbs[1]} {plan.url}: {done}")
    if plan.problems:
        raise typer.Exit(1)


def push(
    env: EnvOpt = None,
    to: Annotated[str | None, typer.Option(
        "--to", metavar="URL", help="The store (default: environments.ENV.store).")] = None,
    only: OnlyOpt = None,
    dry_run: DryRunOpt = False,
    prune: Annotated[bool, typer.Option(
        "--prune", help="Also delete store entries the file lacks that secretsfile wrote "
        "for this environment (recoverably: a KV soft delete, an AWS 7-day recovery "
        "window).")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Also overwrite entries secretsfile wrote for another "
        "environment.")] = False,
    verbose: VerboseOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Make the store follow the environment's team file: create and update entries
    (private secrets are never pushed). Nothing is deleted without --prune, which deletes
    only entries secretsfile wrote for this environment (others are listed, left alone);
    an entry written for another environment is not overwritten without --force.
    A secret with a key new to its entry that the key rule refuses (api.key) is skipped.
    Exits 1 when an entry was skipped (! NAME: why), after pushing the rest."""
    from secretsfile.ops import sync

    cfg, environment = _context(config, env)
    with progress("sync push", None) as advance:
        plan = sync.push(cfg, environment, to, only=only or (), dry_run=dry_run,
                         prune=prune, force=force, advance=advance)
    _show(plan, verbose, dry_run)
    _summary(plan, ("push to", "pushed to"), dry_run)


def pull(
    env: EnvOpt = None,
    source: Annotated[str | None, typer.Option(
        "--from", metavar="URL", help="The store (default: environments.ENV.store).")] = None,
    only: OnlyOpt = None,
    dry_run: DryRunOpt = False,
    force: Annotated[bool, typer.Option(
        "--force", help="Also replace a group by one value (or the reverse) when the "
        "store's entry has the other shape.")] = False,
    verbose: VerboseOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Bring the store's entries into the environment's team file in one locked write,
    as 'secret set' does: unchanged values keep their ciphertext, so git diff shows one
    line per changed value; the file stays encrypted and no plaintext touches the disk.
    Nothing is deleted: the store's keys are merged over the file's (keys only in the
    file stay). A secret is skipped when its name or a new key breaks the naming rules,
    its shape would change (group vs one value; --force replaces it) or the result fails
    its schema, and so is a malformed store entry: exits 1 then, after pulling the rest."""
    from secretsfile.ops import sync

    cfg, environment = _context(config, env)
    with progress("sync pull", None) as advance:
        plan = sync.pull(cfg, environment, source, only=only or (), dry_run=dry_run,
                         force=force, advance=advance)
    _show(plan, verbose, dry_run)
    _summary(plan, ("pull from", "pulled from"), dry_run)


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
    + only in the file, ~ keys that differ, - only in the store, ! skipped. Exits 1 on
    any drift or skipped entry (for CI), 0 when they match; entries secretsfile did not
    write for this environment are listed and do not count."""
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
