"""One declaration of the file commands (``cli/spec.py``): the Typer app's Click parameters
are the spec's, and the lean parser reads a command line as Click does or steps aside."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import typer

from secretsfile.cli import lean
from secretsfile.cli.spec import SPEC, Arg, Cmd, Opt
from secretsfile.cli.spec_typer import params_of


def _command(cmd: Cmd) -> click.Command:
    from secretsfile.cli.main import app

    group: Any = typer.main.get_command(app)
    for name in cmd.name:
        group = group.commands[name]
    return group  # type: ignore[no-any-return]


@pytest.mark.parametrize("name", list(SPEC))
def test_spec_equals_the_click_parameters(name: tuple[str, ...]) -> None:
    cmd = SPEC[name]
    declared = []
    for param in params_of(cmd):
        if isinstance(param, Arg):
            declared.append((param.dest, (), False, False, not param.optional))
        else:
            flags = [f for flag in param.flags for f in flag.split("/")]
            declared.append((param.dest, tuple(sorted(flags)), param.kind == "list",
                             param.kind == "flag", False))
    built = []
    for p in _command(cmd).params:
        if p.param_type_name == "argument":
            built.append((p.name, (), False, False, p.required))
        else:
            opt: Any = p
            built.append((p.name, tuple(sorted([*opt.opts, *opt.secondary_opts])),
                          opt.multiple, opt.is_flag, False))
    assert sorted(built) == sorted(declared)  # type: ignore[type-var]


_VALUES = ["x", "a.b", "3", "0", "-", "--", "-1", "=", "json", "", "--help", "-h", "--nope"]


def _argvs(cmd: Cmd, rng: random.Random) -> list[str]:
    params = [p for p in params_of(cmd)]
    argv: list[str] = []
    for _ in range(rng.randrange(6)):
        param = rng.choice(params)
        if isinstance(param, Arg):
            argv.append(rng.choice(["f.yaml", "k", "-", "5", *_VALUES[:3]]))
            continue
        flag = rng.choice([f for flag in param.flags for f in flag.split("/")])
        if param.kind == "flag":
            argv.append(flag if rng.random() < 0.9 else flag + "=1")
        elif rng.random() < 0.3 and flag.startswith("--"):
            argv.append(f"{flag}={rng.choice(_VALUES)}")
        else:
            argv += [flag, rng.choice(_VALUES)][: 2 if rng.random() < 0.95 else 1]
    return argv


def _normal(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_normal(v) for v in value] or None
    return str(value) if isinstance(value, Path) else value


@pytest.mark.parametrize("name", [n for n, c in SPEC.items() if c.lean])
def test_lean_parser_agrees_with_click(name: tuple[str, ...]) -> None:
    cmd, rng, agreed = SPEC[name], random.Random(14), 0
    command = _command(cmd)  # built once: the whole Typer app is built to reach it
    for _ in range(1500):
        argv = _argvs(cmd, rng)
        parsed = lean.parse([*name, *argv])
        if parsed is None:
            continue
        kwargs = {k: _normal(v) for k, v in parsed[1].items() if k != "quiet"}
        context = command.make_context("secretsfile", list(argv))
        assert not context.args, argv
        paths = {p.dest for p in params_of(cmd) if p.type == "path"}  # Typer: Path(value)
        assert kwargs == {k: _normal(Path(v) if k in paths and v is not None else v)
                          for k, v in context.params.items()}, argv
        agreed += 1
    assert agreed > 20


def test_lean_path_imports_no_typer_click_rich(tmp_path: Path) -> None:
    code = ("import sys; from secretsfile.cli import lean; "
            "assert lean.parse(['encrypt', '-i', '--age', 'age1x', 'f.yaml']); "
            "assert lean.parse(['set', 'f.yaml', 'a', '1']); "
            "import secretsfile.cli.files_cmd; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('typer', 'click', 'rich')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=tmp_path)
    assert done.stdout.strip() == "[]"


def test_an_option_is_declared_once() -> None:
    for cmd in SPEC.values():
        flags = [f for p in params_of(cmd) if isinstance(p, Opt) for f in p.flags]
        assert len(flags) == len(set(flags)), cmd.name
