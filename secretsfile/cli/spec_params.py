"""The kinds of declaration ``cli/spec.py`` is made of: a positional argument, an option,
a command. Plain classes with ``__slots__`` (no dataclass: the start-up path of every hot
command imports them)."""

from __future__ import annotations

from collections.abc import Callable

Help = str | Callable[[], str]  # a callable: help text that needs the store registry


class Arg:
    """A positional argument; ``optional`` ones may be left out (``default``); ``many``: the
    last argument takes every remaining one (a list, None when there are none)."""

    __slots__ = ("default", "dest", "help", "many", "metavar", "optional", "type")

    def __init__(self, dest: str, help: Help, metavar: str | None = None,
                 optional: bool = False, type: str = "str", default: object = None,
                 many: bool = False) -> None:
        self.dest, self.help, self.metavar = dest, help, metavar
        self.optional, self.type, self.default, self.many = optional or many, type, default, many


class Opt:
    """An option. ``kind``: "value" (takes one value), "flag" (bool; "--x/--no-x" declares
    both) or "list" (repeatable).
    ``lean=False``: the lean parser steps aside when it is given (Typer handles it).
    ``envvar``: read, as Click reads it, when the option is not given (a non-empty value;
    shown in --help). ``tristate``: a flag pair that is None when neither is given."""

    __slots__ = (
        "default",
        "dest",
        "envvar",
        "flags",
        "help",
        "kind",
        "lean",
        "max",
        "metavar",
        "min",
        "type",
    )

    def __init__(self, dest: str, flags: tuple[str, ...], help: Help, kind: str = "value",
                 metavar: str | None = None, type: str = "str", default: object = None,
                 min: int | None = None, max: int | None = None, lean: bool = True,
                 envvar: str | None = None, tristate: bool = False) -> None:  # fmt: skip
        self.dest, self.flags, self.help, self.kind = dest, flags, help, kind
        self.metavar, self.type, self.min, self.max, self.lean = metavar, type, min, max, lean
        self.envvar = envvar
        flag_off = kind == "flag" and default is None and not tristate
        self.default = False if flag_off else default


class Cmd:
    """A command: its parameters in signature order, where its body lives (``run`` =
    "module:function", called with one keyword per ``dest``), whether the key-source
    options are appended (``keys``) and whether the lean parser may run it (``lean``).
    ``extra``: unknown options reach the body as ``extra`` (``set``'s negative VALUE).
    ``gc_off``: a lean run turns the cyclic GC off (its data holds no cycles); a ``dest``:
    only when that flag bounds the work (a staged scan, not a whole repository's)."""

    __slots__ = ("extra", "gc_off", "keys", "lean", "name", "params", "run")

    def __init__(self, name: tuple[str, ...], params: tuple[Arg | Opt, ...], run: str,
                 keys: bool = False, lean: bool = True, extra: bool = False,
                 gc_off: bool | str = True) -> None:
        self.name, self.params, self.run = name, params, run
        self.keys, self.lean, self.extra, self.gc_off = keys, lean, extra, gc_off


def help_text(help: Help) -> str:
    return help if isinstance(help, str) else help()
