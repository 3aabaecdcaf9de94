"""git setup/teardown in real repositories: the marked block, the driver file, the include;
idempotent, and teardown gives back every file byte for byte."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from secretsfile.config.project import load
from secretsfile.git import gitconfig
from secretsfile.git.sources import list_files
from secretsfile.ops.gitsetup import BEGIN, DRIVER_FILE, DRIVER_TEXT, setup, teardown
from secretsfile.ops.globs import literal_glob, regex_glob

CONFIG = """\
environments:
    dev: {}
    prod: {file: deploy/prod secrets.yaml}
creation_rules:
    - path_regex: \\.enc\\.yaml$
    - path_regex: ^(app|web)/secrets\\.json$
    - age: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p
"""


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    (root / ".secretsfile.yaml").write_text(CONFIG)
    (root / "app").mkdir()
    (root / "app" / "secrets.json").write_text('{"a": "ENC[AES256_GCM,data:x]", "sops": {}}')
    (root / "web").mkdir()
    (root / "web" / "secrets.json").write_text('{"plain": true}')
    return root


def _setup(root: Path):  # type: ignore[no-untyped-def]
    return setup(load(override=root / ".secretsfile.yaml"), root, list_files(root), gitconfig)


def _git_config(root: Path) -> bytes:
    return (root / ".git" / "config").read_bytes()


def test_setup_marks_files_and_is_idempotent(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    result = _setup(root)
    assert [m.pattern for m in result.marked] == ["secrets/dev.yaml", "*.enc.yaml",
                                                  "app/secrets.json"]
    assert any("spaces" in note for note in result.notes)  # the prod file
    assert any("no path_regex" in note for note in result.notes)
    attributes = (root / ".gitattributes").read_text()
    assert "secrets/dev.yaml diff=secretsfile merge=secretsfile\n" in attributes
    assert "web/" not in attributes  # matches the rule but is not encrypted
    assert (root / DRIVER_FILE).read_text() == DRIVER_TEXT
    assert "filter" not in DRIVER_TEXT and "cachetextconv" not in DRIVER_TEXT
    assert gitconfig.include_paths(root) == ["../.gitconfig.secretsfile"]
    before = {p: (root / p).read_bytes() for p in (".gitattributes", DRIVER_FILE)}
    config_before = _git_config(root)
    again = _setup(root)
    assert not again.changed
    assert {p: (root / p).read_bytes() for p in before} == before
    assert _git_config(root) == config_before


@pytest.mark.parametrize("existing", [None, b"*.png binary\r\n# team rule\r\n",
                                      b"*.bin -diff", b""])
def test_teardown_restores_byte_for_byte(tmp_path: Path, existing: bytes | None) -> None:
    root = _repo(tmp_path)
    subprocess.run(["git", "config", "--local", "include.path", "other.inc"], cwd=root,
                   check=True)
    attributes = root / ".gitattributes"
    if existing is not None:
        attributes.write_bytes(existing)
    config_before = _git_config(root)
    _setup(root)
    assert BEGIN in attributes.read_text()
    # lines added after setup, outside the block, stay too
    result = teardown(root, gitconfig)
    assert result.changed and result.driver_removed
    if existing:
        assert attributes.read_bytes() == existing
    else:
        assert not attributes.exists()
    assert not (root / DRIVER_FILE).exists()
    assert _git_config(root) == config_before
    assert not teardown(root, gitconfig).changed


def test_teardown_keeps_other_lines_and_a_changed_driver_file(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    _setup(root)
    attributes = root / ".gitattributes"
    attributes.write_text("*.png binary\n" + attributes.read_text() + "*.pdf -diff\n")
    (root / DRIVER_FILE).write_text(DRIVER_TEXT.replace("git textconv", "git textconv --redact"))
    result = teardown(root, gitconfig)
    assert attributes.read_text() == "*.png binary\n*.pdf -diff\n"
    assert result.driver_kept and (root / DRIVER_FILE).exists()


@pytest.mark.parametrize(("regex", "base", "glob"), [
    (r"\.enc\.yaml$", "", "*.enc.yaml"),
    (r"\.enc\.yaml$", "sub", "sub/**/*.enc.yaml"),
    (r"^secrets/.*\.yaml$", "", "secrets/**/*.yaml"),
    (r"^config/", "", "config/**"),
    (r"^prod\.yaml$", "", "/prod.yaml"),
    (r"^a/[^/]*\.json$", "", "a/*.json"),
    (r"secrets/", "", None),
    (r"(a|b)\.yaml$", "", None),
    (r".*", "", None),
    (r"^x.*y/z$", "", None),
])
def test_regex_globs(regex: str, base: str, glob: str | None) -> None:
    assert regex_glob(regex, base) == glob


def test_literal_globs() -> None:
    assert literal_glob("secrets/dev.yaml") == "secrets/dev.yaml"
    assert literal_glob("dev.yaml") == "/dev.yaml"
    assert literal_glob("a/[x]*.yaml") == "a/\\[x\\]\\*.yaml"
    assert literal_glob("a b.yaml") is None


def test_a_driver_file_secretsfile_did_not_write_is_never_included(tmp_path: Path) -> None:
    """git reads an included file on every command: a committed .gitconfig.secretsfile with
    extra lines (core.fsmonitor = ...) would run code on the next 'git status'."""
    from secretsfile.errors import ConfigError

    root = _repo(tmp_path)
    pwned = tmp_path / "PWNED"
    extra = f'[core]\n    fsmonitor = "touch {pwned}; false"\n'
    (root / DRIVER_FILE).write_text(DRIVER_TEXT + extra)
    with pytest.raises(ConfigError, match="not the file secretsfile writes"):
        _setup(root)
    assert gitconfig.include_paths(root) == []
    subprocess.run(["git", "status"], cwd=root, check=True, capture_output=True)
    assert not pwned.exists()
