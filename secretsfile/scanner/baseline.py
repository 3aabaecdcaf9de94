"""The baseline: fingerprints of accepted findings, so old noise does not block new work.

``.secretsfile-baseline.json`` stores only fingerprints (``engine.fingerprint``: SHA-256
over rule id, path and secret). No line numbers, so editing around a finding does not
churn the file, and no secrets. Entries are sorted, one per line, so concurrent branches
merge cleanly. It is written only by ``scan --update-baseline``, never by the hook.
"""

from __future__ import annotations

from collections.abc import Iterable

from secretsfile.core.record import Record
from secretsfile.errors import FormatError
from secretsfile.scanner.lazy_regex import LazyRegex
from secretsfile.scanner.model import Finding

TYPE_CHECKING = False  # typing stays unloaded at run time (the hook's start-up)
if TYPE_CHECKING:
    from secretsfile._fileio import StrPath

__all__ = ["BASELINE_NAME", "Baseline", "load_baseline", "write_baseline"]

BASELINE_NAME = ".secretsfile-baseline.json"
_VERSION = 1
_FINGERPRINT = LazyRegex(r"[0-9a-f]{64}")


class Baseline(Record, frozen=True):
    fingerprints: frozenset[str] = frozenset()

    def __contains__(self, finding: object) -> bool:
        return isinstance(finding, Finding) and finding.fingerprint in self.fingerprints

    def filter(self, findings: Iterable[Finding]) -> list[Finding]:
        """The findings that are not in the baseline."""
        return [f for f in findings if f.fingerprint not in self.fingerprints]


def load_baseline(path: StrPath) -> Baseline:
    """Read a baseline; a missing file is an empty baseline, a malformed one an error."""
    try:
        with open(path, encoding="utf-8") as handle:
            raw = handle.read()
    except FileNotFoundError:
        return Baseline()
    except OSError as error:
        raise FormatError(f"cannot read the baseline: {error.strerror}", path=str(path)) from None
    import json  # only when there is a baseline

    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise FormatError(
            f"the baseline is not valid JSON (line {error.lineno})",
            path=str(path),
            hint="regenerate it with `secretsfile scan --update-baseline`",
        ) from None
    except (ValueError, RecursionError):  # numbers past int() limits, deep nesting
        raise FormatError("the baseline is too large or too deeply nested", path=str(path),
                          hint="regenerate it with `secretsfile scan --update-baseline`") from None
    entries = data.get("fingerprints") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(e, str) and _FINGERPRINT.fullmatch(e) for e in entries
    ):
        raise FormatError(
            "the baseline has no valid 'fingerprints' list of 64-hex-digit strings",
            path=str(path),
            hint="regenerate it with `secretsfile scan --update-baseline`",
        )
    return Baseline(frozenset(entries))


def render_baseline(fingerprints: Iterable[str]) -> str:
    entries = sorted(set(fingerprints))
    body = ",\n".join(f'    "{e}"' for e in entries)
    return (
        "{\n"
        f'  "version": {_VERSION},\n'
        '  "generator": "secretsfile scan --update-baseline",\n'
        '  "fingerprints": [\n'
        f"{body}{chr(10) if entries else ''}"
        "  ]\n"
        "}\n"
    )


def write_baseline(path: StrPath, fingerprints: Iterable[str]) -> None:
    """Write the baseline atomically (mode kept; a new file 0644)."""
    from secretsfile._fileio import write_atomic

    write_atomic(path, render_baseline(fingerprints), mode=0o644)
