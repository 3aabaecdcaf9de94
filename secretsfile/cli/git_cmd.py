"""``secretsfile git setup|teardown|textconv``: the diff and merge drivers in a repository."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from secretsfile.cli.common import say
from secretsfile.cli.spec import SPEC
from secretsfile.cli.spec_typer import annotate

if TYPE_CHECKING:
    from secretsfile.config.project import ProjectConfig
    from secretsfile.ops.gitsetup import SetupResult

PANEL = "Project"
SETUP_HELP = (
    "Mark every environment file and creation-rule path in .gitattributes "
    "(diff=secretsfile merge=secretsfile), write .gitconfig.secretsfile with the driver "
    "definitions, and include it from .git/config.\n\n"
    "Commit .gitattributes and .gitconfig.secretsfile; every clone runs this once (git never "
    "takes config from a repository by itself). Safe to run again: it changes only what "
    "differs, e.g. after adding an environment. No clean/smudge filters: the files in the "
    "work tree stay encrypted."
)
TEARDOWN_HELP = (
    "Remove what 'secretsfile git setup' added: its block in .gitattributes (other lines stay "
    "byte for byte), .gitconfig.secretsfile if unchanged, and the include in .git/config."
)
TEXTCONV_HELP = (
    "The diff driver git runs: print FILE as 'key.path: value' lines, one per value, in the "
    "file's order.\n\n"
    "Without a key, or on any error, it prints FILE unchanged and exits 0: a diff never fails "
    "because someone lacks a key. --redact (or SECRETSFILE_REDACT_DIFFS=1, or "
    "'git: {redact_diffs: true}' in .secretsfile.yaml) prints a keyed fingerprint instead of "
    "each value: equal values look equal, nothing can be guessed from it."
)
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="The project config (default: nearest .secretsfile.yaml).",
                 envvar="SECRETSFILE_CONFIG", show_envvar=True),
]
git_app = typer.Typer(help="Git integration: diff and merge drivers for encrypted files.",
                      no_args_is_help=True)


def repo_root(start: Path) -> Path | None:
    from secretsfile.git.sources import find_repo_root

    return find_repo_root(start)


def _require_root(cfg: ProjectConfig) -> Path:
    from secretsfile.errors import UsageError

    root = repo_root(cfg.root if cfg.path else Path.cwd())
    if root is None:
        raise UsageError("not inside a git repository", hint="run 'git init' first")
    return root


def run_setup(cfg: ProjectConfig, root: Path) -> SetupResult:
    """Set up the drivers in ``root`` for ``cfg`` and say what changed (also for init)."""
    from secretsfile.git import gitconfig
    from secretsfile.git.sources import list_files
    from secretsfile.ops.gitsetup import DRIVER_FILE, include_value, setup

    result = setup(cfg, root, list_files(root), gitconfig)
    for marked in result.marked:
        say(f".gitattributes: {marked.pattern} ({marked.why})")
    for note in result.notes:
        say(f"note: {note}")
    if result.attributes_changed:
        say("updated .gitattributes")
    if result.driver_written:
        say(f"wrote {DRIVER_FILE}")
    if result.include_added:
        say(f"added include.path {include_value(root, gitconfig)} to the repository's config")
    if result.changed:
        say(f"commit .gitattributes and {DRIVER_FILE}; each clone runs 'secretsfile git setup'")
    else:
        say("git drivers already set up: nothing changed")
    return result


@git_app.command("setup", help=SETUP_HELP)
def setup_cmd(config: ConfigOpt = None) -> None:
    from secretsfile.cli.common import project

    cfg = project(config)
    run_setup(cfg, _require_root(cfg))


@git_app.command("teardown", help=TEARDOWN_HELP)
def teardown_cmd(config: ConfigOpt = None) -> None:
    from secretsfile.cli.common import project
    from secretsfile.git import gitconfig
    from secretsfile.ops.gitsetup import DRIVER_FILE, teardown

    root = _require_root(project(config))
    result = teardown(root, gitconfig)
    if result.attributes_changed:
        say("removed the secretsfile block from .gitattributes")
    if result.driver_removed:
        say(f"removed {DRIVER_FILE}")
    if result.driver_kept:
        say(f"kept {DRIVER_FILE}: it was changed since setup wrote it")
    if result.include_removed:
        say("removed the include.path entry from the repository's config")
    if not result.changed:
        say("git drivers not set up: nothing to remove")


@git_app.command("textconv", help=TEXTCONV_HELP)
@annotate(SPEC[("git", "textconv")])  # declared once: the lean parser runs it too
def textconv_cmd(file: str, redact: bool = False) -> None:
    from secretsfile.cli.textconv import textconv

    raise typer.Exit(textconv(file, redact))


def register(app: typer.Typer) -> None:
    app.add_typer(git_app, name="git", rich_help_panel=PANEL)
