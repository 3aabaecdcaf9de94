"""The scanner commands as Typer declares them: ``scan`` and ``check-encrypted`` (help,
options, usage errors), the scanner-only app of ``cli/scan.py`` when its lean path steps
aside, and ``register`` for the full CLI. The bodies live in ``cli/scan.py`` (no Typer)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated

import typer

from secretsfile.cli.quiet import set_quiet
from secretsfile.cli.runner import QuietOpt, new_app, run_app

PANEL = "Scanner"


def scan(
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files or directories to scan ('-' reads stdin). Default: the repository's "
            "working tree (tracked and untracked-not-ignored files).",
            show_default=False,
        ),
    ] = None,
    staged: Annotated[
        bool,
        typer.Option(
            "--staged",
            help="Scan the added lines of the staged changes (what the next commit adds). "
            "Named paths without staged changes are scanned whole.",
        ),
    ] = False,
    since: Annotated[
        str | None,
        typer.Option(
            "--since", metavar="REV", help="Scan the added lines of each commit in REV..HEAD."
        ),
    ] = None,
    history: Annotated[
        bool, typer.Option("--history", help="Scan the added lines of every commit of every ref.")
    ] = False,
    no_git: Annotated[
        bool, typer.Option("--no-git", help="Walk the directories instead of asking git.")
    ] = False,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="A scan config: YAML (the scan: section of .secretsfile.yaml) or a gitleaks "
            "TOML file. Default: .secretsfile.yaml found from the current directory.",
        ),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline", help="Baseline file (default: .secretsfile-baseline.json at the root)."
        ),
    ] = None,
    no_baseline: Annotated[
        bool, typer.Option("--no-baseline", help="Report baselined findings too.")
    ] = False,
    update_baseline: Annotated[
        bool,
        typer.Option(
            "--update-baseline",
            help="Accept the current findings: write their fingerprints to the baseline "
            "(a full working-tree scan replaces it; a narrower scan adds to it).",
        ),
    ] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="text|json|sarif",
                                           help="The report's format.")] = "text",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report to this file instead of stdout."),
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", help="Worker processes (0: one per core).")
    ] = 0,
    max_file_size: Annotated[
        str | None,
        typer.Option("--max-file-size", help="Skip larger files (like 2MiB; 0: no limit)."),
    ] = None,
    stdin_name: Annotated[
        str,
        typer.Option(
            "--stdin-name", help="The path to report (and match rules against) for stdin."
        ),
    ] = "-",
    decode: Annotated[
        bool,
        typer.Option(
            "--decode",
            help="Also decode base64, hex and percent-encoded runs (two levels deep) and scan "
            "what they hide; findings are reported at the encoded text. About 15% slower.",
        ),
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")] = False,
) -> int:
    """Scan for hardcoded credentials. Exit 0: clean, 1: findings, >= 2: error.

    Secrets are never printed: each finding shows its location, the rule and the first
    characters of the value. Suppress a line with a `secretsfile:allow` comment (also
    `gitleaks:allow`, `pragma: allowlist secret`), the next line with
    `secretsfile:allow-next-line`, lines between `secretsfile:disable` and
    `secretsfile:enable` (secretlint's spellings work too), or accept the current findings
    with --update-baseline.
    """
    from secretsfile.cli.scan import run_scan_command

    return run_scan_command(
        paths=paths, staged=staged, since=since, history=history, no_git=no_git, config=config,
        baseline=baseline, no_baseline=no_baseline, update_baseline=update_baseline, fmt=fmt,
        output=output, jobs=jobs, max_file_size=max_file_size, stdin_name=stdin_name,
        decode=decode, quiet=quiet,
    )


def check_encrypted(
    files: Annotated[
        list[str] | None,
        typer.Argument(
            help="Files to check; those that need not be encrypted are ignored. Default: "
            "every file of the repository that must be encrypted.",
            show_default=False,
        ),
    ] = None,
    staged: Annotated[
        bool, typer.Option("--staged", help="Check the staged content of staged files (for hooks).")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="text|json",
                                           help="The report's format.")] = "text",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")] = False,
) -> int:
    """Fail for every file that must be encrypted but is not. Needs no key.

    Which files must be encrypted: the environments' files, every file below the
    directories holding them (secrets/ after init; README*, .gitkeep, .gitignore and
    .gitattributes excepted), and the creation_rules path_regex of .secretsfile.yaml and
    .sops.yaml (both found from the current directory upwards), less the gitignore-like
    globs of `check_encrypted: {exclude_paths: [...]}` in .secretsfile.yaml (never an
    environment's file). With no config: secrets/*.yaml|yml|json|env at any depth and any
    *.enc.* / *.sops.* file. A file fails without sops metadata, or with a value that is
    not ENC[...] where the file's own selector (unencrypted_suffix, ...) wants one.
    """
    from secretsfile.cli.scan import run_check_encrypted

    return run_check_encrypted(files=files, staged=staged, fmt=fmt, quiet=quiet)


def register(app: typer.Typer, only: str | None = None) -> None:
    """Add the scanner commands to the app (``only``: that one, for the hook's run)."""
    if only in _HOOK_COMMANDS:
        app.command(only, rich_help_panel=PANEL)(_HOOK_COMMANDS[only])
        return
    app.command("scan", rich_help_panel=PANEL)(scan)
    app.command("check-encrypted", rich_help_panel=PANEL)(check_encrypted)
    from secretsfile.cli.scan_rules_cmd import scan_rules

    app.command("scan-rules", rich_help_panel=PANEL)(scan_rules)
    from secretsfile.cli.hooks_cmd import hooks_app

    app.add_typer(hooks_app, name="hooks", rich_help_panel=PANEL)


def typer_main(args: Sequence[str]) -> int:
    """The scanner commands alone under Typer (help, usage errors, every option)."""
    args = list(args)
    named = args[1:2] if args[:1] in (["-q"], ["--quiet"]) else args[:1]
    app = new_app()
    app.callback()(_global_options)
    # the hook's command alone: Typer builds one command, not the four and `hooks`
    register(app, only=named[0] if named and "-h" not in args and "--help" not in args else None)
    return run_app(app, args)


_HOOK_COMMANDS: dict[str, Callable[..., int]] = {"scan": scan, "check-encrypted": check_encrypted}


def _global_options(quiet: QuietOpt = False) -> None:
    """secretsfile's scanner commands (the git hook's entry point)."""
    set_quiet(quiet)  # the full app's global --quiet: `secretsfile -q scan ...` runs here too
