"""Named secrets: how an environment file holds them.

An environment file is a mapping whose top-level keys are secret names. A secret is either
one value (``api-token: ENC[...]``) or a group of key/value pairs (``db: {user: ..,
password: ..}``), as hosted ML secret services and ZenML model them. Inside a group, keys
starting with ``_`` are secretsfile's own metadata, never values: ``_schema_unencrypted``
names the schema the group was validated against (left in clear by the default selector,
so ``check`` and ``secret list`` can read it without a key).

A group's values keep their YAML/JSON type (``port: 5432`` is an int, encrypted as sops
``type:int``): ``values`` returns them typed, ``get()`` and ``text_values`` as the text a
program's environment sees. A secret read through the private overlay (``overlay.py``)
knows per key where each value came from (``origin()``).

Plaintext is held in ``SecretValue`` objects, which mask themselves wherever an object
gets printed, logged, copied into a dict or recorded from a traceback's locals.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import InitVar, dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

from secretsfile.core.values import scalar_text
from secretsfile.errors import FormatError

Scalar = str | int | float | bool  # what a secret's value (or a group's key) holds
TEAM, PRIVATE = "team", "private"  # where a value came from

SCHEMA_KEY = "_schema_unencrypted"
RESERVED_PREFIX = "_"
MASK = "**********"


class SecretValue:
    """One secret value. ``str``, ``repr``, f-strings, ``%`` formatting and logging show
    ``**********``; ``.reveal()`` (or pydantic's spelling ``.get_secret_value()``) returns
    the plaintext. Equal to another SecretValue with the same plaintext, never to a str.
    Not picklable: pickles end up on disk and in caches; pickle ``.reveal()`` on purpose."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def get_secret_value(self) -> str:
        return self._value

    def __str__(self) -> str:
        return MASK

    def __repr__(self) -> str:
        return f"SecretValue('{MASK}')"

    def __format__(self, spec: str) -> str:
        return format(MASK, spec)

    def __len__(self) -> int:
        return len(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, SecretValue):
            import hmac

            # surrogatepass: any str encodes (an encoding error would carry the value)
            return hmac.compare_digest(self._value.encode("utf-8", "surrogatepass"),
                                       other._value.encode("utf-8", "surrogatepass"))
        return NotImplemented

    def __hash__(self) -> int:
        return hash((SecretValue, self._value))

    def __copy__(self) -> SecretValue:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> SecretValue:
        return self

    def __reduce__(self) -> NoReturn:
        raise TypeError("a SecretValue cannot be pickled; pickle .reveal() if you mean to")


def text_of(value: Any) -> str:
    """A scalar as the string a program sees: ``core.values.scalar_text`` (YAML booleans
    as ``true``/``false``, floats as ``get`` and dotenv print them)."""
    return scalar_text(value)


@dataclass(frozen=True)
class Secret:
    """One named secret of one environment; ``values`` is empty for a single-value secret.

    Built from plaintext (``Secret(name, env, value)``, ``Secret(name, env, None, values)``,
    ``dataclasses.replace(secret, value=...)``) and read as plaintext (``value``,
    ``values``, ``get()``), but only held masked, in SecretValue objects: repr, str,
    ``dataclasses.asdict``, logging and traceback locals show ``**********`` and pickling
    is refused."""

    name: str
    env: str
    if TYPE_CHECKING:  # what callers see: plaintext in and out, as plain dataclass fields
        value: str | None = None
        values: Mapping[str, Scalar] = field(default_factory=dict)
    else:  # what is stored: init-only arguments, masked by __post_init__; read back
        value: InitVar[str | None] = None  # through the properties set below the class
        values: InitVar[Mapping[str, Scalar] | None] = None
    schema: str | None = None
    private: bool = False
    # key -> TEAM/PRIVATE for a group merged from both files (empty: all from one file)
    origins: Mapping[str, str] = field(default_factory=dict)
    note: str | None = None  # names only: e.g. that a private value hides a team group
    masked_value: SecretValue | None = field(init=False, default=None)
    masked_values: Mapping[str, SecretValue] = field(init=False, default_factory=dict)
    kinds: Mapping[str, str] = field(init=False, default_factory=dict)  # key -> int/float/bool

    if not TYPE_CHECKING:

        def __post_init__(self, value, values):
            _store_masked(self, value, values)

    @property
    def is_group(self) -> bool:
        return self.masked_value is None

    @property
    def keys(self) -> list[str]:
        return list(self.masked_values)

    @property
    def text_values(self) -> dict[str, str]:
        """A group's keys and values as text (what environment variables hold)."""
        return {key: value.reveal() for key, value in self.masked_values.items()}

    def origin(self, key: str | None = None) -> str:
        """Where a key's value (or the value) came from: ``team`` or ``private``."""
        if key is not None and key in self.origins:
            return self.origins[key]
        return PRIVATE if self.private else TEAM

    def get(self, key: str | None = None) -> str:
        """The value, or one key's value of a group (KeyError names the key, not values)."""
        if key is None:
            if self.masked_value is None:
                raise KeyError(f"secret {self.name!r} is a group; name a key: {self.keys}")
            return self.masked_value.reveal()
        if key not in self.masked_values:
            raise KeyError(f"secret {self.name!r} has no key {key!r}")
        return self.masked_values[key].reveal()

    def __copy__(self) -> Secret:
        return self  # immutable

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self

    def __reduce__(self) -> NoReturn:
        raise TypeError("a Secret cannot be pickled; pickle .get() or .values if you mean to")


def _store_masked(secret: Secret, value: str | None, values: Mapping[str, Scalar] | None
                  ) -> None:
    object.__setattr__(secret, "masked_value", None if value is None else SecretValue(value))
    object.__setattr__(secret, "masked_values",
                       {key: SecretValue(text_of(v)) for key, v in (values or {}).items()})
    object.__setattr__(secret, "kinds", {key: type(v).__name__ for key, v in (values or {}).items()
                                         if isinstance(v, (bool, int, float))})


_INT = re.compile(r"-?[0-9]+")
_FLOAT = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?")


def parse_typed(text: str, kind: str) -> Scalar:
    """Text as an ``int``, ``float`` or ``bool`` (ValueError if it is not one), strictly:
    ``true``/``false`` in any case (YAML 1.2 has no yes/no/on/off booleans), digits with an
    optional leading ``-`` (no ``+``, ``_`` or inner spaces), a finite decimal number (no
    nan or inf). Surrounding whitespace is ignored; the error never holds the text."""
    text = text.strip()
    if kind == "bool" and text.lower() in ("true", "false"):
        return text.lower() == "true"
    if kind == "int" and _INT.fullmatch(text):
        return int(text)  # ValueError past sys.get_int_max_str_digits()
    if kind == "float" and _FLOAT.fullmatch(text):
        return finite(float(text))
    raise ValueError(kind)


def finite(number: float) -> float:
    """``number`` unless it is nan or infinite (ValueError): sops and JSON refuse those."""
    if not math.isfinite(number):
        raise ValueError("float")
    return number


def typed(text: str, kind: str | None) -> Scalar:
    """A value's text back as the type it was stored with (``kinds``), when it reads as
    one (``parse_typed``); else the text, unchanged, for a schema to refuse."""
    if kind in ("bool", "int", "float"):
        try:
            return parse_typed(text, kind)
        except ValueError:
            pass
    return text


def _plain_value(secret: Secret) -> str | None:
    """The plaintext of a single-value secret (None for a group)."""
    return None if secret.masked_value is None else secret.masked_value.reveal()


def _plain_values(secret: Secret) -> dict[str, Scalar]:
    """A group's keys and plaintext values, typed (empty for a single-value secret)."""
    return {key: typed(value.reveal(), secret.kinds.get(key))
            for key, value in secret.masked_values.items()}


if not TYPE_CHECKING:  # after @dataclass, which would take a property for a default
    Secret.value = property(_plain_value, doc=_plain_value.__doc__)
    Secret.values = property(_plain_values, doc=_plain_values.__doc__)


def secret_from_tree(name: str, env: str, node: Any, private: bool = False) -> Secret:
    """Build a Secret from a decrypted top-level entry of an environment file."""
    built = _build_secret(name, env, node, private)
    # The error leaves from this frame, which no longer holds the decrypted entry: tools
    # that record traceback locals (Sentry, rich, pytest -l) would store it.
    del node
    if isinstance(built, FormatError):
        raise built
    return built


def _build_secret(name: str, env: str, node: Any, private: bool) -> Secret | FormatError:
    """The Secret, or the error to raise (returned: raising here would keep ``node``,
    the plaintext, in the traceback's locals)."""
    try:
        if isinstance(node, Mapping):
            values: dict[str, Scalar] = {}
            schema = None
            for key, value in node.items():
                if not isinstance(key, str):
                    continue  # a comment
                if key == SCHEMA_KEY:
                    schema = text_of(value)
                elif not key.startswith(RESERVED_PREFIX):
                    if isinstance(value, (Mapping, list)):
                        return FormatError(
                            f"secret {name!r}: key {key!r} holds a nested structure",
                            hint="a secret is one value or one level of key/value pairs",
                        )
                    text = text_of(value)  # a ValueError for an int too long to print
                    values[key] = value if isinstance(value, (bool, int, float)) else text
            return Secret(name, env, None, values, schema, private)
        if isinstance(node, list):
            return FormatError(f"secret {name!r} is a list",
                               hint="use a value or key/value pairs")
        return Secret(name, env, text_of(node), {}, None, private)
    except ValueError:  # an integer too long to print (over sys.get_int_max_str_digits())
        return FormatError(f"secret {name!r} holds a number too long to read as text",
                           hint="quote the value to keep it as a string")


def secret_to_tree(secret: Secret) -> Any:
    """The plaintext entry written for a secret."""
    if not secret.is_group:
        return secret.value
    node: dict[str, Any] = {}
    if secret.schema:
        node[SCHEMA_KEY] = secret.schema
    node.update(secret.values)
    return node


def secret_view(secret: Secret, reveal: bool) -> dict[str, Any]:
    """What ``secret get`` shows: name, environment, schema and the values, masked unless
    ``reveal``."""
    def shown(value: Scalar) -> Scalar:
        return value if reveal else MASK

    view: dict[str, Any] = {"name": secret.name, "env": secret.env, "private": secret.private}
    if secret.is_group:
        view["schema"] = secret.schema
        view["values"] = {k: shown(v) for k, v in secret.values.items()}
        view["origins"] = {k: secret.origin(k) for k in secret.keys}
    else:
        view["value"] = shown(secret.value or "")
        view["origin"] = secret.origin()
    if secret.note:
        view["note"] = secret.note
    return view
