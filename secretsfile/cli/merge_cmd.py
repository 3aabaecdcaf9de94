"""``merge driver`` (run by git) and ``merge resolve`` (run by you after a conflict)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from secretsfile.cli.common import say
from secretsfile.cli.spec import SPEC
from secretsfile.cli.spec_typer import annotate
from secretsfile.errors import FormatError, UsageError

if TYPE_CHECKING:
    from secretsfile.ops.merging import Choice, EditFlow, Versions

app = typer.Typer(
    help="Key-level merges of encrypted files in git: the merge driver and conflict "
    "resolution.",
    no_args_is_help=True,
)

DRIVER_HELP = (
    "The git merge driver (git runs it; you do not).\n\n"
    "Configured as 'secretsfile merge driver %O %A %B %L %P' for paths with "
    "merge=secretsfile in .gitattributes (secretsfile git setup writes both). It decrypts "
    "base, ours and theirs in memory, merges key by key and writes the result to %A, "
    "encrypted with ours' data key, unchanged values keeping their ciphertext, with a fresh "
    "MAC and integrity tag. The same key changed differently on both sides: exit 1, %A stays "
    "encrypted ours, the key paths (never values) are named on stderr; finish with 'secretsfile "
    "merge resolve'. Without a key for any of the three versions it runs git's own line "
    "merge of the ciphertext (git merge-file) and returns its exit code."
)

RESOLVE_HELP = (
    "Finish a conflicted merge of FILE, then git add it.\n\n"
    "Reads base, ours and theirs from the index (stages 1, 2 and 3, as git leaves them after "
    "a conflict, with or without the merge driver), merges key by key and settles the "
    "conflicting keys: --ours or --theirs takes that side's values; --edit opens the merged "
    "plaintext in $EDITOR with the conflicting keys between <<<<<<< ours / ======= / >>>>>>> "
    "theirs markers, in the same private copy as 'edit' (0600, tmpfs, removed afterwards), "
    "never in the worktree. Without an option it writes the key-level merge when nothing "
    "conflicts. FILE is written encrypted (fresh MAC and integrity tag) and staged; then run "
    "git commit.\n\n"
    "Example: secretsfile merge resolve secrets/prod.yaml --theirs"
)


@app.command("driver", help=DRIVER_HELP)
@annotate(SPEC[("merge", "driver")])  # declared once: the lean parser runs it too
def driver(**kwargs: Any) -> int:
    """The git merge driver (help: DRIVER_HELP); the body: ``cli/merge_driver`` (no Typer)."""
    from secretsfile.cli.merge_driver import driver as run_driver

    return run_driver(**kwargs)


@app.command("resolve", help=RESOLVE_HELP)
def resolve(
    file: Annotated[Path, typer.Argument(help="The conflicted secrets file.")],
    ours: Annotated[bool, typer.Option("--ours", help="Conflicting keys take ours' values.")]
    = False,
    theirs: Annotated[bool, typer.Option("--theirs", help="Conflicting keys take theirs' "
                                         "values.")] = False,
    edit: Annotated[bool, typer.Option("--edit", help="Settle the conflicting keys in "
                                       "$EDITOR (private copy).")] = False,
) -> None:
    """Finish a conflicted merge of FILE (help: RESOLVE_HELP)."""
    from secretsfile.config.project import load_for
    from secretsfile.git.run import run_git
    from secretsfile.ops.merging import resolve_file

    if ours + theirs + edit > 1:
        raise UsageError("choose one of --ours, --theirs and --edit")
    choice: Choice = "ours" if ours else "theirs" if theirs else "edit" if edit else None
    top, relative = _in_repository(file)
    versions = _index_versions(top, relative)
    settled = resolve_file(file, versions, choice, _editor(file), config=load_for(file))
    run_git(["add", "--", relative], top)
    how = {"ours": "took ours' values", "theirs": "took theirs' values",
           "edit": "settled in the editor", None: ""}[choice]
    detail = f"; {how} for: {', '.join(settled)}" if settled else ""
    say(f"resolved {file} key by key{detail}; staged it: run git commit to finish the merge")


def _in_repository(file: Path) -> tuple[Path, str]:
    """The worktree's top and FILE's path in it (git's spelling)."""
    from secretsfile.git.run import run_git

    here = file.resolve().parent
    top = Path(run_git(["rev-parse", "--show-toplevel"], here).decode().strip()).resolve()
    try:
        return top, file.resolve().relative_to(top).as_posix()
    except ValueError:
        raise UsageError(f"{file} is not inside the repository at {top}") from None


def _index_versions(top: Path, relative: str) -> Versions:
    from secretsfile.git.run import run_git
    from secretsfile.ops.merging import Versions

    listing = run_git(["ls-files", "-u", "-z", "--", relative], top).decode()
    stages = {entry.split("\t", 1)[0].split()[2] for entry in listing.split("\0") if entry}
    if not stages:
        raise UsageError(f"{relative} has no merge conflict to resolve",
                         hint="run it after 'git merge' (or rebase, cherry-pick) stopped on "
                         "this file")
    if not {"2", "3"} <= stages:
        raise UsageError(f"{relative} was deleted on one side of the merge",
                         hint="keep it with 'git add', or delete it with 'git rm'")

    def stage(number: str) -> str:
        if number not in stages:
            return ""
        return run_git(["show", f":{number}:{relative}"], top).decode("utf-8")

    return Versions(stage("1"), stage("2"), stage("3"), relative)


def _editor(file: Path) -> EditFlow:
    from secretsfile.ops.edit import edit_text

    def retry(error: FormatError) -> bool:
        if not sys.stdin.isatty():
            return False  # the error is reported once, by the error boundary
        say(f"error: {error.diagnostics()}")
        return typer.confirm("Re-open the editor to fix it?", default=True)

    return lambda text, parse: edit_text(text, file.suffix, parse, retry)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="merge", rich_help_panel="Files")
