"""Which lines of a text are sops metadata, so the engine never reports them.

The metadata holds wrapped data keys, recipients and the MAC: ciphertext and public
material, never a credential, however much it looks like one. Nothing else is skipped:

- a block counts only when the text is a sops document in the layout sops writes: a
  top-level ``sops:`` mapping (YAML, column 0), the top-level ``"sops"`` object closing a
  JSON document that parses, a final ``[sops]`` INI section, ``sops_*=`` dotenv lines; and
  the block holds a well-formed encrypted ``mac`` (``core.enc_value``) and a ``version``;
- inside it only the lines of fields sops writes are skipped (``core.enc_value``'s
  ``METADATA_FIELDS``/``ENTRY_FIELDS``); an ``enc`` must look like a wrapped key (armor,
  base64, ``vault:v1:``); any other line (``github_token:`` under ``sops:``,
  ``sops_github_token=``) is scanned like the rest of the file;
- a line holding a line break other than ``\\n`` (``\\r``, NEL, U+2028/9; one ``\\r``
  before the ``\\n`` is fine) is never skipped: YAML reads a second line there.

Pure text work, no parser of ``stores`` (the scanner imports ``core`` only); JSON goes
through the standard library's parser. ``core.enc_value`` is imported by the functions
that need it: a scan of texts without sops metadata never loads it.
"""

from __future__ import annotations

import re

from secretsfile.scanner.lazy_regex import LazyRegex

__all__ = ["sops_block_lines"]

_YAML_SOPS = LazyRegex(r"^sops:[ \t]*\r?$", re.MULTILINE)
_INI_SOPS = LazyRegex(r"^\[sops\][ \t]*\r?$", re.MULTILINE)
_JSON_SOPS = LazyRegex(r'"sops"\s*:\s*\{')
_FIELD = LazyRegex(r"( *)((?:- +)*)([A-Za-z_]+):(?: +(.*))?")
_JSON_FIELD = LazyRegex(r'\s*"([A-Za-z_]+)"\s*:\s*(.*?),?')
# Character sets tested with str.strip (no regex to compile on a hook's first sops file).
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_URL_B64 = _B64[:-2] + "-_"
_ARMOR_BODY = _B64 + "=:. "
_MARKER_WORDS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ "
_STRUCTURE = frozenset("{}[],")


def sops_block_lines(text: str) -> list[tuple[int, int]]:
    """Line ranges (1-based, inclusive) of sops metadata in a YAML/JSON/INI/dotenv text.

    Only called when ``sops`` occurs in the text.
    """
    lines: list[str] | None = None
    skipped: list[int] = []  # 0-based line indexes
    for finder, reader in ((_YAML_SOPS, _yaml_block), (_INI_SOPS, _ini_block)):
        if finder.search(text) is None:
            continue
        lines = text.split("\n") if lines is None else lines
        for m in finder.finditer(text):
            skipped += reader(lines, text.count("\n", 0, m.start()))
    if "sops_mac=" in text:
        skipped += _dotenv_lines(text.split("\n") if lines is None else lines)
    if '"sops"' in text:
        skipped += _json_block(text)
    return _ranges(skipped)


