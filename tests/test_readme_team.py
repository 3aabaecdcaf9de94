"""The README's "Team workflow" walk-through runs exactly as written: alice, bob, carol and a
CI key, each with their own HOME, in a real git repository, through the installed CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
MARKER = "<!-- team-workflow -->\n```bash\n"
PLANTED = "s3cret-pg-pass"  # the database password the walk-through stores

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")


def _walkthrough() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(MARKER) + len(MARKER)
    return text[start:text.index("```\n", start)]


def _environment() -> dict[str, str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("SECRETSFILE_", "SOPS_", "XDG_"))}
    # the CLI as a user has it: `secretsfile` from this interpreter's scripts directory
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_the_team_workflow_runs_as_written(tmp_path: Path) -> None:
    script = tmp_path / "walkthrough.sh"
    script.write_text(_walkthrough(), encoding="utf-8")
    result = subprocess.run(["bash", str(script)], cwd=tmp_path, env=_environment(),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert out.splitlines()[0] == "app"  # bob reads prod once alice added him
    assert "missing recipient" in out and "(carol)" in out  # the PR's check names her
    assert "check failed: prod is not encrypted for carol yet" in out
    assert "prod\tsecrets/prod.yaml\tcan read" in out  # carol's whoami
    assert "dev\tsecrets/dev.yaml\tcannot read" in out
    assert "\tci\n" in out and "\tbob\n" in out  # recipients list shows the names
    assert out.rstrip().endswith("bob can no longer read prod")
    assert PLANTED not in out + result.stderr
    config = (tmp_path / "repo" / ".secretsfile.yaml").read_text(encoding="utf-8")
    assert "# carol" in config  # the label carol's pull request wrote survived every edit
    assert "name: bob" not in config  # bob left every environment
