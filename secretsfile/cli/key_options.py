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

from secretsfile.keysources import registry
from secretsfile.keysources.interface import Recipient
from secretsfile.ops.recipients import KeyOptions

# typing for mypy only (~4 ms a process): encrypt's lean path (keys_from) needs no
# annotations; the Typer app's builders below import typing's Annotated where they run
TYPE_CHECKING = False
if TYPE_CHECKING:
    import inspect  # the lean path (keys_from) needs no signatures: imported where rewritten
    from collections.abc import Callable
    from typing import Any, TypeVar

    from secretsfile.keysources.interface import CliOption

    Command = TypeVar("Command", bound=Callable[..., Any])
_ADD, _REMOVE, _OWN, _EXTRA = "key_add_", "key_rm_", "key_own_", "key_extra_"
_THRESHOLD = "key_shamir_threshold"


def _list_option(name: str, cli: CliOption, remove: bool) -> inspect.Parameter:
    import inspect
    from typing import Annotated

    import typer

    flags = [f"--rm-{cli.name}"] if remove else [f"--{cli.name}", *filter(None, [cli.short])]
    option = typer.Option(*flags, help=cli.remove_help if remove else cli.help,
                          metavar=cli.metavar)
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=None,
                             annotation=Annotated[list[str] | None, option])


def _replace(command: Command, target: str, params: list[inspect.Parameter],
             build: Callable[[dict[str, Any]], dict[str, Any]]) -> Command:
    """``command`` with its ``target`` parameter swapped for ``params``; ``build`` turns
    their values back into the keyword arguments the command takes."""
    import inspect

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
    import inspect

    from secretsfile.cli.spec import key_opts
    from secretsfile.cli.spec_typer import annotation

    return [inspect.Parameter(opt.dest, inspect.Parameter.KEYWORD_ONLY, default=None,
                              annotation=annotation(opt))
            for opt in key_opts() if opt.dest.startswith(_EXTRA)]


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


def keys_from(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` with the key options (``spec.key_opts``) folded into ``keys``."""
    generated = {name: values.pop(name) for name in list(values)
                 if name.startswith((_ADD, _OWN, _EXTRA)) or name == _THRESHOLD}
    own = [kind for kind, _ in registry.cli_options() if generated.get(_OWN + kind)]
    keys = KeyOptions(_recipients(generated, _ADD), own, generated.get(_THRESHOLD, 0))
    return {**values, "keys": keys}


def with_key_options(command: Command) -> Command:
    """Replace ``keys: KeyOptions`` by the key options ``spec.key_opts`` declares (each
    source's recipient option and own-key flag, ``--shamir-secret-sharing-threshold``)."""
    from secretsfile.cli.spec import key_opts
    from secretsfile.cli.spec_typer import parameter

    params = [parameter(opt) for opt in key_opts()]
    return _replace(command, "keys", params, lambda values: keys_from(values))


def with_key_changes(command: Command) -> Command:
    """Replace ``change: KeyChange`` by each source's add and remove options."""
    params = [_list_option(prefix + kind, cli, remove=prefix == _REMOVE)
              for kind, cli in registry.cli_options() for prefix in (_ADD, _REMOVE)]
    params += _extra_params()

    def build(values: dict[str, Any]) -> dict[str, Any]:
        from secretsfile.ops.rekey import KeyChange

        change = KeyChange(add=_recipients(values, _ADD), remove=_recipients(values, _REMOVE))
        return {"change": change}

    return _replace(command, "change", params, build)


def change_options() -> str:
    """The add/remove options, for the 'nothing to do' hint."""
    return ", ".join(f"--{cli.name}, --rm-{cli.name}" for _, cli in registry.cli_options())
