"""Commands on a file's keys and metadata: keys, status (neither needs a key), rotate and
updatekeys (re-wrap the data key). Registered with the file commands (``files_cmd``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from secretsfile.cli import groups_cmd
from secretsfile.cli.common import emit_json, out, say
from secretsfile.cli.file_options import FileArg, InputType, JsonOpt
from secretsfile.cli.key_options import change_options, with_key_changes
from secretsfile.cli.progress import progress
from secretsfile.cli.project_cmd import ConfigOpt
from secretsfile.config.project import load, load_for
from secretsfile.errors import UsageError
from secretsfile.ops import rekey


def keys(file: FileArg, as_json: JsonOpt = False, input_type: InputType = None) -> None:
    """List the key paths of a file. Needs no key; never prints values."""
    from secretsfile.ops.inspect import list_keys

    paths = list_keys(file, input_type)
    if as_json:
        emit_json(paths)
    else:
        out("".join(p + "\n" for p in paths))


StatusCheckOpt = Annotated[bool, typer.Option(
    "--check", help="Also try to unwrap the data key with each master key (no value is "
    "decrypted): ok or why not per key; exit 1 if the file cannot be opened here.")]


def status(file: FileArg, as_json: JsonOpt = False, input_type: InputType = None,
           check: StatusCheckOpt = False) -> None:
    """Is it encrypted, for whom (each key's backend), when was it changed. Needs no key;
    --check tries each key (--json adds "check": {can_open, key_groups, needed, recovered,
    keys: [{group, type, id, backend, ok, reason}]})."""
    from secretsfile.ops.inspect import status as file_status
    from secretsfile.ops.keycheck import backend_title, check_file

    info = file_status(file, input_type)
    for recipient in info.recipients:
        recipient["backend"] = backend_title(recipient["type"])
    checked = check_file(file, input_type) if check and info.encrypted else None
    if as_json:
        emit_json({**info.to_dict(), **({"check": checked.to_dict()} if checked else {})})
    elif not info.encrypted:
        out(f"{info.path}: not encrypted\n")
    else:
        lines = [f"{info.path}: encrypted ({info.format}, sops {info.version})",
                 f"  lastmodified: {info.lastmodified}"]
        if info.key_groups > 1:
            lines.append(f"  key groups: {info.key_groups}, threshold {info.shamir_threshold}")
        if checked:
            lines += [f"  {k.kind}: {k.recipient} ({k.backend}, group {k.group}): "
                      + ("ok" if k.ok else f"FAILED - {k.reason}") for k in checked.keys]
            lines.append(f"  can open: {'yes' if checked.can_open else 'no'} "
                         f"({checked.recovered} of {checked.key_groups} key group(s) open, "
                         f"{checked.needed} needed)"
                         + (f": {checked.problem}" if checked.problem else ""))
        else:
            lines += [f"  {r['type']}: {r['id']} ({r['backend']})" for r in info.recipients]
        lines += [f"  {k}: {v}" for k, v in info.selector.items()]
        if info.plaintext_values:
            lines.append(f"  values in clear: {', '.join(info.plaintext_values)}")
        out("\n".join(lines) + "\n")
    if check and not (checked and checked.can_open):
        raise typer.Exit(1)


def rotate(file: FileArg, input_type: InputType = None,
           _in_place: Annotated[bool, typer.Option(
               "--in-place", "-i", help="Accepted for sops scripts ('sops rotate -i'): "
               "rotate always writes FILE in place.")] = False) -> None:
    """New data key for the same recipients; every value is re-encrypted, in place.

    Do this after someone loses access: old git history stays readable with the old key.
    """
    with progress("rotate", None) as advance:  # one file: a bar without a count
        rekey.rotate(file, input_type, load_for(file))
        advance(str(file))
    say(f"rotated the data key of {file}")


CheckOpt = Annotated[bool, typer.Option(
    "--check", help="Write nothing; exit 1 if any file's recipients differ from the config.")]
_HISTORY = ("note: removed recipients can still read old versions in git history; "
            "rotate the underlying credentials")


@with_key_changes
def updatekeys(
    *,
    file_list: Annotated[list[Path] | None, typer.Argument(
        metavar="[FILE]...", help="Secrets files (default: every configured file).")] = None,
    change: rekey.KeyChange,
    check: CheckOpt = False,
    config: ConfigOpt = None,
    input_type: InputType = None,
    _yes: Annotated[bool, typer.Option(
        "--yes", "-y", help="Accepted for sops scripts ('sops updatekeys -y'): secretsfile "
        "never asks; use --check to see the changes without writing.")] = False,
) -> None:
    """Make files' recipients match the config, or re-wrap for added/removed recipients.

    Without key options: every environment file and creation-rule file (or the FILEs given)
    gets the recipients .secretsfile.yaml / .sops.yaml name for it (like 'sops updatekeys
    -y'); a removal rotates the data key. With --rm-* options the data key is not rotated:
    run 'rotate' too. Either way, rotate the credentials themselves, since old versions in
    git stay readable.
    """
    if not change.add and not change.remove:
        _reconcile(file_list or [], check, config)
        return
    if check or not file_list:
        raise UsageError("key options need FILE arguments and no --check",
                         hint="without them, updatekeys follows the config")
    with progress("updatekeys", len(file_list)) as advance:
        for file in file_list:  # a live bar prints say()'s lines above itself
            changed = rekey.updatekeys(file, change, input_type, config=load_for(file, config))
            say(f"{'updated' if changed else 'unchanged'}: {file}")
            advance(str(file))
    if change.remove:
        say(_HISTORY + "; run 'secretsfile rotate'")


def _reconcile(file_list: list[Path], check: bool, config: Path | None) -> None:
    from secretsfile.ops import reconcile

    project = load_for(file_list[0], config) if file_list else load(override=config)
    unplanned = [file for file in file_list if project.plan_for(file) is None]
    if unplanned:
        raise UsageError(f"nothing to do: no config names the recipients of {unplanned[0]}",
                         hint=f"pass {change_options()}, or give it recipients in "
                         ".secretsfile.yaml / .sops.yaml")
    found = reconcile.drift(project, file_list or None)
    if not check:
        with progress("updatekeys", len(reconcile.applicable(found))) as advance:
            reconcile.apply(project, found, advance)
    for item in found:
        for line in item.lines():
            say(line)
        if not check and item.problem is None:
            rotated = "; data key rotated" if item.removed else ""
            say(f"updated: {item.display}{rotated}")
    if check and found:
        say(f"secretsfile: {len(found)} file(s) differ from the config; "
            "run 'secretsfile updatekeys' to apply it")
        raise typer.Exit(1)
    if not found:
        say("all files match the config")
    elif any(item.removed and item.problem is None for item in found):
        say(_HISTORY)


def register(app: typer.Typer, panel: str) -> None:
    for name, function in (("keys", keys), ("status", status), ("rotate", rotate),
                           ("updatekeys", updatekeys)):
        app.command(name, rich_help_panel=panel)(function)
    groups_cmd.register(app, panel, status)
