"""``ui``: the secrets page, a local web app over the project's named secrets."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from secretsfile.cli.common import say

PANEL = "Secrets"

UI_HELP = (
    "Open the secrets page: a table of the project's named secrets (name, environment, "
    "schema, keys, created and last changed from git, private or team), sortable and "
    "filterable, with forms to create, update and delete them. It never shows a value.\n\n"
    "The server listens on 127.0.0.1 only and prints its URL with a one-time token on "
    "stderr; opening it swaps the token for a session cookie. Scripts can call the JSON API "
    "under /api/ with 'Authorization: Bearer TOKEN'. Ctrl-C stops it.\n\n"
    "Examples:\n\n"
    "  $ secretsfile ui\n"
    "  $ secretsfile ui --port 8765 --no-browser\n"
    "  $ secretsfile ui --log          # one stderr line per request: method, path, status"
)

PortOpt = Annotated[int, typer.Option(
    "--port", "-p", min=0, max=65535, metavar="N",
    help="The port on 127.0.0.1 (default: 0, a free one).")]
NoBrowserOpt = Annotated[bool, typer.Option(
    "--no-browser", help="Print the URL without opening a browser.")]
LogOpt = Annotated[bool, typer.Option(
    "--log", help="Print one line per request on stderr: method, path (without the query, "
    "so never the token) and status.")]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="The project config (default: nearest .secretsfile.yaml).",
                 envvar="SECRETSFILE_CONFIG"),
]


def ui(port: PortOpt = 0, no_browser: NoBrowserOpt = False, log: LogOpt = False,
       config: ConfigOpt = None) -> None:
    from secretsfile.cli import history_cmd
    from secretsfile.cli.common import project
    from secretsfile.webui.api import Ctx
    from secretsfile.webui.server import serve

    cfg = project(config)
    if cfg.path is None:  # no project: a page over nothing would only confuse
        from secretsfile.errors import UsageError

        raise UsageError(f"no .secretsfile.yaml in {Path.cwd()} or above",
                         hint="run 'secretsfile init' to start a project here")
    ctx = Ctx(cfg, history_cmd.secret_dates,
              lambda: history_cmd.histories(config, None, use_key=False))

    def ready(url: str) -> None:
        # The URL is what the command is for: shown even with --quiet.
        typer.echo(f"secrets page: {url}", err=True)
        if not no_browser:
            import webbrowser

            webbrowser.open(url)

    # serve returns on Ctrl-C; a port in use is a UsageError (exit 2). The suppress covers a
    # Ctrl-C that comes before the server is listening.
    with contextlib.suppress(KeyboardInterrupt):
        serve(ctx, port, ready, log=(lambda line: typer.echo(line, err=True)) if log else None)
    say("stopped")


def register(app: typer.Typer) -> None:
    app.command("ui", rich_help_panel=PANEL, help=UI_HELP)(ui)
