"""The public API is the list in ``secretsfile.__all__``: every name resolves (lazily), and
the typing-only imports that tell type checkers where the names live match it exactly."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import secretsfile

INIT = Path(secretsfile.__file__)


def _typing_imports() -> set[str]:
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    block = next(node for node in tree.body if isinstance(node, ast.If)
                 and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
    return {alias.asname or alias.name for node in block.body
            if isinstance(node, ast.ImportFrom) for alias in node.names}


def test_typing_imports_match_all() -> None:
    assert _typing_imports() == set(secretsfile.__all__)


def test_every_public_name_resolves_to_its_home() -> None:
    import importlib

    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    homes = {alias.name: node.module for node in ast.walk(tree)
             if isinstance(node, ast.ImportFrom) and node.module for alias in node.names}
    for name in secretsfile.__all__:
        assert getattr(secretsfile, name) is getattr(importlib.import_module(homes[name]), name)


def test_unknown_names_are_attribute_errors() -> None:
    assert not hasattr(secretsfile, "not_a_public_name")
    assert not hasattr(secretsfile, "import_module_typo")


def test_star_import_gives_the_list() -> None:
    code = "from secretsfile import *; print(sorted(k for k in dir() if not k.startswith('_')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == str(sorted(secretsfile.__all__))
