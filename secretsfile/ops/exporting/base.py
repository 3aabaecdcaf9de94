"""The one interface every CI export format implements, and the job-file delivery that
GitHub-style formats share.

A format is a name, a line of ``--format`` help and ``render`` (variables -> text, raising
UsageError for a value the format cannot carry unchanged, before anything is written). A
format whose text goes to a file the CI runner reads between steps (GitHub's
``$GITHUB_ENV``) says so with a ``JobFile``; the others go to stdout or ``--output``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from secretsfile.errors import UsageError

Variables = Mapping[str, str]


@dataclass(frozen=True)
class JobFile:
    """A file named by ``variable`` that the CI runner reads after the step; ``outputs``
    names the step-outputs file that gets ``names=A,B`` (the exported names, no value)."""

    variable: str
    runs_in: str  # for the message when the variable is unset: "a GitHub Actions step"
    outputs: str | None = None


@dataclass(frozen=True)
class ExportFormat:
    """One CI export format (one module under ``ops/exporting``, one line in its registry)."""

    name: str
    summary: str  # its part of the --format help
    render: Callable[[Variables], str]
    note: str | None = None  # said before exporting: what the format does not protect
    job_file: JobFile | None = None  # appended to instead of stdout / --output


@dataclass(frozen=True)
class JobTarget:
    """A job file found in this step's environment."""

    job: JobFile
    path: Path

    def append(self, text: str, names: list[str]) -> None:
        """Append ``text`` and, when the step has an outputs file, the exported names."""
        _append(self.path, text)
        target = os.environ.get(self.job.outputs) if self.job.outputs else None
        if target:
            _append(Path(target), f"names={','.join(names)}\n")


def job_target(fmt: ExportFormat, output: Path | None) -> JobTarget | None:
    """Where a job-file format appends (None for the others); UsageError when the step does
    not run where the format belongs, or when --output was asked for too."""
    job = fmt.job_file
    if job is None:
        return None
    if output is not None:
        raise UsageError(f"--output does not apply to --format {fmt.name} "
                         f"(it writes ${job.variable})")
    raw = os.environ.get(job.variable)
    if not raw:
        raise UsageError(f"{job.variable} is not set: --format {fmt.name} runs inside "
                         f"{job.runs_in}", hint="use --format dotenv or json elsewhere")
    return JobTarget(job, Path(raw))


def _append(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8", newline="") as handle:
        handle.write(text)
