"""Commands on one secrets file: encrypt, decrypt, edit, set, unset, get (and, from
``rekey_cmd``, keys, status, rotate, updatekeys)."""

from __future__ import annotations

import sys

from secretsfile._fileio import StrPath
from secretsfile.cli.common import emit_json, out, say, write_output
from secretsfile.cli.file_inputs import (
    is_stdin,
    refuse_unknown_options,
    selector,
    set_value_of,
    source_of,
)
from secretsfile.config.project import load_for
from secretsfile.errors import FormatError, UsageError
from secretsfile.ops import files

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    import typer

    from secretsfile.ops.recipients import KeyOptions

# Parameters and their help: cli/spec.py (the one declaration Typer and cli/lean.py read)
PANEL = "Files"


def encrypt(
    keys: KeyOptions,
    file: StrPath | None = None,
    in_place: bool = False,
    output: StrPath | None = None,
    input_type: str | None = None,
    output_type: str | None = None,
    filename_override: str | None = None,
    indent: int | None = None,
    config: StrPath | None = None,
    unencrypted_suffix: str | None = None,
    encrypted_suffix: str | None = None,
    unencrypted_regex: str | None = None,
    encrypted_regex: str | None = None,
    unencrypted_comment_regex: str | None = None,
    encrypted_comment_regex: str | None = None,
    mac_only_encrypted: bool = False,
) -> None:
    """Encrypt a plaintext file (to stdout, --output or --in-place).

    Recipients: --age/--fernet, else SECRETSFILE_AGE_RECIPIENTS / SOPS_AGE_RECIPIENTS,
    else your own age key (create it with 'secretsfile keygen').
    """
    if in_place and (output is not None or is_stdin(file)):
        raise UsageError("--in-place needs a FILE and no --output")
    source = source_of(file, filename_override, input_type)
    path = "-" if file is None else file
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
    file: StrPath | None = None,
    extract: str | None = None,
    output_type: str | None = None,
    input_type: str | None = None,
    output: StrPath | None = None,
    ignore_mac: bool = False,
    filename_override: str | None = None,
    indent: int | None = None,
    config: StrPath | None = None,
) -> None:
    """Decrypt a file to stdout (or --output). The MAC is verified unless --ignore-mac."""
    if output is not None:  # (the check's module loads only then)
        from secretsfile.cli.plaintext_output import refuse_plaintext_target

        refuse_plaintext_target(output)  # before any decryption: no key needed to say no
    source = source_of(file, filename_override, input_type)
    path = "-" if file is None else file
    project = load_for(filename_override or path, config)
    text = files.decrypt_file(path, input_type, output_type, extract, project, ignore_mac,
                              indent, source)
    write_output(text, output)
    if output is not None:
        say(f"wrote plaintext to {output}: keep it out of git")


def edit(
    file: Path,
    keys: KeyOptions,
    input_type: str | None = None,
    ignore_mac: bool = False,
    config: Path | None = None,
    indent: int | None = None,
) -> None:
    """Edit in $EDITOR; unchanged values keep their ciphertext (one-line diffs).

    The plaintext lives in a private 0700 directory (tmpfs when available) and is removed
    afterwards. A missing FILE is created from an example.
    """

    def retry(error: FormatError) -> bool:
        if not sys.stdin.isatty():
            return False  # edit_file raises it, saying the edits were not saved
        say(f"error: {error.diagnostics()}")
        import typer

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
    file: StrPath,
    key_path: str,
    positional: str | None = None,
    value_stdin: bool = False,
    value_file: StrPath | None = None,
    value: str | None = None,
    as_json: bool = False,
    force: bool = False,
    idempotent: bool = False,
    input_type: str | None = None,
    indent: int | None = None,
    config: StrPath | None = None,
    extra: list[str] | None = None,
) -> None:
    """Set one value (missing keys are created). Only that value's ciphertext changes.

    With no value given you are prompted (hidden input). Replacing anything but that
    value (a.b when a holds a scalar, a map by a value) is refused without --force.
    """
    refuse_unknown_options(str(file), key_path, value=positional, extra=extra or [])
    data = set_value_of(positional, value, value_stdin, value_file, as_json, key_path)
    if files.set_value(file, key_path, data, input_type, force, load_for(file, config),
                       idempotent, indent):
        say(f"set {key_path} in {file}")
    else:
        say(f"{key_path} in {file} already holds that value: not written")


def unset(
    file: StrPath,
    key_path: str,
    idempotent: bool = False,
    input_type: str | None = None,
    indent: int | None = None,
    config: StrPath | None = None,
) -> None:
    """Remove one key (and its value)."""
    if files.unset_value(file, key_path, input_type, load_for(file, config), idempotent,
                         indent):
        say(f"removed {key_path} from {file}")
    else:
        say(f"no {key_path} in {file}: nothing to remove")


def get(
    file: StrPath,
    key_path: str,
    as_json: bool = False,
    input_type: str | None = None,
    config: StrPath | None = None,
) -> None:
    """Print one decrypted value on stdout (maps and lists as YAML, or --json)."""
    value = files.get_value(file, key_path, input_type, load_for(file, config))
    if as_json:
        emit_json(files.to_python(value))
    else:
        out(files.value_text(value, key_path))


def register(app: typer.Typer) -> None:
    from secretsfile.cli import rekey_cmd
    from secretsfile.cli.file_inputs import ALLOW_NEGATIVE_VALUE
    from secretsfile.cli.spec import SPEC
    from secretsfile.cli.spec_typer import annotate

    for name, function in (
        ("encrypt", encrypt), ("decrypt", decrypt), ("edit", edit), ("set", set_),
        ("unset", unset), ("get", get),
    ):
        settings = ALLOW_NEGATIVE_VALUE if function is set_ else None
        command: Any = annotate(SPEC[(name,)])(function)
        app.command(name, rich_help_panel=PANEL, context_settings=settings)(command)
    rekey_cmd.register(app, PANEL)
