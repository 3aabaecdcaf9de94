"""The masked mapping that ``secretsfile.load()`` returns: ``Secrets`` (name -> value or
group), ``SecretGroup`` and ``SecretNotFoundError``. Shows names, never values; the same
for an environment read from files and from a secret store."""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NoReturn

from secretsfile.errors import UsageError
from secretsfile.secrets.model import SecretValue
from secretsfile.secrets.naming import closest_hint

if TYPE_CHECKING:  # pragma: no cover
    from secretsfile.secrets.model import Secret
    from secretsfile.secrets.schemas import Schema
    from secretsfile.secrets.variables import Variable, Variables


class SecretNotFoundError(UsageError, KeyError):
    """A secret or key that the environment does not hold (a KeyError too, so ``in``,
    ``.get()`` and ``except KeyError`` work as on any mapping). Names only, never values."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.diagnostics()


# -- values ---------------------------------------------------------------------------------


class SecretGroup(Mapping[str, SecretValue]):
    """A key group (``db: {user: …, password: …}``): a read-only mapping of key ->
    SecretValue. ``.reveal()`` returns a plain ``dict[str, str]``."""

    __slots__ = ("_env", "_name", "_values")

    def __init__(self, name: str, values: Mapping[str, str | SecretValue], env: str = ""
                 ) -> None:
        self._name = name
        self._env = env
        self._values = {key: value if isinstance(value, SecretValue) else SecretValue(value)
                        for key, value in values.items()}

    @property
    def name(self) -> str:
        return self._name

    def __getitem__(self, key: str) -> SecretValue:
        try:
            return self._values[key]
        except KeyError:
            where = f" in {self._env}" if self._env else ""
            raise SecretNotFoundError(f"secret {self._name!r}{where} has no key {key!r}",
                                      hint=closest_hint(key, self._values)) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def reveal(self) -> dict[str, str]:
        return {key: value.reveal() for key, value in self._values.items()}

    def __repr__(self) -> str:
        return f"SecretGroup({self._name!r}, keys={sorted(self._values)!r})"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("a SecretGroup cannot be pickled; pickle .reveal() if you mean to")


Entry = SecretValue | SecretGroup


class Secrets(Mapping[str, Entry]):
    """An environment's secrets: a read-only mapping of name -> SecretValue (one value) or
    SecretGroup (a key group). Shows names, never values."""

    def __init__(self, env: str, secrets: Mapping[str, Secret],
                 exports: Mapping[str, str] | None = None,
                 schemas: Mapping[str, Schema] | None = None) -> None:
        """``exports``: the environment's ``exports:`` (variable -> '{{ name.key }}');
        ``schemas``: name -> Schema for schema variable names (default: the built-in ones)."""
        self._env = env
        self._secrets = dict(secrets)
        self._exports = dict(exports or {})
        from secretsfile.secrets.schemas import BUILTIN

        self._schemas = dict(BUILTIN if schemas is None else schemas)
        self._computed: Variables | None = None
        self._entries: dict[str, Entry] = {
            name: (SecretGroup(name, s.masked_values, env) if s.masked_value is None
                   else s.masked_value)
            for name, s in self._secrets.items()
        }

    @property
    def env(self) -> str:
        """The environment's name."""
        return self._env

    def __getitem__(self, name: str) -> Entry:
        try:
            return self._entries[name]
        except KeyError:
            raise SecretNotFoundError(f"secret {name!r} not found in {self._env}",
                                      hint=closest_hint(name, self._entries)) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        names = sorted(self._entries)
        more = f", … {len(names) - 8} more" if len(names) > 8 else ""
        return f"Secrets(env={self._env!r}, names=[{', '.join(map(repr, names[:8]))}{more}])"

    __str__ = __repr__

    def __reduce__(self) -> NoReturn:
        raise TypeError("Secrets cannot be pickled; pickle .reveal() if you mean to")

    def secret(self, name: str) -> Secret:
        """The underlying ``Secret`` (name, env, value or values, schema, private); it
        masks its values like SecretValue does."""
        self[name]  # the not-found error, with suggestions
        return self._secrets[name]

    def reveal(self) -> dict[str, Any]:
        """Plain data: name -> str, or name -> {key: value} for groups, typed as stored
        (a schema's ``port: 5432`` an int; ``environ()`` and ``SecretGroup`` hold text)."""
        return {name: (s.get() if not s.is_group else s.values)
                for name, s in self._secrets.items()}

    @property
    def notes(self) -> tuple[str, ...]:
        """What naming the variables left out (two secrets of one schema: neither gets the
        schema's names, e.g. AWS_ACCESS_KEY_ID; pick one with ``exports:``)."""
        return self._variables().notes

    def _variables(self) -> Variables:
        if self._computed is None:
            from secretsfile.secrets.variables import environment_variables

            self._computed = environment_variables(self._env, self._secrets, self._exports,
                                                   self._schemas)
        return self._computed

    def variables(self, only: Iterable[str] | None = None,
                  exclude: Iterable[str] | None = None) -> dict[str, Variable]:
        """The variables ``environ()`` sets, still masked, each with its origin (the
        secret and key, and whether ``exports:`` or a schema named it)."""
        from secretsfile.secrets.variables import select

        return select(self._variables(), only, exclude)

    def environ(self, only: Iterable[str] | None = None,
                exclude: Iterable[str] | None = None) -> dict[str, str]:
        """Environment variables: ``db-password`` -> ``DB_PASSWORD``, a group key ->
        ``DB_USER``, plus the environment's ``exports:`` and, for the only secret of a
        schema, the schema's names (``AWS_ACCESS_KEY_ID``). ``only`` / ``exclude``: secret
        names, variable names or globs. Two secrets mapping to one variable is a
        ConflictError."""
        return {var: v.value.reveal() for var, v in self.variables(only, exclude).items()}

    def export_to_environ(self, override: bool = False, only: Iterable[str] | None = None,
                          allow: Collection[str] = (), exclude: Iterable[str] | None = None
                          ) -> list[str]:
        """Set the variables in ``os.environ`` (as python-dotenv's ``load_dotenv``): an
        existing variable wins unless ``override``. Returns the names set. Values in
        ``os.environ`` are plain strings again: prefer ``reveal()`` where you need them.
        Names that change how programs run (PATH, LD_PRELOAD, PYTHONPATH, ...: the
        deny-list of ``run`` and ``ci export``) raise DeniedVariableError unless in
        ``allow``: child processes inherit ``os.environ``."""
        from secretsfile.ops.exporting import check_variables

        chosen = self.variables(only, exclude)
        check_variables(dict.fromkeys(chosen, ""), {v: c.origin for v, c in chosen.items()},
                        allow)
        set_names = [var for var in chosen if override or var not in os.environ]
        for var in set_names:
            problem = _unfit_for_environ(chosen[var].value)
            if problem is not None:
                raise UsageError(f"the value for {var} {problem}: it cannot be an "
                                 "environment variable", hint="read it with reveal()")
        for var in set_names:
            os.environ[var] = chosen[var].value.reveal()
        return set_names


def _unfit_for_environ(value: SecretValue) -> str | None:
    """Why ``os.environ`` would refuse the value, checked first: its error would leave the
    plaintext in the locals of the frame that raised it."""
    text = value.reveal()
    if "\0" in text:
        return "holds a NUL character"
    try:
        os.fsencode(text)
    except UnicodeEncodeError:
        return "is not valid text"
    return None
