"""Loaded secret values kept out of log lines: the loader remembers every value it
decrypts in this process; ``redact_logging()`` masks them in every log record.

Process-global on purpose: a value loaded anywhere in the process must be masked in a log
line written anywhere else. ``forget_all()`` resets it (tests).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from secretsfile.secrets.model import MASK, Secret

# Values shorter than this are not redacted from log lines: '1', 'no' or 'dev' would
# blank out ordinary words everywhere without protecting anything worth a secret.
MIN_REDACTED_LENGTH = 4

_lock = threading.RLock()
_known_values: set[str] = set()
_redaction_order: tuple[str, ...] = ()  # _known_values, longest first (redact reads this)


def remember(secret: Secret) -> None:
    """Mask this secret's values (and each line of a multi-line one) from now on."""
    global _redaction_order
    with _lock:
        for value in [secret.get()] if not secret.is_group else secret.text_values.values():
            if len(value) >= MIN_REDACTED_LENGTH:
                _known_values.add(value)
            for line in value.splitlines():
                if len(line.strip()) >= MIN_REDACTED_LENGTH and line != value:
                    _known_values.add(line.strip())
        _redaction_order = tuple(sorted(_known_values, key=len, reverse=True))


def forget_all() -> None:
    """Forget every remembered value."""
    global _redaction_order
    with _lock:
        _known_values.clear()
        _redaction_order = ()


def redact(text: str) -> str:
    """``text`` with every loaded value (and every line of a multi-line one) masked."""
    for value in _redaction_order:
        if value in text:
            text = text.replace(value, MASK)
    return text


class RedactingFilter(logging.Filter):
    """Masks every value the loader has decrypted in this process (also ones loaded after
    the filter was installed) in a record's message, exception and stack text."""

    def filter(self, record: logging.LogRecord) -> bool:
        _redact_record(record)
        return True


def _redact_record(record: logging.LogRecord) -> None:
    if getattr(record, "_secretsfile_redacted", False) or not _known_values:
        return
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: logging reports that itself
        return
    record.msg, record.args = redact(message), None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    setattr(record, "_secretsfile_redacted", True)  # noqa: B010


_installed: RedactingFilter | None = None


def redact_logging() -> RedactingFilter:
    """Mask loaded values in every log record, from any logger, to any handler: the record
    factory is wrapped (so handlers added later and loggers that do not propagate are
    covered) and the filter is added to the root logger's handlers. Idempotent. Values
    shorter than 4 characters are left alone. Returns the filter, to add it elsewhere."""
    global _installed
    with _lock:
        if _installed is None:
            _installed = RedactingFilter()
            factory = logging.getLogRecordFactory()

            def redacting_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
                record = factory(*args, **kwargs)
                _redact_record(record)
                return record

            logging.setLogRecordFactory(redacting_factory)
        for handler in logging.getLogger().handlers:
            if _installed not in handler.filters:
                handler.addFilter(_installed)
        return _installed

