"""Start-up budget of the hot commands, by module list (issue 14): no timing here.

``decrypt``, ``get`` and ``git textconv`` of a sops-written YAML file (no project config)
run in a fresh interpreter under ``-X importtime`` and must not import any module below:
the CLI frameworks, the YAML libraries (a sops file is read by our own parser), the cloud
SDKs, and the stdlib modules only a write or an error needs. ``exec-env`` runs on the lean
parser too (no Typer), with the allowances listed beside it.
"""

from __future__ import annotations

import os
import site
import subprocess
import sys
from pathlib import Path

import pytest

# Whole packages (a submodule counts too).
FORBIDDEN_PACKAGES = ("typer", "click", "rich", "yaml", "ruamel", "boto3", "botocore",
                      "google", "azure", "hvac", "gnupg", "pydantic")  # fmt: skip
# Exact modules: only a write (tempfile, shutil), an error report (traceback), decimal
# exponents or timestamps (decimal, datetime), or a project config (config.environments,
# config.keys) needs them; records on the hot path are ``core.record.Record``s, not
# dataclasses (``dataclasses`` imports ``inspect`` and execs code per class).
# OpenSSL's hashlib (core.digests hashes with CPython's built-in modules), threading (locks
# come from _thread), json and copy (only some verbs need them), the verbs' helpers a
# command does not run (key paths, --idempotent), the key sources' heavy modules.
FORBIDDEN_MODULES = ("tempfile", "shutil", "traceback", "decimal", "datetime", "subprocess",
                     "dataclasses", "inspect", "hashlib", "_hashlib", "hmac", "threading",
                     "json", "copy", "bz2", "lzma", "zipfile",
                     "cryptography.hazmat.primitives.ciphers",
                     "secretsfile.config.environments", "secretsfile.config.keys",
                     "secretsfile.cli.main")  # fmt: skip
CHECKOUT = Path(__file__).resolve().parents[1]
MARK = "-- secretsfile starts --"  # what site imported before it (e.g. a .pth) is not ours
ENTRY = (f"import sys; sys.stderr.write('{MARK}\\n'); sys.argv = ['secretsfile', *sys.argv[1:]]; "
         "from secretsfile.cli.entry import run; run()")  # fmt: skip


@pytest.fixture
def sops_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    from secretsfile.cli.main import main

    path = tmp_path / "secrets.yaml"
    path.write_text("db:\n    user: admin\n    password: hunter2\napi_token: tok\n")
    assert main(["keygen"]) == 0
    assert main(["encrypt", "--in-place", str(path)]) == 0
    capsys.readouterr()
    return path


def imported(argv: list[str], cwd: Path) -> set[str]:
    """The modules ``secretsfile ARGV`` imports, from ``-X importtime`` on stderr."""
    # this checkout's package, whatever else the interpreter has installed; -S: what site
    # imports (an editable install's finder loads pathlib, tempfile...) would hide ours
    path = os.pathsep.join(filter(None, [str(CHECKOUT), os.environ.get("PYTHONPATH"),
                                         *site.getsitepackages(), site.getusersitepackages()]))
    done = subprocess.run([sys.executable, "-S", "-X", "importtime", "-c", ENTRY, *argv], cwd=cwd,
                          capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": path})  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    ours = done.stderr.partition(MARK)[2]
    return {line.rsplit("|", 1)[1].strip() for line in ours.splitlines()
            if line.startswith("import time:") and "|" in line}  # fmt: skip


def over_budget(modules: set[str]) -> list[str]:
    return sorted(name for name in modules if name in FORBIDDEN_MODULES
                  or name.split(".")[0] in FORBIDDEN_PACKAGES)  # fmt: skip


# exec-env runs a command with subprocess (which imports threading); its records are
# core.record.Records and ops.exporting loads only the deny-list.
_EXEC_ENV_ALLOWED = frozenset({"subprocess", "threading"})
# get renders no JSON unless --json; a key path is parsed (ops.treepath) there.
# encrypt: the emitter's "would lastmodified read back as a time?" is answered without
# datetime (a UTC time with valid fields); set: a bracketed key path (`["db"]`) is parsed
# with json by ops.treepath.
_ENCRYPT_ALLOWED: frozenset[str] = frozenset()
_TEXTCONV_ALLOWED: frozenset[str] = frozenset()
_SET_ALLOWED = frozenset({"json"})
# the merge driver (lean: no Typer, Click or rich); ops/merging imports copy at the top.
_MERGE_ALLOWED = frozenset({"copy"})
# pathlib costs ~7 ms per process with what it imports (fnmatch, urllib.parse, ipaddress):
# the file commands, exec-env and the merge driver work on str paths (os.path) and make a
# Path only on demand.
_PATHLIB_AND_CO = frozenset({"pathlib", "urllib", "ipaddress", "fnmatch"})
# Every hot command: no typing (~4 ms per process; the modules they load import it for mypy
# only, behind a local ``TYPE_CHECKING = False``). The read-only commands and encrypt: no
# contextlib either (~0.7 ms, ``_fileio.lazy_contextmanager``; writes and subprocess load it).
_LEAN_COMMANDS = ("decrypt", "get", "git", "encrypt")
_NOT_FOR_READS = frozenset({"typing", "contextlib"})
_DECRYPT_NEVER = ("secretsfile.ops.treepath", "secretsfile.ops.tree_match",
                  "secretsfile.ops.secret_input", "secretsfile.cli.key_options",
                  "secretsfile.keysources.pgp", "secretsfile.keysources.kms",
                  "secretsfile.keysources.hc_vault", "secretsfile.keysources.fernet",
                  "secretsfile.core.shamir", "secretsfile.cli.plaintext_output",
                  "secretsfile.ops.recipients")  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "allowed"),
    [
        (["decrypt", "{f}"], frozenset()),
        (["get", "{f}", "db.password"], frozenset()),
        (["git", "textconv", "{f}"], _TEXTCONV_ALLOWED),
        (["exec-env", "{f}", "true"], _EXEC_ENV_ALLOWED),
        (["encrypt", "{plain}"], _ENCRYPT_ALLOWED),
        (["set", "{f}", '["db"]["user"]', '"root"'], _SET_ALLOWED),
        (["merge", "driver", "{f}", "{ours}", "{f}", "7", "secrets.yaml"], _MERGE_ALLOWED),
    ],
)
def test_hot_commands_stay_within_the_import_budget(sops_file: Path, argv: list[str],
                                                    allowed: frozenset[str]) -> None:
    plain = sops_file.with_name("plain.yaml")
    plain.write_text("db:\n    user: admin\n    port: 5432\napi_token: tok\n")
    ours = sops_file.with_name("ours.yaml")  # the merge driver's %A: rewritten
    ours.write_bytes(sops_file.read_bytes())
    modules = imported([arg.format(f=sops_file, plain=plain, ours=ours) for arg in argv],
                       sops_file.parent)  # fmt: skip
    assert "secretsfile.core.cipher" in modules  # the probe really ran the cipher
    assert [name for name in over_budget(modules) if name not in allowed] == []
    if argv[0] in ("decrypt", "get", "encrypt", "set", "exec-env", "merge"):
        assert sorted(m for m in modules if m.split(".")[0] in _PATHLIB_AND_CO) == []
    if argv[0] in _LEAN_COMMANDS:
        assert sorted(modules & _NOT_FOR_READS) == []
    assert "typing" not in modules
    if argv[0] == "decrypt":
        assert sorted(modules.intersection(_DECRYPT_NEVER)) == []


