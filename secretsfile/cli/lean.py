"""The lean parser: runs the hot commands from the one declaration (``spec``) without
importing Typer, Click or rich. It handles a strict subset of Click's grammar and returns
None for anything else (``--help``, an unknown or short-combined option, a missing value, a
bad number, a prompt), so that every help text and usage error is Typer's."""

from __future__ import annotations

import os
from collections.abc import Sequence

from secretsfile._lazy import resolve
from secretsfile._paths import normal_path
from secretsfile.cli.spec import SPEC, Arg, Cmd, Opt, key_opts

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from typing import Any

# set without a value prompts for it (hidden input): Typer's job
_NEEDS_ONE: dict[tuple[str, ...], tuple[str, ...]] = {
    ("set",): ("positional", "value", "value_stdin", "value_file")}
# SECRETSFILE_QUIET as Click reads a bool environment variable (empty: unset); any other
# value is Click's error to report
_ENV_BOOL = {"1": True, "true": True, "t": True, "yes": True, "y": True, "on": True,
             "0": False, "false": False, "f": False, "no": False, "n": False, "off": False}


def env_quiet() -> bool | None:
    """SECRETSFILE_QUIET as Click reads it; None: a value only Click may report."""
    text = os.environ.get("SECRETSFILE_QUIET", "")
    return _ENV_BOOL.get(text.strip().lower()) if text else False


def _convert(opt: Arg | Opt, text: str, plain_paths: bool) -> Any:
    if opt.type == "path":
        if plain_paths:
            return normal_path(text)  # what str(Path(text)) is
        from pathlib import Path  # as Click gives it; not for the file commands (issue 14)

        return Path(text)
    if opt.type != "int":
        return text
    if not text.isdigit() or not text.isascii():
        raise ValueError(text)
    number = int(text)
    if isinstance(opt, Opt) and ((opt.min is not None and number < opt.min)
                                 or (opt.max is not None and number > opt.max)):
        raise ValueError(text)
    return number


def _flags(cmd: Cmd) -> dict[str, tuple[Opt, bool]]:
    """Every flag spelling -> (option, the value a flag-kind option takes)."""
    found: dict[str, tuple[Opt, bool]] = {}
    for param in (*(key_opts() if cmd.keys else ()), *cmd.params):
        if isinstance(param, Opt):
            for flag in param.flags:
                positive, _, negative = flag.partition("/")
                found[positive] = (param, True)
                if negative:
                    found[negative] = (param, False)
    return found


def _plain_paths(cmd: Cmd) -> bool:
    """The file commands (``cli/files_cmd.py``), exec-env and the merge driver take a path as
    a str (or a PathLike: Typer gives a Path), so they load no pathlib (issue 14)."""
    return cmd.run.startswith(("secretsfile.cli.files_cmd:", "secretsfile.cli.exec_cmd:exec_env",
                               "secretsfile.cli.merge_driver:"))


def _options(cmd: Cmd, tokens: list[str]) -> tuple[dict[str, Any], list[str]] | None:
    flags, plain_paths = _flags(cmd), _plain_paths(cmd)
    values: dict[str, Any] = {}
    positionals: list[str] = []
    rest = list(tokens)
    while rest:
        token = rest.pop(0)
        if token == "--":
            positionals += rest
            break
        if not token.startswith("-") or token == "-":
            positionals.append(token)
            continue
        name, eq, inline = token.partition("=") if token.startswith("--") else (token, "", "")
        if name not in flags:
            return None
        opt, on = flags[name]
        if not opt.lean or (opt.kind == "flag" and eq):
            return None  # a flag given a value, or an undeclared subtlety: Typer decides
        if opt.kind == "flag":
            values[opt.dest] = on
            continue
        if not eq and (not rest or rest[0].startswith("-")):
            return None
        try:
            value = _convert(opt, inline if eq else rest.pop(0), plain_paths)
        except ValueError:
            return None
        values[opt.dest] = [*values.get(opt.dest, ()), value] if opt.kind == "list" else value
    return values, positionals


def command_of(argv: Sequence[str]) -> tuple[Cmd | None, bool | None, list[str]]:
    """The declared command ``argv`` names (after a global ``-q``), the global quiet (None:
    a SECRETSFILE_QUIET only Click may report) and the command's own arguments."""
    args, quiet = list(argv), env_quiet()
    if args[:1] in (["-q"], ["--quiet"]):
        args, quiet = args[1:], True
    cmd = next((c for name, c in SPEC.items() if tuple(args[:len(name)]) == name), None)
    return cmd, quiet, args[len(cmd.name) if cmd else 0:]


def parse(argv: Sequence[str]) -> tuple[Cmd, dict[str, Any]] | None:
    """``(command, keyword arguments)`` exactly as Click would give them, or None."""
    cmd, quiet, args = command_of(argv)
    if cmd is None or not cmd.lean or quiet is None:
        return None
    parsed = _options(cmd, args)
    if parsed is None:
        return None
    values, positionals = parsed
    arguments, plain = [p for p in cmd.params if isinstance(p, Arg)], _plain_paths(cmd)
    required = sum(not a.optional for a in arguments)
    many = bool(arguments) and arguments[-1].many
    if len(positionals) < required or (len(positionals) > len(arguments) and not many):
        return None
    kwargs: dict[str, Any] = {}
    for param in (*(key_opts() if cmd.keys else ()), *cmd.params):
        kwargs[param.dest] = param.default
        text = os.environ.get(param.envvar) if isinstance(param, Opt) and param.envvar else None
        if text:  # Click: a non-empty environment variable stands for an absent option
            try:
                kwargs[param.dest] = _convert(param, text, plain)
            except ValueError:
                return None
    for index, arg in enumerate(arguments[:len(positionals)]):
        texts = positionals[index:] if arg.many else positionals[index:index + 1]
        try:
            converted = [_convert(arg, text, plain) for text in texts]
        except ValueError:
            return None  # a bad number: Click's message
        kwargs[arg.dest] = converted if arg.many else converted[0]
    kwargs.update(values)
    needs = _NEEDS_ONE.get(cmd.name)
    if needs and not any(kwargs[dest] not in (None, False) for dest in needs):
        return None
    kwargs["quiet"] = quiet
    return cmd, kwargs


def prepare(cmd: Cmd, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The body's keyword arguments from the declared ones (Typer's or the lean parser's):
    the key options folded into ``keys``, Click's leftover arguments as ``extra``."""
    if cmd.extra:
        context = kwargs.pop("ctx", None)
        kwargs["extra"] = list(context.args) if context is not None else []
    if cmd.keys:
        from secretsfile.cli.key_options import keys_from

        kwargs = keys_from(kwargs)
    return kwargs


def run(argv: Sequence[str], ending: bool = False) -> int | None:
    """Run ``argv`` on the lean path and return its exit code, or None to use Typer.
    ``ending``: the process ends with this run (the console script, the hook entry), so a
    command declared ``gc_off`` runs with the cyclic garbage collector off."""
    parsed = parse(argv)
    if parsed is None:
        return None
    from secretsfile.cli.boundary import guarded, install_warning_handler
    from secretsfile.cli.quiet import set_quiet

    cmd, kwargs = parsed
    if ending and (cmd.gc_off is True or (cmd.gc_off and kwargs.get(str(cmd.gc_off)))):
        import gc

        gc.disable()
    set_quiet(kwargs.pop("quiet"))
    install_warning_handler()

    def invoke() -> int:
        result = resolve(cmd.run)(**prepare(cmd, kwargs))
        return result if isinstance(result, int) else 0

    return guarded(invoke)
