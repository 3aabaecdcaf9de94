"""A detect-secrets filter: no findings on sops ciphertext or sops metadata lines.

detect-secrets (Yelp) reports the base64 of ``ENC[AES256_GCM,data:...,iv:...,tag:...]``
values and the wrapped data keys of the ``sops:`` block as high-entropy strings. Add this
filter to drop them::

    detect-secrets scan --filter secretsfile.integrations.detect_secrets.is_sops_encrypted

or, in a baseline's ``filters_used`` list (kept by ``detect-secrets scan --baseline``)::

    {"path": "secretsfile.integrations.detect_secrets.is_sops_encrypted"}

detect-secrets calls the function once per potential secret, with the arguments it asks
for by name (its plugin API): ``filename``, ``secret`` and ``line``. It returns True (drop)
when the secret lies inside a well-formed ``ENC[AES256_GCM,...]`` value
(``core.enc_value``), or when its line is one of the sops metadata lines of a file that is
a sops document (``scanner.sops_blocks``: known fields only). Every other line of an
encrypted file is judged like any file's: a value left in clear there (on purpose by an
``unencrypted_suffix``, or by mistake) is reported. The file check reads each file once
(cached).
"""

from __future__ import annotations

from functools import lru_cache

from secretsfile.scanner.filters import Candidate, sops_ciphertext
from secretsfile.scanner.sops_blocks import sops_block_lines

__all__ = ["is_encrypted_file", "is_sops_encrypted"]

_READ_LIMIT = 8 * 1024 * 1024


def is_sops_encrypted(filename: str, secret: str, line: str, context: object = None) -> bool:
    """detect-secrets filter: True drops the secret (ciphertext, or a sops metadata line).

    ``context`` is detect-secrets' code snippet of the line: its line number finds the
    file's own line (detect-secrets hands YAML in as rewritten lines); without one, the
    line's text is looked up.
    """
    start = line.find(secret)
    if sops_ciphertext(Candidate(secret, line, max(start, 0), filename)):
        return True
    lines, numbers = _metadata(filename)
    if not numbers:
        return False
    number = _line_number(context)
    if number is None:
        return line.strip() in {lines[n - 1].strip() for n in numbers}
    return number in numbers and bool(secret) and secret in lines[number - 1]


def is_encrypted_file(filename: str) -> bool:
    """Whether ``filename`` is a sops document (holds valid sops metadata; unreadable: no)."""
    return bool(_metadata(filename)[1])


def _line_number(context: object) -> int | None:
    """The 1-based line number of detect-secrets' ``CodeSnippet``, if it is one."""
    start = getattr(context, "start_line", None)
    index = getattr(context, "target_index", None)
    if isinstance(start, int) and isinstance(index, int):
        return start + index + 1
    return None


@lru_cache(maxsize=1024)
def _metadata(filename: str) -> tuple[list[str], frozenset[int]]:
    """The file's lines and the numbers (1-based) of its sops metadata lines."""
    try:
        with open(filename, "rb") as handle:
            data = handle.read(_READ_LIMIT)
    except OSError:
        return [], frozenset()
    text = data.decode("utf-8", "replace")
    if "sops" not in text:
        return [], frozenset()
    numbers = frozenset(
        number for first, last in sops_block_lines(text) for number in range(first, last + 1)
    )
    return text.split("\n"), numbers
