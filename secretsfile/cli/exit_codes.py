"""Exit codes of the secretsfile CLI (documented in the README)."""

from __future__ import annotations

from enum import IntEnum

from secretsfile import errors


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1  # scanner findings, conflicts, verification failed
    USAGE = 2
    NO_KEY = 3
    INTEGRITY = 4
    CONFIG = 5
    INPUT_FORMAT = 6
    UNEXPECTED = 128
    INTERRUPTED = 130


_BY_FAMILY: tuple[tuple[type[errors.SecretsfileError], ExitCode], ...] = (
    (errors.UsageError, ExitCode.USAGE),
    (errors.ConflictError, ExitCode.FINDINGS),
    (errors.KeyUnavailableError, ExitCode.NO_KEY),
    (errors.KeySourceError, ExitCode.NO_KEY),
    (errors.IntegrityError, ExitCode.INTEGRITY),
    (errors.ConfigError, ExitCode.CONFIG),
    (errors.FormatError, ExitCode.INPUT_FORMAT),
)


def exit_code_for(error: errors.SecretsfileError) -> ExitCode:
    for family, code in _BY_FAMILY:
        if isinstance(error, family):
            return code
    return ExitCode.UNEXPECTED
