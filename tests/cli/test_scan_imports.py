"""The hook entry (``python -m secretsfile.cli.scan``) stays lean: a scan and a
check-encrypted run import neither the secret-prompting helpers (``cli.common`` →
``ops.secret_input``) nor rich (only drawn for a terminal's progress bar or help)."""

from __future__ import annotations

import os
import site
import subprocess
import sys
from pathlib import Path

import pytest

NOT_ON_THE_HOOK_PATH = ("secretsfile.cli.common", "secretsfile.ops.secret_input",
                        "secretsfile.cli.main", "rich")  # fmt: skip
PROBE = """
import sys
from secretsfile.cli.scan import main
main(sys.argv[1:])
print("\\n".join(sys.modules))
"""


@pytest.mark.parametrize("argv", [["scan", "--no-git", "--no-baseline"], ["check-encrypted"]])
def test_hook_commands_import_no_prompting_and_no_rich(tmp_path: Path, argv: list[str]) -> None:
    (tmp_path / "app.py").write_text("print('hello')\n")
    done = subprocess.run([sys.executable, "-c", PROBE, *argv, "app.py"], cwd=tmp_path,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.split())
    assert "secretsfile.ops.scanning" in loaded or "secretsfile.ops.check_encrypted" in loaded
    assert [name for name in NOT_ON_THE_HOOK_PATH if name in loaded] == []


#: What a staged scan (the commit hook) no longer loads (issue 14): git runs through
#: os.posix_spawnp (git/run.py), paths are str on os.path (pathlib loads fnmatch,
#: urllib.parse, ipaddress).
NOT_ON_THE_STAGED_SCAN = ("subprocess", "threading", "selectors", "locale", "fcntl",
                          "_posixsubprocess", "concurrent", "multiprocessing", "pathlib",
                          "fnmatch", "urllib", "ipaddress", "ntpath")  # fmt: skip


def test_the_staged_scan_spawns_git_without_subprocess(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "app.py").write_text("print('hello')\n")
    subprocess.run(["git", "-C", str(tmp_path), "add", "app.py"], check=True)
    # -S: what site imports (an editable install's finder, .pth files) would hide ours
    path = os.pathsep.join([str(Path(__file__).resolve().parents[2]), *site.getsitepackages()])
    done = subprocess.run([sys.executable, "-S", "-c", PROBE, "scan", "--staged", "app.py"],
                          cwd=tmp_path, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": path})  # fmt: skip
    assert done.returncode == 0, done.stderr
    loaded = set(done.stdout.split())
    assert "secretsfile.git.sources" in loaded
    assert [name for name in NOT_ON_THE_STAGED_SCAN if name in loaded] == []
