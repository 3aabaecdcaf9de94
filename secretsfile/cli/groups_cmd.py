"""sops' key-group commands: ``groups add`` / ``groups delete`` (the file's data key split
again with Shamir) and ``filestatus`` (``status --json`` under sops' name). Registered from
``rekey_cmd.register``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from secretsfile.cli.common import out, say
from secretsfile.cli.file_options import FileArg, InputType
from secretsfile.cli.key_options import with_key_options
from secretsfile.cli.spec import THRESHOLD
from secretsfile.cli.spec_typer import info
from secretsfile.config.project import load_for
from secretsfile.ops.recipients import KeyOptions, resolve

app = typer.Typer(
    help="Key groups of an encrypted file, as 'sops groups': with several groups the data "
    "key is split with Shamir and any --shamir-secret-sharing-threshold groups open it.",
    no_args_is_help=True)

ThresholdOpt = Annotated[int, info(THRESHOLD)]
GroupFile = Annotated[Path, typer.Option(
    "--file", "-f", metavar="FILE", help="The encrypted file whose key groups change.")]
InPlace = Annotated[bool, typer.Option(
    "--in-place", "-i", help="Write FILE back (default: print the new file on stdout, "
    "as sops does).")]


@with_key_options
def add(file: GroupFile, keys: KeyOptions, in_place: InPlace = False,
        input_type: InputType = None) -> None:
    """Add a key group holding the keys given (needs a key that opens FILE).

    Every group gets a new Shamir share of the same data key: values keep their
    ciphertext. The threshold stays the file's unless given (0: every group).
    """
    from secretsfile.ops import groups

    recipients = resolve(keys) if keys.explicit else []
    text = groups.add_group(file, recipients, keys.threshold, input_type, load_for(file),
                            in_place=in_place)
    _done(text, in_place, f"added a key group to {file}")


def delete(
    index: Annotated[int, typer.Argument(metavar="INDEX",
                                         help="The group to delete (0 is the first).")],
    file: GroupFile,
    threshold: ThresholdOpt = 0,
    in_place: InPlace = False,
    input_type: InputType = None,
) -> None:
    """Delete key group INDEX (needs a key that opens FILE).

    Refused when fewer groups than the Shamir threshold would be left: lower it with
    --shamir-secret-sharing-threshold in the same command.
    """
    from secretsfile.ops import groups

    text = groups.delete_group(file, index, threshold, input_type, load_for(file),
                               in_place=in_place)
    _done(text, in_place, f"deleted key group {index} of {file}")


def _done(text: str, in_place: bool, message: str) -> None:
    if in_place:
        say(message)
    else:
        out(text)


def register(root: typer.Typer, panel: str, status: Callable[..., None]) -> None:
    def filestatus(file: FileArg, input_type: InputType = None) -> None:
        """sops' 'filestatus': the same JSON as 'status --json' ("encrypted": true or
        false, plus the key groups, recipients and selector). Needs no key."""
        status(file, as_json=True, input_type=input_type)

    app.command("add")(add)
    app.command("delete")(delete)
    root.add_typer(app, name="groups", rich_help_panel=panel)
    root.command("filestatus", rich_help_panel=panel)(filestatus)
