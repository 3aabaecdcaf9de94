"""Scanner speed: secretsfile vs detect-secrets on the CPython standard library, one run.

Prints a table: files, MB, seconds, MB/s, findings, and the speed ratio; then the wall
time of a pre-commit-style run over 5 staged files (interpreter start included) for the
hook entry point, the full CLI and detect-secrets-hook.

    python benchmarks/bench_scan.py                 # everything (detect-secrets takes ~90 s)
    python benchmarks/bench_scan.py --skip-peer     # secretsfile only
    python benchmarks/bench_scan.py --jobs 2 --hook-runs 15

The tree is every ``.py`` file under ``sysconfig.get_paths()['stdlib']`` except
``site-packages`` (about 1,800 files / 31 MB on 3.11), which holds no real credentials:
every finding there is a false alarm.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path


def stdlib_files() -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in ("site-packages", "__pycache__"))
        files.extend(Path(dirpath) / f for f in sorted(filenames) if f.endswith(".py"))
    return files


def run_secretsfile(files: list[Path], jobs: int) -> tuple[float, int, int, list[str]]:
    from secretsfile.scanner.engine import Scanner
    from secretsfile.scanner.rules import BUILTIN_RULES
    from secretsfile.scanner.runner import scan_files
    from secretsfile.scanner.sources import FileLimits

    root = Path(sysconfig.get_paths()["stdlib"])
    items = [(p, p.relative_to(root).as_posix()) for p in files]
    start = time.perf_counter()
    scanner = Scanner(BUILTIN_RULES)
    findings, stats = scan_files(scanner, items, FileLimits(max_file_size=0), jobs=jobs)
    elapsed = time.perf_counter() - start
    where = sorted(f"{f.path}:{f.line} {f.rule_id} {f.redacted}" for f in findings)
    return elapsed, stats.bytes, len(findings), where


def run_detect_secrets(files: list[Path], jobs: int) -> tuple[float, int]:
    from detect_secrets import SecretsCollection
    from detect_secrets.settings import default_settings

    start = time.perf_counter()
    secrets = SecretsCollection()
    with default_settings():
        secrets.scan_files(*[str(p) for p in files], num_processors=jobs)
    elapsed = time.perf_counter() - start
    count = sum(
        1 for _name, secret in secrets if secret.type != "Public IP (ipv4)"
    )  # IP addresses are not credentials
    return elapsed, count


def hook_latency(runs: int) -> list[tuple[str, float]]:
    """Median wall time of a 5-staged-file run, interpreter start included."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    picks = ["os.py", "subprocess.py", "smtplib.py", "ftplib.py", "netrc.py"]
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        subprocess.run(["git", "init", "-q", str(repo)], check=True, env=env)
        for name in picks:
            shutil.copy(stdlib / name, repo / name)
        subprocess.run(["git", "add", *picks], cwd=repo, check=True, env=env)
        secretsfile_cli = shutil.which("secretsfile")
        hook_cli = shutil.which("detect-secrets-hook")
        commands: list[tuple[str, list[str]]] = [
            ("secretsfile hook entry (python -m secretsfile.cli.scan scan --staged)",
             [sys.executable, "-m", "secretsfile.cli.scan", "scan", "--staged", "-q", *picks]),
        ]  # fmt: skip
        if secretsfile_cli:
            commands.append(("secretsfile scan --staged (full CLI)",
                             [secretsfile_cli, "scan", "--staged", "-q", *picks]))  # fmt: skip
        if hook_cli:
            commands.append(("detect-secrets-hook", [hook_cli, *picks]))
        for label, command in commands:
            subprocess.run(command, cwd=repo, env=env, capture_output=True)  # warm-up, .pyc
            times = []
            for _ in range(runs):
                start = time.perf_counter()
                subprocess.run(command, cwd=repo, env=env, capture_output=True)
                times.append(time.perf_counter() - start)
            rows.append((label, statistics.median(times)))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-peer", action="store_true", help="do not run detect-secrets")
    parser.add_argument("--hook-runs", type=int, default=11)
    parser.add_argument("--show-findings", action="store_true")
    args = parser.parse_args()

    files = stdlib_files()
    total = sum(p.stat().st_size for p in files)
    print(f"tree: {len(files)} .py files, {total / 1e6:.1f} MB ({sysconfig.get_paths()['stdlib']})")
    print(f"cores used: {args.jobs}\n")
    sf_time, sf_bytes, sf_count, where = run_secretsfile(files, args.jobs)
    rows = [("secretsfile", sf_time, sf_bytes, sf_count)]
    if not args.skip_peer:
        ds_time, ds_count = run_detect_secrets(files, args.jobs)
        rows.append(("detect-secrets 1.5", ds_time, total, ds_count))
    print(f"{'tool':<22}{'seconds':>9}{'MB/s':>9}{'findings':>10}")
    for name, seconds, size, count in rows:
        print(f"{name:<22}{seconds:>9.2f}{size / 1e6 / seconds:>9.2f}{count:>10}")
    if len(rows) == 2:
        print(f"\nspeed ratio secretsfile / detect-secrets: {rows[1][1] / rows[0][1]:.1f}x")
    if args.show_findings or sf_count:
        print("\nsecretsfile findings (all false alarms on this tree):")
        for line in where:
            print("  " + line)
    runs = args.hook_runs
    print(f"\npre-commit run over 5 staged files, median of {runs} (wall, incl. start-up):")
    for label, seconds in hook_latency(args.hook_runs):
        print(f"  {label:<72}{seconds:>6.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
