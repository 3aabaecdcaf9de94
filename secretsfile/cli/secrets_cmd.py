"""Named secrets: ``secret set|create|get|list|update|delete``.

Values never come from argv by default: ``--value-stdin``, ``--value-file``, ``--KEY=@path``
or a hidden prompt. ``--value X`` and ``--KEY=VALUE`` work, with a warning that they land in
shell history.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from secretsfile.cli.common import emit_json, out, prompt_pairs, read_value, say
from secretsfile.errors import UsageError
from secretsfile.secrets.model import Secret

EXTRA = {"allow_extra_args": True, "ignore_unknown_options": True}

app = typer.Typer(
    help="Named secrets: one value or a group of key/value pairs, per environment.",
    no_args_is_help=True,
)

EnvOpt = Annotated[
    str | None,
    typer.Option("--env", "-e", help="Environment (default: SECRETSFILE_ENV or default_env).",
                 envvar="SECRETSFILE_ENV", show_envvar=True),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="The project config (default: nearest .secretsfile.yaml).",
                 envvar="SECRETSFILE_CONFIG"),
]
PrivateOpt = Annotated[
    bool, typer.Option("--private", help="Your personal override, kept outside the repo.")
]
SchemaOpt = Annotated[
    str | None,
    typer.Option("--schema", help="aws, gcp-service-account, postgres, mysql, snowflake, "
                 "basic-auth, api-key, or one defined in the config."),
]
ValuesOpt = Annotated[
    str | None,
    typer.Option("--values", help="All pairs at once: '{json}' or @file.yaml / @file.json."),
]
InteractiveOpt = Annotated[
    bool, typer.Option("--interactive", "-i", help="Prompt for each value (hidden input).")
]
ForceOpt = Annotated[
    bool,
    typer.Option("--force", help="Also when a group would become one value, or the reverse."),
]


def _context(config: Path | None, env: str | None) -> tuple[Any, Any]:
    from secretsfile.cli.common import project

    cfg = project(config)
    return cfg, cfg.choose(env)


def _collect(ctx: typer.Context, values: str | None, interactive: bool,
             schema_name: str | None, config_raw: Any) -> dict[str, str]:
    from secretsfile.ops.secret_input import gather_pairs, schema_keys
    from secretsfile.secrets.schemas import find_schema

    schema = find_schema(schema_name, config_raw) if schema_name else None
    prompted = (lambda: prompt_pairs(schema)) if interactive else None
    return schema_keys(gather_pairs(list(ctx.args), values, prompted, schema), schema)


@app.command("set")
def set_(
    name: Annotated[str, typer.Argument(help="Secret name, e.g. openai-api-key.")],
    env: EnvOpt = None,
    value_stdin: Annotated[bool, typer.Option("--value-stdin", help="Read from stdin.")] = False,
    value_file: Annotated[Path | None, typer.Option("--value-file", help="Read a file.")] = None,
    value: Annotated[str | None, typer.Option("--value", help="Avoid: shell history.")] = None,
    private: PrivateOpt = False,
    force: ForceOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Create or replace a single-value secret (like `qwak secrets set`).

    Replacing a group secret's keys by one value needs --force.
    """
    from secretsfile.ops.secrets import save_secret

    cfg, environment = _context(config, env)
    text = read_value(value, value_stdin, value_file, prompt=f"Value for {name}")
    secret = Secret(name, environment.name, value=text, private=private)
    exists = save_secret(cfg, environment, secret, create=None, force=force)
    say(f"{'updated' if exists else 'created'} {name} in {environment.name}"
        + (" (private)" if private else ""))


