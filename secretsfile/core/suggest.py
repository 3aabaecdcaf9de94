"""'did you mean …?': the one spelling-suggestion helper behind every unknown-name hint
(secrets, group keys, environments, schemas, schema fields). In core so that every layer,
config included, can use it; standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

__all__ = ["close_matches", "did_you_mean", "suggestion"]


def close_matches(name: str, names: Iterable[str], n: int = 3,
                  cutoff: float = 0.5) -> tuple[str, ...]:
    """Up to ``n`` of ``names`` spelled like ``name``, the closest first."""
    import difflib  # only on the error path

    return tuple(difflib.get_close_matches(name, list(names), n=n, cutoff=cutoff))


def did_you_mean(close: Sequence[str]) -> str | None:
    """``did you mean 'a' or 'b'?``, or None when there is nothing to suggest."""
    return "did you mean " + " or ".join(repr(c) for c in close) + "?" if close else None


def suggestion(name: str, names: Iterable[str], otherwise: str, n: int = 3,
               cutoff: float = 0.5) -> str:
    """A hint for an unknown ``name``: the closest of ``names``, else ``otherwise``."""
    return did_you_mean(close_matches(name, names, n, cutoff)) or otherwise
