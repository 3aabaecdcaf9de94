"""``secretsfile check`` (the ``secretsfile-check`` pre-commit hook's entry): the one body,
run by the lean parser (no Typer, Click or rich: ``cli/lean.py``, declared in ``cli/spec.py``)
and by the Typer command of ``cli/refs_cmd.py`` (help, usage errors, and the prompts of
``--create-missing -i``). Names, keys and recipients are in clear: no key is needed.
Problems on stdout, one line each; the summary on stderr; exit 0 clean, 1 problems."""

from __future__ import annotations

from secretsfile.cli.common import emit_json, out, say
from secretsfile.errors import UsageError

TYPE_CHECKING = False  # typing stays unloaded at run time (the hook's start-up, issue 14)
if TYPE_CHECKING:
    from pathlib import Path

    from secretsfile.config.project import Environment, ProjectConfig
    from secretsfile.ops.project_check import Finding
    from secretsfile.ops.references import CheckReport
    from secretsfile.ops.register import Needed


def run_check(files: list[str] | None = None, env: str | None = None,
              level: str | None = None, recipients: bool | None = None,
              schemas: bool | None = None, create_missing: bool = False,
              interactive: bool = False, as_json: bool = False,
              config: str | None = None) -> int:
    """``secretsfile check`` (its options: ``cli/spec.py``)."""
    from pathlib import Path

    from secretsfile.config.project import load as load_config
    from secretsfile.ops import project_check
    from secretsfile.ops.references import check_envs, check_files

    if interactive and not create_missing:
        raise UsageError("-i goes with --create-missing",
                         hint="secretsfile check --create-missing -i")
    project = load_config(override=config)
    paths, whole = [Path(name) for name in files or ()], not files
    if create_missing:
        created = _create_missing(project, paths, env, interactive)
        if created is not None:
            return created
    bare = whole and not project.environments and not env  # .sops.yaml rules, or nothing
    report = check_files(paths, env=env, level="NONE" if bare else level, config=project)
    findings: list[Finding] = []
    if (schemas if schemas is not None else whole) and not bare:
        findings += project_check.schema_findings(project, check_envs(project, env))
    if recipients if recipients is not None else whole:
        findings += project_check.recipient_findings(project)
    ok = report.ok and not findings
    if as_json:
        emit_json({**report.as_dict(), "ok": ok,
                   "findings": [finding.as_dict() for finding in findings]})
    else:
        _print_report(report, findings, whole)
    return 0 if ok else 1


def _print_report(report: CheckReport, findings: list[Finding], whole: bool) -> None:
    """One line per problem on stdout, skipped files and the summary on stderr."""
    for line in report.lines() + [finding.line_text() for finding in findings]:
        out(line + "\n")
    for skipped in report.skipped:
        say(f"skipped {skipped}: not a text file")
    if report.ok and not findings:
        envs = ", ".join(report.envs) if report.envs else "syntax only"
        checked = "; recipients and schemas checked" if whole else ""
        say(f"{report.references} reference(s) in {len(report.files)} file(s): OK "
            f"({envs}; {report.level.value}{checked})")
        if whole and not report.files:
            say("no reference files: name FILES, or list patterns under 'references:' in "
                ".secretsfile.yaml")
        return
    problems = len(report.problems) + len(findings)
    problem_files = {path for path, _ in report.problems} | {f.path for f in findings}
    drift = any(finding.kind == "recipients" for finding in findings)
    say(f"{problems} problem(s) in {len(problem_files)} file(s)" + (
        "; run 'secretsfile updatekeys' to encrypt files for the config's recipients"
        if drift else ""))


def _create_missing(project: ProjectConfig, files: list[Path], env: str | None,
                    interactive: bool) -> int | None:
    """Prompt for and create the missing secrets; an exit code when it stops there."""
    import sys

    from secretsfile.ops.register import needed_secrets

    needed = needed_secrets(project, files, env)
    for item in needed:
        if item.problem:
            say(f"cannot create {item.name} in {item.env}: {item.problem}")
    todo = [item for item in needed if not item.problem]
    if not todo:
        say("nothing to create: every referenced secret exists")
        return None
    if not interactive or not sys.stdin.isatty():
        for item in todo:
            out(f"{item.env}: would create {item.describe()}\n")
        say(f"{len(todo)} secret(s) to create; run 'secretsfile check --create-missing -i' "
            "in a terminal to type their values (or 'secretsfile secret create')")
        return 1
    by_env: dict[str, list[Needed]] = {}
    for item in todo:
        by_env.setdefault(item.env, []).append(item)
    for env_name, items in by_env.items():
        _register_env(project, project.environment(env_name), items)
    return None


def _register_env(project: ProjectConfig, environment: Environment,
                  items: list[Needed]) -> None:
    from secretsfile.cli.common import prompt_pairs, prompt_values
    from secretsfile.ops.register import ensure_writable, new_secret, register_secrets
    from secretsfile.secrets.schemas import find_schema

    ensure_writable(project, environment)
    secrets = []
    for item in items:
        say(f"{item.env}: {item.describe()}")
        values: dict[str, str] | str
        if item.schema:
            values = prompt_pairs(find_schema(item.schema, project.raw))
        elif item.keys:
            answers = prompt_values([f"{item.name}.{key}" for key in item.keys])
            values = dict(zip(item.keys, answers, strict=True))
        else:
            values = prompt_values([item.name])[0]
        secrets.append(new_secret(project, item, values))
    register_secrets(project, environment, secrets)
    say(f"{environment.name}: created {', '.join(item.name for item in items)} "
        f"in {environment.file}")
