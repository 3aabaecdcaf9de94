"""Secret values as the user gives them: ``--KEY=VALUE`` / ``--KEY=@path`` options,
``--values '{json}'`` / ``@file.json`` / ``@file.yaml``, always UTF-8 text, never echoed.

The CLI hands over the raw arguments (and, for ``-i``, a prompt); this module turns them
into key/value pairs, so every front end reads values the same way.
"""

from __future__ import annotations

from secretsfile.errors import FormatError, UsageError, warn

# typing for mypy only (~4 ms a process: set loads this module); json and the secrets model
# load where used: `set` needs neither (issue 14)
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterable, Mapping
    from typing import Any

    from secretsfile.secrets.schemas import Schema


def utf8_value(raw: bytes | str, source: str) -> str:
    """A value as UTF-8 text, or a FormatError naming ``source`` (never the bytes). Values
    are text: non-UTF-8 bytes would reach YAML, JSON, dotenv and programs as mangled
    escapes. A str from argv carries undecodable bytes as surrogates; they count too."""
    try:
        data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else raw
        return data.decode("utf-8")
    except (UnicodeDecodeError, UnicodeEncodeError) as error:
        raise FormatError(
            f"{source}: not UTF-8 text (at offset {error.start})",
            hint="secret values are text; base64-encode binary data first, e.g. "
            "base64 FILE | secretsfile set ... --value-stdin",
        ) from None


def read_at(reference: str, what: str | None = None) -> str:
    """The text of ``@path``, without the one trailing newline editors add. ``what`` names
    the option in errors instead of the path: the "path" may be a value meant literally
    (``--password=@hunter2``), which an error must not echo."""
    path = reference[1:]
    try:
        with open(path, "rb") as handle:  # it exists: a path, not a value
            text = utf8_value(handle.read(), path)
    except OSError as error:
        if what is None:
            raise UsageError(f"{path}: {error.strerror}") from None
        raise UsageError(f"{what}: cannot read the @file ({error.strerror})",
                         hint=f"a value starting with '@' is written "
                         f"{what.partition('=')[0]}=@@…; a file as @path") from None
    return text[:-1] if text.endswith("\n") and text.count("\n") == 1 else text


def pairs_from_args(args: Iterable[str], open_keys: Collection[str] = ()) -> dict[str, str]:
    """``--KEY=VALUE`` / ``--KEY=@path`` extra options; ``--KEY=@@text`` is the literal
    value ``@text``. A value typed inline warns (shell history) unless its key is in
    ``open_keys``: a schema's non-secret fields (``--user=app``, ``--host=db``)."""
    pairs: dict[str, str] = {}
    warned = False
    for arg in args:
        if not arg.startswith("--") or "=" not in arg:
            # never echo it: a mistyped '--password hunter2' puts the value here
            raise UsageError("unexpected argument (not --KEY=VALUE)",
                             hint="use --KEY=VALUE or --KEY=@file")
        key, _, value = arg[2:].partition("=")
        if not key:
            raise UsageError("unexpected argument '--=…': a key name is missing",
                             hint="use --KEY=VALUE or --KEY=@file")
        if value.startswith("@") and not value.startswith("@@"):
            value = read_at(value, f"--{key}=@…")
        else:  # '--KEY=@@x' is the literal value '@x'
            value = utf8_value(value[1:] if value.startswith("@@") else value,
                               f"the --{key} argument")
            if not warned and key.replace("-", "_") not in open_keys:
                warn("values on the command line land in shell history; prefer "
                     "--KEY=@file, --values @file or -i")
                warned = True
        pairs[key] = value
    return pairs


def _parse_values(values: str) -> object:
    if values.startswith("@") and not values.lower().endswith(".json"):
        import yaml

        try:
            return yaml.load(read_at(values), Loader=yaml.BaseLoader)  # no implicit typing
        except yaml.YAMLError:
            raise FormatError(f"{values[1:]}: not valid YAML") from None
    return parse_json(read_at(values) if values.startswith("@") else values, "--values")


def _no_constant(name: str) -> Any:
    """NaN and Infinity are not JSON (Go's parser, and so sops, refuses them)."""
    raise FormatError(f"{name} is not a JSON value", hint="quote it to store the text")


def parse_json(text: str, what: str) -> Any:
    """JSON from the command line: a FormatError naming ``what``, never the text."""
    body = text[1:-1]
    if (len(text) > 1 and text[0] == text[-1] == '"' and '"' not in body
            and "\\" not in body and (not body or min(body) >= " ")):
        return body  # a plain JSON string (`set f KEY '"v"'`) needs no json module
    import json

    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise FormatError(f"{what} is not JSON: {error.msg}") from None
    except (ValueError, RecursionError):  # numbers past int() limits, deep nesting
        raise FormatError(f"{what} is too large or too deeply nested") from None


def pairs_from_values(values: str) -> dict[str, str]:
    """``'{json}'``, ``@file.json`` or ``@file.yaml``. YAML scalars are taken as written
    (``0123`` stays ``0123``, ``on`` stays ``on``): secret values are text."""
    from secretsfile.secrets.model import text_of

    data = _parse_values(values)
    if not isinstance(data, dict):
        raise FormatError("--values must be a mapping of key to value")
    pairs = {}
    for key, value in data.items():
        if isinstance(value, (dict, list)):
            raise FormatError(f"--values: key {key!r} holds a nested structure",
                              hint="a secret is one level of key/value pairs")
        pairs[str(key)] = text_of(value)
    return pairs


def gather_pairs(args: list[str], values: str | None,
                 prompted: Callable[[], dict[str, str]] | None,
                 schema: Schema | None = None) -> dict[str, str]:
    """The pairs from exactly one source: ``--KEY=VALUE`` options, ``--values`` or the
    prompt (``-i``)."""
    sources = int(bool(args)) + int(values is not None) + int(prompted is not None)
    if sources > 1:
        raise UsageError("give the values one way: --KEY=VALUE options, --values or -i")
    if prompted is not None:
        return prompted()
    if values is not None:
        return pairs_from_values(values)
    open_keys = {f.name for f in schema.fields if not f.secret} if schema else set()
    return pairs_from_args(args, open_keys)


def schema_keys(pairs: Mapping[str, str], schema: Schema | None) -> dict[str, str]:
    """``--client-id`` names the schema field ``client_id``: a key whose '-' spelling of a
    field is that field takes the field's name; others stay as given."""
    if schema is None:
        return dict(pairs)
    known = set(schema.field_names())
    return {(k.replace("-", "_") if k.replace("-", "_") in known else k): v
            for k, v in pairs.items()}
