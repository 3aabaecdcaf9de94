"""Commands on one secrets file: encrypt, decrypt, edit, set, unset, get (and, from
``rekey_cmd``, keys, status, rotate, updatekeys)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from secretsfile.cli.common import emit_json, out, say, write_output
from secretsfile.cli.file_options import (
    ALLOW_NEGATIVE_VALUE,
    CommentOpt,
    ConfigOpt,
    EncCommentOpt,
    EncRegexOpt,
    EncSuffixOpt,
    FileArg,
    FilenameOverride,
    Idempotent,
    IgnoreMac,
    IndentOpt,
    InputType,
    JsonOpt,
    KeyPathArg,
    MacOnlyOpt,
    OutputType,
    RegexOpt,
    StdinFileArg,
    SuffixOpt,
    is_stdin,
    refuse_unknown_options,
    selector,
    set_value_of,
    source_of,
)
from secretsfile.cli.key_options import with_key_options
from secretsfile.config.project import load_for
from secretsfile.errors import FormatError, UsageError
from secretsfile.ops import files
from secretsfile.ops.recipients import KeyOptions

# rekey_cmd, groups_cmd and exec_cmd take these from here
__all__ = ["FileArg", "IgnoreMac", "InputType", "JsonOpt", "OutputType", "register"]
PANEL = "Files"


@with_key_options
def encrypt(
    keys: KeyOptions,
    file: StdinFileArg = None,
    in_place: Annotated[bool, typer.Option("--in-place", "-i", help="Replace FILE.")] = False,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Write here. If it is already encrypted with a key you hold, "
        "its data key and unchanged ciphertexts are kept (1-line diffs).")] = None,
    input_type: InputType = None,
    output_type: OutputType = None,
    filename_override: FilenameOverride = None,
    indent: IndentOpt = None,
    config: ConfigOpt = None,
    unencrypted_suffix: SuffixOpt = None,
    encrypted_suffix: EncSuffixOpt = None,
    unencrypted_regex: RegexOpt = None,
    encrypted_regex: EncRegexOpt = None,
    unencrypted_comment_regex: CommentOpt = None,
    encrypted_comment_regex: EncCommentOpt = None,
    mac_only_encrypted: MacOnlyOpt = False,
) -> None:
    """Encrypt a plaintext file (to stdout, --output or --in-place).

    Recipients: --age/--fernet, else SECRETSFILE_AGE_RECIPIENTS / SOPS_AGE_RECIPIENTS,
    else your own age key (create it with 'secretsfile keygen').
    """
    if in_place and (output is not None or is_stdin(file)):
        raise UsageError("--in-place needs a FILE and no --output")
    source = source_of(file, filename_override, input_type)
    path = Path("-") if file is None else file
    options = files.EncryptOptions(
        keys=keys,
        selector=selector(unencrypted_suffix, encrypted_suffix, unencrypted_regex,
                          encrypted_regex, unencrypted_comment_regex, encrypted_comment_regex,
                          mac_only_encrypted),
        input_type=input_type,
        output_type=output_type,
        config=load_for(output or filename_override or path, config),
        indent=indent,
    )
    text = files.encrypt_file(path, options, output, in_place, source or files.Source())
    if text:
        out(text)
    else:
        say(f"encrypted {path}" + (f" -> {output}" if output else " in place"))


def decrypt(
    file: StdinFileArg = None,
    extract: Annotated[
        str | None,
        typer.Option("--extract", metavar="PATH", help='Only this value: \'["a"]["b"]\' or a.b.'),
    ] = None,
    output_type: OutputType = None,
    input_type: InputType = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write plaintext here (mode 0600); never over an "
                     "encrypted file or where check-encrypted requires encryption."),
    ] = None,
    ignore_mac: IgnoreMac = False,
    filename_override: FilenameOverride = None,
    indent: IndentOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Decrypt a file to stdout (or --output). The MAC is verified unless --ignore-mac."""
    from secretsfile.cli.plaintext_output import refuse_plaintext_target

    if output is not None:
        refuse_plaintext_target(output)  # before any decryption: no key needed to say no
    source = source_of(file, filename_override, input_type)
    path = Path("-") if file is None else file
    project = load_for(filename_override or path, config)
    text = files.decrypt_file(path, input_type, output_type, extract, project, ignore_mac,
                              indent, source)
    write_output(text, output)
    if output is not None:
        say(f"wrote plaintext to {output}: keep it out of git")


@with_key_options
def edit(
    file: FileArg,
    keys: KeyOptions,
    input_type: InputType = None,
    ignore_mac: IgnoreMac = False,
    config: ConfigOpt = None,
    indent: IndentOpt = None,
) -> None:
    """Edit in $EDITOR; unchanged values keep their ciphertext (one-line diffs).

    The plaintext lives in a private 0700 directory (tmpfs when available) and is removed
    afterwards. A missing FILE is created from an example.
    """

    def retry(error: FormatError) -> bool:
        if not sys.stdin.isatty():
            return False  # edit_file raises it, saying the edits were not saved
        say(f"error: {error.diagnostics()}")
        if typer.confirm("Re-open the editor to fix it?", default=True):
            return True
        raise UsageError("your edits were not saved", path=str(file))

    from secretsfile.ops.edit import edit_file

    result = edit_file(file, keys, retry, input_type, load_for(file, config), ignore_mac,
                       indent)
    if not result.changed:
        say(f"{file} not modified")
    else:
        say(f"{'created' if result.created else 'saved'} {file}")


def set_(
    ctx: typer.Context,
    file: FileArg,
    key_path: KeyPathArg,
    positional: Annotated[str | None, typer.Argument(
        metavar="[VALUE]", show_default=False, help="The value as JSON, as sops takes it "
        "('\"text\"', 5, '{\"a\": true}'); lands in shell history: prefer --value-stdin.")] = None,
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
    idempotent: Idempotent = False,
    input_type: InputType = None,
    indent: IndentOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Set one value (missing keys are created). Only that value's ciphertext changes.

    With no value given you are prompted (hidden input). Replacing anything but that
    value (a.b when a holds a scalar, a map by a value) is refused without --force.
    """
    refuse_unknown_options(str(file), key_path, value=positional, extra=ctx.args)
    data = set_value_of(positional, value, value_stdin, value_file, as_json, key_path)
    if files.set_value(file, key_path, data, input_type, force, load_for(file, config),
                       idempotent, indent):
        say(f"set {key_path} in {file}")
    else:
        say(f"{key_path} in {file} already holds that value: not written")


def unset(
    file: FileArg,
    key_path: KeyPathArg,
    idempotent: Idempotent = False,
    input_type: InputType = None,
    indent: IndentOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Remove one key (and its value)."""
    if files.unset_value(file, key_path, input_type, load_for(file, config), idempotent,
                         indent):
        say(f"removed {key_path} from {file}")
    else:
        say(f"no {key_path} in {file}: nothing to remove")


def get(
    file: FileArg,
    key_path: KeyPathArg,
    as_json: JsonOpt = False,
    input_type: InputType = None,
    config: ConfigOpt = None,
) -> None:
    """Print one decrypted value on stdout (maps and lists as YAML, or --json)."""
    value = files.get_value(file, key_path, input_type, load_for(file, config))
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
        settings = ALLOW_NEGATIVE_VALUE if function is set_ else None
        app.command(name, rich_help_panel=PANEL, context_settings=settings)(function)
    rekey_cmd.register(app, PANEL)
