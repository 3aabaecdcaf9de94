"""INI <-> typed tree, as sops reads and writes it (go-ini v1.67 with its default options).

The tree is one branch of sections, each a branch of text values: the AAD of a value is
``section:key:`` and a comment's is ``section:``. Keys before any ``[section]`` belong to
``DEFAULT``, which is always in the tree (empty unless it has keys) and always first.

Reading follows go-ini: ``key = value`` or ``key: value``; ``;``/``#`` comments collect
until the next key or section and become its comment (an inline comment after a value
too); quotes around a value (``"…"``, ``'…'``, a backtick, ``\"\"\"…\"\"\"``) are removed.
A section's comment is the first item of its branch, a key's comment follows the key (as
sops' tree has them). Duplicate sections or keys, continuation lines and bare keys are
refused: go-ini would merge or drop them silently.

Writing is go-ini's ``PrettyFormat``: ``=`` aligned per section, a blank line between
sections, comments as ``; text`` above what they belong to. The metadata is a last
``[sops]`` section of ``stores.flatten.SOPS`` keys; sops writes them in random order, we
write them sorted.
"""

from __future__ import annotations

from typing import ClassVar, cast

from secretsfile.core.values import Branch, Comment, Value, encode_text, scalar_text
from secretsfile.errors import FormatError
from secretsfile.stores.dotenv_store import sops_flat
from secretsfile.stores.flatten import unflatten_metadata
from secretsfile.stores.interface import Metadata, Store, unwritable

DEFAULT = "DEFAULT"
SOPS_SECTION = "sops"


class ExplicitDefault(str):
    """The name ``DEFAULT`` written as a ``[DEFAULT]`` header: go-ini (with non-unique
    sections, as sops loads files) keeps it as a section of its own, written with its
    header where it stood, while keys before any header are written without one, first."""

    __slots__ = ()


class _Reader:
    def __init__(self, text: str, path: str) -> None:
        # go-ini drops a UTF-8 byte order mark; CRLF line ends read as LF (sops writes LF)
        self.lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
        self.path = path
        self.number = 0
        self.comment: list[str] = []
        self.tree: dict[str, Branch] = {DEFAULT: {}}
        self.section = DEFAULT

    def error(self, message: str, hint: str | None = None) -> FormatError:
        return FormatError(message, path=self.path, line=self.number, hint=hint)

    def take_comment(self) -> Comment | None:
        text = "\n".join(self.comment).strip()
        self.comment = []
        return Comment(_strip_mark(text)) if text else None

    def run(self) -> Branch:
        while self.number < len(self.lines):
            line = self.lines[self.number].strip()
            self.number += 1
            if not line:
                continue
            if line[0] in "#;":
                self.comment.append(line)
            elif line[0] == "[":
                self.open_section(line)
            else:
                self.add_key(line)
        return cast(Branch, self.tree)

    def open_section(self, line: str) -> None:
        end = line.rfind("]")  # go-ini (sops): up to the last ], spaces inside kept
        if end < 0:
            raise self.error("unclosed section header", hint="write it as [name]")
        name = line[1:end]
        comment = self.take_comment()
        if name == DEFAULT and DEFAULT in self.tree and not self.tree[DEFAULT]:
            del self.tree[DEFAULT]
            name = ExplicitDefault(DEFAULT)
        if name in self.tree:
            raise self.error(f"duplicate section [{name}]", hint="merge the two sections")
        self.tree[name] = {comment: None} if comment is not None else {}
        self.section = name

    def add_key(self, line: str) -> None:
        key, rest = self.split_key(line)
        section = self.tree[self.section]
        if key in section:
            raise self.error(f"duplicate key {key!r} in [{self.section}]")
        section[key] = self.value(rest)
        comment = self.take_comment()
        if comment is not None:
            section[comment] = None

    def split_key(self, line: str) -> tuple[str, str]:
        for quote in ('"""', "`", '"'):
            if line.startswith(quote):
                end = line.find(quote, len(quote))
                if end < 0:
                    break
                rest = line[end + len(quote):].lstrip()
                if rest[:1] in ("=", ":"):
                    return line[len(quote):end], rest[1:]
        positions = [p for p in (line.find("="), line.find(":")) if p >= 0]
        if not positions:
            raise self.error("invalid INI line: expected key = value",
                             hint="every line is a [section], a comment or key = value")
        cut = min(positions)
        return line[:cut].strip(), line[cut + 1:]

    def value(self, rest: str) -> str:
        line = rest.lstrip()
        if not line:
            return ""
        if line.startswith('"""') and len(line) > 3:
            return self.quoted(line, '"""')
        if line[0] == "`":
            return self.quoted(line, "`")
        line = line.strip()
        if line.endswith("\\"):
            raise self.error("continuation lines are not supported",
                             hint="put the value on one line")
        cut = min((p for p in (line.find("#"), line.find(";")) if p >= 0), default=-1)
        if cut >= 0:
            self.comment.append(line[cut:])
            line = line[:cut].strip()
        if len(line) >= 2 and line[0] == line[-1] and line[0] in "\"'":
            line = line[1:-1]
        return line

    def quoted(self, line: str, quote: str) -> str:
        body = line[len(quote):]
        end = body.rfind(quote)
        if end >= 0:
            return body[:end]
        parts = [body]
        while self.number < len(self.lines):
            text = self.lines[self.number]
            self.number += 1
            end = text.find(quote)
            if end >= 0:
                parts.append(text[:end])
                return "\n".join(parts)
            parts.append(text)
        raise self.error(f"unclosed {quote} value")


