"""The composite GitHub Action: inputs reach ``run:`` scripts only through ``env:``, and its
export script, run with bash as the runner would, fills $GITHUB_ENV with the values."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.cli.test_ci_export import PROD_VARS, parse_github_env
from tests.loader_project import Project, planted
from tests.loader_project import project as project  # the fixture

ACTION = Path(__file__).resolve().parents[1] / "action.yml"


def action() -> dict[str, Any]:
    data = yaml.safe_load(ACTION.read_text())
    assert isinstance(data, dict)
    return data


def steps() -> list[dict[str, Any]]:
    return list(action()["runs"]["steps"])


def test_is_a_composite_action_with_shells() -> None:
    data = action()
    assert data["runs"]["using"] == "composite"
    assert {"env", "key", "format"} <= set(data["inputs"])
    assert data["inputs"]["env"]["required"] is True
    for step in steps():
        if "run" in step:
            assert step.get("shell") == "bash", step.get("name")


def test_no_expression_inside_any_run_script() -> None:
    """``${{ inputs.x }}`` in a script is template injection; inputs come in via env:."""
    for step in steps():
        script = step.get("run", "")
        assert "${{" not in script, step.get("name")


def test_the_key_only_reaches_the_export_step_through_env() -> None:
    text = ACTION.read_text()
    assert text.count("inputs.key") == 1
    export = next(step for step in steps() if step.get("id") == "export")
    assert export["env"]["SF_KEY"] == "${{ inputs.key }}"
    assert "SECRETSFILE_AGE_KEY" not in export["env"]  # a job-level key is not clobbered
    assert "secrets." not in "".join(step.get("run", "") for step in steps())


def test_outputs_are_names_and_a_path_only() -> None:
    outputs = action()["outputs"]
    assert list(outputs) == ["names", "file"]


def _runner(project: Project, tmp_path: Path) -> tuple[dict[str, str], Path, Path]:
    """The export step's environment as the runner sets it up; (env, GITHUB_ENV,
    GITHUB_OUTPUT)."""
    wrapper = tmp_path / "secretsfile"
    wrapper.write_text(f'#!/bin/sh\nexec {sys.executable} -m secretsfile "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    github_env, github_output = tmp_path / "env", tmp_path / "output"
    github_env.write_text("")
    github_output.write_text("")
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECRETSFILE_AGE_KEY")}
    env.update({
        "PYTHONPATH": str(ACTION.parent), "RUNNER_TEMP": str(runner_temp),
        "GITHUB_ENV": str(github_env), "GITHUB_OUTPUT": str(github_output),
        "SF_ENV": "prod", "SF_FORMAT": "github", "SF_ONLY": "db, api-token", "SF_ALLOW": "",
        "SF_OUTPUT": "", "SF_ALLOW_MISSING_KEY": "false", "SF_KEY": project.prod_key,
        "SF_BIN": str(wrapper),
    })
    return env, github_env, github_output


def _export(project: Project, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    export = next(step for step in steps() if step.get("id") == "export")
    return subprocess.run(["bash", "-c", export["run"]], cwd=project.root, env=env,
                          capture_output=True, text=True, timeout=60)


def _only_masks(stdout: str) -> set[str]:
    """stdout holds ::add-mask:: lines and nothing else (the runner hides those)."""
    assert all(line.startswith("::add-mask::") for line in stdout.splitlines()), stdout
    return {line[len("::add-mask::"):] for line in stdout.splitlines()}


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_export_script_runs_as_the_runner_would(project: Project, tmp_path: Path) -> None:
    env, github_env, _ = _runner(project, tmp_path)
    result = _export(project, env)
    assert result.returncode == 0, result.stderr
    assert parse_github_env(github_env.read_text()) == PROD_VARS
    assert _only_masks(result.stdout) == set(PROD_VARS.values())
    assert planted(result.stderr) == []
    # a fork's pull request: no key, allowed to skip
    env.update({"SF_KEY": "", "SF_ALLOW_MISSING_KEY": "true"})
    github_env.write_text("")
    result = _export(project, env)
    assert result.returncode == 0 and github_env.read_text() == ""
    assert "exporting nothing" in result.stderr


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("fmt", ["dotenv", "json", "gitlab"])
def test_other_formats_go_to_a_private_file_never_to_the_log(project: Project,
                                                             tmp_path: Path, fmt: str) -> None:
    env, github_env, github_output = _runner(project, tmp_path)
    env["SF_FORMAT"] = fmt
    result = _export(project, env)
    assert result.returncode == 0, result.stderr
    assert _only_masks(result.stdout) == set(PROD_VARS.values())  # masked, then the file
    assert planted(result.stderr) == [] and github_env.read_text() == ""
    expected = Path(env["RUNNER_TEMP"]) / f"secretsfile-prod.{'json' if fmt == 'json' else 'env'}"
    assert github_output.read_text() == f"file={expected}\n"
    assert stat.S_IMODE(expected.stat().st_mode) == 0o600
    assert planted(expected.read_text()) == sorted(PROD_VARS.values())
    # a chosen path; and 'output' makes no sense with format github
    chosen = tmp_path / "chosen.txt"
    env["SF_OUTPUT"] = str(chosen)
    result = _export(project, env)
    assert result.returncode == 0 and planted(chosen.read_text()) == sorted(PROD_VARS.values())
    assert _only_masks(result.stdout) == set(PROD_VARS.values())
    env["SF_FORMAT"] = "github"
    result = _export(project, env)
    assert result.returncode == 2 and "'output' applies to" in result.stderr
    assert result.stdout == "" and github_env.read_text() == ""


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_allow_reaches_the_cli(project: Project, tmp_path: Path) -> None:
    project.write("prod", {"node-options": "--require=/PLANTED.js"})
    env, github_env, _ = _runner(project, tmp_path)
    env["SF_ONLY"] = ""
    result = _export(project, env)
    assert result.returncode == 2 and "--allow NODE_OPTIONS" in result.stderr
    assert "PLANTED" not in result.stdout + result.stderr
    env["SF_ALLOW"] = "NODE_OPTIONS"
    result = _export(project, env)
    assert result.returncode == 0, result.stderr
    assert parse_github_env(github_env.read_text()) == {"NODE_OPTIONS": "--require=/PLANTED.js"}
