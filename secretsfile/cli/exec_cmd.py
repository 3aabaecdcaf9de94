"""sops' ``exec-env FILE 'COMMAND'`` and ``exec-file FILE 'COMMAND {}'`` on any encrypted
file: parameters and messages only; the work is in ``ops/execing`` and ``ops/running``."""

from __future__ import annotations

from secretsfile.cli.common import say

TYPE_CHECKING = False  # typing's flag without importing typing (~4 ms, issue 14); mypy knows it
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    import typer

# Parameters and their help: cli/spec.py (the one declaration Typer and cli/lean.py read);
# exec-env runs on the lean path (no Typer: start-up is most of a small file's time).


def _finish(code: int) -> int:
    if code == 127:
        say("error: exit code 127 (command not found, or no 'sh')")
    return code


EXEC_ENV_HELP = (
    "Run COMMAND (through sh -c, as sops does) with FILE's values as environment variables.\n\n"
    "Any encrypted file, not only a project environment. Nested keys are flattened as "
    "'decrypt --output-type dotenv' prints them (db: {password: x} -> db__password). As for "
    "run: key variables (SOPS_AGE_KEY*, SECRETSFILE_AGE_KEY*, ...) are not passed on, values "
    "may not set variables that change how programs run (PATH, LD_PRELOAD, ...; --allow NAME), "
    "and the file's values replace variables already set (as in sops). The exit code is the "
    "command's; secretsfile writes nothing on stdout.\n\n"
    "Example: secretsfile exec-env secrets.yaml './deploy.sh --fast'"
)


def exec_env(*, file: Path, command: str, pristine: bool, allow: list[str] | None,
             user: str | None, input_type: str | None, ignore_mac: bool) -> int:
    """Run a command with a file's values as environment variables (help: EXEC_ENV_HELP)."""
    from secretsfile.config.project import load_for
    from secretsfile.ops import execing, running

    account = execing.run_as(user)
    variables = execing.file_variables(file, input_type, load_for(file), allow or (),
                                       ignore_mac)
    environment, _ = running.child_environment(variables, True, {} if pristine else None)
    return _finish(execing.run_shell(command, environment, account))


EXEC_FILE_HELP = (
    "Run COMMAND (through sh -c) with '{}' replaced by the path of FILE's plaintext.\n\n"
    "The plaintext is served through a FIFO in a private directory (tmpfs when available), or "
    "with --no-fifo written to a 0600 file there, for programs that seek; either is removed "
    "when the command exits. --output-type chooses its format (default: FILE's own). Key "
    "variables are not passed to the command. The exit code is the command's.\n\n"
    "Example: secretsfile exec-file kubeconfig.yaml 'kubectl --kubeconfig {} get pods'"
)


def exec_file(*, file: Path, command: str, no_fifo: bool, output_type: str | None,
              input_type: str | None, user: str | None, ignore_mac: bool) -> int:
    """Run a command on a file's plaintext (help: EXEC_FILE_HELP)."""
    from secretsfile.config.project import load_for
    from secretsfile.ops import execing, files, running

    account = execing.run_as(user)
    text = files.decrypt_file(file, input_type, output_type, None, load_for(file), ignore_mac)
    kind = running.FileKind.file if no_fifo else running.FileKind.fifo
    owner = None if account is None else (account.uid, account.gid)
    data = text.encode("utf-8", "surrogateescape")  # a binary file's bytes, exactly
    with running.handoff([("tmp-file", data)], kind, owner) as paths:
        environment, _ = running.child_environment({}, False)
        code = execing.run_shell(execing.fill_placeholder(command, paths["tmp-file"]),
                                 environment, account)
    return _finish(code)


def register(app: typer.Typer) -> None:
    """Add exec-env, exec-file (from the spec) and direnv-hook to the app."""
    from secretsfile.cli import direnv_cmd
    from secretsfile.cli.run_cmd import PANEL
    from secretsfile.cli.spec import SPEC
    from secretsfile.cli.spec_typer import annotate

    for name, function, text in (("exec-env", exec_env, EXEC_ENV_HELP),
                                 ("exec-file", exec_file, EXEC_FILE_HELP)):
        command: Any = annotate(SPEC[(name,)])(function)
        app.command(name, help=text, rich_help_panel=PANEL)(command)
    direnv_cmd.register(app, PANEL)