def _strip_mark(text: str) -> str:
    """sops' stripCommentChar: the leading ``;``/``#`` run (and spaces) of a comment."""
    if text.startswith(";"):
        return text.lstrip("; ")
    if text.startswith("#"):
        return text.lstrip("# ")
    return text


def load_ini(text: str, path: str = "<ini>") -> list[Branch]:
    return [_Reader(text, path).run()]


def _comment_lines(text: str, trim: bool) -> list[str]:
    out = []
    for line in text.split("\n"):
        if line[:1] in ("#", ";"):
            out.append(line[:1] + " " + line[1:].strip())
        else:
            out.append("; " + (line.strip() if trim else line))
    return out


def _key_text(key: str) -> str:
    if '"' in key or "=" in key or ":" in key:
        return f"`{key}`"
    return f'"""{key}"""' if "`" in key else key


def _value_text(value: str) -> str:
    if "\n" in value or "`" in value:
        return f'"""{value}"""'
    if "#" in value or ";" in value:
        return f"`{value}`"
    return f'"{value}"' if value.strip() != value else value


def _bytes(text: str) -> int:
    """go-ini aligns ``=`` by the bytes of the (quoted) key names, not by characters."""
    return len(encode_text(text))


def _section_lines(name: str, items: Branch, first: bool) -> list[str]:
    out: list[str] = []
    entries = list(items.items())
    head = entries[0][0] if entries else None
    if isinstance(head, Comment):
        out += _comment_lines(head.text, trim=False)
        entries.pop(0)
    keys: list[tuple[str, Value, list[str]]] = []
    for key, value in entries:
        if isinstance(key, Comment):
            if keys:  # go-ini keeps one comment per key, written above it
                keys[-1] = (keys[-1][0], keys[-1][1], _comment_lines(key.text, trim=True))
            continue
        if isinstance(value, (dict, list)):
            raise FormatError(f"INI cannot hold the nested value [{name}] {key}",
                              hint="INI has sections of key = value only")
        keys.append((_key_text(key), value, []))
    implicit = first and name == DEFAULT and not isinstance(name, ExplicitDefault)
    if implicit and not keys:
        return out
    if not implicit:
        out.append(f"[{name}]")
    width = max((_bytes(key) for key, _, _ in keys), default=0)
    for key, value, comment in keys:
        text = "" if value is None else _value_text(scalar_text(value))
        out += comment
        out.append(f"{key}{' ' * (width - _bytes(key))} = {text}")
    return out


