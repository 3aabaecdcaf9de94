"""The one list of key backends. A new backend is one module and one line here."""

from __future__ import annotations

from secretsfile.errors import KeySourceError
from secretsfile.keysources.interface import KeySource


def _age() -> KeySource:
    from secretsfile.keysources.age import AgeKeySource

    return AgeKeySource()


def _fernet() -> KeySource:
    from secretsfile.keysources.fernet import FernetKeySource

    return FernetKeySource()


_FACTORIES = {"age": _age, "fernet": _fernet}
# sops' default decryption order: age first, then the rest in file order.
DECRYPTION_ORDER = ("age", "fernet")


def supported_kinds() -> tuple[str, ...]:
    return tuple(_FACTORIES)


def get(kind: str) -> KeySource:
    factory = _FACTORIES.get(kind)
    if factory is None:
        raise KeySourceError(
            f"secretsfile cannot use {kind} keys yet",
            hint=f"supported: {', '.join(_FACTORIES)}",
        )
    return factory()
