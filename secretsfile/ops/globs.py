"""gitattributes patterns for paths and for creation rules' ``path_regex``.

A ``path_regex`` is searched in the path relative to its config's directory (sops). Only
regexes that mean exactly a glob are translated: literal text (``\\.`` escapes),
``[^/]*`` (one name's characters) and ``.*`` (anything, slashes included) where a glob can
say it: ``^secrets/.*\\.yaml$`` is ``secrets/**/*.yaml``, ``\\.enc\\.yaml$`` is
``*.enc.yaml``, ``^config/`` is ``config/**``. Anything else gets None (the caller lists
the files that match now).
"""

from __future__ import annotations

_ANY, _STAR = object(), object()  # ".*" and "[^/]*"
_PLAIN = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-/~,=@%:")
_ESCAPABLE = set(".-/_~,=@%:+(){}^$|")  # "\x" that means the literal x, safe in a glob
_GLOB_SPECIAL = set("*?[]\\!#")


def literal_glob(path: str) -> str | None:
    """A pattern matching exactly ``path`` (root-relative), or None (whitespace)."""
    if any(ch.isspace() for ch in path):
        return None
    escaped = "".join("\\" + ch if ch in _GLOB_SPECIAL else ch for ch in path)
    return escaped if "/" in path else "/" + escaped


def _tokens(body: str) -> list[object] | None:
    tokens: list[object] = []
    i = 0
    while i < len(body):
        if body.startswith(".*", i):
            tokens.append(_ANY)
            i += 2
        elif body.startswith("[^/]*", i):
            tokens.append(_STAR)
            i += 5
        elif body[i] == "\\" and i + 1 < len(body) and body[i + 1] in _ESCAPABLE:
            tokens.append(body[i + 1])
            i += 2
        elif body[i] in _PLAIN:
            tokens.append(body[i])
            i += 1
        else:
            return None
    return tokens


def _text(tokens: list[object]) -> str:
    return "".join("*" if token is _STAR else str(token) for token in tokens)


def regex_glob(regex: str, base: str = "") -> str | None:
    """The gitattributes pattern for ``regex`` in the directory ``base`` (repo-relative,
    '' for the root), or None when no glob means the same."""
    start = regex.startswith("^")
    body = regex[1:] if start else regex
    end = body.endswith("$") and not body.endswith("\\$")
    body = body[:-1] if end else body
    parsed = _tokens(body)
    if parsed is None:
        return None
    tokens = ([] if start else [_ANY]) + parsed + ([] if end else [_ANY])
    tokens = [t for n, t in enumerate(tokens) if not (t is _ANY and n and tokens[n - 1] is _ANY)]
    anys = [n for n, token in enumerate(tokens) if token is _ANY]
    if len(anys) > 1:
        return None
    if not anys:
        glob = _text(tokens)
    else:
        prefix, tail = _text(tokens[:anys[0]]), _text(tokens[anys[0] + 1:])
        if (prefix and not prefix.endswith("/")) or "/" in tail or prefix.startswith("/"):
            return None
        if not tail:
            if not prefix:
                return None  # every file
            glob = prefix + "**"
        else:
            glob = prefix + "**/*" + tail if prefix or base else "*" + tail
    if not glob or any(ch.isspace() for ch in glob):
        return None
    if base:
        return f"{base}/{glob}"
    return glob if anys or "/" in glob else "/" + glob  # a name alone matches at any depth
