"""Go RE2 regexes (gitleaks rules, sops ``path_regex``) translated to Python ``re``.

One translator for every regex a Go tool wrote: the scanner's gitleaks TOML rules and
allowlists, and the creation rules' ``path_regex`` of .sops.yaml / .secretsfile.yaml that
decide which files must be encrypted. Translated where ``re`` has an equivalent
(``\\z``, POSIX classes, ``\\Q..\\E``, mid-pattern ``(?i)``, ``(?<name>``); anything else
is a ConfigError that names the construct. Pure: stdlib and errors only.
"""

from __future__ import annotations

import re

from secretsfile.errors import ConfigError

__all__ = ["translate_go_regex"]

_POSIX = {
    "alnum": "0-9A-Za-z",
    "alpha": "A-Za-z",
    "ascii": "\\x00-\\x7F",
    "blank": "\\t ",
    "cntrl": "\\x00-\\x1F\\x7F",
    "digit": "0-9",
    "graph": "!-~",
    "lower": "a-z",
    "print": " -~",
    "punct": "!-/:-@\\[-`{-~",
    "space": "\\t\\n\\v\\f\\r ",
    "upper": "A-Z",
    "word": "0-9A-Za-z_",
    "xdigit": "0-9A-Fa-f",
}
_FLAG_DIRECTIVE = re.compile(r"\(\?([imsU]*(?:-[imsU]*)?)\)")
_FLAG_GROUP = re.compile(r"\(\?([imsU]*(?:-[imsU]*)?):")
_NAMED = re.compile(r"\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>")


class _Frame:
    def __init__(self, opener: str) -> None:
        self.opener = opener
        self.alts: list[str] = []
        self.cur: list[str] = []
        self.flag_spans: list[str] = []  # active mid-group flag directives, outermost first
        self.span_starts: list[int] = []

    def close_alternative(self) -> None:
        cur = self.cur
        for flags, start in reversed(list(zip(self.flag_spans, self.span_starts, strict=True))):
            cur = [*cur[:start], f"(?{flags}:" + "".join(cur[start:]) + ")"]
        self.alts.append("".join(cur))
        self.cur = []
        self.span_starts = [0 for _ in self.flag_spans]

    def body(self) -> str:
        self.close_alternative()
        return "|".join(self.alts)


def _unsupported(where: str, construct: str, source: str | None, hint: str) -> ConfigError:
    return ConfigError(
        f"{where}: the regex uses {construct}, which Python's re cannot run",
        path=source,
        hint=hint,
    )


def translate_go_regex(pattern: str, where: str = "regex", source: str | None = None) -> str:
    """Translate a Go RE2 pattern to Python ``re`` syntax, or raise a ConfigError."""
    stack = [_Frame("")]
    i = 0
    at_start = True  # only flag directives seen so far: Python accepts global flags here
    while i < len(pattern):
        ch = pattern[i]
        frame = stack[-1]
        if ch in "\\[":
            translate = _translate_escape if ch == "\\" else _translate_class
            token, i = translate(pattern, i, where, source)
            frame.cur.append(token)
        elif ch == "(":
            directive = _FLAG_DIRECTIVE.match(pattern, i)
            if directive is not None:
                _flag_directive(directive, frame, at_start and len(stack) == 1, where, source)
                i = directive.end()
                continue
            opened, i = _open_group(pattern, i, where, source)
            stack.append(opened)
        elif ch == ")":
            if len(stack) == 1:
                raise ConfigError(f"{where}: unbalanced ')' at position {i}", path=source)
            closed = stack.pop()
            stack[-1].cur.append(closed.opener + closed.body() + ")")
            i += 1
        elif ch == "|":
            frame.close_alternative()
            i += 1
        else:
            frame.cur.append(ch)
            i += 1
        at_start = False
    if len(stack) != 1:
        raise ConfigError(f"{where}: missing ')'", path=source)
    result = stack[0].body()
    try:
        re.compile(result)
    except re.error as error:
        raise ConfigError(
            f"{where}: the regex does not compile with Python's re ({error})",
            path=source,
            hint="Go RE2 and Python re differ; rewrite the construct at that position",
        ) from None
    return result