def test_import_secretsfile_imports_nothing_heavy() -> None:
    code = ("import sys; before = set(sys.modules); import secretsfile; "
            "print('\\n'.join(set(sys.modules) - before))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)  # fmt: skip
    modules = set(done.stdout.split())
    assert modules == {"secretsfile"}  # not even typing: the public names load on first use


def test_decrypt_in_a_project_reads_its_config_without_pyyaml(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """``init``'s own config (comments, a recipients list) is read by the fast reader as a
    str path (no pathlib), and its age recipient loads the age backend only."""
    from secretsfile.cli.main import main

    monkeypatch.chdir(tmp_path)
    assert main(["keygen"]) == 0
    assert main(["init"]) == 0
    path = tmp_path / "secrets.yaml"
    path.write_text("db:\n    password: hunter2\n")
    assert main(["encrypt", "--in-place", str(path)]) == 0
    capsys.readouterr()
    modules = imported(["decrypt", str(path)], tmp_path)
    assert "secretsfile.config.environments" in modules  # the probe really read the config
    assert [name for name in over_budget(modules)
            if name not in ("secretsfile.config.environments", "secretsfile.config.keys")] == []
    assert sorted(modules.intersection(_DECRYPT_NEVER)) == []
    assert sorted(modules & _NOT_FOR_READS) == []
    assert sorted(m for m in modules if m.split(".")[0] in _PATHLIB_AND_CO) == []


# check (the secretsfile-check hook's entry) runs on the lean parser: no Typer, Click or rich,
# no YAML library (the project's files are read by the fast reader), nothing only a write
# needs. What it still loads, through modules it shares with the verbs (issue 14 follow-ups):
# dataclasses/inspect/copy and typing (ops.secrets, ops.reconcile, ops.rekey and the
# secrets/* records), pathlib (the same), json (secrets.placing), hashlib
# (config.project.private_path), the config's recipient parsing.
_CHECK_ALLOWED = frozenset({"dataclasses", "inspect", "copy", "json", "hashlib", "_hashlib",
                            "secretsfile.config.environments", "secretsfile.config.keys"})


def test_the_check_hook_imports_no_cli_framework(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from secretsfile.cli.main import main

    monkeypatch.chdir(tmp_path)
    assert main(["keygen"]) == 0
    assert main(["init"]) == 0
    capsys.readouterr()
    for argv in (["check"], ["check", "--json", "--env", "dev", "--level", "SECRET_EXISTS"]):
        modules = imported(argv, tmp_path)
        assert "secretsfile.ops.project_check" in modules  # the probe really checked
        assert [name for name in over_budget(modules) if name not in _CHECK_ALLOWED] == []
        assert "secretsfile.cli.refs_cmd" not in modules
