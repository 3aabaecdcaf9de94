"""Issue 12, basics: --version, shell completion, the global --quiet / SECRETSFILE_QUIET."""

from __future__ import annotations

import os
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import shellingham

from secretsfile.cli import entry
from tests.cli.conftest import PLANTED, Runner


def _files_under(root: Path) -> set[Path]:
    return {path for path in root.rglob("*")}


def test_version_prints_the_package_version(run: Runner) -> None:
    result = run("--version")
    assert (result.code, result.stdout, result.stderr) == (
        0, f"secretsfile {version('secretsfile')}\n", "")


def test_version_through_the_console_script(monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["secretsfile", "--version"])
    with pytest.raises(SystemExit) as done:
        entry.run()  # the fast path lets it through to the Typer app
    assert done.value.code == 0
    assert capsys.readouterr().out == f"secretsfile {version('secretsfile')}\n"


def test_show_completion_bash_prints_a_script_and_writes_nothing(
        run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    home = Path(os.environ["HOME"])
    before = _files_under(home)
    monkeypatch.setenv("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION", "1")  # takes a SHELL
    result = run("--show-completion", "bash")
    assert result.code == 0, result.stderr
    assert "_SECRETSFILE_COMPLETE=complete_bash" in result.stdout
    assert "complete -o default -F _secretsfile_completion secretsfile" in result.stdout
    assert _files_under(home) == before


def test_show_completion_detects_the_shell(run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shellingham, "detect_shell", lambda: ("bash", "/bin/bash"))
    result = run("--show-completion")
    assert result.code == 0, result.stderr
    assert "complete_bash" in result.stdout


def test_completion_completes_command_names(run: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_SECRETSFILE_COMPLETE", "complete_bash")
    monkeypatch.setenv("COMP_WORDS", "secretsfile decr")
    monkeypatch.setenv("COMP_CWORD", "1")
    result = run()
    assert (result.code, result.stdout.split()) == (0, ["decrypt"])


def test_completion_options_are_in_help(run: Runner) -> None:
    result = run("--help")
    assert "--install-completion" in result.stdout and "--show-completion" in result.stdout


@pytest.mark.parametrize("quiet", [("-q",), ("--quiet",), ()])
def test_quiet_silences_messages_not_data(run: Runner, enc_yaml: Path, quiet: tuple[str, ...],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    if not quiet:
        monkeypatch.setenv("SECRETSFILE_QUIET", "1")
    result = run(*quiet, "set", enc_yaml, "extra", "--value-stdin", stdin="v")
    assert (result.code, result.stdout, result.stderr) == (0, "", "")
    result = run(*quiet, "decrypt", enc_yaml)
    assert result.code == 0 and PLANTED[0] in result.stdout and result.stderr == ""


def test_quiet_keeps_warnings_and_errors(run: Runner, enc_yaml: Path) -> None:
    result = run("-q", "set", enc_yaml, "extra", "--value", "cli-PLANTED-value")
    assert result.code == 0
    assert result.stderr.startswith("warning: a value on the command line")
    assert "set extra" not in result.stderr and "cli-PLANTED-value" not in result.output
    result = run("-q", "get", enc_yaml, "nope")
    assert result.code != 0 and result.stderr.startswith("error: ")


def test_without_quiet_messages_are_shown(run: Runner, enc_yaml: Path) -> None:
    run("-q", "decrypt", enc_yaml)  # a quiet run leaves nothing behind
    result = run("set", enc_yaml, "extra", "--value-stdin", stdin="v")
    assert result.code == 0 and f"set extra in {enc_yaml}" in result.stderr


def test_quiet_env_with_a_bad_value_is_a_usage_error(run: Runner, enc_yaml: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRETSFILE_QUIET", "maybe")
    result = run("status", enc_yaml)
    assert result.code == 2 and "SECRETSFILE_QUIET" in result.stderr


def test_keygen_json_says_what_it_did(run: Runner, tmp_path: Path) -> None:
    import json

    target = tmp_path / "k.txt"
    first = run("keygen", "--output", str(target), "--json")
    assert first.code == 0, first.output
    made = json.loads(first.stdout)
    assert made["type"] == "age" and made["created"] is True
    assert made["public"].startswith("age1") and made["path"] == str(target)
    again = json.loads(run("keygen", "--output", str(target), "--json").stdout)
    assert again == {**made, "created": False}
    assert "AGE-SECRET-KEY" not in first.output
