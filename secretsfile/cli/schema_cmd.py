"""``schema list|show``: the built-in schemas and those defined in the config."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer

from secretsfile.cli.common import emit_json, out

app = typer.Typer(
    help="Secret schemas: the fields of aws, postgres, snowflake… and your own (`schemas:` "
    "in .secretsfile.yaml).",
    no_args_is_help=True,
)

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", help="The project config (default: nearest .secretsfile.yaml).",
                 envvar="SECRETSFILE_CONFIG"),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable.")]


def _schemas(config: Path | None) -> tuple[dict[str, Any], set[str]]:
    """name -> Schema (config-defined ones override built-ins), and the config's names."""
    from secretsfile.cli.common import project
    from secretsfile.secrets.schemas import BUILTIN, user_schemas

    own = user_schemas(project(config).raw.get("schemas"))
    return {**BUILTIN, **own}, set(own)


def _schema_dict(schema: Any, defined: bool) -> dict[str, Any]:
    return {"name": schema.name, "description": schema.description,
            "source": "config" if defined else "builtin",
            "fields": [asdict(field) for field in schema.fields]}


@app.command("list")
def list_(config: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Every schema: name, where it comes from, description and field names."""
    schemas, own = _schemas(config)
    if as_json:
        emit_json([_schema_dict(s, name in own) for name, s in sorted(schemas.items())])
        return
    width = max(len(name) for name in schemas)
    lines = []
    for name, schema in sorted(schemas.items()):
        origin = " (config)" if name in own else ""
        lines.append(f"{name.ljust(width)}  {schema.description}{origin}\n"
                     f"{'':{width}}  fields: {', '.join(schema.field_names())}")
    out("\n".join(lines) + "\n")


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="The schema, e.g. postgres.")],
    config: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """One schema's fields: type, required, default, secret (hidden when prompted) and the
    variable name tools expect (export)."""
    from secretsfile.cli.common import project
    from secretsfile.secrets.schemas import find_schema

    raw = project(config).raw
    schema = find_schema(name, raw)
    _, own = _schemas(config)
    if as_json:
        emit_json(_schema_dict(schema, name in own))
        return
    rows = [("FIELD", "TYPE", "REQUIRED", "DEFAULT", "SECRET", "EXPORT")]
    rows += [(f.name, f.type, "yes" if f.required else "no",
              "-" if f.default is None else f.default, "yes" if f.secret else "no",
              f.export or "-") for f in schema.fields]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    header = f"{schema.name}" + (f": {schema.description}" if schema.description else "")
    out(header + "\n" + "".join(
        "  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n"
        for row in rows))


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="schema", rich_help_panel="Secrets")
