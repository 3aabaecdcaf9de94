"""The history sources of a scan (``--since``, ``--history``): the added lines of the
commits, read by one ``git log -p`` for a short range or by worker processes sharing
slices of the commit list. Loaded only for these modes: a hook's ``--staged`` scan never
imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence

from secretsfile.ops.scanning import TextTest, diff_fragments
from secretsfile.scanner.runner import ScanStats, default_jobs, scan_fragments, scan_slices
from secretsfile.scanner.sources import FileLimits

TYPE_CHECKING = False
if TYPE_CHECKING:
    from secretsfile.ops.git_reader import AddedText
    from secretsfile.ops.scanning import Done, _Run
    from secretsfile.scanner.engine import Fragment
    from secretsfile.scanner.model import Finding
    from secretsfile.scanner.sources import Skip

    Read = Callable[[str, Sequence[str]], Iterable[AddedText]]
    Reread = Callable[[str, Sequence[tuple[str, str]], TextTest], Sequence[AddedText]]

#: A history of this many commits is read and scanned by worker processes (with --jobs > 1).
HISTORY_PARALLEL_MIN_COMMITS = 1000
_SLICES_PER_JOB, _SLICE_MIN = 2, 250

__all__ = ["HISTORY_PARALLEL_MIN_COMMITS", "scan_history"]


def scan_history(run: _Run, all_refs: bool) -> tuple[list[Finding], ScanStats]:
    """The added lines of the commits: one ``git log -p`` for a short range (a hook's
    ``--since``), else slices of the ``rev-list`` shared by ``jobs`` worker processes.
    Findings come in commit order (newest first), then path and line, either way."""
    assert run.repo is not None
    commits = run.git.history_commits(run.repo, since=run.request.since, all_refs=all_refs)
    wanted = tuple(sorted({run.relative(p) for p in run.request.paths if p != "-"}))
    jobs = run.request.jobs or default_jobs()
    reader = _SliceReader(run.git.history_added_lines_for, run.git.history_text, run.repo,
                          wanted, run.limits)  # fmt: skip
    with run.progress("scanning history", len(commits)) as done:
        if jobs > 1 and len(commits) >= HISTORY_PARALLEL_MIN_COMMITS:
            findings, stats = scan_slices(run.scanner, _slices(commits, jobs), reader, run.limits,
                                          jobs=jobs, done=done)  # fmt: skip
        else:
            sections = run.git.history_added_lines(run.repo, since=run.request.since,
                                                   all_refs=all_refs)  # fmt: skip
            fragments = reader.fragments(_per_commit(sections, commits, done))
            findings, stats = scan_fragments(run.scanner, fragments, run.limits)
    order = {commit: n for n, commit in enumerate(commits)}
    findings.sort(key=lambda f: (order.get(f.commit or "", len(order)), f.path, f.line))
    return findings, stats


def _slices(commits: list[str], jobs: int) -> list[list[str]]:
    """A few long runs of consecutive commits per worker: each git process warms its
    cache of delta bases once (short slices cost up to half more git time)."""
    size = max(_SLICE_MIN, -(-len(commits) // (jobs * _SLICES_PER_JOB)))
    return [commits[n : n + size] for n in range(0, len(commits), size)]


class _SliceReader:
    """What is scanned of a slice of commits, or of one stream of them (picklable, no open
    state: a worker process gets one). Sections git called binary are read again as
    text when their new blob passes our text test."""

    __slots__ = ("limits", "read", "repo", "reread", "wanted")

    def __init__(self, read: Read, reread: Reread, repo: str, wanted: tuple[str, ...],
                 limits: FileLimits) -> None:  # fmt: skip
        self.read, self.reread = read, reread
        self.repo, self.wanted, self.limits = repo, wanted, limits

    def __call__(self, commits: list[str]) -> Iterator[Fragment | Skip]:
        return self.fragments(self.read(self.repo, commits))

    def fragments(self, sections: Iterable[AddedText]) -> Iterator[Fragment | Skip]:
        return diff_fragments(_wanted(sections, self.wanted), self.limits, self._reread)

    def _reread(self, binary: list[AddedText]) -> Sequence[AddedText]:
        changes = [(s.commit or "", s.path) for s in binary]
        return self.reread(self.repo, changes, TextTest(self.limits))


def _wanted(sections: Iterable[AddedText], wanted: tuple[str, ...]) -> Iterable[AddedText]:
    """The sections of the paths asked for (a path or anything under a directory)."""
    if not wanted:
        return sections
    prefixes = tuple(w.rstrip("/") + "/" for w in wanted)
    return (s for s in sections if s.path in wanted or s.path.startswith(prefixes))


def _per_commit(sections: Iterable[AddedText], commits: list[str], done: Done
                ) -> Iterator[AddedText]:  # fmt: skip
    """``sections`` unchanged, calling ``done(commit)`` as each commit is done; at the
    end, for the ``commits`` that added nothing (merges, deletions) too."""
    current: str | None = None
    reported: set[str] = set()
    for section in sections:
        if section.commit is not None and section.commit != current:
            if current is not None:
                done(current)
                reported.add(current)
            current = section.commit
        yield section
    if current is not None:
        done(current)
        reported.add(current)
    for commit in commits:
        if commit not in reported:
            done(commit)
