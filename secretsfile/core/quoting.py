"""dotenv value quoting, the one rule for every dotenv text we print (``decrypt
--output-type dotenv``, ``ci export --format dotenv``, ``render`` of a dotenv template)."""

from __future__ import annotations

import re

# Bare, these read back as themselves in sh and python-dotenv (no ~: tilde expansion).
_BARE = re.compile(r"[A-Za-z0-9_./:@%+,=-]*")


def quoted_value(value: str, always: bool = False) -> str:
    """``value`` as ``KEY=`` text that sh (``set -a; . FILE``: nothing runs or expands) and
    python-dotenv both read back exactly: bare when it is plain (unless ``always``), else

    1. no ``'`` and no ``\\``: single quotes (every character literal, newlines too);
    2. no ``$``, backtick or final ``\\``: double quotes escaping ``\\`` and ``"`` only (the
       two escapes sh and python-dotenv both undo; python-dotenv misreads an escaped
       backslash before the closing quote);
    3. else the POSIX ``'it'\\''s'``: exact in every shell; python-dotenv cannot read it.
    """
    if not always and _BARE.fullmatch(value):
        return value
    if "'" not in value and "\\" not in value:
        return f"'{value}'"
    if "$" not in value and "`" not in value and not value.endswith("\\"):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return "'" + value.replace("'", "'\\''") + "'"
