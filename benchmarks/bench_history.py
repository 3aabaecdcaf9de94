"""``secretsfile history`` over a long history: N commits touching an M-secret file.

    python benchmarks/bench_history.py [--commits 1000] [--secrets 200] [--runs 3]

Builds the repository fast: the file is encrypted once (every fifth secret a group of two
keys), then one process changes one value per commit and re-seals (unchanged values keep
their ciphertext, as with ``secret set``), and ``git fast-import`` writes all commits in
one go. Every tenth commit changes a group key, one commit in the middle rotates the data
key. Then, each as a fresh ``secretsfile`` process (medians of --runs): ``history --json``
with a key (compared by decrypted value), the same without a key (by ciphertext), and
``stale --older-than 90d``. Target: history under 10 s for 1,000 commits x 200 secrets.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FILE = "secrets/prod.yaml"


def _plain(secrets: int) -> str:
    lines = []
    for i in range(secrets):
        if i % 5 == 0:
            lines += [f"group-{i}:", f"    user: user-{i}", f"    password: pw-{i}-0"]
        else:
            lines.append(f"secret-{i}: value-{i}-0")
    return "\n".join(lines) + "\n"


def _versions(root: Path, secrets: int, commits: int) -> list[str]:
    """The file's text after each commit: one value changed per commit."""
    from secretsfile.ops.document import seal
    from secretsfile.ops.files import open_file
    from secretsfile.ops.rekey import rotate

    path = root / FILE
    opened = open_file(path)
    texts = []
    for n in range(commits):
        if n == commits // 2:
            rotate(path, None, None)
            opened = open_file(path)
        i = (n * 7) % secrets
        doc: Any = opened.plain[0]
        if i % 5 == 0:
            doc[f"group-{i}"]["password"] = f"pw-{i}-{n + 1}"
        else:
            doc[f"secret-{i}"] = f"value-{i}-{n + 1}"
        texts.append(seal(opened))
        path.write_text(texts[-1])
    return texts


def _fast_import(root: Path, config_text: str, texts: list[str]) -> None:
    start = 1_600_000_000
    chunks: list[bytes] = []
    for n, text in enumerate(texts):
        when = start + n * 3600
        message = f"change {n}".encode()
        data = text.encode()
        chunks.append(b"commit refs/heads/main\n")
        chunks.append(f"author Bench <b@example.invalid> {when} +0000\n".encode())
        chunks.append(f"committer Bench <b@example.invalid> {when} +0000\n".encode())
        chunks.append(f"data {len(message)}\n".encode() + message + b"\n")
        if n == 0:
            conf = config_text.encode()
            chunks.append(f"M 100644 inline .secretsfile.yaml\ndata {len(conf)}\n".encode()
                          + conf + b"\n")
        chunks.append(f"M 100644 inline {FILE}\ndata {len(data)}\n".encode() + data + b"\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input=b"".join(chunks),
                   check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=root, check=True)


def _time(argv: list[str], cwd: Path, env: dict[str, str], runs: int) -> tuple[float, int]:
    times, code = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
        code = done.returncode
        if code not in (0, 1):
            sys.exit(done.stderr.decode())
    return statistics.median(times), code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--secrets", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-history-"))
    home, root = work / "home", work / "repo"
    home.mkdir()
    root.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"),
           "GIT_CONFIG_NOSYSTEM": "1"}
    os.environ.update(env)
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["secretsfile", "keygen"], env=env, check=True, capture_output=True)
    subprocess.run(["secretsfile", "init", "--env", "prod"], cwd=root, env=env, check=True,
                   capture_output=True)
    (root / FILE).write_text(_plain(args.secrets))
    subprocess.run(["secretsfile", "encrypt", "--in-place", FILE], cwd=root, env=env,
                   check=True, capture_output=True)
    started = time.perf_counter()
    texts = _versions(root, args.secrets, args.commits)
    _fast_import(root, (root / ".secretsfile.yaml").read_text(), texts)
    print(f"built {args.commits} commits x {args.secrets} secrets "
          f"({len(texts[-1]) // 1024} KiB file) in {time.perf_counter() - started:.1f} s")
    nokey = {**env, "HOME": str(work / "nokey"), "XDG_CONFIG_HOME": str(work / "nokey")}
    for label, argv, run_env in (
        ("history --json (with a key, by value)", ["secretsfile", "history", "--json"], env),
        ("history --json (no key, by ciphertext)", ["secretsfile", "history", "--json"], nokey),
        ("stale --older-than 90d (with a key)",
         ["secretsfile", "stale", "--older-than", "90d"], env),
    ):
        seconds, code = _time(argv, root, run_env, args.runs)
        print(f"{label:42} {seconds:6.2f} s  (exit {code}; target < 10 s)")


if __name__ == "__main__":
    main()
