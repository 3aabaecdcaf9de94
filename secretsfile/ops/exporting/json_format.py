"""JSON: one object of variable names to values."""

from __future__ import annotations

import json

from secretsfile.ops.exporting.base import ExportFormat, Variables


def render(variables: Variables) -> str:
    return json.dumps(dict(variables), indent=2, ensure_ascii=False) + "\n"


FORMAT = ExportFormat(name="json", summary='{"KEY": "value"}.', render=render)
