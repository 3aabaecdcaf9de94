"""Secret references in config text: ``{{ name }}`` and ``{{ name.key }}``.

Pure: text in, references / problems / rendered text out. No file is read and nothing is
decrypted here; ``secretsfile.ops.references`` supplies what the environment holds.

Grammar
-------
A reference is ``{{`` *name* [``.`` *key*] ``}}`` with optional spaces inside the braces
(``{{db.password}}`` and ``{{ db.password }}`` are the same reference):

* *name*: a letter, then letters, digits, ``-`` and ``_`` (secret names);
* *key*: a letter or digit, then letters, digits, ``-`` and ``_`` (one key of a group, as
  ``naming.KEY_PATTERN``; no nesting).

``{{ name }}`` is a single-value secret; ``{{ name.key }}`` one key of a group.

What is left alone (never substituted, never reported):

* ``${{ … }}`` (GitHub Actions expressions) and ``{{{ … }}}`` (Handlebars);
* braces whose content is not a reference: ``{{ .Values.x }}`` (Helm), ``{{ x | upper }}``,
  ``{{- if … }}`` (but ``{{ db | upper }}`` where ``db`` is a secret is a broken reference);
* a name that is neither a secret of the environment nor spelled like a secret name
  (the pattern of the project's naming policy, length aside: ``{{ FOO }}`` and
  ``{{ user_name }}`` with the default policy), unless fixing its spelling gives an
  existing secret (then it is reported, with the fix).

A name that *looks* like a secret name (matches the naming policy's pattern) but is not
in the environment is a missing secret: ``render`` fails, ``check`` reports it with the closest
names. A Jinja or Go template that uses such names must escape them.

Escaping: ``\\{{ name.key }}`` renders as the literal text ``{{ name.key }}`` (the backslash is
removed) and is never checked. The backslash is an escape only in front of something that
starts a reference (``\\{{2}`` in a regex is untouched), and only when it is not itself
escaped (``\\\\{{ db.password }}`` keeps ``\\\\`` and renders the reference).

Placing values (escaped for the file format): see ``secretsfile.secrets.placing``.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from secretsfile.core.suggest import close_matches, did_you_mean
from secretsfile.errors import ConfigError, FormatError, SecretsfileError, UsageError
from secretsfile.secrets.naming import KEY_PATTERN, NamingPolicy
from secretsfile.secrets.placing import FORMATS, Regions, Unplaceable, format_for_template, place

__all__ = [
    "FORMATS",
    "LEVEL_ENV_VAR",
    "Problem",
    "Reference",
    "Shapes",
    "ValidationLevel",
    "find_references",
    "format_for_template",
    "parse_level",
    "render_text",
    "validate",
]

LEVEL_ENV_VAR = "SECRETSFILE_SECRET_VALIDATION_LEVEL"

# name -> the keys of a group, or None for a single-value secret
Shapes = Mapping[str, tuple[str, ...] | None]

_NAME = r"[A-Za-z][A-Za-z0-9_-]*"
_KEY = KEY_PATTERN  # the one key rule (naming.key_problem)
# Where something that starts like a reference begins: "{{", spaces, a name.
_START = re.compile(r"\{\{[ \t]*(" + _NAME + r")")
_COMPLETE = re.compile(r"(?:\.(" + _KEY + r"))?[ \t]*\}\}")
_EMPTY_KEY = re.compile(r"\.[ \t]*\}\}")
_TAIL = re.compile(r"(?:\.(?:" + _KEY + r")?)?[ \t]*\}?")
_OTHER = "unexpected text after the name (a reference is {{ name }} or {{ name.key }})"


class ValidationLevel(str, Enum):
    """How much ``check`` verifies (``SECRETSFILE_SECRET_VALIDATION_LEVEL``)."""

    NONE = "NONE"  # the syntax only; no environment file is read
    SECRET_EXISTS = "SECRET_EXISTS"  # every referenced secret exists
    SECRET_AND_KEY_EXISTS = "SECRET_AND_KEY_EXISTS"  # ... and every referenced key (default)


def parse_level(value: str | None) -> ValidationLevel:
    """A validation level from its name (any case); empty or None is the default."""
    if not value or not value.strip():
        return ValidationLevel.SECRET_AND_KEY_EXISTS
    try:
        return ValidationLevel(value.strip().upper())
    except ValueError:
        names = ", ".join(level.value for level in ValidationLevel)
        raise ConfigError(f"unknown validation level {value.strip()[:40]!r}",
                          hint=f"{LEVEL_ENV_VAR} must be one of {names}") from None


@dataclass(frozen=True)
class Reference:
    """Something in the text that is, or starts like, a reference.

    ``kind``: ``ref`` (well formed), ``escaped`` (``\\{{…}}``: a literal), ``broken``
    (``{{ db.password }`` or ``{{ db. }}``: ``problem`` says why) or ``other`` (a name
    followed by something that is not a reference, such as ``{{ db | upper }}``).
    ``start``/``end`` delimit the text to replace (for ``escaped``: the backslash only).
    """

    kind: str
    name: str
    key: str | None
    text: str
    start: int
    end: int
    line: int
    column: int
    problem: str | None = None

    @property
    def label(self) -> str:
        """How problems name it: the reference as written, trimmed to one line."""
        return self.text.strip()


def _escaped(text: str, index: int) -> bool:
    """Is the ``{{`` at ``index`` escaped by one (unescaped) backslash?"""
    return index >= 1 and text[index - 1] == "\\" and not (index >= 2 and text[index - 2] == "\\")


def _foreign(text: str, index: int) -> bool:
    """``${{`` (GitHub Actions) and ``{{{`` (Handlebars) are other tools' syntax."""
    return index >= 1 and text[index - 1] in "${"


class _Lines:
    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def at(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def find_references(text: str) -> list[Reference]:
    """Every reference-like span of ``text``, in order, with 1-based line and column."""
    lines = _Lines(text)
    found: list[Reference] = []
    for match in _START.finditer(text):
        start = match.start()
        if _foreign(text, start):
            continue
        name = match.group(1)
        rest = match.end()
        line, column = lines.at(start)
        complete = _COMPLETE.match(text, rest)
        if _escaped(text, start):
            end = complete.end() if complete else match.end()
            found.append(Reference("escaped", name, complete.group(1) if complete else None,
                                   text[start:end], start - 1, start, line, column - 1))
            continue
        if complete:
            found.append(Reference("ref", name, complete.group(1), text[start:complete.end()],
                                   start, complete.end(), line, column))
            continue
        empty = _EMPTY_KEY.match(text, rest)
        if empty:
            found.append(Reference("broken", name, None, text[start:empty.end()], start,
                                   empty.end(), line, column, "empty key after '.'"))
            continue
        line_end = text.find("\n", rest)
        closing = text.find("}}", rest, len(text) if line_end < 0 else line_end)
        if closing < 0:
            tail = _TAIL.match(text, rest)
            end = tail.end() if tail else rest
            found.append(Reference("broken", name, None, text[start:end], start, end, line,
                                   column, "missing '}}'"))
            continue
        found.append(Reference("other", name, None, text[start:closing + 2], start, closing + 2,
                               line, column, _OTHER))
    return found


# --- validation --------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """One reference that does not resolve. ``message`` never holds a value."""

    reference: Reference
    code: str  # broken | secret-not-found | key-not-found | needs-key | not-a-group
    message: str
    env: str | None = None
    suggestions: tuple[str, ...] = ()

    def line_text(self, path: str) -> str:
        """``path:line:col: {{ref}}: message`` (the linter line)."""
        ref = self.reference
        return f"{path}:{ref.line}:{ref.column}: {ref.label}: {self.message}"

    def as_dict(self, path: str) -> dict[str, object]:
        ref = self.reference
        return {"path": path, "line": ref.line, "column": ref.column, "reference": ref.label,
                "secret": ref.name, "key": ref.key, "env": self.env, "code": self.code,
                "message": self.message, "suggestions": list(self.suggestions)}


def _did_you_mean(close: Sequence[str]) -> str:
    suggested = did_you_mean(close)
    return f" ({suggested})" if suggested else ""


def spelled_as(name: str, shapes: Shapes, policy: NamingPolicy) -> str | None:
    """The existing secret a badly spelled name stands for (``snowflake_user`` ->
    ``snowflake-user``), if any."""
    fixed = policy.suggest(name)
    return fixed if fixed and fixed != name and fixed in shapes else None


def looks_like_name(name: str, policy: NamingPolicy) -> bool:
    """Spelled like a secret name under the policy's pattern (length aside: a reference to
    ``db`` is a missing secret, not someone else's template syntax)."""
    try:
        return re.search(policy.pattern, name) is not None
    except re.error:
        return policy.problem(name) is None


def is_candidate(ref: Reference, shapes: Shapes | None, policy: NamingPolicy) -> bool:
    """Is this ours? An existing secret's name, a valid secret name, or a misspelled one."""
    if shapes is not None and ref.name in shapes:
        return True
    if looks_like_name(ref.name, policy):
        return True
    return shapes is not None and spelled_as(ref.name, shapes, policy) is not None


def validate(refs: Sequence[Reference], shapes: Shapes | None, *,
             level: ValidationLevel = ValidationLevel.SECRET_AND_KEY_EXISTS,
             policy: NamingPolicy | None = None, env: str | None = None) -> list[Problem]:
    """The problems of ``refs`` against an environment's secret shapes (``None``: unknown,
    as for level NONE: only syntax is checked)."""
    policy = policy or NamingPolicy()
    if level is ValidationLevel.NONE:
        shapes = None
    where = f" in {env}" if env else ""
    problems: list[Problem] = []
    for ref in refs:
        if ref.kind == "escaped":
            continue
        if ref.kind == "broken":
            if is_candidate(ref, shapes, policy):
                problems.append(Problem(ref, "broken", f"broken reference: {ref.problem}", env))
            continue
        if ref.kind == "other":
            if shapes is not None and ref.name in shapes:
                problems.append(Problem(ref, "broken", f"broken reference: {ref.problem}", env))
            continue
        if shapes is None or not is_candidate(ref, shapes, policy):
            continue
        problem = _resolve_problem(ref, shapes, level, policy, env, where)
        if problem is not None:
            problems.append(problem)
    return problems


def _resolve_problem(ref: Reference, shapes: Shapes, level: ValidationLevel,
                     policy: NamingPolicy, env: str | None, where: str) -> Problem | None:
    if ref.name not in shapes:
        fixed = spelled_as(ref.name, shapes, policy)
        close = (fixed,) if fixed else close_matches(ref.name, shapes)
        return Problem(ref, "secret-not-found",
                       f"secret {ref.name!r} not found{where}{_did_you_mean(close)}", env, close)
    if level is not ValidationLevel.SECRET_AND_KEY_EXISTS:
        return None
    keys = shapes[ref.name]
    if ref.key is None:
        if keys is None:
            return None
        shown = ", ".join(keys[:8]) if keys else "none"
        return Problem(ref, "needs-key", f"secret {ref.name!r} is a group: name a key "
                       f"({{{{ {ref.name}.KEY }}}}; keys: {shown})", env, tuple(keys))
    if keys is None:
        return Problem(ref, "not-a-group", f"secret {ref.name!r} is a single value, it has no "
                       f"key {ref.key!r} (use {{{{ {ref.name} }}}})", env)
    if ref.key not in keys:
        close = close_matches(ref.key, keys)
        hint = _did_you_mean(close) if close else f" (keys: {', '.join(keys[:8]) or 'none'})"
        return Problem(ref, "key-not-found",
                       f"secret {ref.name!r} has no key {ref.key!r}{where}{hint}", env, close)
    return None


def problem_error(problems: Sequence[Problem], path: str | None) -> SecretsfileError:
    """One error for a list of problems: the first, and how many more there are."""
    first = problems[0]
    ref = first.reference
    more = len(problems) - 1
    message = f"{ref.label}: {first.message}"
    hint = (f"{more} more problem{'s' if more > 1 else ''}; run 'secretsfile check'"
            if more else None)
    family = FormatError if first.code == "broken" else UsageError
    return family(message, path=path, line=ref.line, hint=hint)


# --- rendering ---------------------------------------------------------------------------

def render_text(text: str, values: Callable[[str, str | None], str], *, fmt: str = "text",
                shapes: Shapes, policy: NamingPolicy | None = None, env: str | None = None,
                path: str | None = None) -> str:
    """``text`` with every reference replaced by its value, escaped for ``fmt``.

    ``shapes`` (the environment's names and keys) decides which references are ours and
    whether they resolve; ``values(name, key)`` is called only for references that do.
    Any problem raises (the first, with a count of the others) before a value is read.
    """
    policy = policy or NamingPolicy()
    refs = find_references(text)
    problems = validate(refs, shapes, policy=policy, env=env)
    if problems:
        raise problem_error(problems, path)
    todo = [r for r in refs if r.kind == "escaped" or
            (r.kind == "ref" and is_candidate(r, shapes, policy))]
    if not todo:
        return text
    regions = Regions(text, fmt)
    pieces: list[str] = []
    cursor = 0
    for ref in todo:
        pieces.append(text[cursor:ref.start])
        cursor = ref.end
        if ref.kind == "escaped":
            continue  # drop the backslash; the braces stay as they are
        try:
            pieces.append(place(values(ref.name, ref.key), fmt, regions.at(ref.start), text,
                                ref.start, ref.end))
        except Unplaceable as error:
            raise FormatError(f"{ref.label}: {error.reason}", path=path, line=ref.line,
                              hint=error.hint) from None
    pieces.append(text[cursor:])
    return "".join(pieces)
