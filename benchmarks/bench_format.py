"""The helpers of the secretsfile-vs-sops benchmarks: the generated files and timed runs.

    python benchmarks/bench_format.py [bench_speed.py's options]   # = bench_speed.py

Generates flat YAML files of N keys (values cycle string/int/float/bool); times whole processes
(wall and peak RSS) and alternates commands so load spikes hit all alike. ``bench_speed.py``
prints the table (the package installed non-editable, against the sops Go binary);
``bench_vault.py`` reuses these helpers.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from pathlib import Path


def plaintext(keys: int) -> str:
    lines = []
    for i in range(keys):
        kind = i % 4
        value = (f"value-{i}-abcdefghij", str(i * 7), f"{i}.25", "true")[kind]
        lines.append(f"key_{i:05d}: {value}")
    return "\n".join(lines) + "\n"


def timed(command: list[str], env: dict[str, str], stdin: bytes | None = None) -> float:
    return measured(command, env, stdin)[0]


def measured(command: list[str], env: dict[str, str], stdin: bytes | None = None,
             cwd: Path | None = None, check: bool = True) -> tuple[float, int]:  # fmt: skip
    """Wall seconds and peak RSS (bytes) of one whole process (``wait4``: this child's own)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, cwd=cwd,
                               stdin=subprocess.PIPE if stdin is not None else None)
    if stdin is not None:
        assert process.stdin is not None
        process.stdin.write(stdin)
        process.stdin.close()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if check and process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, command)
    return elapsed, usage.ru_maxrss * 1024  # Linux reports KiB


def samples(commands: list[list[str]], env: dict[str, str], runs: int) -> list[list[float]]:
    """Alternate the commands so load spikes hit all alike; every run's seconds, per command
    (the first round only warms the page cache and is not kept)."""
    kept: list[list[float]] = [[] for _ in commands]
    for command in commands:
        timed(command, env)
    for _ in range(runs):
        for index, command in enumerate(commands):
            kept[index].append(timed(command, env))
    return kept


def interleaved(commands: list[list[str]], env: dict[str, str], runs: int) -> list[float]:
    """Each command's median over alternating runs (``samples``)."""
    return [statistics.median(times) for times in samples(commands, env, runs)]


def main() -> None:
    """The table itself is ``bench_speed.py``'s (non-editable install, every row, ratios)."""
    from bench_speed import main as speed_main

    speed_main()


if __name__ == "__main__":
    main()