@app.command("create", context_settings=EXTRA)
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Secret name, e.g. snowflake-prod.")],
    env: EnvOpt = None,
    values: ValuesOpt = None,
    interactive: InteractiveOpt = False,
    schema: SchemaOpt = None,
    private: PrivateOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Create a group secret: --KEY=VALUE pairs (--KEY=@path reads a file), --values, or -i.

    Example: secretsfile secret create app-db --env prod --schema postgres --user=app
    --password=@pw.txt --host=db.internal --database=app
    """
    from secretsfile.ops.secrets import create_secret

    cfg, environment = _context(config, env)
    pairs = create_secret(cfg, environment, name, _collect(ctx, values, interactive, schema,
                                                           cfg.raw), schema, private)
    say(f"created {name} in {environment.name} ({len(pairs)} keys"
        + (f", schema {schema}" if schema else "") + (", private" if private else "") + ")")


@app.command("update", context_settings=EXTRA)
def update(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The secret to change.")],
    env: EnvOpt = None,
    values: ValuesOpt = None,
    interactive: InteractiveOpt = False,
    schema: SchemaOpt = None,
    remove_key: Annotated[
        list[str] | None, typer.Option("--remove-key", help="Drop a key; repeatable.")
    ] = None,
    private: PrivateOpt = False,
    force: ForceOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Change some keys of a group secret (others keep their value and ciphertext).

    Giving keys to a single-value secret drops its value: that needs --force.
    """
    from secretsfile.ops.secrets import update_secret

    cfg, environment = _context(config, env)
    update_secret(cfg, environment, name, private,
                  lambda schema_name: _collect(ctx, values, interactive, schema_name, cfg.raw),
                  schema, remove_keys=remove_key or (), force=force)
    say(f"updated {name} in {environment.name}")


@app.command("get")
def get(
    name: Annotated[str, typer.Argument(help="The secret.")],
    env: EnvOpt = None,
    key: Annotated[str | None, typer.Option("--key", "-k", help="One key of a group.")] = None,
    reveal: Annotated[bool, typer.Option("--reveal", help="Show the values.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable.")] = False,
    private: Annotated[
        bool | None, typer.Option("--private/--team", help="Only your private / the team's.")
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Show a secret: keys with masked values unless --reveal (a single value with
    --reveal prints just the value, for scripts). Your private keys overlay the team's;
    each key says where its value came from."""
    from secretsfile.cli.secret_view import show_key, show_secret
    from secretsfile.ops.secrets import find_secret

    cfg, environment = _context(config, env)
    secret = find_secret(cfg, environment, name, private=private)
    if key is not None:
        show_key(secret, key, reveal, as_json)
    else:
        show_secret(secret, reveal, as_json)


@app.command("list")
def list_(
    env: Annotated[
        str | None, typer.Option("--env", "-e", help="One environment (default: all).")
    ] = None,
    sort: Annotated[str, typer.Option("--sort", help="name, env or created.")] = "name",
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Names, keys, environment, created/updated (from git). Never values; needs no key."""
    from secretsfile.cli.common import project
    from secretsfile.ops.secrets import list_entries

    cfg = project(config)
    envs = [cfg.environment(env)] if env else list(cfg.environments)
    from secretsfile.cli.history_cmd import secret_dates

    entries = list_entries(cfg, envs, dates_of=secret_dates, sort=sort)
    if as_json:
        emit_json([e.to_dict() for e in entries])
        return
    rows = [("NAME", "ENV", "KEYS", "SCHEMA", "CREATED", "UPDATED")]
    for e in entries:
        rows.append((e.name + (" (private)" if e.private else ""), e.env,
                     ",".join(e.keys) or "-", e.schema or "-",
                     (e.created or "-")[:10], (e.updated or "-")[:10]))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out("".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n"
                for row in rows))


@app.command("delete")
def delete(
    name: Annotated[str, typer.Argument(help="The secret to delete.")],
    env: EnvOpt = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask.")] = False,
    private: PrivateOpt = False,
    config: ConfigOpt = None,
) -> None:
    """Delete a secret from the environment's file (git history keeps old versions)."""
    from secretsfile.ops.secrets import delete_secret

    cfg, environment = _context(config, env)
    if not yes:
        if not sys.stdin.isatty():
            raise UsageError("refusing to delete without confirmation", hint="pass --yes")
        typer.confirm(f"delete {name} from {environment.name}?", abort=True)
    delete_secret(cfg, environment, name, private)
    say(f"deleted {name} from {environment.name}")


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="secret", rich_help_panel="Secrets")