def _ranges(indexes: list[int]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for index in sorted(set(indexes)):
        if ranges and ranges[-1][1] == index:
            ranges[-1] = (ranges[-1][0], index + 1)
        else:
            ranges.append((index + 1, index + 1))
    return ranges


def _plain(line: str) -> str | None:
    """The line without a CRLF's ``\\r``; None when another line break sits inside."""
    if line.endswith("\r"):
        line = line[:-1]
    if line.isascii():
        return None if "\r" in line else line
    return None if "\r" in line or "\x85" in line or "\u2028" in line or "\u2029" in line else line


def _unquoted(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _value_ok(name: str, value: str) -> bool:
    """A value a field of that name holds in real metadata (no text tacked on)."""
    if name == "enc":
        return value == "" or _wrapped_key(value)
    return name.endswith("_regex") or " " not in value


def _valid(fields: dict[str, str]) -> bool:
    """The block has an encrypted MAC and a version, as every sops document does."""
    from secretsfile.core.enc_value import is_enc_value

    mac, version = fields.get("mac"), fields.get("version")
    return (
        mac is not None
        and is_enc_value(_unquoted(mac))
        and version is not None
        and _version_ok(version)
    )


def _version_ok(text: str) -> bool:
    """``3.11.0``, quoted or not."""
    parts = _unquoted(text).split(".")
    return len(parts) == 3 and all(part.isascii() and part.isdigit() for part in parts)


def _base64(text: str) -> bool:
    body = text.rstrip("=")
    return bool(body) and len(text) - len(body) <= 2 and not body.strip(_B64)


def _marker(text: str, word: str) -> bool:
    """``-----BEGIN AGE ENCRYPTED FILE-----`` (``word`` BEGIN or END)."""
    head = f"-----{word} "
    return (text.startswith(head) and text.endswith("-----") and len(text) > len(head) + 5
            and not text[len(head) : -5].strip(_MARKER_WORDS))  # fmt: skip


def _armor_line(line: str) -> bool:
    """A line of an armored (age, PGP) message as YAML's literal block holds it."""
    return not line.strip(_B64 + "=") or _marker(line, "BEGIN") or _marker(line, "END")


def _wrapped_key(value: str) -> bool:
    """An ``enc`` value: an armored message (``\\n`` escaped in JSON, INI and dotenv),
    base64 (KMS, GCP), ``vault:v1:`` + base64, unpadded URL base64 of an RSA result (Azure)."""
    if value.startswith("-----BEGIN "):
        head_end = value.find("-----", 11) + 5
        end = value.rfind("-----END ")
        tail = value[end:].removesuffix("\\n")
        body = value[head_end:end].replace("\\n", "")
        return (4 < head_end <= end and _marker(value[:head_end], "BEGIN")
                and _marker(tail, "END") and not body.strip(_ARMOR_BODY))  # fmt: skip
    if value.startswith("vault:v"):
        version, _, rest = value[7:].partition(":")
        return version.isdigit() and _base64(rest)
    return _base64(value) or (len(value) >= 300 and not value.strip(_URL_B64))


def _flat_names(name: str) -> list[str] | None:
    """``age__list_0__map_enc`` -> ``["age", "enc"]``: sops' flattening of nested fields."""
    pieces = name.split("__")
    names = [pieces[0]]
    for piece in pieces[1:]:
        if piece.startswith("list_") and piece[5:].isdigit():
            continue
        if not piece.startswith("map_") or len(piece) == 4:
            return None
        names.append(piece[4:])
    return names


# --- YAML -------------------------------------------------------------------------------


def _yaml_block(lines: list[str], header: int) -> list[int]:
    """The skippable lines of the ``sops:`` mapping on line ``header`` (0-based)."""
    from secretsfile.core.enc_value import KEY_LISTS, METADATA_FIELDS, NESTED_FIELDS

    block: list[tuple[int, str | None]] = []
    for index in range(header + 1, len(lines)):
        line = lines[index]
        if line and line[0] != " " and line != "\r":
            break  # the next top-level key, a comment, ``---``: the block ends
        block.append((index, _plain(line)))
    base = next((len(t) - len(t.lstrip(" ")) for _, t in block if t and t.strip()), 0)
    if base == 0:
        return []
    fields: dict[str, str] = {}
    skipped = [header]
    parent: str | None = None  # the current top-level field, if known
    literal = context = -1  # the indent of an ``enc: |`` / ``context:`` key being read
    for index, row in block:
        if row is None:
            parent = None
            continue
        line = row
        indent = len(line) - len(line.lstrip(" "))
        if not line.strip():
            skipped.append(index)
            continue
        if literal >= 0 and indent > literal:
            if _armor_line(line.strip()):
                skipped.append(index)
            continue
        if context >= 0 and indent > context:
            skipped.append(index)
            continue
        literal = context = -1
        m = _FIELD.fullmatch(line)
        if m is None:
            parent = None if indent == base else parent
            continue
        name, value = m.group(3), m.group(4) or ""
        if indent == base and not m.group(2):
            parent = name if name in METADATA_FIELDS else None
            fields[name] = value
            if parent is not None and _value_ok(name, _unquoted(value)):
                skipped.append(index)
            continue
        if (parent not in KEY_LISTS and parent != "key_groups") or name not in NESTED_FIELDS:
            continue
        key_indent = indent + len(m.group(2))
        if name == "enc" and value.strip() in ("|", "|-", "|+", ">", ">-"):
            literal = key_indent
        elif name == "context" and not value.strip():
            context = key_indent
        elif not _value_ok(name, _unquoted(value)):
            continue
        skipped.append(index)
    return skipped if _valid(fields) else []


# --- INI and dotenv ---------------------------------------------------------------------


def _flat_ok(name: str, value: str) -> bool:
    """A flattened metadata key (``age__list_0__map_enc``) sops writes, and its value."""
    from secretsfile.core.enc_value import METADATA_FIELDS, NESTED_FIELDS

    parts = _flat_names(name)
    if not parts or parts[0] not in METADATA_FIELDS:
        return False
    for part in parts[1:]:
        if part == "context":
            return True  # a KMS encryption context: the caller's own names
        if part not in NESTED_FIELDS:
            return False
    return _value_ok(parts[-1], value)


def _ini_block(lines: list[str], header: int) -> list[int]:
    """The skippable lines of a final ``[sops]`` section on line ``header``."""
    fields: dict[str, str] = {}
    skipped = [header]
    for index in range(header + 1, len(lines)):
        line = _plain(lines[index])
        if line is None:
            continue
        if line.startswith("["):
            return []  # sops writes its section last
        name, sep, value = line.partition("=")
        name, value = name.strip(), value.strip()
        if not line.strip():
            skipped.append(index)
        elif sep and _flat_ok(name, value):
            fields[name] = value
            skipped.append(index)
    return skipped if _valid(fields) else []


def _dotenv_lines(lines: list[str]) -> list[int]:
    """The ``sops_<field>=<value>`` lines of a sops dotenv file."""
    fields: dict[str, str] = {}
    skipped: list[int] = []
    for index, raw in enumerate(lines):
        if not raw.startswith("sops_"):
            continue
        line = _plain(raw)
        name, sep, value = (line or "").partition("=")
        if sep and _flat_ok(name[5:], value):
            fields[name[5:]] = value
            skipped.append(index)
    return skipped if _valid(fields) else []


# --- JSON -------------------------------------------------------------------------------


def _json_block(text: str) -> list[int]:
    """The skippable lines of the top-level ``"sops"`` object that ends a JSON document."""
    import json

    from secretsfile.core.enc_value import METADATA_FIELDS, NESTED_FIELDS

    try:
        document = json.loads(text)
    except ValueError:
        return []
    meta = document.get("sops") if isinstance(document, dict) else None
    if not isinstance(meta, dict) or not isinstance(meta.get("version"), str):
        return []
    if not _valid({"mac": str(meta.get("mac")), "version": meta["version"]}):
        return []
    decoder = json.JSONDecoder()
    found = None
    for m in _JSON_SOPS.finditer(text):
        try:
            end = decoder.raw_decode(text, m.end() - 1)[1]
        except ValueError:
            continue
        if text[end:].strip() == "}":  # the last value of the top-level object
            found = m.start(), end - 1
    if found is None:
        return []
    first = text.count("\n", 0, found[0])
    skipped = []
    for offset, raw in enumerate(text[found[0] : found[1] + 1].split("\n")):
        line = _plain(raw)
        if line is None:
            continue
        stripped = line.strip()
        if not stripped or set(stripped) <= _STRUCTURE:
            skipped.append(first + offset)
            continue
        pair = _JSON_FIELD.fullmatch(stripped)
        if pair is None or pair.group(1) not in METADATA_FIELDS | NESTED_FIELDS:
            continue
        if _value_ok(pair.group(1), _unquoted(pair.group(2))) or pair.group(2) in ("[", "{"):
            skipped.append(first + offset)
    return skipped