def dump_ini(docs: list[Branch], metadata: Metadata | None = None) -> str:
    if len(docs) != 1:
        raise FormatError("INI holds exactly one document")
    sections: list[tuple[str, Branch]] = [(DEFAULT, {})]
    for name, value in docs[0].items():
        if isinstance(name, Comment):
            continue  # sops drops comments outside sections
        if not isinstance(value, dict):
            raise FormatError(f"INI cannot hold the top-level value {name!r}",
                              hint="put it in a [section]")
        if name == DEFAULT and not isinstance(name, ExplicitDefault):
            sections[0] = (DEFAULT, value)
        else:
            sections.append((name, value))
    if metadata is not None:
        flat = sops_flat(cast(Branch, metadata))
        sections.append((SOPS_SECTION, {k: flat[k].replace("\n", "\\n") for k in sorted(flat)}))
    blocks = [_section_lines(name, items, index == 0) for index, (name, items) in
              enumerate(sections)]
    return "\n".join("".join(line + "\n" for line in block) for block in blocks if block)


def _reads_back(line: str, section: str, key: str | None, value: str) -> bool:
    """Whether ``load_ini`` reads ``line`` (one header or ``key = value``) as written."""
    try:
        tree = _Reader(line + "\n", "<check>").run()
    except FormatError:
        return False
    if key is None:
        return set(tree) == {DEFAULT, section}
    return tree.get(DEFAULT) == {key: value}


def check_ini(branch: Branch) -> None:
    """Refuse what ``load_ini`` would read back differently: values outside a section,
    nested or null values (sops writes null as ``<nil>``), names go-ini's syntax cannot
    hold (``#c``, ``[x]``, a section ``a]b``, surrounding spaces, newlines, the ``[sops]``
    section) and values its quoting cannot hold."""
    for name, items in branch.items():
        if isinstance(name, Comment):
            continue
        if not isinstance(items, dict):
            raise unwritable([name], "an INI file holds key = value lines in [sections]",
                             "put it in a [section]")
        if name == SOPS_SECTION or not _reads_back(f"[{name}]", name, None, ""):
            raise unwritable([name], "INI cannot hold this section name",
                             "rename it (no ']', newline, surrounding spaces, not 'sops')")
        for key, value in items.items():
            if isinstance(key, Comment):
                continue
            if isinstance(value, (dict, list)) or value is None:
                raise unwritable([name, key], "an INI value is text, not a map, list or null",
                                 'set text ("" for empty), or use a YAML or JSON file')
            if not _reads_back(f"{_key_text(key)} = v", name, key, "v"):
                raise unwritable([name, key], "INI cannot hold this key name", "rename it "
                                 "(no newline, surrounding spaces, or leading '#', ';', '[')")
            text = scalar_text(value)
            if not _reads_back(f"k = {_value_text(text)}", name, "k", text):
                raise unwritable([name, key], "go-ini's quoting cannot hold this value "
                                 "(triple quotes, a final backslash or its own quotes)",
                                 "use a YAML or JSON file")


class IniStore(Store):
    name = "ini"
    new_file_template: ClassVar[str] = "[example]\nexample_key = example_value\n"

    def load(self, text: str, path: str) -> list[Branch]:
        return load_ini(text, path)

    def dump(self, docs: list[Branch], indent: int | None) -> str:
        return dump_ini(docs)

    def check_writable(self, docs: list[Branch]) -> None:
        if len(docs) == 1:
            check_ini(docs[0])
        super().check_writable(docs)

    def split_metadata(self, docs: list[Branch]) -> tuple[list[Branch], Metadata | None]:
        data = dict(docs[0])
        raw = data.pop(SOPS_SECTION, None)
        if raw is None:
            return [data], None
        if not isinstance(raw, dict):
            raise FormatError("the [sops] section is not a metadata section")
        flat = {str(k): scalar_text(v).replace("\\n", "\n") for k, v in raw.items()
                if not isinstance(k, Comment)}
        return [data], unflatten_metadata(flat)

    def write(self, docs: list[Branch], metadata: Metadata | None = None,
              indent: int | None = None) -> str:
        return dump_ini(docs, metadata)
