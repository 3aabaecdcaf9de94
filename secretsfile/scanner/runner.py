"""Run a Scanner over many files or diff fragments, in parallel when it pays off.

Pure orchestration: no printing, no exiting. Files are read in the worker processes (so
the parent never holds a big tree in memory); fragments (diffs, stdin) are scanned in
this process.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from secretsfile.scanner.engine import Fragment, Scanner
from secretsfile.scanner.model import Finding
from secretsfile.scanner.sources import FileLimits, Skip, classify, read_limited

__all__ = ["ScanStats", "default_jobs", "scan_files", "scan_fragments"]

#: Below this much data a worker pool costs more than it saves.
PARALLEL_MIN_BYTES = 2 * 1024 * 1024
PARALLEL_MIN_FILES = 32
_CHUNK_BYTES = 512 * 1024
_CHUNK_FILES = 64


@dataclass
class ScanStats:
    files: int = 0
    bytes: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

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
    scanner: Scanner, path: Path, display: str, limits: FileLimits, stats: ScanStats
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


def _init_worker(scanner: Scanner, limits: FileLimits) -> None:
    global _WORKER
    _WORKER = (scanner, limits)


def _scan_chunk(chunk: list[tuple[str, str]]) -> tuple[list[Finding], ScanStats]:
    assert _WORKER is not None
    scanner, limits = _WORKER
    stats = ScanStats()
    findings: list[Finding] = []
    for path, display in chunk:
        findings.extend(_scan_one(scanner, Path(path), display, limits, stats))
    return findings, stats


def _chunks(items: Sequence[tuple[Path, str]], sizes: Sequence[int]) -> list[list[tuple[str, str]]]:
    # Biggest first, so the pool's last chunks are small and the cores finish together.
    order = sorted(range(len(items)), key=lambda i: -sizes[i])
    chunks: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    total = 0
    for i in order:
        path, display = items[i]
        current.append((str(path), display))
        total += sizes[i]
        if total >= _CHUNK_BYTES or len(current) >= _CHUNK_FILES:
            chunks.append(current)
            current, total = [], 0
    if current:
        chunks.append(current)
    return chunks


def scan_files(
    scanner: Scanner,
    items: Sequence[tuple[Path, str]],
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
                sizes.append(path.stat().st_size)
            except OSError:
                sizes.append(0)
    if jobs <= 1 or len(items) < PARALLEL_MIN_FILES or sum(sizes) < PARALLEL_MIN_BYTES:
        for path, display in items:
            findings.extend(_scan_one(scanner, path, display, limits, stats))
            done(display)
        return findings, stats
    from concurrent.futures import ProcessPoolExecutor  # lazy: 8 ms the hook path never needs

    scanner.prepare_for_workers()
    context = None
    if sys.platform.startswith("linux"):
        import multiprocessing

        context = multiprocessing.get_context("fork")  # workers inherit the rules, no pickling
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(scanner, limits)
    ) as pool:
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
