"""``keysources list``: the key backends, usable here or not, and what each needs."""

from __future__ import annotations

from typing import Annotated

import typer

from secretsfile.cli.common import emit_json, out

app = typer.Typer(
    help="Key backends (age, PGP, Vault transit, AWS KMS, Fernet…): what each needs and "
    "whether it works on this machine.",
    no_args_is_help=True,
)


def list_sources(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable.")] = False,
) -> None:
    """Every key backend: usable here or why not, and what it needs.

    Also each backend's .sops.yaml fields, command-line options and where its identities
    are looked for. Makes no network call.

    --json prints a list, one object per backend: {"kind": "age", "title": "age",
    "status": "usable" | "unusable" | "sops-only", "usable": true, "reason": null or why
    not, "needs": "...", "config_fields": ["age"], "options": ["--age/-a", "--rm-age"],
    "identities": ["SECRETSFILE_AGE_KEY (not set)", ...]}. "sops-only" kinds (gcp_kms,
    azure_kv, hckms) are kept when secretsfile rewrites a file but cannot open it.
    """
    from secretsfile.ops.keysources import list_backends

    backends = list_backends()
    if as_json:
        emit_json([backend.to_dict() for backend in backends])
        return
    lines = []
    for backend in backends:
        state = backend.status if backend.usable else f"{backend.status}: {backend.reason}"
        lines.append(f"{backend.kind} ({backend.title}): {state}")
        lines.append(f"  needs: {backend.needs}")
        options = f"; options: {', '.join(backend.options)}" if backend.options else ""
        lines.append(f"  config: {', '.join(backend.config_fields)}{options}")
        if backend.identities:
            lines.append(f"  identities: {'; '.join(backend.identities)}")
    out("\n".join(lines) + "\n")


def register(root: typer.Typer) -> None:
    app.command("list")(list_sources)
    root.add_typer(app, name="keysources", rich_help_panel="Keys")
