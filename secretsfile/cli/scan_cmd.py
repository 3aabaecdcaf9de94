"""The scanner commands under Typer: ``scan`` and ``check-encrypted`` (help, usage errors;
their parameters are declared once, in ``cli/spec.py``, for Typer and the lean parser), the
scanner-only app of ``cli/scan.py`` when the lean parser steps aside, and ``register`` for
the full CLI. The bodies live in ``cli/scan.py`` (no Typer)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import typer

from secretsfile.cli.quiet import set_quiet
from secretsfile.cli.runner import QuietOpt, new_app, run_app
from secretsfile.cli.spec import SPEC
from secretsfile.cli.spec_typer import annotate

PANEL = "Scanner"


@annotate(SPEC[("scan",)])  # declared once: the lean parser runs it too
def scan(**kwargs: Any) -> int:
    """Scan for hardcoded credentials. Exit 0: clean, 1: findings, >= 2: error.

    Secrets are never printed: each finding shows its location, the rule and the first
    characters of the value. Suppress a line with a `secretsfile:allow` comment (also
    `gitleaks:allow`, `pragma: allowlist secret`), the next line with
    `secretsfile:allow-next-line`, lines between `secretsfile:disable` and
    `secretsfile:enable` (secretlint's spellings work too), or accept the current findings
    with --update-baseline.
    """
    from secretsfile.cli.scan import run_scan_command

    return run_scan_command(**kwargs)


@annotate(SPEC[("check-encrypted",)])
def check_encrypted(**kwargs: Any) -> int:
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

    return run_check_encrypted(**kwargs)


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
