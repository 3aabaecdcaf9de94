"""``secretsfile check`` on both paths (``cli/check.py``): the lean parser (the
secretsfile-check hook, no Typer) and the Typer command give the same stdout, stderr and
exit code for every option, in a real project with reference, schema and recipient problems
and once they are fixed; anything the lean parser does not handle is Typer's."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from secretsfile.cli import lean
from secretsfile.cli.main import main
from secretsfile.config.project import load as project
from secretsfile.keysources.age import default_key_file
from secretsfile.ops.secrets import save_secret
from secretsfile.secrets.model import Secret
from tests.cli.conftest import Runner

PLANTED = "pw-PLANTED-check-1"
KEY: list[bytes] = []  # the user's key file while it is put aside
CAROL = "age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg"
ARGVS = [
    [], ["--env", "prod"], ["-e", "dev"], ["--env=nope"], ["--level", "NONE"],
    ["--level=SECRET_EXISTS"], ["--level", "bogus"], ["--level", ""], ["--json"],
    ["--json", "-e", "prod", "--no-recipients"], ["--recipients"], ["--no-recipients"],
    ["--schemas"], ["--no-schemas", "--no-recipients"], ["app.yaml"],
    ["app.yaml", "--schemas", "--recipients"], ["--", "app.yaml", "blob.bin"],
    ["app.yaml", "missing.yaml"], ["--config", ".secretsfile.yaml"], ["--config", "nope.yaml"],
    ["--json", "app.yaml", "--env", "dev", "--level", "SECRET_EXISTS"],
]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: Runner) -> Path:
    """An ``init``ed dev/prod project: a postgres-schema secret without its required fields,
    a references file with a misspelt key and a broken reference, a binary file among the
    references, and a recipient in the config that prod's file is not encrypted for."""
    monkeypatch.chdir(tmp_path)
    assert run("keygen").code == 0
    assert run("init", "--env", "dev", "--env", "prod").code == 0
    config = project()
    save_secret(config, config.choose("prod"), Secret(
        "app-db", "prod", values={"user": "u", "password": PLANTED}, schema="postgres"),
        create=True)
    path = tmp_path / ".secretsfile.yaml"
    text = path.read_text() + "references: [app.yaml, blob.bin]\n"
    path.write_text(text.replace("recipients:\n", f"recipients:\n      - {CAROL}\n", 1)
                    if "recipients:\n" in text else text.replace("recipients: [",
                                                                 f"recipients: [{CAROL}, ", 1))
    (tmp_path / "app.yaml").write_text("db: {{ app-db.password }}\nhost: {{ app-db.hots }}\n"
                                       "bad: {{ app-db.user }\n")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01{{ nope }}")
    KEY[:] = [default_key_file().read_bytes()]
    default_key_file().unlink()  # check reads names, keys and recipients: no key
    return tmp_path


