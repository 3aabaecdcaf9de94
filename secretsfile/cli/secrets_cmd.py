"""Named secrets: ``secret set|create|get|list|update|delete``.

Values never come from argv by default: ``--value-stdin``, ``--value-file``, ``--KEY=@path``
or a hidden prompt. ``--value X`` and ``--KEY=VALUE`` work, with a warning that they land in
shell history.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from secretsfile.cli.common import emit_json, out, read_value, say, utf8_value
from secretsfile.errors import FormatError, UsageError
from secretsfile.secrets.model import Secret, text_of

MASK = "**********"
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
    from secretsfile.ops.secrets import project

    cfg = project(config)
    return cfg, cfg.choose(env)


def _read_at(reference: str) -> str:
    path = Path(reference[1:])
    try:
        text = utf8_value(path.read_bytes(), str(path))
    except OSError as error:
        raise UsageError(f"{path}: {error.strerror}") from None
    return text[:-1] if text.endswith("\n") and text.count("\n") == 1 else text


def _pairs_from_args(args: list[str]) -> dict[str, str]:
    """``--KEY=VALUE`` / ``--KEY=@path`` extra options."""
    pairs: dict[str, str] = {}
    warned = False
    for arg in args:
        if not arg.startswith("--") or "=" not in arg:
            # never echo it: a mistyped '--password hunter2' puts the value here
            raise UsageError("unexpected argument (not --KEY=VALUE)",
                             hint="use --KEY=VALUE or --KEY=@file")
        key, _, value = arg[2:].partition("=")
        if not key:
            raise UsageError("unexpected argument '--=…': a key name is missing",
                             hint="use --KEY=VALUE or --KEY=@file")
        if value.startswith("@"):
            value = _read_at(value)
        else:
            value = utf8_value(value, f"the --{key} argument")
            if not warned:
                say("warning: values on the command line land in shell history; prefer "
                    "--KEY=@file, --values @file or -i")
                warned = True
        pairs[key] = value
    return pairs


def _pairs_from_values(values: str) -> dict[str, str]:
    """``'{json}'``, ``@file.json`` or ``@file.yaml``. YAML scalars are taken as written
    (``0123`` stays ``0123``, ``on`` stays ``on``): secret values are text."""
    if values.startswith("@") and not values.lower().endswith(".json"):
        import yaml

        try:
            data = yaml.load(_read_at(values), Loader=yaml.BaseLoader)  # no implicit typing
        except yaml.YAMLError:
            raise FormatError(f"{values[1:]}: not valid YAML") from None
    else:
        text = _read_at(values) if values.startswith("@") else values
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise FormatError(f"--values is not JSON: {error.msg}") from None
        except (ValueError, RecursionError):  # numbers past int() limits, deep nesting
            raise FormatError("--values is too large or too deeply nested") from None
    if not isinstance(data, dict):
        raise FormatError("--values must be a mapping of key to value")
    pairs = {}
    for key, value in data.items():
        if isinstance(value, (dict, list)):
            raise FormatError(f"--values: key {key!r} holds a nested structure",
                              hint="a secret is one level of key/value pairs")
        pairs[str(key)] = text_of(value)
    return pairs


def _prompt_pairs(schema: Any) -> dict[str, str]:
    if not sys.stdin.isatty():
        raise UsageError("-i needs a terminal", hint="use --values @file or --KEY=@file")
    pairs: dict[str, str] = {}
    if schema is not None:
        for spec in schema.fields:
            label = f"{spec.name}{'' if spec.required else ' (optional, Enter to skip)'}"
            value = typer.prompt(label, hide_input=True, default="" if not spec.required else None,
                                 show_default=False)
            if value:
                pairs[spec.name] = value
        return pairs
    while True:
        key = typer.prompt("key (Enter to finish)", default="", show_default=False)
        if not key:
            return pairs
        pairs[key] = typer.prompt(f"value for {key}", hide_input=True)


def _collect(ctx: typer.Context, values: str | None, interactive: bool,
             schema_name: str | None, config_raw: Any) -> tuple[dict[str, str], Any]:
    from secretsfile.secrets.schemas import find_schema

    schema = find_schema(schema_name, config_raw) if schema_name else None
    sources = int(bool(ctx.args)) + int(values is not None) + int(interactive)
    if sources > 1:
        raise UsageError("give the values one way: --KEY=VALUE options, --values or -i")
    if interactive:
        pairs = _prompt_pairs(schema)
    elif values is not None:
        pairs = _pairs_from_values(values)
    else:
        pairs = _pairs_from_args(list(ctx.args))
    if schema is not None:
        known = set(schema.field_names())
        pairs = {(k.replace("-", "_") if k.replace("-", "_") in known else k): v
                 for k, v in pairs.items()}
    return pairs, schema


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
    from secretsfile.ops.secrets import save_secret

    cfg, environment = _context(config, env)
    pairs, found = _collect(ctx, values, interactive, schema, cfg.raw)
    if found is not None:
        pairs = found.validate(pairs)
    if not pairs:
        raise UsageError("no values given", hint="add --KEY=VALUE options, --values or -i")
    secret = Secret(name, environment.name, None, pairs, schema, private)
    save_secret(cfg, environment, secret, create=True)
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
    from dataclasses import replace

    from secretsfile.ops.secrets import change_secret, merged
    from secretsfile.secrets.schemas import find_schema

    cfg, environment = _context(config, env)

    def change(current: Secret | None) -> Secret:
        assert current is not None  # change_secret refuses a missing name
        schema_name = schema or current.schema
        pairs, _ = _collect(ctx, values, interactive, schema_name, cfg.raw)
        if not current.is_group and not pairs:
            raise UsageError(f"{name} is a single-value secret",
                             hint="use 'secretsfile secret set'")
        updated = merged(current, pairs, None, schema_name)
        kept = {k: v for k, v in updated.values.items() if k not in (remove_key or [])}
        if schema_name:
            kept = find_schema(schema_name, cfg.raw).validate(kept)
        return replace(updated, values=kept)

    change_secret(cfg, environment, name, private, change, force=force)
    say(f"updated {name} in {environment.name}")


def _view(secret: Secret, reveal: bool) -> dict[str, Any]:
    shown = (lambda v: v) if reveal else (lambda v: MASK)
    view: dict[str, Any] = {"name": secret.name, "env": secret.env, "private": secret.private}
    if secret.is_group:
        view["schema"] = secret.schema
        view["values"] = {k: shown(v) for k, v in secret.values.items()}
    else:
        view["value"] = shown(secret.value)
    return view


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
    --reveal prints just the value, for scripts)."""
    from secretsfile.ops.secrets import find_secret

    cfg, environment = _context(config, env)
    secret = find_secret(cfg, environment, name, private=private)
    if key is not None:
        try:
            value = secret.get(key)
        except KeyError as error:
            raise UsageError(str(error.args[0]), hint=f"keys: {', '.join(secret.keys)}") from None
        if as_json:
            emit_json({"name": name, "key": key, "value": value if reveal else MASK})
        else:
            out((value if reveal else MASK) + "\n")
        return
    view = _view(secret, reveal)
    if as_json:
        emit_json(view)
        return
    if reveal and not secret.is_group:  # the bare value, for scripts
        out(f"{secret.value}\n")
        return
    header = f"{name} ({environment.name}{', private' if secret.private else ''}"
    header += f", schema {secret.schema})" if secret.schema else ")"
    lines = [header]
    if secret.is_group:
        lines += [f"  {k}: {v}" for k, v in view["values"].items()]
    else:
        lines.append(f"  value: {view['value']}")
    out("\n".join(lines) + "\n")


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
    from secretsfile.ops.secrets import list_entries, project

    cfg = project(config)
    envs = [cfg.environment(env)] if env else list(cfg.environments)
    from secretsfile.git.history import secret_dates

    entries = list_entries(cfg, envs, dates_of=secret_dates)
    if sort not in ("name", "env", "created"):
        raise UsageError(f"cannot sort by {sort!r}", hint="use name, env or created")
    entries.sort(key=lambda e: (getattr(e, sort) or "", e.name, e.env))
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