def _no_ungreedy(flags: str, where: str, source: str | None) -> None:
    if "U" in flags:
        raise _unsupported(
            where, "the (?U) ungreedy flag", source, "use lazy quantifiers like *? instead"
        )


def _flag_directive(
    directive: re.Match[str], frame: _Frame, global_ok: bool, where: str, source: str | None
) -> None:
    """``(?i)``: global at the very start (Python allows it only there), else scoped to
    the rest of the enclosing group, which Python spells ``(?i:...)``."""
    flags = directive.group(1)
    _no_ungreedy(flags, where, source)
    if global_ok and "-" not in flags:
        frame.cur.append(directive.group(0))
    else:
        frame.flag_spans.append(flags)
        frame.span_starts.append(len(frame.cur))


_LOOKAROUNDS = ("(?:", "(?=", "(?!", "(?<=", "(?<!")


def _open_group(pattern: str, i: int, where: str, source: str | None) -> tuple[_Frame, int]:
    group = _FLAG_GROUP.match(pattern, i)
    if group is not None:
        _no_ungreedy(group.group(1), where, source)
        return _Frame(group.group(0)), group.end()
    named = _NAMED.match(pattern, i)
    if named is not None:
        return _Frame(f"(?P<{named.group(1)}>"), named.end()
    for special in _LOOKAROUNDS:
        if pattern.startswith(special, i):
            return _Frame(special), i + len(special)
    if pattern.startswith("(?", i):
        raise _unsupported(
            where, f"the group syntax {pattern[i : i + 4]!r}", source, "see Go RE2 syntax"
        )
    return _Frame("("), i + 1


def _translate_escape(pattern: str, i: int, where: str, source: str | None) -> tuple[str, int]:
    if i + 1 >= len(pattern):
        raise ConfigError(f"{where}: trailing backslash", path=source)
    nxt = pattern[i + 1]
    if nxt == "z":
        return "\\Z", i + 2
    if nxt in "pP":
        raise _unsupported(
            where,
            f"the Unicode class \\{nxt}{pattern[i + 2 : i + 5]}...",
            source,
            "use an explicit class such as [A-Za-z] or [^\\W\\d_] for letters",
        )
    if nxt == "C":
        raise _unsupported(where, "\\C (any byte)", source, "use . instead")
    if nxt == "Q":
        end = pattern.find("\\E", i + 2)
        literal = pattern[i + 2 :] if end < 0 else pattern[i + 2 : end]
        return re.escape(literal), (len(pattern) if end < 0 else end + 2)
    if nxt == "x" and i + 2 < len(pattern) and pattern[i + 2] == "{":
        close = pattern.find("}", i + 3)
        if close < 0:
            raise ConfigError(f"{where}: unterminated \\x{{...}}", path=source)
        code = int(pattern[i + 3 : close], 16)
        return f"\\U{code:08x}", close + 1
    return pattern[i : i + 2], i + 2


def _translate_class(pattern: str, i: int, where: str, source: str | None) -> tuple[str, int]:
    out = ["["]
    j = i + 1
    if j < len(pattern) and pattern[j] == "^":
        out.append("^")
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        out.append("\\]")
        j += 1
    while j < len(pattern):
        ch = pattern[j]
        if ch == "]":
            out.append("]")
            return "".join(out), j + 1
        if ch == "[" and pattern.startswith("[:", j):
            close = pattern.find(":]", j + 2)
            name = pattern[j + 2 : close] if close > 0 else ""
            if name.startswith("^"):
                raise _unsupported(
                    where, f"the negated POSIX class [:{name}:]", source, "use [^...] instead"
                )
            if name not in _POSIX:
                raise _unsupported(
                    where, f"the POSIX class [:{name}:]", source, "use an explicit range"
                )
            out.append(_POSIX[name])
            j = close + 2
            continue
        if ch == "[":
            out.append("\\[")
            j += 1
            continue
        if ch == "\\":
            token, j = _translate_escape(pattern, j, where, source)
            out.append(token)
            continue
        out.append(ch)
        j += 1
    raise ConfigError(f"{where}: missing ']'", path=source)
