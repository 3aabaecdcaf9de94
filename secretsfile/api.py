"""The file verbs of the library API behind ``import secretsfile`` (paths as str or Path).

Kept apart from ``ops.files`` because, like the CLI, these are entry points: each finds
the project configuration the usual way (``config=`` a ``.secretsfile.yaml``, else
``SECRETSFILE_CONFIG``, else the nearest one from the working directory) and hands it to
the library verbs, which never look it up themselves. It says who new files are encrypted
for and whether integrity tags are required (``integrity: strict``). Kept out of
``__init__`` so that ``import secretsfile`` imports nothing (``__init__`` lists the public
names and loads their modules on first use).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from secretsfile.ops import files, rekey
from secretsfile.ops.recipients import KeyOptions

if TYPE_CHECKING:
    from secretsfile.config.project import ProjectConfig

ConfigArg = str | Path | None


def _project(config: ConfigArg, path: str | Path) -> ProjectConfig:
    from secretsfile.config.project import load_for

    return load_for(path, override=config)


def encrypt_file(path: str | Path, *, age: Sequence[str] = (), fernet: bool = False,
                 recipients: Sequence[str] = (), output: str | Path | None = None,
                 in_place: bool = False, selector: dict[str, Any] | None = None,
                 config: ConfigArg = None) -> str:
    """Encrypt a plaintext file. Returns the encrypted text unless ``output``/``in_place``.

    Recipients: ``age`` recipients, ``fernet=True`` (your own Fernet key) and
    ``recipients`` written as in a recipients list (``age1…``, ``fernet:<key id>``, any
    key source's syntax); none given: the project config, else your own age key."""
    from secretsfile.keysources import registry

    keys = KeyOptions([registry.parse_recipient(text) for text in recipients],
                      ["fernet"] if fernet else (), age=age)
    options = files.EncryptOptions(keys=keys, selector=dict(selector or {}),
                                   config=_project(config, output or path))
    target = Path(output) if output is not None else None
    return files.encrypt_file(Path(path), options, output=target, in_place=in_place)


def decrypt_file(path: str | Path, *, output_type: str | None = None,
                 extract: str | None = None, config: ConfigArg = None) -> str:
    """Decrypt to plaintext file text (MAC verified). Nothing is written to disk."""
    return files.decrypt_file(Path(path), output_type=output_type, extract=extract,
                              config=_project(config, path))


def load_file(path: str | Path, *, config: ConfigArg = None) -> Any:
    """Decrypt in memory into plain Python data (dict; list of dicts for multi-doc YAML)."""
    return files.load_file(path, config=_project(config, path))


def get_value(path: str | Path, key_path: str, *, config: ConfigArg = None) -> Any:
    """One decrypted value, addressed as ``a.b.0`` or ``'["a"]["b"][0]'``."""
    return files.to_python(files.get_value(Path(path), key_path, config=_project(config, path)))


def set_value(path: str | Path, key_path: str, value: Any, *, force: bool = False,
              config: ConfigArg = None) -> None:
    """Set one value; every other value keeps its ciphertext. Replacing more than that
    value (a scalar on the way, a map's keys) needs ``force``."""
    files.set_value(Path(path), key_path, value, force=force, config=_project(config, path))


def unset_value(path: str | Path, key_path: str, *, config: ConfigArg = None) -> None:
    files.unset_value(Path(path), key_path, config=_project(config, path))


def rotate(path: str | Path, *, config: ConfigArg = None) -> None:
    """New data key for the same recipients."""
    rekey.rotate(Path(path), config=_project(config, path))


def resolve(obj: Any, env: str | None = None, *, config: ConfigArg = None) -> Any:
    """A copy of ``obj`` (dicts, lists, tuples, strings, pydantic ``SecretStr``) with its
    ``{{name}}`` / ``{{name.key}}`` references replaced by the environment's values."""
    from secretsfile.config.project import load
    from secretsfile.ops import references

    return references.resolve(obj, env, config=load(override=config))
