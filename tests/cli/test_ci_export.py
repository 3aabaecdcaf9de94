"""``secretsfile ci export``: GitHub (masks, then $GITHUB_ENV heredocs parsed back with the
runner's rules), GitLab, dotenv and JSON; refusals; no value where it does not belong."""

from __future__ import annotations

import io
import json
import shutil
import stat
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from secretsfile.ops.exporting import github as exporting
from secretsfile.ops.files import EncryptOptions, encrypt_file
from secretsfile.ops.recipients import KeyOptions
from tests.cli.conftest import Runner
from tests.loader_project import DEV, PEM, PROD, Project, planted
from tests.loader_project import project as project  # the fixture

DEV_VARS = {"DB_USER": DEV["db"]["user"], "DB_PASSWORD": DEV["db"]["password"],  # type: ignore[index]
            "API_TOKEN": DEV["api-token"], "TLS_KEY": PEM}
PROD_VARS = {"DB_USER": "prod-PLANTED-user", "DB_PASSWORD": "prod-PLANTED-pw",
             "API_TOKEN": "prod-PLANTED-token"}


def parse_github_env(text: str) -> dict[str, str]:
    """$GITHUB_ENV as the runner reads it (actions/runner SetEnvFileCommand, Linux):
    ``NAME=VALUE`` split at the first ``=``, or ``NAME<<DELIM`` then every line up to the first
    line equal to DELIM, without the newline before it. Anything else is an error."""
    result: dict[str, str] = {}
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if not line:
            continue
        equals, heredoc = line.find("="), line.find("<<")
        if equals >= 0 and (heredoc < 0 or equals < heredoc):
            name, value = line.split("=", 1)
        elif heredoc >= 0:
            name, delimiter = line.split("<<", 1)
            assert name and delimiter, f"invalid heredoc line {line!r}"
            body: list[str] = []
            while True:
                assert i < len(lines), f"matching delimiter not found {delimiter!r}"
                current = lines[i]
                i += 1
                if current == delimiter:
                    break
                body.append(current)
            value = "\n".join(body)
        else:
            raise AssertionError(f"invalid format {line!r}")
        result[name] = value
    return result


def unmask(line: str) -> str:
    assert line.startswith("::add-mask::"), line
    return line[len("::add-mask::"):].replace("%0A", "\n").replace("%0D", "\r").replace(
        "%25", "%")


