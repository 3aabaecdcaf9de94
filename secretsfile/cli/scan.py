"""Scanner commands: ``scan``, ``check-encrypted`` (and ``hooks``, from hooks_cmd.py), and
``main``, the scanner-only entry point the plain git hook runs (``git/hooks.LAUNCHER``; the
pre-commit hooks run the console script, which takes the same lean path).

Both commands are declared in ``cli/spec.py``: the lean parser runs their command lines
without importing Typer, Click or rich (start-up is most of a small commit's scan); help and
usage errors go to the Typer commands of ``cli/scan_cmd.py``, built from the same
declaration, which call the same bodies below. Options in;
``ops.scanning`` / ``ops.check_encrypted`` do the work, handed ``secretsfile.git.sources``
as their git reader; reports on stdout, messages on stderr. Exit 0 clean, 1 findings, >= 2
errors (the boundary maps errors).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

TYPE_CHECKING = False  # typing stays unloaded at run time (the hook's start-up)
if TYPE_CHECKING:
    from pathlib import Path

    import typer


def run_scan_command(
    paths: list[str] | None = None, staged: bool = False, since: str | None = None,
    history: bool = False, no_git: bool = False, config: Path | None = None,
    baseline: Path | None = None, no_baseline: bool = False, update_baseline: bool = False,
    fmt: str = "text", output: Path | None = None, jobs: int = 0,
    max_file_size: str | None = None, stdin_name: str = "-", decode: bool = False,
    no_summary: bool = False,
) -> int:
    """``secretsfile scan`` (its options: ``cli/scan_cmd.py``)."""
    from secretsfile import __version__
    from secretsfile.cli.progress import progress
    from secretsfile.cli.scan_output import write_report
    from secretsfile.errors import UsageError
    from secretsfile.git import sources
    from secretsfile.ops.scanning import Mode, ScanRequest, run_scan
    from secretsfile.scanner.config import parse_size
    from secretsfile.scanner.report import FORMATS, summary

    if fmt not in FORMATS:
        raise UsageError(f"unknown --format {fmt!r}", hint="use text, json or sarif")
    mode = Mode.chosen(staged=staged, since=since is not None, history=history, no_git=no_git)
    if update_baseline and no_baseline:
        raise UsageError("--update-baseline and --no-baseline cannot be combined")
    names = tuple(paths or ())
    stdin: bytes | None = None
    if "-" in names:
        buffer = getattr(sys.stdin, "buffer", None)
        stdin = buffer.read() if buffer is not None else sys.stdin.read().encode("utf-8")
    from secretsfile.config.project import load as load_config

    request = ScanRequest(
        project=load_config() if config is None else None,
        paths=names,
        mode=mode,
        since=since,
        config_file=config,
        baseline_file=baseline,
        use_baseline=not no_baseline,
        update_baseline=update_baseline,
        jobs=max(jobs, 0),
        max_file_size=parse_size(max_file_size, "--max-file-size") if max_file_size else None,
        stdin=stdin,
        stdin_name=stdin_name,
        progress=progress,
        decode=decode,
    )
    result = run_scan(request, sources)
    report = result.report(__version__)
    from secretsfile.cli.boundary import verdict_output

    said = None if no_summary else summary(report, result.baseline_written, result.baseline_path)
    verdict_output(lambda: write_report(report, fmt, output), said)
    return 1 if result.findings else 0


def run_check_encrypted(files: list[str] | None = None, staged: bool = False,
                        fmt: str = "text", no_summary: bool = False) -> int:
    """``secretsfile check-encrypted`` (its options: ``cli/scan_cmd.py``).

    On the hook's path: no pathlib (paths are strs), no json (unless ``--format json``)."""
    import os

    from secretsfile.config.project import guard_sources
    from secretsfile.errors import UsageError
    from secretsfile.git import sources
    from secretsfile.ops.check_encrypted import check_encrypted as run_check

    if fmt not in ("text", "json"):
        raise UsageError(f"unknown --format {fmt!r}", hint="use text or json")
    cwd = os.getcwd()
    # guard_sources takes any path at run time (config.project.load and sops_config_for do)
    found = guard_sources(cwd)  # type: ignore[arg-type]  # annotated Path: to widen there
    report = run_check(tuple(files or ()), sources, found, cwd=cwd, staged=staged)
    from secretsfile.cli.boundary import verdict_output, write_stdout

    def lines() -> None:
        if fmt == "json":
            import json

            write_stdout(json.dumps(report.as_json(), indent=2) + "\n")
        else:
            write_stdout("".join(line + "\n" for line in report.lines()))

    verdict_output(lines, None if no_summary else report.summary())
    return 1 if report.failed else 0


def register(app: typer.Typer, only: str | None = None) -> None:
    """Add the scanner commands to the full app (``cli/scan_cmd.py`` declares them)."""
    from secretsfile.cli.scan_cmd import register as register_typer

    register_typer(app, only)


def main(argv: Sequence[str] | None = None, fast_exit: bool = False) -> int:
    """The scanner-only entry point (``git/hooks.LAUNCHER``, ``python -m secretsfile.cli.scan``).

    Only the scanner commands: their command lines run on the lean parser (``cli/lean``,
    declared in ``cli/spec``; no Typer), anything it steps aside from on the scanner-only
    Typer app (``cli/scan_cmd``); the error boundary and exit codes are the console
    script's. ``fast_exit``: a lean run leaves as the console script's do (``entry.leave``:
    exit handlers and flushed streams, no teardown).
    """
    from secretsfile.cli.entry import leave, scanner_command
    from secretsfile.cli.lean import run as run_lean

    args = list(sys.argv[1:] if argv is None else argv)
    code = run_lean(args, ending=fast_exit) if scanner_command(args) else None
    if code is None:
        from secretsfile.cli.scan_cmd import typer_main

        return typer_main(args)
    if fast_exit:
        leave(code)
    return code


if __name__ == "__main__":
    sys.exit(main(fast_exit=True))
