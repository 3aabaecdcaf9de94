"""The key options of the file commands, generated from the key-source registry.

Every source contributes ``--NAME VALUE`` (a recipient, repeatable: ``--age``, ``--fernet-id``,
later ``--kms``, ``--pgp``, ``--hc-vault-transit``), ``--rm-NAME VALUE`` on ``updatekeys``,
and its own-key flag if it has one (``--fernet``). A new backend needs no change here.

Typer reads a command's parameters from its signature, so the decorators below replace the
command's ``keys`` (or ``change``) parameter by one parameter per option and rebuild the
value from them before calling it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from secretsfile.keysources import registry
from secretsfile.keysources.interface import CliOption, Recipient
from secretsfile.ops.recipients import KeyOptions
from secretsfile.ops.rekey import KeyChange

Command = TypeVar("Command", bound=Callable[..., Any])
_ADD, _REMOVE, _OWN, _EXTRA = "key_add_", "key_rm_", "key_own_", "key_extra_"
_THRESHOLD = "key_shamir_threshold"
ThresholdOpt = Annotated[int, typer.Option(
    "--shamir-secret-sharing-threshold", min=0, max=255, metavar="N",
    help="How many key groups must open to recover the data key (Shamir; default: the "
    "config's shamir_threshold, else every group).")]


def _list_option(name: str, cli: CliOption, remove: bool) -> inspect.Parameter:
    flags = [f"--rm-{cli.name}"] if remove else [f"--{cli.name}", *filter(None, [cli.short])]
    option = typer.Option(*flags, help=cli.remove_help if remove else cli.help,
                          metavar=cli.metavar)
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None,
                             annotation=Annotated[list[str] | None, option])


def _flag(name: str, flag: str, help_text: str) -> inspect.Parameter:
    option = typer.Option(f"--{flag}", help=help_text)
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=False,
                             annotation=Annotated[bool, option])


def _replace(command: Command, target: str, params: list[inspect.Parameter],
             build: Callable[[dict[str, Any]], dict[str, Any]]) -> Command:
    """``command`` with its ``target`` parameter swapped for ``params``; ``build`` turns
    their values back into the keyword arguments the command takes."""
    signature = inspect.signature(command, eval_str=True)
    names = {param.name for param in params}
    kept = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in signature.parameters.values()]
    at = [p.name for p in kept].index(target)
    new = signature.replace(parameters=[*kept[:at], *params, *kept[at + 1:]])

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        generated = {name: kwargs.pop(name) for name in names}
        return command(**kwargs, **build(generated))

    wrapper.__signature__ = new  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in new.parameters.values()}
    return wrapper  # type: ignore[return-value]


def _extra_params() -> list[inspect.Parameter]:
    """Options that qualify a source's recipients (``--encryption-context`` for ``--kms``):
    a source lists them in ``cli_extras`` and folds them in with ``cli_values``."""
    params = []
    for source in registry.sources():
        for extra in getattr(source, "cli_extras", ()):
            option = typer.Option(f"--{extra.name}", help=extra.help, metavar=extra.metavar)
            params.append(inspect.Parameter(
                f"{_EXTRA}{source.kind}_{extra.name.replace('-', '_')}",
                inspect.Parameter.KEYWORD_ONLY, default=None,
                annotation=Annotated[str | None, option]))
    return params


def _recipients(values: dict[str, Any], prefix: str) -> tuple[Recipient, ...]:
    found: list[Recipient] = []
    for source in registry.sources():
        given = values[prefix + source.kind] or ()
        extras = getattr(source, "cli_extras", ())
        if not extras and not hasattr(source, "cli_values"):
            found += [Recipient(source.kind, value) for value in given]
            continue
        chosen = {extra.name: values.get(f"{_EXTRA}{source.kind}_{extra.name.replace('-', '_')}")
                  for extra in extras}
        found += [Recipient(source.kind, text) for value in given
                  for text in source.cli_values(value, chosen)]  # type: ignore[attr-defined]
    return tuple(found)


def with_key_options(command: Command) -> Command:
    """Replace ``keys: KeyOptions`` by each source's recipient option and own-key flag,
    and ``--shamir-secret-sharing-threshold`` (sops takes it wherever keys are given)."""
    params: list[inspect.Parameter] = []
    for kind, cli in registry.cli_options():
        params.append(_list_option(_ADD + kind, cli, remove=False))
        if cli.own_key_flag:
            params.append(_flag(_OWN + kind, cli.own_key_flag, cli.own_key_help))
    params += _extra_params()
    params.append(inspect.Parameter(_THRESHOLD, inspect.Parameter.KEYWORD_ONLY, default=0,
                                    annotation=ThresholdOpt))

    def build(values: dict[str, Any]) -> dict[str, Any]:
        own = [kind for kind, _ in registry.cli_options() if values.get(_OWN + kind)]
        return {"keys": KeyOptions(_recipients(values, _ADD), own, values[_THRESHOLD])}

    return _replace(command, "keys", params, build)


def with_key_changes(command: Command) -> Command:
    """Replace ``change: KeyChange`` by each source's add and remove options."""
    params = [_list_option(prefix + kind, cli, remove=prefix == _REMOVE)
              for kind, cli in registry.cli_options() for prefix in (_ADD, _REMOVE)]
    params += _extra_params()

    def build(values: dict[str, Any]) -> dict[str, Any]:
        change = KeyChange(add=_recipients(values, _ADD), remove=_recipients(values, _REMOVE))
        return {"change": change}

    return _replace(command, "change", params, build)


def change_options() -> str:
    """The add/remove options, for the 'nothing to do' hint."""
    return ", ".join(f"--{cli.name}, --rm-{cli.name}" for _, cli in registry.cli_options())
