"""The typed library API behind ``import secretsfile`` (paths as str or Path)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from secretsfile.ops import files
from secretsfile.ops.recipients import KeyOptions


def encrypt_file(path: str | Path, *, age: Sequence[str] = (), fernet: bool = False,
                 output: str | Path | None = None, in_place: bool = False,
                 selector: dict[str, Any] | None = None) -> str:
    """Encrypt a plaintext file. Returns the encrypted text unless ``output``/``in_place``."""
    options = files.EncryptOptions(
        keys=KeyOptions(age=tuple(age), use_fernet=fernet), selector=dict(selector or {})
    )
    target = Path(output) if output is not None else None
    return files.encrypt_file(Path(path), options, output=target, in_place=in_place)


def decrypt_file(path: str | Path, *, output_type: str | None = None,
                 extract: str | None = None) -> str:
    """Decrypt to plaintext file text (MAC verified). Nothing is written to disk."""
    return files.decrypt_file(Path(path), output_type=output_type, extract=extract)


def load_file(path: str | Path) -> Any:
    """Decrypt in memory into plain Python data (dict; list of dicts for multi-doc YAML)."""
    return files.load_file(path)


def get_value(path: str | Path, key_path: str) -> Any:
    """One decrypted value, addressed as ``a.b.0`` or ``'["a"]["b"][0]'``."""
    return files.to_python(files.get_value(Path(path), key_path))


def set_value(path: str | Path, key_path: str, value: Any) -> None:
    """Set one value; every other value keeps its ciphertext."""
    files.set_value(Path(path), key_path, value)


def unset_value(path: str | Path, key_path: str) -> None:
    files.unset_value(Path(path), key_path)


def rotate(path: str | Path) -> None:
    """New data key for the same recipients."""
    files.rotate(Path(path))
