"""The size rules of issue 8, checked on the source: small modules, thin CLI modules,
short functions. Rule data (scanner/rules) is exempt: one rule per entry reads best."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "secretsfile"
MAX_MODULE_LINES = 400
MAX_CLI_MODULE_LINES = 250
MAX_FUNCTION_BODY_LINES = 60
EXEMPT = ("scanner/rules/",)


def _modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if not name.startswith(EXEMPT):
            found.append((name, path))
    return found


def test_modules_are_small() -> None:
    too_long = []
    for name, path in _modules():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        limit = MAX_CLI_MODULE_LINES if name.startswith("cli/") else MAX_MODULE_LINES
        if lines > limit:
            too_long.append(f"{name}: {lines} lines (limit {limit})")
    assert not too_long, too_long


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """Lines of the body, the docstring left out."""
    body = node.body
    if (body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str) and len(body) > 1):
        body = body[1:]
    end = max(getattr(n, "end_lineno", n.lineno) or n.lineno for n in body)
    return end - body[0].lineno + 1


def test_functions_are_short() -> None:
    too_long = []
    for name, path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = _body_lines(node)
                if lines > MAX_FUNCTION_BODY_LINES:
                    too_long.append(f"{name}:{node.lineno} {node.name}: {lines} lines")
    assert not too_long, too_long
