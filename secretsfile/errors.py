"""The error families of secretsfile.

Every error carries a one-line message that never contains a secret value, an optional
location (file, line) and an optional hint that says how to fix it. Library code raises;
only the CLI renders (``diagnostics()``) and maps a family to an exit code.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy knows it)

if TYPE_CHECKING:  # annotations only: errors is imported by everything, keep it cheap
    from collections.abc import Callable
    from typing import Any, TypeVar

    _F = TypeVar("_F", bound=Callable[..., Any])


class SecretsfileError(Exception):
    """Base class of every error secretsfile raises on purpose."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.hint = hint

    def where(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}: " if self.line is not None else f"{self.path}: "

    def diagnostics(self) -> str:
        """One line for humans: where, what, and how to fix it."""
        text = f"{self.where()}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def __str__(self) -> str:
        return self.diagnostics()


class UsageError(SecretsfileError):
    """The caller asked for something that cannot be done (bad flag combination, bad path)."""


class InputNotFoundError(UsageError):
    """A file named on the command line or in the config does not exist."""


class ConflictError(SecretsfileError):
    """The operation would overwrite or contradict existing state (exit 1)."""


class ConfigError(SecretsfileError):
    """The project or key configuration is invalid."""


class FormatError(SecretsfileError):
    """The input file cannot be parsed or does not have the expected shape."""


class NotEncryptedError(FormatError):
    """A plaintext file was given where an encrypted one is required."""


class AlreadyEncryptedError(FormatError):
    """An encrypted file was given where plaintext is required."""


class IntegrityError(SecretsfileError):
    """A value, the MAC or the metadata failed authentication: the file was altered."""


class KeyUnavailableError(SecretsfileError):
    """No configured identity could unwrap the file's data key."""


class KeySourceError(SecretsfileError):
    """A key backend failed (bad key file, unreadable identity, bad recipient)."""


def without_frames(error: BaseException) -> BaseException:
    """``error`` with its traceback and chained exceptions dropped, for re-raising at the
    boundary of code that holds decrypted values or key material in local variables:
    tools that record traceback locals (Sentry, rich, ``pytest -l``) would store them.
    ``SECRETSFILE_DEBUG=1`` keeps the frames for debugging (the CLI prints frames, never
    locals)."""
    import os

    if os.environ.get("SECRETSFILE_DEBUG"):
        return error
    error.__traceback__ = None
    error.__context__ = None
    error.__cause__ = None
    error.__suppress_context__ = True
    return error


def scrubbed(func: _F) -> _F:
    """Decorate a library verb whose frames hold decrypted values: an error leaves it
    without those frames (``without_frames``), and without the verb's own arguments,
    which may be the value being set."""
    import functools

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except Exception as error:
            del args, kwargs
            raise without_frames(error) from None

    return wrapper  # type: ignore[return-value]


_warning_sink: list[object] = []


def set_warning_sink(sink: object) -> None:
    """Where library warnings go: the CLI prints them as 'warning:' lines on stderr;
    ``None``: back to the ``secretsfile`` logger."""
    _warning_sink[:] = [] if sink is None else [sink]


def warn(message: str) -> None:
    """A warning from the library (never containing a value). Without a sink set by the
    CLI it goes to the ``secretsfile`` logger; logging is imported only then."""
    if _warning_sink and callable(_warning_sink[0]):
        _warning_sink[0](message)
        return
    import logging

    logging.getLogger("secretsfile").warning("%s", message)
