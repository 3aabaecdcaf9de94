"""Exit codes of the secretsfile CLI (documented in the README).

Plain ints on a namespace class, not an IntEnum: the boundary only needs the numbers and
every command's start-up pays for an enum class creation (issue 14)."""

from __future__ import annotations

from secretsfile import errors


class ExitCode:
    OK = 0
    FINDINGS = 1  # scanner findings, conflicts, verification failed
    USAGE = 2
    NO_KEY = 3
    INTEGRITY = 4
    CONFIG = 5
    INPUT_FORMAT = 6
    UNEXPECTED = 128
    INTERRUPTED = 130


_BY_FAMILY: tuple[tuple[type[errors.SecretsfileError], int], ...] = (
    (errors.UsageError, ExitCode.USAGE),
    (errors.ConflictError, ExitCode.FINDINGS),
    (errors.KeyUnavailableError, ExitCode.NO_KEY),
    (errors.KeySourceError, ExitCode.NO_KEY),
    (errors.IntegrityError, ExitCode.INTEGRITY),
    (errors.ConfigError, ExitCode.CONFIG),
    (errors.FormatError, ExitCode.INPUT_FORMAT),
)


def exit_code_for(error: errors.SecretsfileError) -> int:
    for family, code in _BY_FAMILY:
        if isinstance(error, family):
            return code
    return ExitCode.UNEXPECTED
