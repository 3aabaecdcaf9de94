"""The project-wide checks of ``secretsfile check`` (and the ``secretsfile-check`` hook)
besides references: files whose recipients differ from the config, and secrets whose
schema is unknown or whose required fields are missing. Names, keys and schema names are
in clear in the environment files: no key is needed.
"""

from __future__ import annotations

import re

from secretsfile._fileio import read_text
from secretsfile.core.record import Record
from secretsfile.errors import SecretsfileError
from secretsfile.ops.reconcile import drift
from secretsfile.ops.secrets import list_entries
from secretsfile.secrets.schemas import find_schema

TYPE_CHECKING = False  # typing's flag without importing typing (the hook's start-up, issue 14)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from secretsfile.config.project import Environment, ProjectConfig


class Finding(Record, frozen=True):
    """One problem: ``path:line: message`` (``line`` None: the whole file). A ``Record``,
    not a dataclass: the ``secretsfile-check`` hook's start-up (issue 14)."""

    kind: str  # recipients | schema
    path: str
    line: int | None
    message: str

    def line_text(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "path": self.path, "line": self.line,
                "message": self.message}


def recipient_findings(config: ProjectConfig) -> list[Finding]:
    """Files encrypted for other recipients than the config names (``updatekeys --check``)."""
    found = []
    for item in drift(config):
        for line in item.lines():
            found.append(Finding("recipients", item.display,
                                 None, line[len(item.display) + 2:]))
    return found


def _display(path: Path, config: ProjectConfig) -> str:
    try:
        return path.resolve().relative_to(config.root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _line_of(text: str, name: str) -> int | None:
    """The line where secret ``name`` starts (``name:``, ``"name":``, ``name=``)."""
    match = re.search(rf"^\s*['\"]?{re.escape(name)}['\"]?\s*[:=]", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else None


def schema_findings(config: ProjectConfig, envs: Sequence[Environment]) -> list[Finding]:
    """Team secrets whose schema is unknown or lacks required fields (defaults aside)."""
    found = []
    for env in envs:
        path = config.env_path(env)
        entries = [e for e in list_entries(config, [env]) if not e.private and e.schema]
        if not entries:
            continue
        text, shown = read_text(path), _display(path, config)
        for entry in entries:
            assert entry.schema is not None
            line = _line_of(text, entry.name)
            try:
                schema = find_schema(entry.schema, config.raw)
            except SecretsfileError as error:
                hint = f" ({error.hint})" if error.hint else ""
                found.append(Finding("schema", shown, line,
                                     f"secret {entry.name!r}: {error.message}{hint}"))
                continue
            missing = [f.name for f in schema.fields
                       if f.required and f.default is None and f.name not in entry.keys]
            if missing:
                found.append(Finding("schema", shown, line, (
                    f"secret {entry.name!r} (schema {schema.name}) lacks required "
                    f"field{'s' if len(missing) > 1 else ''} {', '.join(missing)}; add "
                    f"with 'secretsfile secret update {entry.name} --env {env.name} "
                    f"--{missing[0]}=…'")))
    return found
