"""The Typer types of the options the file commands share (``files_cmd``, ``rekey_cmd``,
``groups_cmd``, ``exec_cmd``, ``integrity_cmd``), built from their one declaration in
``cli/spec.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from secretsfile.cli import spec
from secretsfile.cli.spec_typer import info

FileArg = Annotated[Path, info(spec.FILE)]
StdinFileArg = Annotated[Path | None, info(spec.STDIN_FILE)]
KeyPathArg = Annotated[str, info(spec.KEY_PATH)]
InputType = Annotated[str | None, info(spec.INPUT_TYPE)]
OutputType = Annotated[str | None, info(spec.OUTPUT_TYPE)]
JsonOpt = Annotated[bool, info(spec.JSON)]
IgnoreMac = Annotated[bool, info(spec.IGNORE_MAC)]
ConfigOpt = Annotated[Path | None, info(spec.CONFIG)]
IndentOpt = Annotated[int | None, info(spec.INDENT)]
FilenameOverride = Annotated[str | None, info(spec.FILENAME_OVERRIDE)]
Idempotent = Annotated[bool, info(spec.IDEMPOTENT)]
