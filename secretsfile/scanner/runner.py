"""Run a Scanner over many files or diff fragments, in parallel when it pays off.

Pure orchestration: no printing, no exiting. Files are read in the worker processes (so
the parent never holds a big tree in memory); fragments (diffs, stdin) are scanned in
this process.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence

from secretsfile.scanner.engine import Fragment, Scanner
from secretsfile.scanner.model import Finding
from secretsfile.scanner.sources import FileLimits, Skip, classify, read_limited

TYPE_CHECKING = False  # typing stays unloaded at run time (the hook's start-up)
if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing.context import BaseContext
    from multiprocessing.queues import SimpleQueue

    from secretsfile._fileio import StrPath

__all__ = ["ScanStats", "default_jobs", "scan_files", "scan_fragments", "scan_slices"]

#: Below this much data a worker pool costs more than it saves.
PARALLEL_MIN_BYTES = 2 * 1024 * 1024
PARALLEL_MIN_FILES = 32
_CHUNK_BYTES = 512 * 1024
_CHUNK_FILES = 64


class ScanStats:
    __slots__ = ("bytes", "files", "skipped")

    def __init__(self, files: int = 0, bytes: int = 0, skipped: Counter[str] | None = None
                 ) -> None:  # fmt: skip
        self.files = files
        self.bytes = bytes
        self.skipped: Counter[str] = Counter() if skipped is None else skipped

    def add(self, other: ScanStats) -> None:
        self.files += other.files
        self.bytes += other.bytes
        self.skipped.update(other.skipped)


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _scan_one(
    scanner: Scanner, path: StrPath, display: str, limits: FileLimits, stats: ScanStats
) -> list[Finding]:
    if limits.excluded(display):
        stats.skipped[Skip.EXCLUDED.value] += 1
        return []
    data = read_limited(path, limits)
    if isinstance(data, Skip):
        stats.skipped[data.value] += 1
        return []
    skip = classify(data, display, limits)
    if skip is not None:
        stats.skipped[skip.value] += 1
        return []
    stats.files += 1
    stats.bytes += len(data)
    return scanner.scan_bytes(data, display)


_WORKER: tuple[Scanner, FileLimits] | None = None
_PRODUCE: Callable[[list[str]], Iterable[Fragment | Skip]] | None = None
_PROGRESS: SimpleQueue[tuple[int, int]] | None = None
_POST_EVERY = 20  # keys (commits) between two progress posts of a worker


def _init_worker(
    scanner: Scanner,
    limits: FileLimits,
    produce: Callable[[list[str]], Iterable[Fragment | Skip]] | None = None,
    progress: SimpleQueue[tuple[int, int]] | None = None,
) -> None:
    global _WORKER, _PRODUCE, _PROGRESS
    _WORKER = (scanner, limits)
    _PRODUCE, _PROGRESS = produce, progress


def _context() -> BaseContext:
    import multiprocessing

    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")  # workers inherit the rules, no pickling
    return multiprocessing.get_context()


def _pool(
    jobs: int,
    scanner: Scanner,
    limits: FileLimits,
    produce: Callable[[list[str]], Iterable[Fragment | Skip]] | None = None,
    progress: SimpleQueue[tuple[int, int]] | None = None,
) -> ProcessPoolExecutor:
    """Worker processes that hold the scanner (and a slice reader) from the start."""
    from concurrent.futures import ProcessPoolExecutor  # lazy: 8 ms the hook path never needs

    scanner.prepare_for_workers()
    return ProcessPoolExecutor(max_workers=jobs, mp_context=_context(), initializer=_init_worker,
                               initargs=(scanner, limits, produce, progress))  # fmt: skip


def _scan_chunk(chunk: list[tuple[str, str]]) -> tuple[list[Finding], ScanStats]:
    assert _WORKER is not None
    scanner, limits = _WORKER
    stats = ScanStats()
    findings: list[Finding] = []
    for path, display in chunk:
        findings.extend(_scan_one(scanner, path, display, limits, stats))
    return findings, stats


def _chunks(items: Sequence[tuple[StrPath, str]], sizes: Sequence[int]
            ) -> list[list[tuple[str, str]]]:  # fmt: skip
    # Biggest first, so the pool's last chunks are small and the cores finish together.
    order = sorted(range(len(items)), key=lambda i: -sizes[i])
    chunks: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    total = 0
    for i in order:
        path, display = items[i]
        current.append((os.fspath(path), display))
        total += sizes[i]
        if total >= _CHUNK_BYTES or len(current) >= _CHUNK_FILES:
            chunks.append(current)
            current, total = [], 0
    if current:
        chunks.append(current)
    return chunks


def scan_files(
    scanner: Scanner,
    items: Sequence[tuple[StrPath, str]],
    limits: FileLimits,
    *,
    jobs: int = 0,
    done: Callable[[str], None] | None = None,
) -> tuple[list[Finding], ScanStats]:
    """Scan whole files given as (path to read, path to report); ``done(path to report)``
    is called once per file scanned (a progress callback)."""
    done = done or _ignore
    jobs = jobs or default_jobs()
    stats = ScanStats()
    findings: list[Finding] = []
    sizes: list[int] = []
    if jobs > 1 and len(items) >= PARALLEL_MIN_FILES:
        for path, _display in items:
            try:
                sizes.append(os.stat(path).st_size)
            except OSError:
                sizes.append(0)
    if jobs <= 1 or len(items) < PARALLEL_MIN_FILES or sum(sizes) < PARALLEL_MIN_BYTES:
        for path, display in items:
            findings.extend(_scan_one(scanner, path, display, limits, stats))
            done(display)
        return findings, stats
    with _pool(jobs, scanner, limits) as pool:
        chunks = _chunks(items, sizes)
        results = pool.map(_scan_chunk, chunks)
        for chunk, (chunk_findings, chunk_stats) in zip(chunks, results, strict=True):
            findings.extend(chunk_findings)
            stats.add(chunk_stats)
            for _path, display in chunk:
                done(display)
    return findings, stats


def _ignore(_done: str) -> None:
    return None


def scan_fragments(
    scanner: Scanner, fragments: Iterable[Fragment | Skip], limits: FileLimits
) -> tuple[list[Finding], ScanStats]:
    """Scan texts that are already in memory (stdin, diff pieces); a ``Skip`` item counts
    a piece its source already decided not to scan (a binary diff)."""
    stats = ScanStats()
    findings: list[Finding] = []
    for fragment in fragments:
        if isinstance(fragment, Skip):
            stats.skipped[fragment.value] += 1
            continue
        if limits.excluded(fragment.path):
            stats.skipped[Skip.EXCLUDED.value] += 1
            continue
        data = fragment.text.encode("utf-8", "surrogatepass")
        if limits.max_file_size and len(data) > limits.max_file_size:
            stats.skipped[Skip.TOO_LARGE.value] += 1
            continue
        skip = classify(data, fragment.path, limits)
        if skip is not None:
            stats.skipped[skip.value] += 1
            continue
        stats.files += 1
        stats.bytes += len(data)
        findings.extend(scanner.scan_fragment(fragment))
    return findings, stats


def _scan_slice(number: int, keys: list[str]) -> tuple[list[Finding], ScanStats]:
    """Scan one slice in a worker, posting (slice number, keys done) as its fragments
    reach later keys (``fragment.commit``): progress while a long slice runs."""
    assert _WORKER is not None and _PRODUCE is not None
    scanner, limits = _WORKER
    position = {key: n for n, key in enumerate(keys)}
    posted = 0

    def tracked() -> Iterator[Fragment | Skip]:
        nonlocal posted
        for item in _PRODUCE(keys):
            if isinstance(item, Fragment) and item.commit is not None:
                at = position.get(item.commit, posted)
                if at - posted >= _POST_EVERY and _PROGRESS is not None:
                    _PROGRESS.put((number, at))
                    posted = at
            yield item

    return scan_fragments(scanner, tracked(), limits)


def scan_slices(
    scanner: Scanner,
    slices: Sequence[list[str]],
    produce: Callable[[list[str]], Iterable[Fragment | Skip]],
    limits: FileLimits,
    *,
    jobs: int,
    done: Callable[[str], None] | None = None,
) -> tuple[list[Finding], ScanStats]:
    """Scan what ``produce(slice)`` yields for each slice of commits, in ``jobs`` worker
    processes: the reading (a git process per slice) is shared out with the scanning.

    ``produce`` runs in the workers: inherited on Linux, pickled (a module-level function
    or a picklable object) elsewhere. Findings come back in slice order, each slice's in
    the order ``produce`` yields; ``done(key)`` is called once for every key, in order
    within a slice, as the workers get past it (progress).
    """
    from concurrent.futures import FIRST_COMPLETED, wait

    done = done or _ignore
    results: list[tuple[list[Finding], ScanStats] | None] = [None] * len(slices)
    progress = _Progress(slices, done)
    with _pool(jobs, scanner, limits, produce, progress.queue) as pool:
        futures = {pool.submit(_scan_slice, n, keys): n for n, keys in enumerate(slices)}
        pending = set(futures)
        try:
            while pending:
                finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                progress.drain()
                for future in finished:
                    results[futures[future]] = future.result()
                    progress.advance(futures[future], len(slices[futures[future]]))
        except BaseException:  # a slice failed or ^C: do not wait for the others
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    findings: list[Finding] = []
    stats = ScanStats()
    for result in results:
        assert result is not None
        findings.extend(result[0])
        stats.add(result[1])
    return findings, stats


class _Progress:
    """The parent's side of slice progress: a queue the workers post to, and how far
    ``done`` has been called in each slice."""

    def __init__(self, slices: Sequence[list[str]], done: Callable[[str], None]) -> None:
        self.queue = _context().SimpleQueue()
        self.slices, self.done = slices, done
        self.reached = [0] * len(slices)

    def drain(self) -> None:
        while not self.queue.empty():
            self.advance(*self.queue.get())

    def advance(self, number: int, upto: int) -> None:
        for key in self.slices[number][self.reached[number] : upto]:
            self.done(key)
        self.reached[number] = max(self.reached[number], upto)