def both(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[tuple[int, str, str], ...]:
    """(exit code, stdout, stderr) of ``argv`` on the lean path, then on Typer's."""
    runs = []
    for runner in (lean.run, main):
        capsys.readouterr()
        code = runner(argv)
        assert code is not None, argv  # the lean parser took it
        captured = capsys.readouterr()
        runs.append((code, captured.out, captured.err))
    return tuple(runs)


def test_lean_and_typer_agree_on_every_option(repo: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    codes, seen = set(), {}
    for fixed in (False, True):
        if fixed:  # every problem solved: the OK summaries
            fix(repo)
        for argv in ARGVS:
            for quiet in ([], ["-q"]):
                lean_run, typer_run = both([*quiet, "check", *argv], capsys)
                assert lean_run == typer_run, argv
                assert PLANTED not in lean_run[1] + lean_run[2]
                codes.add(lean_run[0])
                if not argv and not quiet:
                    seen[fixed] = lean_run
    assert codes == {0, 1, 2, 5}  # clean, problems, a missing file, a bad env/level/config
    code, stdout, stderr = seen[False]  # the hook's run found every kind of problem
    assert code == 1
    assert "app.yaml:2:7: {{ app-db.hots }}: secret 'app-db' has no key 'hots' in prod" \
        in stdout
    assert "secret 'app-db' (schema postgres) lacks required fields host, database" in stdout
    assert f"missing recipient age {CAROL}" in stdout
    assert "skipped blob.bin: not a text file" in stderr
    assert seen[True] == (0, "", "1 reference(s) in 1 file(s): OK (dev, prod; "
                          "SECRET_AND_KEY_EXISTS; recipients and schemas checked)\n")


def fix(repo: Path) -> None:
    """The schema's fields added (with the key), the reference fixed, the drift undone."""
    key = default_key_file()
    key.write_bytes(KEY[0])
    path = repo / ".secretsfile.yaml"
    path.write_text(path.read_text().replace(f"{CAROL}, ", "")
                    .replace(f"      - {CAROL}\n", "").replace(", blob.bin", ""))
    config = project()
    for env in ("prod", "dev"):
        save_secret(config, config.choose(env), Secret("app-db", env, values={
            "user": "u", "password": PLANTED, "host": "h", "database": "d"},
            schema="postgres"), create=env == "dev")
    key.unlink()
    (repo / "app.yaml").write_text("db: {{ app-db.password }}\n")


def test_environment_variables_are_read_as_click_reads_them(
        repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    for level in ("NONE", "SECRET_EXISTS", "", "bogus"):
        monkeypatch.setenv("SECRETSFILE_SECRET_VALIDATION_LEVEL", level)
        for argv in (["check"], ["check", "app.yaml"], ["check", "--level", "NONE"]):
            lean_run, typer_run = both(argv, capsys)
            assert lean_run == typer_run, (level, argv)
    monkeypatch.delenv("SECRETSFILE_SECRET_VALIDATION_LEVEL")
    for config in (".secretsfile.yaml", "nope.yaml", ""):
        monkeypatch.setenv("SECRETSFILE_CONFIG", config)
        lean_run, typer_run = both(["check", "--json"], capsys)
        assert lean_run == typer_run, config


def test_the_declaration_reads_like_click() -> None:
    parsed = lean.parse(["check"])
    assert parsed is not None
    kwargs = parsed[1]
    assert (kwargs["files"], kwargs["recipients"], kwargs["schemas"]) == (None, None, None)
    parsed = lean.parse(["check", "-e", "prod", "--no-schemas", "--recipients", "a", "b"])
    assert parsed is not None
    kwargs = parsed[1]
    assert (kwargs["env"], kwargs["schemas"], kwargs["recipients"]) == ("prod", False, True)
    assert kwargs["files"] == ["a", "b"]


def test_the_level_variable_gives_way_to_the_option(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRETSFILE_SECRET_VALIDATION_LEVEL", "NONE")
    assert (lean.parse(["check"]) or ({}, {}))[1]["level"] == "NONE"
    assert (lean.parse(["check", "--level", "SECRET_EXISTS"]) or ({}, {}))[1]["level"] \
        == "SECRET_EXISTS"
    monkeypatch.setenv("SECRETSFILE_SECRET_VALIDATION_LEVEL", "")  # empty: unset, for Click
    assert (lean.parse(["check"]) or ({}, {}))[1]["level"] is None


@pytest.mark.parametrize("argv", [
    ["check", "--create-missing"], ["check", "--create-missing", "-i"], ["check", "-i"],
    ["check", "--help"], ["check", "-h"], ["check", "--level"], ["check", "--recipients=1"],
    ["check", "--nope"], ["check", "-ei"],
])
def test_prompts_help_and_usage_errors_are_typers(argv: list[str]) -> None:
    assert lean.parse(argv) is None


def test_i_without_create_missing_is_still_a_usage_error(repo: Path, run: Runner) -> None:
    result = run("check", "-i")
    assert result.code == 2
    assert "-i goes with --create-missing" in result.stderr
