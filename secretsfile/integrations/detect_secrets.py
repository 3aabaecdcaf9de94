"""A detect-secrets filter: no findings in sops/secretsfile-encrypted files or ciphertext.

detect-secrets (Yelp) reports the base64 of ``ENC[AES256_GCM,data:...,iv:...,tag:...]``
values and the wrapped data keys of the ``sops:`` block as high-entropy strings. Add this
filter to drop them::

    detect-secrets scan --filter secretsfile.integrations.detect_secrets.is_sops_encrypted

or, in a baseline's ``filters_used`` list (kept by ``detect-secrets scan --baseline``)::

    {"path": "secretsfile.integrations.detect_secrets.is_sops_encrypted"}

detect-secrets calls the function once per potential secret, with the arguments it asks
for by name (its plugin API): ``filename``, ``secret`` and ``line``. It returns True (drop)
when the secret lies inside an ``ENC[AES256_GCM,...]`` value, or when the file holds sops
metadata and encrypted values (a file sops or secretsfile wrote: every value in it is
either ciphertext or plaintext on purpose, by its ``unencrypted_suffix`` and the like).
secretsfile itself is not needed at detect-secrets' import time beyond this module; the
file check reads each file once (cached).
"""

from __future__ import annotations

from functools import lru_cache

from secretsfile.scanner.filters import Candidate, sops_ciphertext
from secretsfile.scanner.sops_blocks import sops_block_lines

__all__ = ["is_encrypted_file", "is_sops_encrypted"]

_READ_LIMIT = 8 * 1024 * 1024
_ENC_MARK = "ENC[AES256_GCM,"


def is_sops_encrypted(filename: str, secret: str, line: str) -> bool:
    """detect-secrets filter: True drops the secret (ciphertext, or an encrypted file)."""
    start = line.find(secret)
    if sops_ciphertext(Candidate(secret, line, max(start, 0), filename)):
        return True
    return is_encrypted_file(filename)


@lru_cache(maxsize=1024)
def is_encrypted_file(filename: str) -> bool:
    """Whether ``filename`` holds sops metadata and ``ENC[...]`` values (unreadable: no)."""
    try:
        with open(filename, "rb") as handle:
            data = handle.read(_READ_LIMIT)
    except OSError:
        return False
    text = data.decode("utf-8", "replace")
    return _ENC_MARK in text and bool(sops_block_lines(text))
