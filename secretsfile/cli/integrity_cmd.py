"""``reseal``: accept a reviewed file by giving it a fresh integrity tag."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from secretsfile.cli.common import say
from secretsfile.cli.file_options import InputType

PANEL = "Files"

_STATES = {
    "ok": "{file}: the integrity tag already matches; nothing written",
    "missing": "{file}: integrity tag added (the sops MAC verified; every value kept its "
               "ciphertext)",
    "mismatch": "{file}: integrity tag replaced: key names, types or empty values had changed "
                "since secretsfile last wrote it; you accepted them by running this",
    "mac": "{file}: MAC and integrity tag replaced (--ignore-mac): every value authenticated "
           "on its own and kept its ciphertext; you accepted the file as it is by running this",
}


RESEAL_HELP = (
    "Give FILE a fresh integrity tag after you reviewed it.\n\n"
    "secretsfile writes an integrity tag beside sops' MAC that also covers key names, value "
    "types, empty values and documents. sops drops it when it rewrites a file, and a hand "
    "edit breaks it; with 'integrity: strict' in .secretsfile.yaml such a file is refused "
    "(exit 4), elsewhere you get a warning. Review the change first (git diff), then run "
    "this: it verifies the sops MAC and re-seals the file; no value's ciphertext changes.\n\n"
    "After a merge resolved by hand (without the merge driver) the MAC no longer matches: "
    "review the file (decrypt --ignore-mac), then reseal --ignore-mac writes a fresh MAC and "
    "tag; every value must still authenticate on its own.\n\n"
    "Example: secretsfile reseal secrets/prod.yaml"
)


def reseal(
    file_list: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Secrets files.")],
    input_type: InputType = None,
    ignore_mac: Annotated[bool, typer.Option(
        "--ignore-mac", help="Also replace a MAC that no longer matches (a reviewed "
        "hand-resolved merge).")] = False,
) -> None:
    """Give FILE a fresh integrity tag after you reviewed it (help: RESEAL_HELP)."""
    from secretsfile.ops.integrity import reseal as reseal_file

    for file in file_list:
        say(_STATES[reseal_file(file, input_type, ignore_mac)].format(file=file))


def register(app: typer.Typer) -> None:
    app.command(rich_help_panel=PANEL, help=RESEAL_HELP)(reseal)