@pytest.fixture
def github(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    env_file, output_file = tmp_path / "github_env", tmp_path / "github_output"
    env_file.write_text("EARLIER=kept\n")
    monkeypatch.setenv("GITHUB_ENV", str(env_file))
    monkeypatch.setenv("GITHUB_OUTPUT", str(output_file))
    return env_file, output_file


def test_github_masks_first_then_heredocs(project: Project, run: Runner,
                                          github: tuple[Path, Path]) -> None:
    env_file, output_file = github
    result = run("ci", "export", "--env", "dev", "--format", "github")
    assert result.code == 0, result.stderr
    # stdout: only ::add-mask:: lines; each value, and each line of the multi-line one
    lines = result.stdout.splitlines()
    assert lines and all(line.startswith("::add-mask::") for line in lines)
    masked = {unmask(line) for line in lines}
    assert set(DEV_VARS.values()) <= masked
    assert {line for line in PEM.splitlines() if line.strip()} <= masked
    assert "%0A" in result.stdout  # the PEM, escaped onto one line
    assert unmask(f"::add-mask::{exporting._mask_escape(DEV_VARS['DB_PASSWORD'])}") == \
        DEV_VARS["DB_PASSWORD"]  # a literal '%0A' in a value survives the escaping
    # $GITHUB_ENV: appended, and the runner's parse gives back exactly the values
    parsed = parse_github_env(env_file.read_text())
    assert parsed == {"EARLIER": "kept", **DEV_VARS}
    assert output_file.read_text() == "names=DB_USER,DB_PASSWORD,API_TOKEN,TLS_KEY\n"
    assert "exported 4 variables from dev" in result.stderr
    assert planted(result.stderr) == []


def test_random_delimiter_never_occurs_in_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    taken = uuid.UUID(int=1)
    values = iter([taken, taken, uuid.UUID(int=2), uuid.UUID(int=3)])
    monkeypatch.setattr(exporting.uuid, "uuid4", lambda: next(values))
    tricky = {"X": f"line\nghadelimiter_{taken}\nmore\n", "EMPTY": ""}
    text = exporting.github_env_text(tricky)
    assert f"X<<ghadelimiter_{uuid.UUID(int=2)}\n" in text
    assert parse_github_env(text) == tricky


@pytest.mark.parametrize("value", ["", "trailing newline\n", "p@ss=word<<x%20", "a\r\nb",
                                   "\n\nleading", "EOF\nEOF", "ünï\tcode"])
def test_github_env_round_trip(value: str) -> None:
    assert parse_github_env(exporting.github_env_text({"V": value})) == {"V": value}


@pytest.mark.parametrize(("secret", "variable"), [
    ("github-token", "GITHUB_TOKEN"), ("runner-temp", "RUNNER_TEMP"),
    ("node-options", "NODE_OPTIONS"), ("path", "PATH"), ("ld-preload", "LD_PRELOAD"),
    ("ld-library-path", "LD_LIBRARY_PATH"), ("bash-env", "BASH_ENV"),
    ("pythonpath", "PYTHONPATH"), ("java-tool-options", "JAVA_TOOL_OPTIONS"),
    ("git-ssh-command", "GIT_SSH_COMMAND"), ("home", "HOME"),
    ("actions-runtime-token", "ACTIONS_RUNTIME_TOKEN"), ("sops-age-key-file", "SOPS_AGE_KEY_FILE"),
])
def test_github_refuses_variables_that_change_how_programs_run(
        project: Project, run: Runner, github: tuple[Path, Path], secret: str,
        variable: str) -> None:
    project.write("prod", {**PROD, secret: "prod-PLANTED-reserved"})
    result = run("ci", "export", "-e", "prod")
    assert result.code == 2
    assert f"refusing to set {variable} (from secret {secret!r}" in result.stderr
    assert f"--allow {variable}" in result.stderr and result.stderr.count("\n") == 1
    assert result.stdout == ""
    assert github[0].read_text() == "EARLIER=kept\n"
    assert planted(result.output) == [] and "prod-PLANTED-reserved" not in result.output
    result = run("ci", "export", "-e", "prod", "--only", "db", "--only", "api-token")
    assert result.code == 0
    assert parse_github_env(github[0].read_text()) == {"EARLIER": "kept", **PROD_VARS}


@pytest.mark.parametrize("fmt", ["dotenv", "json", "gitlab"])
def test_every_format_refuses_them_unless_allowed(project: Project, run: Runner,
                                                  tmp_path: Path, fmt: str) -> None:
    project.write("prod", {**PROD, "ld": {"preload": "/PLANTED/lib.so"}, "path": "/PLANTED"})
    target = tmp_path / "out"
    result = run("ci", "export", "-e", "prod", "-f", fmt, "-o", target)
    assert result.code == 2 and not target.exists()
    assert ("refusing to set LD_PRELOAD (from secret 'ld' (key 'preload')" in result.stderr
            and "PATH (from secret 'path'" in result.stderr)
    assert "--allow LD_PRELOAD --allow PATH" in result.stderr
    assert "/PLANTED" not in result.output and result.stderr.count("\n") == 1
    result = run("ci", "export", "-e", "prod", "-f", fmt, "-o", target,
                 "--allow", "LD_PRELOAD", "--allow", "path")
    assert result.code == 0, result.stderr
    assert "LD_PRELOAD" in target.read_text() and "/PLANTED/lib.so" in target.read_text()


def test_nul_in_a_value_is_refused(project: Project, run: Runner) -> None:
    project.path("prod").write_text('api-token: "prod-PLANTED\\0token"\n')  # YAML's \0
    encrypt_file(project.path("prod"),
                 EncryptOptions(keys=KeyOptions(age=(project.prod_recipient,))), in_place=True)
    result = run("ci", "export", "-e", "prod", "-f", "dotenv")
    assert result.code == 2 and "API_TOKEN (from secret 'api-token') holds a NUL" in \
        result.stderr
    assert result.stdout == "" and "PLANTED" not in result.output


def test_github_needs_github_env(project: Project, run: Runner) -> None:
    result = run("ci", "export", "-e", "prod", "--format", "github")
    assert result.code == 2
    assert "GITHUB_ENV is not set" in result.stderr and result.stdout == ""


def test_dotenv_round_trips_through_python_dotenv(project: Project, run: Runner) -> None:
    dotenv = pytest.importorskip("dotenv")
    result = run("ci", "export", "-e", "dev", "--format", "dotenv")
    assert result.code == 0, result.stderr
    parsed = dotenv.dotenv_values(stream=io.StringIO(result.stdout), interpolate=False)
    assert parsed == DEV_VARS
    assert planted(result.stderr) == []


HOSTILE: dict[str, Any] = {"api-token": "$(touch pwned)`touch pwned`${HOME}\\\"'%s",
           "db": {"user": "line1\n'; touch pwned; '\nü✓", "password": 'x"; touch pwned; "'}}


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("shell", ["bash", "dash"])
def test_dotenv_is_safe_to_source(project: Project, run: Runner, tmp_path: Path,
                                  shell: str) -> None:
    """``set -a; . FILE`` yields each value byte for byte and runs nothing."""
    if shutil.which(shell) is None:
        pytest.skip(f"needs {shell}")
    project.path("prod").write_text(yaml.safe_dump(HOSTILE, default_style='"'))
    encrypt_file(project.path("prod"),
                 EncryptOptions(keys=KeyOptions(age=(project.prod_recipient,))), in_place=True)
    target = tmp_path / "out.env"
    result = run("ci", "export", "-e", "prod", "-f", "dotenv", "-o", target)
    assert result.code == 0, result.stderr
    work = tmp_path / "work"
    work.mkdir()
    script = "set -a; . " + str(target) + "\n" + "".join(
        f'printf %s "${var}" > {var}\n' for var in ("API_TOKEN", "DB_USER", "DB_PASSWORD"))
    done = subprocess.run([shell, "-c", script], cwd=work, capture_output=True, timeout=60)
    assert done.returncode == 0 and done.stderr == b""
    assert sorted(p.name for p in work.iterdir()) == ["API_TOKEN", "DB_PASSWORD", "DB_USER"]
    assert (work / "API_TOKEN").read_bytes() == HOSTILE["api-token"].encode()
    assert (work / "DB_USER").read_text() == HOSTILE["db"]["user"]
    assert (work / "DB_PASSWORD").read_text() == HOSTILE["db"]["password"]


def test_json(project: Project, run: Runner) -> None:
    result = run("ci", "export", "-e", "prod", "--format", "json")
    assert result.code == 0
    assert json.loads(result.stdout) == PROD_VARS


def test_gitlab(project: Project, run: Runner) -> None:
    result = run("ci", "export", "-e", "prod", "--format", "gitlab")
    assert result.code == 0
    assert result.stdout == "".join(f"{k}={v}\n" for k, v in PROD_VARS.items())
    assert "not mask" in result.stderr
    result = run("ci", "export", "-e", "dev", "--format", "gitlab")
    assert result.code == 2
    assert "cannot write DB_PASSWORD, TLS_KEY as a GitLab dotenv report" in result.stderr
    assert result.stdout == "" and planted(result.output) == []


def test_output_file(project: Project, run: Runner, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    result = run("ci", "export", "-e", "prod", "-f", "json", "-o", target)
    assert result.code == 0 and result.stdout == ""
    assert json.loads(target.read_text()) == PROD_VARS
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    result = run("ci", "export", "-e", "prod", "-o", target)
    assert result.code == 2 and "--output" in result.stderr


def test_mask_prints_masks_then_writes_the_file(project: Project, run: Runner,
                                               tmp_path: Path) -> None:
    target = tmp_path / "out.env"
    result = run("ci", "export", "-e", "dev", "-f", "dotenv", "--mask")
    assert result.code == 2 and "--mask needs --output" in result.stderr
    assert result.stdout == "" and planted(result.output) == []
    result = run("ci", "export", "-e", "dev", "-f", "dotenv", "-o", target, "--mask")
    assert result.code == 0, result.stderr
    masked = {unmask(line) for line in result.stdout.splitlines()}
    assert set(DEV_VARS.values()) <= masked
    assert stat.S_IMODE(target.stat().st_mode) == 0o600 and "TLS_KEY=" in target.read_text()


def test_missing_key(project: Project, run: Runner, github: tuple[Path, Path],
                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRETSFILE_AGE_KEY_PROD")
    result = run("ci", "export", "-e", "prod")
    assert result.code == 3
    assert "SECRETSFILE_AGE_KEY_PROD" in result.stderr and result.stderr.count("\n") == 1
    result = run("ci", "export", "-e", "prod", "--allow-missing-key")
    assert result.code == 0 and "exporting nothing" in result.stderr
    assert result.stdout == "" and github[0].read_text() == "EARLIER=kept\n"
    assert planted(result.output) == []


def test_key_from_the_generic_variable(project: Project, run: Runner,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRETSFILE_AGE_KEY_PROD")
    monkeypatch.setenv("SECRETSFILE_AGE_KEY", project.prod_key)
    result = run("ci", "export", "-e", "prod", "-f", "json")
    assert result.code == 0 and json.loads(result.stdout) == PROD_VARS


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (["-e", "prdo"], 5, "did you mean 'prod'?"),
        (["-e", "prod", "--only", "db-pasword"], 2, "not found in prod"),
        (["-e", "prod", "-f", "yaml"], 2, "yaml"),
    ],
)
def test_bad_input(project: Project, run: Runner, args: list[str], code: int,
                   expected: str) -> None:
    result = run("ci", "export", *args, "-f", "json") if "-f" not in args else \
        run("ci", "export", *args)
    assert result.code == code
    assert expected in result.stderr
    assert "Traceback" not in result.output and planted(result.output) == []


def test_collision_is_an_error(project: Project, run: Runner) -> None:
    project.write("prod", {**PROD, "db-user": "prod-PLANTED-other"})
    result = run("ci", "export", "-e", "prod", "-f", "json")
    assert result.code == 1
    assert "both map to the variable DB_USER" in result.stderr
    assert result.stdout == "" and planted(result.output) == []
