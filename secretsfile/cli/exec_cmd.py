"""sops' ``exec-env FILE 'COMMAND'`` and ``exec-file FILE 'COMMAND {}'`` on any encrypted
file: parameters and messages only; the work is in ``ops/execing`` and ``ops/running``."""

from __future__ import annotations

from typing import Annotated

import typer

from secretsfile.cli.common import say
from secretsfile.cli.file_options import FileArg, IgnoreMac, InputType, OutputType
from secretsfile.cli.run_cmd import PANEL, AllowOpt, ConfigOpt, EnvOpt

CommandArg = Annotated[str, typer.Argument(
    help="The command, run by 'sh -c' as sops runs it (quote it as one argument).",
    metavar="COMMAND", show_default=False)]
UserOpt = Annotated[str | None, typer.Option(
    "--user", metavar="NAME", help="Run the command as this user (as in sops: only when "
    "secretsfile runs as root).", show_default=False)]


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


def exec_env(
    file: FileArg,
    command: CommandArg,
    pristine: Annotated[bool, typer.Option(
        "--pristine", help="Only FILE's values in the environment, nothing inherited.")] = False,
    allow: AllowOpt = None,
    user: UserOpt = None,
    input_type: InputType = None,
    ignore_mac: IgnoreMac = False,
) -> int:
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


def exec_file(
    file: FileArg,
    command: CommandArg,
    no_fifo: Annotated[bool, typer.Option(
        "--no-fifo", help="A regular 0600 file instead of a FIFO.")] = False,
    output_type: OutputType = None,
    input_type: InputType = None,
    user: UserOpt = None,
    ignore_mac: IgnoreMac = False,
) -> int:
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


DIRENV_HELP = (
    "Print the use_secretsfile bash function for direnv's .envrc.\n\n"
    "'use secretsfile [ENV] [OPTIONS]' in .envrc sets ENV's variables exactly as run gives "
    "them to a command (same names, deny-list, --only/--exclude/--allow; key variables never "
    "set) and replacing variables already set, as direnv's dotenv does. It reads 'ci export "
    "--format dotenv' into the shell (single-quoted: nothing in a value runs; nothing is "
    "written to disk or printed) and watches .secretsfile.yaml and the environment's files, "
    "so direnv reloads when they change.\n\n"
    "Example: secretsfile direnv-hook > ~/.config/direnv/lib/secretsfile.sh, "
    "then 'use secretsfile dev' in .envrc"
)


def direnv_hook(
    files: Annotated[bool, typer.Option(
        "--files", help="Instead: the files use_secretsfile watches for --env, "
        "NUL-separated (used by the function).")] = False,
    env: EnvOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Print the use_secretsfile function for .envrc (help: DIRENV_HELP)."""
    from secretsfile.cli.common import out, project
    from secretsfile.ops import direnv

    if not files:
        out(direnv.hook_text())
        return
    out("".join(f"{path}\0" for path in direnv.watched_files(project(config), env)))


def register(app: typer.Typer) -> None:
    """Add exec-env, exec-file and direnv-hook to the app."""
    app.command("exec-env", help=EXEC_ENV_HELP, rich_help_panel=PANEL)(exec_env)
    app.command("exec-file", help=EXEC_FILE_HELP, rich_help_panel=PANEL)(exec_file)
    app.command("direnv-hook", help=DIRENV_HELP, rich_help_panel=PANEL)(direnv_hook)


