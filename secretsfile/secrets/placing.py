"""Where a referenced value lands in a template, and how it is written there.

Placing values (the substitution is textual; the format decides the escaping)
-----------------------------------------------------------------------------
The format comes from the file extension (``.yaml``/``.yml``, ``.json``, ``.toml``,
``.ini``/``.cfg``/``.conf``/``.properties``, anything else is text; a trailing ``.tmpl``,
``.tpl``, ``.template``, ``.j2`` or ``.in`` is ignored: ``app.json.tmpl`` is JSON).

What is printed reads back as the same value: a string stays a string with the same
text (``"0777"`` is not the int 511, ``"no"`` not false); only a value stored typed (an int,
float or bool in the encrypted file, e.g. a schema's ``port: 5432``: a ``Typed``) is
written as that literal where the format has one.

* JSON: inside a string, the value is JSON-escaped; outside a string, a typed value that
  is a JSON literal is written as is, any other value as a JSON string (quoted, escaped).
  A valid JSON template therefore renders to valid JSON.
* YAML: inside ``"…"`` the value is escaped (JSON escapes are YAML escapes); inside
  ``'…'`` quotes are doubled and a multi-line value is an error; in a block scalar
  (``key: |``) every line of the value gets the reference's indentation; unquoted, a value
  made only of ``[A-Za-z0-9_.+/=@%~-]`` (and ``:`` not followed by a space) is written as is
  when YAML 1.1 and 1.2 both read it back as that string (not ``no``, ``on``, ``null``,
  ``0777``, ``1e3``, ``012345678901``…) or when it is typed (``port: {{ db.port }}`` stays a
  number); else, when the reference is the whole scalar, it is written as a double-quoted
  string; inside a longer unquoted scalar such a value is an error (quote the scalar).
* TOML: inside ``"…"``/``\"\"\"…\"\"\"`` the value is escaped; inside ``'…'`` a value with
  ``'`` or a line break is an error (``'''…'''``: one with ``'''``); unquoted, like JSON
  (typed numbers and booleans as is, anything else a quoted string).
* INI: the value is written as is; a multi-line value is an error, and so is one with
  spaces at an end of the INI value (configparser and go-ini strip them; only go-ini
  unquotes ``"…"``, so no quoting reads back the same in both).
* dotenv (``.env``, ``.env.*``, ``*.env``): when the reference is the whole value
  (``KEY={{ … }}``) it is quoted as ``decrypt --output-type dotenv`` quotes
  (``core.quoting.quoted_value``): sh and
  python-dotenv read it back; inside ``'…'``/``"…"`` or a longer value only a value that
  needs no quoting may go, anything else is an error.
* Text: the value is written as is.
* Comments (YAML, TOML, INI): as is; a multi-line value is an error.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass
from pathlib import PurePath

from secretsfile.core.quoting import quoted_value
from secretsfile.errors import UsageError

FORMATS = ("yaml", "json", "toml", "ini", "dotenv", "text")
_TEMPLATE_SUFFIXES = {".tmpl", ".tpl", ".template", ".j2", ".jinja", ".in"}
_BY_SUFFIX = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".toml": "toml",
              ".ini": "ini", ".cfg": "ini", ".conf": "ini", ".properties": "ini", ".env": "dotenv"}


def format_for_template(path: str | PurePath | None, explicit: str | None = None) -> str:
    """The format that decides escaping: ``explicit``, else the extension, else text."""
    if explicit:
        fmt = explicit.strip().lower()
        fmt = {"yml": "yaml", "txt": "text", "cfg": "ini", "env": "dotenv"}.get(fmt, fmt)
        if fmt not in FORMATS:
            raise UsageError(f"unknown format {explicit!r}",
                             hint=f"use one of {', '.join(FORMATS)}")
        return fmt
    if path is None:
        return "text"
    name = PurePath(path).name.lower()
    suffixes = [s.lower() for s in PurePath(path).suffixes]
    while suffixes and suffixes[-1] in _TEMPLATE_SUFFIXES:
        name = name.removesuffix(suffixes.pop())
    if suffixes and suffixes[-1] in _BY_SUFFIX:
        return _BY_SUFFIX[suffixes[-1]]
    return "dotenv" if name == ".env" or name.startswith(".env.") else "text"


_JSON_LITERAL = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false|null")
_TOML_LITERAL = re.compile(r"[+-]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|true|false")
_YAML_PLAIN = re.compile(r"(?:[A-Za-z0-9_./+]|-(?=\S))(?:[A-Za-z0-9_.+/=@%~-]|:(?=[^\s:]))*")
# Plain scalars some YAML reader (1.1: PyYAML, go-yaml v2; 1.2 core: go-yaml v3, ruamel)
# takes as something other than that string: booleans, nulls, anything number-like
# (octal, hex, 1e3, .inf, dates, 1:30 sexagesimal all start so) and merge keys.
_YAML_NOT_STRING = re.compile(
    r"(?i:y|n|yes|no|true|false|on|off|null)|[-+]?\.?[0-9].*|[-+]?\..*|<<")
_YAML_WHOLE_BEFORE = re.compile(
    r"[ \t]*(?:-[ \t]+)*(?:(?:\"[^\"]*\"|'[^']*'|[^\s#'\"{\[][^#]*?)[ \t]*:[ \t]+(?:-[ \t]+)*)?")
_YAML_WHOLE_AFTER = re.compile(r"[ \t]*(?:#.*)?")
_YAML_BLOCK_HEADER = re.compile(r"(?:.*?:[ \t]+|(?:-[ \t]+)+)?[|>][-+0-9]*[ \t]*(?:#.*)?")


@dataclass(frozen=True)
class Region:
    start: int
    end: int
    kind: str  # dq sq tdq tsq comment block


def _scan_regions(text: str, fmt: str) -> list[Region]:
    """Quoted strings, comments and (YAML) block scalars of ``text``: where a value lands."""
    if fmt == "json":
        return _scan_quoted(text, comments=None, toml=False, yaml=False)
    if fmt == "toml":
        return _scan_quoted(text, comments="#", toml=True, yaml=False)
    if fmt == "yaml":
        return _scan_quoted(text, comments="#", toml=False, yaml=True)
    if fmt == "ini":
        return [Region(m.start(), m.end(), "comment")
                for m in re.finditer(r"(?m)^[ \t]*[;#].*$", text)]
    if fmt == "dotenv":
        return _dotenv_regions(text)
    return []


_DOTENV_LINE = re.compile(r"(?m)^[ \t]*(?:#.*$|(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_.]*[ \t]*="
                          r"[ \t]*(?P<quote>[\"'])?)")


def _dotenv_regions(text: str) -> list[Region]:
    """Comment lines and quoted values (``KEY='…'``, ``KEY="…"``) of a dotenv file."""
    regions: list[Region] = []
    cursor = 0
    for match in _DOTENV_LINE.finditer(text):
        if match.start() < cursor:
            continue  # a line inside a multi-line quoted value
        quote = match.group("quote")
        if match.group().lstrip().startswith("#"):
            regions.append(Region(match.start(), match.end(), "comment"))
        elif quote:
            close = _find_close(text, match.end(), quote, backslash=quote == '"')
            regions.append(Region(match.end(), close, "dq" if quote == '"' else "sq"))
            cursor = close + 1
    return regions


def _yaml_blocks(text: str) -> list[tuple[int, int]]:
    """Spans of YAML block scalar content (the lines after ``key: |`` more indented)."""
    spans: list[tuple[int, int]] = []
    lines = text.splitlines(keepends=True)
    offset = 0
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.rstrip("\r\n")
        body = stripped.lstrip(" ")
        offset_next = offset + len(line)
        if body and not body.startswith("#") and _YAML_BLOCK_HEADER.fullmatch(body):
            indent = len(stripped) - len(body)
            start = offset_next
            end = start
            index += 1
            while index < len(lines):
                candidate = lines[index]
                content = candidate.strip()
                if content and len(candidate) - len(candidate.lstrip(" ")) <= indent:
                    break
                end += len(candidate)
                index += 1
            if end > start:
                spans.append((start, end))
            offset = end
            continue
        offset = offset_next
        index += 1
    return spans


def _scan_quoted(text: str, comments: str | None, toml: bool, yaml: bool) -> list[Region]:
    regions: list[Region] = []
    blocks = _yaml_blocks(text) if yaml else []
    for start, end in blocks:
        regions.append(Region(start, end, "block"))
    block_starts = {start: end for start, end in blocks}
    i = 0
    n = len(text)
    while i < n:
        if i in block_starts:
            i = block_starts[i]
            continue
        c = text[i]
        if comments and c == comments and (not yaml or i == 0 or text[i - 1] in " \t\n"):
            end = text.find("\n", i)
            end = n if end < 0 else end
            regions.append(Region(i, end, "comment"))
            i = end
            continue
        if c in "\"'" and (not yaml or _yaml_scalar_start(text, i)):
            if toml and text.startswith(c * 3, i):
                close = _find_close(text, i + 3, c * 3, backslash=c == '"')
                regions.append(Region(i + 3, close, "tdq" if c == '"' else "tsq"))
                i = min(n, close + 3)
                continue
            close = _find_close(text, i + 1, c, backslash=c == '"', doubled=yaml and c == "'")
            regions.append(Region(i + 1, close, "dq" if c == '"' else "sq"))
            i = min(n, close + 1)
            continue
        i += 1
    return sorted(regions, key=lambda region: region.start)


def _find_close(text: str, i: int, quote: str, *, backslash: bool, doubled: bool = False) -> int:
    n = len(text)
    while i < n:
        if backslash and text[i] == "\\":
            i += 2
            continue
        if text.startswith(quote, i):
            if doubled and text.startswith(quote * 2, i):
                i += 2
                continue
            return i
        i += 1
    return n


def _yaml_scalar_start(text: str, i: int) -> bool:
    """A quote opens a YAML scalar only where a scalar can start (not in ``it's``)."""
    j = i - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    return j < 0 or text[j] in "\n:-[{,?"


class Regions:
    """The regions of one text, looked up by offset."""

    def __init__(self, text: str, fmt: str) -> None:
        self.regions = _scan_regions(text, fmt)
        self.starts = [region.start for region in self.regions]

    def at(self, offset: int) -> Region | None:
        index = bisect.bisect_right(self.starts, offset) - 1
        if index >= 0 and self.regions[index].start <= offset < self.regions[index].end:
            return self.regions[index]
        return None


def _line_bounds(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, (len(text) if end < 0 else end)


class Typed(str):
    """The text of a value stored as an int, float or bool: it may be written as that
    format's literal (``port: 5432``); a plain ``str`` is always written as a string."""


class Unplaceable(Exception):
    """The value cannot go where the reference stands (the reason never holds it)."""

    def __init__(self, reason: str, hint: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


_UNPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff]")


def _escape_dq(value: str) -> str:
    """The inside of a double-quoted string, valid in JSON, YAML and TOML alike."""
    escaped = json.dumps(value, ensure_ascii=False)[1:-1]
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", escaped)


_RAW_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff]")


def place(value: str, fmt: str, region: Region | None, text: str, start: int, end: int) -> str:
    """``value`` as it must be written over ``text[start:end]`` in a ``fmt`` file."""
    kind = region.kind if region else "plain"
    if fmt == "dotenv" and kind != "comment":
        return _place_dotenv(value, kind, text, start, end)
    multiline = "\n" in value or "\r" in value
    # unescaped quoted strings and comments hold one line of printable characters
    unsafe = _RAW_UNSAFE.search(value) is not None
    if kind in ("dq", "tdq"):
        return _escape_dq(value)
    if kind == "comment":
        if unsafe:
            raise Unplaceable("a multi-line value (or one with control characters) cannot "
                               "go in a comment")
        return value
    typed = isinstance(value, Typed)
    if fmt == "json":
        if typed and _JSON_LITERAL.fullmatch(value):
            return str(value)
        return json.dumps(str(value), ensure_ascii=False)
    if fmt == "toml":
        if kind == "sq":
            if unsafe or "'" in value:
                raise Unplaceable("the value cannot go in a TOML literal string ('…')",
                                   'use a basic string ("…")')
            return value
        if kind == "tsq":
            if "'''" in value or (unsafe and _RAW_UNSAFE.search(value.replace("\n", ""))):
                raise Unplaceable("the value cannot go in a TOML literal string ('''…''')",
                                   'use a basic string ("""…""")')
            return value
        return value if typed and _TOML_LITERAL.fullmatch(value) else '"' + _escape_dq(value) + '"'
    if fmt == "yaml":
        return _place_yaml(value, kind, text, start, end, unsafe)
    if fmt == "ini" and multiline:
        raise Unplaceable("a multi-line value cannot go in an INI file")
    if fmt == "ini" and value != value.strip(" \t") and _ini_at_an_end(value, text, start, end):
        raise Unplaceable("a value with spaces at its start or end cannot go at an end of an "
                          "INI value: INI readers strip them",
                          "keep the reference inside the value, or store it without them")
    return value


def _ini_at_an_end(value: str, text: str, start: int, end: int) -> bool:
    line_start, line_end = _line_bounds(text, start)
    before = text[line_start:start]
    at_start = re.fullmatch(r"[^=:]*[=:][ \t]*", before) is not None
    at_end = not text[end:line_end].strip(" \t")
    return (at_start and value[:1] in " \t") or (at_end and value[-1:] in " \t")


_DOTENV_WHOLE_BEFORE = re.compile(r"[ \t]*(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_.]*[ \t]*=[ \t]*")


def _place_dotenv(value: str, kind: str, text: str, start: int, end: int) -> str:
    quoted = quoted_value(str(value))
    line_start, line_end = _line_bounds(text, start)
    if kind == "plain" and _DOTENV_WHOLE_BEFORE.fullmatch(text[line_start:start]) \
            and re.fullmatch(r"[ \t]*(?:#.*)?", text[end:line_end]):
        return quoted
    if quoted == value or (kind == "sq" and not re.search("['\x00-\x1f]", value)) or (
            kind == "dq" and not re.search('["\\\\$`\x00-\x1f]', value)):
        return value
    raise Unplaceable("the value cannot go inside quotes or a longer value in a dotenv file",
                      "make the reference the whole value: KEY={{ … }} (it is quoted for you)")


def _place_yaml(value: str, kind: str, text: str, start: int, end: int, unsafe: bool) -> str:
    if kind == "sq":
        if unsafe:
            raise Unplaceable("a multi-line value (or one with control characters) cannot go "
                               "in a single-quoted YAML string",
                               'use double quotes: "{{ … }}"')
        return value.replace("'", "''")
    line_start, line_end = _line_bounds(text, start)
    if kind == "block":
        if _RAW_UNSAFE.search(value.replace("\r\n", "").replace("\n", "")):
            raise Unplaceable("a value with control characters cannot go in a YAML block "
                               "scalar", 'use a double-quoted string: "{{ … }}"')
        before = text[line_start:start]
        indent = before if not before.strip(" \t") else before[: len(before) - len(before.lstrip())]
        return value.replace("\r\n", "\n").replace("\n", "\n" + indent)
    whole = (_YAML_WHOLE_BEFORE.fullmatch(text[line_start:start])
             and _YAML_WHOLE_AFTER.fullmatch(text[end:line_end]))
    # inside a longer plain scalar the value is part of a string whatever it looks like
    if _YAML_PLAIN.fullmatch(value) and (not whole or isinstance(value, Typed)
                                         or not _YAML_NOT_STRING.fullmatch(value)):
        return str(value)
    if whole:
        return '"' + _escape_dq(value) + '"'
    raise Unplaceable("the value cannot go in an unquoted YAML scalar safely",
                       'put the whole scalar in double quotes: "…{{ … }}…"')
