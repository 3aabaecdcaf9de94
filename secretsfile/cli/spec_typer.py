"""Typer parameters from the one declaration (``spec``): a command body takes plain keyword
arguments, and ``annotate`` gives Typer the signature the spec declares."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from secretsfile.cli.lean import prepare
from secretsfile.cli.spec import Arg, Cmd, Opt, help_text, key_opts

Command = TypeVar("Command", bound=Callable[..., Any])
_TYPES: dict[str, type] = {"str": str, "path": Path, "int": int}


def info(param: Arg | Opt) -> Any:
    """The ``typer.Argument``/``typer.Option`` of one declared parameter."""
    if isinstance(param, Arg):
        hide = param.optional and param.default is None
        extra: dict[str, Any] = {"show_default": False} if hide else {}
        return typer.Argument(metavar=param.metavar, help=help_text(param.help), **extra)
    limits = {k: v for k, v in (("min", param.min), ("max", param.max)) if v is not None}
    show: dict[str, Any] = {"show_default": False} \
        if param.type == "int" and param.default is None else {}
    if param.envvar:
        show["envvar"] = param.envvar
    option: Any = typer.Option
    return option(*param.flags, metavar=param.metavar, help=help_text(param.help),
                        **limits, **show)


def annotation(param: Arg | Opt) -> Any:
    """``Annotated[type, info]``: a parameter's Typer type."""
    if isinstance(param, Opt) and param.kind == "flag":
        base: Any = bool if param.default is not None else bool | None  # None: a tri-state
    elif param.kind == "list" if isinstance(param, Opt) else param.many:
        base = list[str] | None
    else:
        base = _TYPES[param.type]
        if param.optional if isinstance(param, Arg) else param.default is None:
            base = base | None
    return Annotated[base, info(param)]


def parameter(param: Arg | Opt) -> inspect.Parameter:
    default = inspect.Parameter.empty if isinstance(param, Arg) and not param.optional \
        else param.default
    return inspect.Parameter(param.dest, inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=annotation(param))


def params_of(cmd: Cmd) -> list[Arg | Opt]:
    """Every parameter of ``cmd`` in --help order (the key options first, as sops)."""
    return [*(key_opts() if cmd.keys else ()), *cmd.params]


def annotate(cmd: Cmd) -> Callable[[Command], Command]:
    """``function`` (keyword arguments named by the spec's ``dest``s) with the signature Typer
    reads; with ``cmd.keys`` the key options become ``keys``, with ``cmd.extra`` Click's
    leftover arguments become ``extra``."""

    def wrap(function: Command) -> Command:
        params = [parameter(param) for param in params_of(cmd)]
        if cmd.extra:
            params.insert(0, inspect.Parameter("ctx", inspect.Parameter.KEYWORD_ONLY,
                                               annotation=typer.Context))

        @functools.wraps(function)
        def wrapper(**kwargs: Any) -> Any:
            return function(**prepare(cmd, kwargs))

        signature = inspect.Signature(params)
        wrapper.__signature__ = signature  # type: ignore[attr-defined]
        wrapper.__annotations__ = {p.name: p.annotation for p in params}
        return wrapper  # type: ignore[return-value]

    return wrap
