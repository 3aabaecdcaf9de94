"""``Record``: the dataclass shape for the start-up path, without ``dataclasses``.

``@dataclass`` imports ``inspect`` (≈ 10 ms) and builds then ``exec``s the source of
``__init__``/``__repr__``/``__eq__`` for every class (≈ 0.5–1.5 ms each); a ``decrypt`` of a
small file pays that for every record class on its path (issue 14). A ``Record`` subclass
reads its annotations once at class creation and shares one generic ``__init__``::

    class Format(Record, frozen=True):
        name: str
        extensions: tuple[str, ...] = ()
        seen: list[str] = field(default_factory=list)
        share: bytes | None = field(default=None, repr=False)  # never in a repr

What it keeps from dataclasses: fields in annotation order (a subclass's after its base's),
positional or keyword construction, defaults and ``default_factory``, ``repr=False``,
field-wise ``__eq__`` (same class only; ``compare=False`` leaves a field out of it and of the
hash), ``frozen=True`` (assignment raises, hashable), ``replace(record, **changes)`` (a copy
built through the constructor, as ``dataclasses.replace``), and type checking of the
constructor (``dataclass_transform``). A class that defines its own ``__init__`` keeps it.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, ClassVar, TypeVar

    from typing_extensions import dataclass_transform
    _R = TypeVar("_R", bound="Record")
else:
    def dataclass_transform(**_options):
        return lambda cls: cls

__all__ = ["FrozenInstanceError", "Record", "field", "replace"]

_MISSING = object()


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen record."""


class _Field:
    __slots__ = ("compared", "default", "factory", "shown")

    def __init__(self, default: object, factory: Callable[[], object] | None,
                 shown: bool, compared: bool = True) -> None:
        self.default, self.factory, self.shown = default, factory, shown
        self.compared = compared


def field(*, default: Any = _MISSING, default_factory: Callable[[], Any] | None = None,
          repr: bool = True, compare: bool = True) -> Any:
    """A field's default, default factory, ``repr=False`` or ``compare=False``."""
    return _Field(default, default_factory, repr, compare)


@dataclass_transform(field_specifiers=(field,))
class Record:
    """Base class; see the module docstring."""

    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, _Field]] = {}
    _shown: ClassVar[tuple[str, ...]] = ()
    _compared: ClassVar[tuple[str, ...]] = ()
    _frozen: ClassVar[bool] = False
    _post_init: ClassVar[bool] = False  # has a __post_init__ (looked up once, not per record)

    def __init_subclass__(cls, frozen: bool = False, **options: Any) -> None:
        super().__init_subclass__(**options)
        fields, defaults = list(cls._fields), dict(cls._defaults)
        hidden = {name for name in fields if name not in cls._shown}
        ignored = {name for name in fields if name not in cls._compared}
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063
            if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
                continue
            if name not in fields:
                fields.append(name)
            value = cls.__dict__.get(name, _MISSING)
            spec = value if isinstance(value, _Field) else _Field(value, None, True)
            if spec.default is not _MISSING or spec.factory is not None:
                defaults[name] = spec
            if isinstance(value, _Field):
                delattr(cls, name)
                if value.default is not _MISSING:
                    setattr(cls, name, value.default)
            if not spec.shown:
                hidden.add(name)
            if not spec.compared:
                ignored.add(name)
        cls._fields, cls._defaults = tuple(fields), defaults
        cls._shown = tuple(name for name in fields if name not in hidden)
        cls._compared = tuple(name for name in fields if name not in ignored)
        cls._frozen = frozen or cls._frozen
        # looked up when the class is made (a hook set on it later is not seen); None: none
        cls._post_init = getattr(cls, "__post_init__", None) is not None
        if not cls._frozen and "__hash__" not in cls.__dict__:
            cls.__hash__ = None  # type: ignore[assignment]  # mutable and eq: unhashable

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # one walk over the fields, in their order, with no per-call dict (the scanner builds
        # ~280 records at start-up, issue 14); a wrong call is diagnosed apart, in _refuse
        names, count = self._fields, len(args)
        if count > len(names):
            raise TypeError(f"{type(self).__name__}() takes {len(names)} arguments")
        setter = object.__setattr__
        for name, value in zip(names, args, strict=False):
            setter(self, name, value)
        used = 0
        for name in names[count:]:
            if name in kwargs:
                setter(self, name, kwargs[name])
                used += 1
                continue
            spec = self._defaults.get(name)
            if spec is None:
                self._refuse(count, kwargs)
                raise TypeError(f"{type(self).__name__}() missing argument {name!r}")
            setter(self, name, spec.factory() if spec.factory is not None else spec.default)
        if used != len(kwargs):
            self._refuse(count, kwargs)
        if self._post_init:
            getattr(self, "__post_init__")()  # noqa: B009  # mypy: Record declares none

    def _refuse(self, count: int, kwargs: dict[str, Any]) -> None:
        """Raise for a keyword that names no field, or a field also given by position."""
        for name in kwargs:
            if name not in self._fields or self._fields.index(name) < count:
                raise TypeError(f"{type(self).__name__}() got an unexpected or repeated "
                                f"argument {name!r}")

    def __setattr__(self, name: str, value: Any) -> None:
        if self._frozen:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        if self._frozen:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        object.__delattr__(self, name)

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._compared)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._shown)
        return f"{type(self).__qualname__}({shown})"


def replace(record: _R, /, **changes: Any) -> _R:
    """A copy of ``record`` with ``changes``, built through its constructor (defaults are not
    re-applied, ``__post_init__`` runs again); an unknown field is a ``TypeError``."""
    names = record._fields
    for name in changes:
        if name not in names:
            raise TypeError(f"{type(record).__name__} has no field {name!r}")
    values = {name: getattr(record, name) for name in names if name not in changes}
    return record.__class__(**values, **changes)
