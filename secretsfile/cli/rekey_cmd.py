"""Commands on a file's keys and metadata: keys, status (neither needs a key), rotate and
updatekeys (re-wrap the data key). Registered with the file commands (``files_cmd``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from secretsfile.cli.common import emit_json, out, say
from secretsfile.cli.files_cmd import FileArg, InputType, JsonOpt
from secretsfile.cli.key_options import change_options, with_key_changes
from secretsfile.config.project import load_for
from secretsfile.errors import UsageError
from secretsfile.ops import files


def keys(file: FileArg, as_json: JsonOpt = False, input_type: InputType = None) -> None:
    """List the key paths of a file. Needs no key; never prints values."""
    from secretsfile.ops.inspect import list_keys

    paths = list_keys(file, input_type)
    if as_json:
        emit_json(paths)
    else:
        out("".join(p + "\n" for p in paths))


def status(file: FileArg, as_json: JsonOpt = False, input_type: InputType = None) -> None:
    """Is it encrypted, for whom, when was it changed. Needs no key."""
    from secretsfile.ops.inspect import status as file_status

    info = file_status(file, input_type)
    if as_json:
        emit_json(info.to_dict())
        return
    if not info.encrypted:
        out(f"{info.path}: not encrypted\n")
        return
    lines = [f"{info.path}: encrypted ({info.format}, sops {info.version})",
             f"  lastmodified: {info.lastmodified}"]
    if info.key_groups > 1:
        lines.append(f"  key groups: {info.key_groups}, threshold {info.shamir_threshold}")
    lines += [f"  {r['type']}: {r['id']}" for r in info.recipients]
    lines += [f"  {k}: {v}" for k, v in info.selector.items()]
    if info.plaintext_values:
        lines.append(f"  values in clear: {', '.join(info.plaintext_values)}")
    out("\n".join(lines) + "\n")


def rotate(file: FileArg, input_type: InputType = None) -> None:
    """New data key for the same recipients; every value is re-encrypted.

    Do this after someone loses access: old git history stays readable with the old key.
    """
    files.rotate(file, input_type, load_for(file))
    say(f"rotated the data key of {file}")


@with_key_changes
def updatekeys(
    file_list: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Secrets files.")],
    change: files.KeyChange,
    input_type: InputType = None,
) -> None:
    """Re-wrap the data key for added/removed recipients; values keep their ciphertext.

    Removing a recipient does not rotate the data key: run 'rotate' too, and rotate the
    credentials themselves, since old versions in git stay readable.
    """
    if not change.add and not change.remove:
        raise UsageError("nothing to do", hint=f"pass {change_options()}")
    for file in file_list:
        changed = files.updatekeys(file, change, input_type, config=load_for(file))
        say(f"{'updated' if changed else 'unchanged'}: {file}")
    if change.remove:
        say("note: removed recipients can still read old versions in git history; "
            "run 'secretsfile rotate' and rotate the underlying credentials")


def register(app: typer.Typer, panel: str) -> None:
    for name, function in (("keys", keys), ("status", status), ("rotate", rotate),
                           ("updatekeys", updatekeys)):
        app.command(name, rich_help_panel=panel)(function)
