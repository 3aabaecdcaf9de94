"""The import rules of DESIGN.md, checked on the source: the layers only import downwards,
and heavy libraries stay behind their one gate."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "secretsfile"

# layer -> first-party layers it may import besides itself. Every top-level module and
# package of secretsfile must be listed: a new one has to take its place here.
_FOUNDATION = {"errors", "_paths", "_fileio", "_lazy"}  # importable from every layer
_LIBRARY = {"core", "stores", "keysources", "config", "secrets", "scanner", "remotes", "ops"}
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "_paths": set(),
    "_fileio": {"errors"},
    "_lazy": set(),
    "core": set(),
    "stores": {"core"},
    "keysources": {"core"},
    "config": {"core", "stores", "keysources"},  # recipients are parsed by their key source
    "secrets": {"core", "config"},
    "scanner": {"core"},  # rules, engine, filters, report: no git, no config, no files
    "git": {"core", "stores"},  # the only layer that runs git (git/run.py)
    "remotes": {"core", "keysources", "secrets"},  # external secret stores (Vault KV, AWS SM)
    "ops": {"core", "stores", "keysources", "config", "secrets", "scanner", "remotes"},
    "loader": {"core", "stores", "keysources", "config", "secrets", "remotes", "ops"},
    "integrations": {*_LIBRARY, "loader"},
    "api": _LIBRARY,  # an entry point: may look up the config, like the CLI
    "__init__": {*_LIBRARY, "api", "loader"},
    "webui": _LIBRARY,  # the secrets page: git is handed in by the CLI (webui.api.Ctx)
    "cli": {*_LIBRARY, "git", "api", "loader", "integrations", "webui"},
    "__main__": {"cli"},
}
GATES = {"typer": "cli", "rich": "cli", "git": "git", "click": "cli",
         "pydantic": "integrations", "pydantic_settings": "integrations"}


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module, at module level?) for every import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top_level) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, id(node) in top_level))
    return found


def _layer(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def test_every_module_has_a_layer() -> None:
    unknown = sorted({_layer(path) for path in PACKAGE.rglob("*.py")} - set(ALLOWED))
    assert not unknown, f"add these to ALLOWED (and to ARCHITECTURE.md): {unknown}"


def test_layers_import_only_downwards() -> None:
    problems = []
    for path in PACKAGE.rglob("*.py"):
        layer = _layer(path)
        for module, _ in _imports(path):
            if not module.startswith("secretsfile."):
                continue
            target = module.split(".")[1]
            if target not in {layer, *_FOUNDATION, *ALLOWED.get(layer, set())}:
                problems.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert not problems, problems


def test_library_layers_never_import_ui_libraries() -> None:
    """ops, core, stores and keysources are used by the loader and other programs: they
    must not drag in typer, rich or click (or the config, below config)."""
    ui = ("typer", "rich", "click")
    problems = [
        f"{path.relative_to(PACKAGE)} imports {module}"
        for path in PACKAGE.rglob("*.py")
        if _layer(path) in {"ops", "core", "stores", "keysources", "loader", "secrets", "webui",
                             "remotes"}
        for module, _ in _imports(path)
        if module.split(".")[0] in ui
        or (_layer(path) in {"core", "stores", "keysources"}
            and module.startswith("secretsfile.config"))
    ]
    assert not problems, problems


def test_heavy_libraries_stay_behind_their_gate() -> None:
    problems = []
    for path in PACKAGE.rglob("*.py"):
        layer = _layer(path)
        for module, _ in _imports(path):
            root = module.split(".")[0]
            if root in GATES and GATES[root] != layer:
                problems.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert not problems, problems


def test_nothing_imports_the_cli() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if _layer(path) != "cli"
        and any(m.startswith("secretsfile.cli") for m, _ in _imports(path))
        and path.name != "__main__.py"
    ]
    assert not offenders


def test_import_secretsfile_loads_no_heavy_module() -> None:
    import subprocess
    import sys

    code = ("import sys, secretsfile; heavy = {'typer', 'rich', 'git', 'yaml', 'cryptography',"
            " 'pyrage', 'ruamel'}; print(sorted(m for m in heavy if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_only_entry_points_look_the_config_up() -> None:
    """ARCHITECTURE.md: configuration is passed down. Below the entry points (cli, api,
    loader) nothing calls the lookups of config/project.py."""
    lookups = {"load", "load_for", "find_config", "find_sops_config", "guard_sources"}
    problems = []
    for path in PACKAGE.rglob("*.py"):
        if _layer(path) in {"cli", "api", "loader", "config", "__init__", "integrations"}:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (isinstance(node, ast.ImportFrom) and node.module == "secretsfile.config.project"
                    and any(alias.name in lookups for alias in node.names)):
                problems.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not problems, problems
