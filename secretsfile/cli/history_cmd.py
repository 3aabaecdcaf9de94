"""``history`` and ``stale``: audit secrets from the git history of environment files."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from secretsfile.cli.common import emit_json, out, say

if TYPE_CHECKING:
    from secretsfile.config.project import ProjectConfig
    from secretsfile.ops.history import FileHistory

PANEL = "Secrets"

HISTORY_HELP = (
    "Per commit: date, author, commit and which secrets (or keys of group secrets, e.g. "
    "app-db.password) were added, changed or removed. Never values.\n\n"
    "Reads the committed versions of each environment file from git (HEAD's history, "
    "branches and merges followed; a merge shows what differs from all its parents). With "
    "a key that opens the file, values are compared decrypted, so a rotate of the data key "
    "shows no change; without one they are compared by ciphertext (an unchanged value keeps "
    "its ciphertext, but after a rotate every value looks changed). Each commit says which "
    "comparison it used.\n\n"
    "Example: secretsfile history --env prod app-db"
)

STALE_HELP = (
    "List secrets whose value has not changed for longer than --older-than, from the "
    "committed git history; exit 1 when any are found (for CI), 0 otherwise.\n\n"
    "Durations: 90d (days), 12w (weeks), 6m (months of 30 days), 1y (365 days); anything "
    "else is exit 2. A group secret counts as changed when any of its keys changed. Without "
    "a key it works from ciphertext and says so: a data key rotation then counts as a change "
    "of every value.\n\n"
    "Example: secretsfile stale --env prod --older-than 90d"
)

EnvOpt = Annotated[
    str | None, typer.Option("--env", "-e", help="One environment (default: all).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable.")]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="The project config (default: nearest .secretsfile.yaml).",
                 envvar="SECRETSFILE_CONFIG"),
]


def histories(config: Path | None, env: str | None, use_key: bool = True
              ) -> list[FileHistory]:
    """The committed history of each environment file (or ``env``'s); ``use_key=False``
    compares by ciphertext only, never asking for a key (the secrets page)."""
    from secretsfile.cli.common import project
    from secretsfile.git.history import versions_of
    from secretsfile.ops.history import file_history

    cfg: ProjectConfig = project(config)
    envs = [cfg.environment(env)] if env else list(cfg.environments)
    found = []
    for environment in envs:
        path = cfg.env_path(environment)
        found.append(file_history(versions_of(path), environment.name, environment.file,
                                  use_key))
    return found


def _comparison_notes(histories: list[FileHistory]) -> None:
    for h in histories:
        if not h.commits:
            say(f"{h.env}: no committed history for {h.file}")
        elif h.compared == "value":
            say(f"{h.env}: compared by decrypted value")
        else:
            say(f"{h.env}: compared by ciphertext where no key opened a version of {h.file} "
                "(after a data key rotation every value looks changed)")


def _commit_lines(commit: Any) -> list[str]:
    from secretsfile.ops.textconv import visible  # anyone who pushes writes these

    header = (f"{commit.when.date().isoformat()}  {commit.commit[:10]}  "
              f"{visible(commit.author)}  {commit.env}  {visible(commit.subject)}")
    if commit.compared != "value":
        header += "  [by ciphertext]"
    lines = [header]
    lines += [f"    {visible(change.label)} {change.change}" for change in commit.changes]
    if not commit.changes:
        lines.append("    (no secret changed)")
    lines += [f"    note: {note}" for note in commit.notes]
    return lines


def history(
    name: Annotated[str | None, typer.Argument(help="Only this secret.")] = None,
    env: EnvOpt = None,
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Which secrets each commit added, changed or removed (help: HISTORY_HELP)."""
    from secretsfile.ops.history import only_secret

    files = histories(config, env)
    if name is not None:
        had_history = any(h.commits for h in files)
        files = [only_secret(h, name) for h in files]
        if had_history and not any(h.commits for h in files):
            from secretsfile.errors import UsageError

            where = env or "any environment"
            raise UsageError(f"no secret named {name!r} in the history of {where}",
                             hint="'secretsfile secret list' shows the names")
    commits = [c for h in files for c in reversed(h.commits)]  # newest first
    commits.sort(key=lambda c: c.when, reverse=True)  # stable: ties keep git's order
    if as_json:
        emit_json({"environments": [{"env": h.env, "file": h.file, "compared": h.compared}
                                    for h in files],
                   "commits": [c.to_dict() for c in commits]})
        return
    _comparison_notes(files)
    out("".join(line + "\n" for commit in commits for line in _commit_lines(commit)))


def stale(
    older_than: Annotated[str, typer.Option("--older-than", help="e.g. 90d, 12w, 6m, 1y.")],
    env: EnvOpt = None,
    as_json: JsonOpt = False,
    config: ConfigOpt = None,
) -> int:
    """Secrets not changed for longer than --older-than; exit 1 when any (help: STALE_HELP)."""
    from secretsfile.ops.history import parse_age, stale_secrets

    limit = parse_age(older_than)
    files = histories(config, env)
    found = stale_secrets(files, limit, _dt.datetime.now(_dt.timezone.utc))
    if as_json:
        emit_json({"older_than": older_than, "older_than_days": limit.days,
                   "environments": [{"env": h.env, "file": h.file, "compared": h.compared}
                                    for h in files],
                   "stale": [s.to_dict() for s in found]})
        return 1 if found else 0
    _comparison_notes(files)
    if found:
        rows = [("SECRET", "ENV", "LAST CHANGED", "AGE", "COMMIT")]
        rows += [(s.name, s.env, s.changed.date().isoformat(), f"{s.days}d", s.commit[:10])
                 for s in found]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        out("".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
                    + "\n" for row in rows))
    say(f"{len(found)} secret(s) not changed in {older_than}" if found
        else f"no secret older than {older_than}")
    return 1 if found else 0


def secret_dates(path: Path) -> dict[str, Any]:
    """``secret list``'s created/updated dates: the same comparison, by ciphertext (no key),
    over the last ``LIST_LIMIT`` commits."""
    from secretsfile.git.history import LIST_LIMIT, versions_of
    from secretsfile.ops.history import dates_from

    return dates_from(lambda p: versions_of(p, LIST_LIMIT))(path)


def register(app: typer.Typer) -> None:
    app.command("history", rich_help_panel=PANEL, help=HISTORY_HELP)(history)
    app.command("stale", rich_help_panel=PANEL, help=STALE_HELP)(stale)
