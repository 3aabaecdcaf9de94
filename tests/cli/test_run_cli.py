"""``secretsfile run``: secrets reach a real child process (environment or FIFO/file), its exit
code comes back, secretsfile writes nothing on stdout, and no value leaks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.conftest import Runner
from tests.loader_project import PEM, PROD, Project, planted
from tests.loader_project import project as project  # the fixture

# The child dumps what it got into a JSON file: its environment (selected names) and files.
CHILD = r"""
import json, os, stat, sys
out, names, file_vars = sys.argv[1], sys.argv[2].split(","), sys.argv[3].split(",")
files = {}
for var in filter(None, file_vars):
    path = os.environ[var]
    mode = os.stat(path).st_mode
    with open(path) as handle:
        first = handle.read()
    with open(path) as handle:
        second = handle.read()
    files[var] = {"path": path, "fifo": stat.S_ISFIFO(mode), "mode": stat.S_IMODE(mode),
                  "first": first, "second": second}
env = {name: os.environ.get(name) for name in names}
json.dump({"env": env, "files": files}, open(out, "w"))
sys.exit(int(os.environ.get("CHILD_EXIT", "0")))
"""


def child(tmp_path: Path, names: str, file_vars: str = "") -> tuple[list[str], Path]:
    out = tmp_path / "child.json"
    return [sys.executable, "-c", CHILD, str(out), names, file_vars], out


def test_variables_arrive_and_exit_code_returns(project: Project, run: Runner,
                                                tmp_path: Path) -> None:
    command, out = child(tmp_path, "DB_USER,DB_PASSWORD,API_TOKEN,TLS_KEY,"
                         "SECRETSFILE_AGE_KEY_DEV,PATH")
    result = run("run", "--env", "dev", "--", *command)
    assert result.code == 0, result.stderr
    assert result.stdout == ""
    got = json.loads(out.read_text())["env"]
    assert got["DB_USER"] == "dev-PLANTED-user"
    assert got["DB_PASSWORD"] == "dev-PLANTED-pw%0A::x<<y"
    assert got["API_TOKEN"] == "dev-PLANTED-token"
    assert got["TLS_KEY"] == PEM
    assert got["SECRETSFILE_AGE_KEY_DEV"] is None  # key material stays with secretsfile
    assert got["PATH"] == os.environ["PATH"]
    assert planted(result.output) == []


def test_child_exit_code(project: Project, run: Runner) -> None:
    result = run("run", "--env", "dev", "--", sys.executable, "-c",
                 "import os, sys; sys.exit(3 if os.environ['API_TOKEN'] else 9)")
    assert result.code == 3
    assert result.stdout == "" and result.stderr == ""


def test_killed_child_reports_128_plus_signal(project: Project, run: Runner) -> None:
    result = run("run", "--env", "dev", "--", sys.executable, "-c",
                 "import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
    assert result.code == 128 + signal.SIGKILL


def test_only(project: Project, run: Runner, tmp_path: Path) -> None:
    command, out = child(tmp_path, "DB_USER,API_TOKEN")
    result = run("run", "-e", "prod", "--only", "db", "--", *command)
    assert result.code == 0, result.stderr
    assert json.loads(out.read_text())["env"] == {"DB_USER": "prod-PLANTED-user",
                                                  "API_TOKEN": None}


def test_existing_variable_wins_unless_override(project: Project, run: Runner, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_TOKEN", "from-the-shell")
    command, out = child(tmp_path, "API_TOKEN")
    result = run("run", "-e", "prod", "--", *command)
    assert result.code == 0
    assert json.loads(out.read_text())["env"]["API_TOKEN"] == "from-the-shell"
    assert "API_TOKEN" in result.stderr and "--override" in result.stderr
    assert planted(result.output) == [] and "from-the-shell" not in result.output
    result = run("run", "-e", "prod", "--override", "--", *command)
    assert json.loads(out.read_text())["env"]["API_TOKEN"] == "prod-PLANTED-token"
    assert result.stderr == ""


@pytest.mark.parametrize("kind", ["fifo", "file"])
def test_file_handoff(project: Project, run: Runner, tmp_path: Path, kind: str) -> None:
    command, out = child(tmp_path, "TLS_KEY,DB_PASSWORD,DB_USER", "KEY_PATH,PW_PATH")
    result = run("run", "-e", "dev", "--file-kind", kind, "--file", "tls-key=KEY_PATH",
                 "--file", "db.password=PW_PATH", "--", *command)
    assert result.code == 0, result.stderr
    got = json.loads(out.read_text())
    key, pw = got["files"]["KEY_PATH"], got["files"]["PW_PATH"]
    assert key["first"] == key["second"] == PEM  # read twice: served again
    assert pw["first"] == "dev-PLANTED-pw%0A::x<<y"
    assert key["fifo"] is (kind == "fifo")
    assert key["mode"] == 0o600
    # the handed-over values are not also in the environment; the rest is
    assert got["env"] == {"TLS_KEY": None, "DB_PASSWORD": None, "DB_USER": "dev-PLANTED-user"}
    directory = Path(key["path"]).parent
    assert not directory.exists()  # removed when the child exited
    if Path("/dev/shm").is_dir():
        assert str(directory).startswith("/dev/shm/")
    assert planted(result.output) == []


def test_fifo_never_opened_is_cleaned_up(project: Project, run: Runner,
                                         tmp_path: Path) -> None:
    where = tmp_path / "where"
    result = run("run", "-e", "dev", "--file", "api-token=TOKEN_PATH", "--", sys.executable,
                 "-c", f"import os, pathlib; pathlib.Path({str(where)!r})"
                 ".write_text(os.environ['TOKEN_PATH'])")
    assert result.code == 0, result.stderr
    assert not Path(where.read_text()).parent.exists()


def test_file_spec_errors(project: Project, run: Runner) -> None:
    result = run("run", "-e", "dev", "--file", "db=DB_PATH", "--", "true")
    assert result.code == 2 and "db.user" in result.stderr
    result = run("run", "-e", "dev", "--file", "nonsense", "--", "true")
    assert result.code == 2 and "NAME=VAR" in result.stderr
    result = run("run", "-e", "dev", "--file", "api-tokn=X", "--", "true")
    assert result.code == 2 and "did you mean 'api-token'" in result.stderr
    assert planted(result.output) == []


def test_command_not_found(project: Project, run: Runner) -> None:
    result = run("run", "-e", "dev", "--", "no-such-command-xyz", "arg")
    assert result.code == 127
    assert result.stderr == "error: command not found: no-such-command-xyz\n"


@pytest.mark.parametrize(
    ("args", "code", "expected"),
    [
        (["-e", "prdo"], 5, "unknown environment 'prdo' "),
        (["-e", "dev", "--only", "api-tokn"], 2, "did you mean 'api-token'?"),
    ],
)
def test_bad_input(project: Project, run: Runner, args: list[str], code: int,
                   expected: str) -> None:
    result = run("run", *args, "--", "true")
    assert result.code == code
    assert expected in result.stderr and result.stderr.count("\n") == 1
    assert "Traceback" not in result.output and planted(result.output) == []


def test_no_key_for_the_environment(project: Project, run: Runner,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRETSFILE_AGE_KEY_PROD")
    monkeypatch.setenv("SECRETSFILE_AGE_KEY", project.dev_key)  # a key, but not prod's
    result = run("run", "-e", "prod", "--", "true")
    assert result.code == 3
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "SECRETSFILE_AGE_KEY_PROD" in result.stderr
    assert planted(result.output) == [] and "AGE-SECRET-KEY" not in result.output


def test_missing_config(run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("run", "--", "true")
    assert result.code == 5
    assert "no environments configured" in result.stderr and "secretsfile init" in result.stderr


def _subprocess_env(project: Project) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    return env


def test_stdout_is_only_the_childs(project: Project) -> None:
    """End to end, a real process: stdout carries the child's output and nothing else."""
    result = subprocess.run(
        [sys.executable, "-m", "secretsfile", "run", "--env", "dev", "--", sys.executable, "-c",
         "import os; print('child says', len(os.environ['API_TOKEN']))"],
        capture_output=True, text=True, env=_subprocess_env(project), cwd=project.root,
        timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"child says {len('dev-PLANTED-token')}\n"
    assert result.stderr == ""


def test_signals_are_forwarded(project: Project, tmp_path: Path) -> None:
    ready, got = tmp_path / "ready", tmp_path / "got"
    script = (
        "import signal, sys, time, pathlib\n"
        f"def on_term(n, f):\n    pathlib.Path({str(got)!r}).write_text(str(n)); sys.exit(42)\n"
        "signal.signal(signal.SIGTERM, on_term)\n"
        f"pathlib.Path({str(ready)!r}).write_text('1')\n"
        "time.sleep(60)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "secretsfile", "run", "--env", "dev", "--", sys.executable, "-c",
         script], env=_subprocess_env(project), cwd=project.root,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ready.exists()
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 42, err
    assert got.read_text() == str(int(signal.SIGTERM))
    assert out == "" and planted(out + err) == []


def test_no_key_material_reaches_the_child(project: Project, run: Runner, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Key text, key files and key commands all stay with secretsfile: a path to a key is
    as good as the key to the child."""
    key_vars = {"SOPS_AGE_KEY": "AGE-SECRET-KEY-1NOTREAL",
                "SECRETSFILE_FERNET_KEY": "not-a-real-fernet-key",
                "SOPS_AGE_KEY_FILE": "/some/path", "SECRETSFILE_AGE_KEY_FILE": "/other",
                "SOPS_AGE_KEY_CMD": "cat /some/path",
                "SOPS_AGE_SSH_PRIVATE_KEY_FILE": "/id_ed25519",
                "SECRETSFILE_FERNET_KEY_FILE": "/fernet"}
    for name, value in key_vars.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SECRETSFILE_CONFIG_NOT_A_KEY", "kept")
    command, out = child(tmp_path, ",".join([*key_vars, "SECRETSFILE_CONFIG_NOT_A_KEY"]))
    assert run("run", "--env", "dev", "--", *command).code == 0
    got = json.loads(out.read_text())["env"]
    assert got == {**dict.fromkeys(key_vars), "SECRETSFILE_CONFIG_NOT_A_KEY": "kept"}


def test_key_of_an_environment_named_like_a_file_variable(project: Project, run: Runner,
                                                           tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """The environment 'x-file' reads its key from SECRETSFILE_AGE_KEY_X_FILE, which ends
    like a key-file variable: it is key text all the same and never reaches the child."""
    config = project.root / ".secretsfile.yaml"
    config.write_text(config.read_text()
                      + f"  x-file: {{recipients: [{project.prod_recipient}]}}\n")
    project.write("x-file", PROD)
    monkeypatch.delenv("SECRETSFILE_AGE_KEY_PROD")
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_X_FILE", project.prod_key)
    command, out = child(tmp_path, "SECRETSFILE_AGE_KEY_X_FILE,DB_PASSWORD")
    result = run("run", "--env", "x-file", "--", *command)
    assert result.code == 0, result.stderr
    got = json.loads(out.read_text())["env"]
    assert got == {"SECRETSFILE_AGE_KEY_X_FILE": None, "DB_PASSWORD": "prod-PLANTED-pw"}
    assert "AGE-SECRET-KEY" not in result.output


@pytest.mark.parametrize(("secret", "variable"), [
    ("ld-preload", "LD_PRELOAD"), ("path", "PATH"), ("bash-env", "BASH_ENV"),
    ("pythonpath", "PYTHONPATH"), ("node-options", "NODE_OPTIONS"),
    ("git-ssh-command", "GIT_SSH_COMMAND"), ("home", "HOME"),
])
def test_secrets_may_not_set_variables_that_change_how_programs_run(
        project: Project, run: Runner, tmp_path: Path, secret: str, variable: str) -> None:
    project.write("prod", {**PROD, secret: "prod-PLANTED-hostile"})
    command, out = child(tmp_path, variable)
    result = run("run", "-e", "prod", "--override", "--", *command)
    assert result.code == 2 and not out.exists()  # the child never ran
    assert f"refusing to set {variable} (from secret {secret!r}" in result.stderr
    assert f"--allow {variable}" in result.stderr and result.stderr.count("\n") == 1
    assert "prod-PLANTED-hostile" not in result.output and planted(result.output) == []
    result = run("run", "-e", "prod", "--override", "--allow", variable, "--", *command)
    assert result.code == 0, result.stderr
    assert json.loads(out.read_text())["env"] == {variable: "prod-PLANTED-hostile"}


def test_a_group_key_and_a_file_variable_are_checked_too(project: Project, run: Runner,
                                                         tmp_path: Path) -> None:
    project.write("prod", {**PROD, "ld": {"preload": "prod-PLANTED-lib", "x": "y"}})
    result = run("run", "-e", "prod", "--", "true")
    assert result.code == 2
    assert "LD_PRELOAD (from secret 'ld' (key 'preload')" in result.stderr
    result = run("run", "-e", "prod", "--only", "db", "--file", "db.user=BASH_ENV", "--",
                 "true")
    assert result.code == 2 and "BASH_ENV (from --file db.user=BASH_ENV" in result.stderr
    assert planted(result.output) == [] and "prod-PLANTED-lib" not in result.output
    result = run("run", "-e", "prod", "--only", "db", "--file", "db.user=A=B", "--", "true")
    assert result.code == 2 and "not a variable name" in result.stderr
