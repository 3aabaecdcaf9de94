"""Commands on one secrets file: encrypt, decrypt, edit, set, unset, get (and, from
``rekey_cmd``, keys, status, rotate, updatekeys)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from secretsfile.cli.common import emit_json, out, read_value, say, write_output
from secretsfile.cli.key_options import with_key_options
from secretsfile.config.project import load_for
from secretsfile.errors import FormatError, UsageError
from secretsfile.ops import files
from secretsfile.ops.recipients import KeyOptions
from secretsfile.stores.registry import extensions_text, names_text

PANEL = "Files"
FileArg = Annotated[Path, typer.Argument(help=f"The secrets file ({extensions_text()}).")]
InputType = Annotated[
    str | None, typer.Option("--input-type", help=f"{names_text()} (default: extension).")
]
OutputType = Annotated[
    str | None, typer.Option("--output-type", help=f"{names_text()} (default: input).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable output on stdout.")]
IgnoreMac = Annotated[bool, typer.Option(
    "--ignore-mac", help="Open a file whose MAC no longer matches (a hand-resolved merge), "
    "after review; each value must still authenticate. Loud warning; then run 'reseal "
    "--ignore-mac'.")]


def _selector(unencrypted_suffix: str | None, encrypted_suffix: str | None,
              unencrypted_regex: str | None, encrypted_regex: str | None,
              unencrypted_comment_regex: str | None, encrypted_comment_regex: str | None,
              mac_only_encrypted: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "unencrypted_suffix": unencrypted_suffix,
        "encrypted_suffix": encrypted_suffix,
        "unencrypted_regex": unencrypted_regex,
        "encrypted_regex": encrypted_regex,
        "unencrypted_comment_regex": unencrypted_comment_regex,
        "encrypted_comment_regex": encrypted_comment_regex,
    }
    selected = {k: v for k, v in fields.items() if v}
    if mac_only_encrypted:
        selected["mac_only_encrypted"] = True
    return selected


@with_key_options
def encrypt(
    file: FileArg,
    keys: KeyOptions,
    in_place: Annotated[bool, typer.Option("--in-place", "-i", help="Replace FILE.")] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write here. If it is already encrypted with a key "
            "you hold, its data key and unchanged ciphertexts are kept (1-line diffs).",
        ),
    ] = None,
    input_type: InputType = None,
    output_type: OutputType = None,
    unencrypted_suffix: Annotated[
        str | None,
        typer.Option(help="Leave keys ending with this in clear (default _unencrypted)."),
    ] = None,
    encrypted_suffix: Annotated[
        str | None, typer.Option(help="Encrypt only keys ending with this.")
    ] = None,
    unencrypted_regex: Annotated[
        str | None, typer.Option(help="Leave keys matching this in clear.")
    ] = None,
    encrypted_regex: Annotated[
        str | None, typer.Option(help="Encrypt only keys matching this.")
    ] = None,
    unencrypted_comment_regex: Annotated[
        str | None, typer.Option(help="Leave values under a matching comment in clear.")
    ] = None,
    encrypted_comment_regex: Annotated[
        str | None, typer.Option(help="Encrypt only values under a matching comment.")
    ] = None,
    mac_only_encrypted: Annotated[
        bool, typer.Option(help="MAC only the encrypted values.")
    ] = False,
) -> None:
    """Encrypt a plaintext file (to stdout, --output or --in-place).

    Recipients: --age/--fernet, else SECRETSFILE_AGE_RECIPIENTS / SOPS_AGE_RECIPIENTS,
    else your own age key (create it with 'secretsfile keygen').
    """
    if in_place and output is not None:
        raise UsageError("use either --in-place or --output")
    options = files.EncryptOptions(
        keys=keys,
        selector=_selector(
            unencrypted_suffix,
            encrypted_suffix,
            unencrypted_regex,
            encrypted_regex,
            unencrypted_comment_regex,
            encrypted_comment_regex,
            mac_only_encrypted,
        ),
        input_type=input_type,
        output_type=output_type,
        config=load_for(output or file),
    )
    text = files.encrypt_file(file, options, output=output, in_place=in_place)
    if text:
        out(text)
    else:
        say(f"encrypted {file}" + (f" -> {output}" if output else " in place"))


def decrypt(
    file: FileArg,
    extract: Annotated[
        str | None,
        typer.Option("--extract", help='Only this value: \'["a"]["b"]\' or a.b.'),
    ] = None,
    output_type: OutputType = None,
    input_type: InputType = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write plaintext here (mode 0600); never over an "
                     "encrypted file or where check-encrypted requires encryption."),
    ] = None,
    ignore_mac: IgnoreMac = False,
) -> None:
    """Decrypt a file to stdout (or --output). The MAC is verified unless --ignore-mac."""
    from secretsfile.cli.plaintext_output import refuse_plaintext_target

    if output is not None:
        refuse_plaintext_target(output)  # before any decryption: no key needed to say no
    text = files.decrypt_file(file, input_type, output_type, extract, load_for(file), ignore_mac)
    write_output(text, output)
    if output is not None:
        say(f"wrote plaintext to {output}: keep it out of git")


@with_key_options
def edit(
    file: FileArg,
    keys: KeyOptions,
    input_type: InputType = None,
    ignore_mac: IgnoreMac = False,
) -> None:
    """Edit in $EDITOR; unchanged values keep their ciphertext (one-line diffs).

    The plaintext lives in a private 0700 directory (tmpfs when available) and is removed
    afterwards. A missing FILE is created from an example.
    """

    def retry(error: FormatError) -> bool:
        say(f"error: {error.diagnostics()}")
        if not sys.stdin.isatty():
            return False
        return typer.confirm("Re-open the editor to fix it?", default=True)

    from secretsfile.ops.edit import edit_file

    result = edit_file(file, keys, retry, input_type, load_for(file), ignore_mac)
    if not result.changed:
        say(f"{file} not modified")
    else:
        say(f"{'created' if result.created else 'saved'} {file}")


def _parse_typed(text: str, as_json: bool) -> Any:
    from secretsfile.ops.secret_input import parse_json

    return parse_json(text, "--json value") if as_json else text


def set_(
    file: FileArg,
    key_path: Annotated[str, typer.Argument(metavar="PATH", help='a.b.0 or \'["a"]["b"][0]\'')],
    value_stdin: Annotated[
        bool, typer.Option("--value-stdin", help="Read the value from stdin.")
    ] = False,
    value_file: Annotated[
        Path | None, typer.Option("--value-file", help="Read the value from a file.")
    ] = None,
    value: Annotated[
        str | None,
        typer.Option("--value", help="The value itself (lands in shell history: avoid)."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Parse the value as JSON (numbers, lists, maps).")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Also when other values would be dropped (a "
                           "scalar on the way, or keys of a replaced map).")
    ] = False,
    input_type: InputType = None,
) -> None:
    """Set one value (missing keys are created). Only that value's ciphertext changes.

    With no value option you are prompted (hidden input). Replacing anything but that
    value (a.b when a holds a scalar, a map by a value) is refused without --force.
    """
    text = read_value(value, value_stdin, value_file, prompt=f"Value for {key_path}")
    files.set_value(file, key_path, _parse_typed(text, as_json), input_type, force=force,
                    config=load_for(file))
    say(f"set {key_path} in {file}")


def unset(
    file: FileArg,
    key_path: Annotated[str, typer.Argument(metavar="PATH", help='a.b.0 or \'["a"]["b"][0]\'')],
    input_type: InputType = None,
) -> None:
    """Remove one key (and its value)."""
    files.unset_value(file, key_path, input_type, load_for(file))
    say(f"removed {key_path} from {file}")


def get(
    file: FileArg,
    key_path: Annotated[str, typer.Argument(metavar="PATH", help='a.b.0 or \'["a"]["b"][0]\'')],
    as_json: JsonOpt = False,
    input_type: InputType = None,
) -> None:
    """Print one decrypted value on stdout (maps and lists as YAML, or --json)."""
    value = files.get_value(file, key_path, input_type, load_for(file))
    if as_json:
        emit_json(files.to_python(value))
    else:
        out(files.value_text(value, key_path))


def register(app: typer.Typer) -> None:
    from secretsfile.cli import rekey_cmd

    for name, function in (
        ("encrypt", encrypt), ("decrypt", decrypt), ("edit", edit), ("set", set_),
        ("unset", unset), ("get", get),
    ):
        app.command(name, rich_help_panel=PANEL)(function)
    rekey_cmd.register(app, PANEL)
