"""SOPS_AGE_KEY_CMD / SECRETSFILE_AGE_KEY_CMD: identities from a command, as sops 3.11 reads
them (shlex-split, no shell, SOPS_AGE_RECIPIENT set), run lazily and once per recipient."""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

import pytest

from secretsfile.errors import KeySourceError
from secretsfile.keysources import age_cmd, registry
from secretsfile.keysources.age import clear_cache, generate_identity


def _key(tmp_path: Path, name: str = "keys.txt") -> tuple[Path, str, str]:
    text, public = generate_identity()
    path = tmp_path / name
    path.write_text(text)
    path.chmod(0o600)
    secret = next(line for line in text.splitlines() if line.startswith("AGE-SECRET-KEY-"))
    return path, public, secret


def _script(tmp_path: Path, body: str) -> str:
    """A command line running a small Python script (counts its runs in calls.log)."""
    script = tmp_path / "cmd.py"
    script.write_text("import os, sys\n"
                      f"open({str(tmp_path / 'calls.log')!r}, 'a').write("
                      "os.environ.get('SOPS_AGE_RECIPIENT', '-') + '\\n')\n" + body)
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}"


def test_identity_from_sops_age_key_cmd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys, public, secret = _key(tmp_path)
    source = registry.get("age")
    entry = source.wrap(public, os.urandom(32))
    monkeypatch.setenv("SOPS_AGE_KEY_CMD", f"cat {shlex.quote(str(keys))}")
    assert len(source.unwrap(entry)) == 32
    assert "SOPS_AGE_KEY_CMD (cat) (1 identity)" in map(str, source.reports())
    assert secret not in repr(source.reports())


def test_runs_once_per_recipient_with_the_recipient_set(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    keys, public, _ = _key(tmp_path)
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_CMD",
                       _script(tmp_path, f"sys.stdout.write(open({str(keys)!r}).read())\n"))
    source = registry.get("age")
    entries = [source.wrap(public, os.urandom(32)) for _ in range(3)]
    for entry in entries:
        source.unwrap(entry)
    assert (tmp_path / "calls.log").read_text() == public + "\n"


def test_not_run_when_a_local_identity_opens_the_key(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    keys, public, _ = _key(tmp_path)
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(keys))
    monkeypatch.setenv("SOPS_AGE_KEY_CMD", _script(tmp_path, "sys.exit(1)\n"))
    source = registry.get("age")
    source.unwrap(source.wrap(public, os.urandom(32)))
    assert not (tmp_path / "calls.log").exists()
    assert "set; runs when no other identity opens a key" in str(source.reports())


@pytest.mark.parametrize(("body", "reason"), [
    ("sys.stderr.write('AGE-SECRET-KEY-1LEAKED'); sys.exit(3)\n", "failed: exit status 3"),
    ("print('garbage AGE-SECRET-KEY-1NOPE')\n", "line 1: not an age identity"),
])
def test_failing_command_is_reported_not_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               body: str, reason: str) -> None:  # fmt: skip
    _, public, _ = _key(tmp_path)
    monkeypatch.setenv("SOPS_AGE_KEY_CMD", _script(tmp_path, body))
    source = registry.get("age")
    with pytest.raises(KeySourceError) as caught:
        source.unwrap(source.wrap(public, os.urandom(32)))
    message = caught.value.message
    assert message.startswith("no age identity found; SOPS_AGE_KEY_CMD") and reason in message
    assert "LEAKED" not in message and "NOPE" not in message
    assert "cmd.py" not in message  # the command line is never shown, only the program


def test_no_shell_and_quoted_arguments(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keys, public, _ = _key(tmp_path, "my keys.txt")
    source = registry.get("age")
    entry = source.wrap(public, os.urandom(32))
    monkeypatch.setenv("SOPS_AGE_KEY_CMD", f"cat '{keys}'")  # a quoted path with a space
    assert len(source.unwrap(entry)) == 32
    clear_cache()
    monkeypatch.setenv("SOPS_AGE_KEY_CMD", f"cat '{keys}' | cat")  # '|' is an argument of cat
    with pytest.raises(KeySourceError, match="exit status 1"):
        registry.get("age").unwrap(entry)


def test_missing_program_and_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, public, _ = _key(tmp_path)
    source = registry.get("age")
    entry = source.wrap(public, os.urandom(32))
    monkeypatch.setenv("SOPS_AGE_KEY_CMD", "/nonexistent/passman get key")
    with pytest.raises(KeySourceError, match=r"\(passman\) \(command not found\)"):
        source.unwrap(entry)
    clear_cache()
    monkeypatch.setattr(age_cmd, "TIMEOUT", 0.3)
    monkeypatch.setenv("SOPS_AGE_KEY_CMD", _script(tmp_path, "import time; time.sleep(5)\n"))
    with pytest.raises(KeySourceError, match="timed out"):
        registry.get("age").unwrap(entry)


def test_secretsfile_command_first_then_sops(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    keys, public, _ = _key(tmp_path)
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_CMD", "false")
    monkeypatch.setenv("SOPS_AGE_KEY_CMD", f"cat {keys}")
    source = registry.get("age")
    entry = source.wrap(public, os.urandom(32))
    assert len(source.unwrap(entry)) == 32
    labels = [report.label for report in source.reports()]
    assert labels[-2:] == ["SECRETSFILE_AGE_KEY_CMD (false)", "SOPS_AGE_KEY_CMD (cat)"]
    clear_cache()  # the first command that opens the key ends the search
    monkeypatch.setenv("SECRETSFILE_AGE_KEY_CMD", f"cat {keys}")
    monkeypatch.setenv("SOPS_AGE_KEY_CMD", _script(tmp_path, "sys.exit(1)\n"))
    assert len(registry.get("age").unwrap(entry)) == 32
    assert not (tmp_path / "calls.log").exists()


def test_key_cmd_variables_are_stripped_from_children() -> None:
    assert registry.is_key_variable("SOPS_AGE_KEY_CMD")
    assert registry.is_key_variable("SECRETSFILE_AGE_KEY_CMD")


@pytest.mark.parametrize(("body", "reason"), [
    ("sys.stdout.flush()\nwhile True: sys.stdout.buffer.write(bytes(65536))\n",
     "printed more than 1 MiB on stdout (stopped)"),
    ("sys.stdout.buffer.write(bytes(2 << 20)); sys.stdout.flush(); import time; time.sleep(30)\n",
     "printed more than 1 MiB on stdout (stopped)"),
    ("while True: sys.stderr.write('x' * 65536)\n",
     "printed more than 64 KiB on stderr (stopped)"),
])
def test_endless_output_is_cut_while_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             body: str, reason: str) -> None:
    """'cat /dev/zero' used to be captured whole (4 GB, then MemoryError: exit 128)."""
    import time

    _, public, _ = _key(tmp_path)
    source = registry.get("age")
    entry = source.wrap(public, os.urandom(32))
    monkeypatch.setattr(age_cmd, "TIMEOUT", 8.0)
    monkeypatch.setenv("SOPS_AGE_KEY_CMD", _script(tmp_path, body))
    started = time.monotonic()
    with pytest.raises(KeySourceError) as caught:
        source.unwrap(entry)
    assert time.monotonic() - started < 5
    assert reason in caught.value.message


def test_cat_dev_zero(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, public, _ = _key(tmp_path)
    source = registry.get("age")
    entry = source.wrap(public, os.urandom(32))
    monkeypatch.setattr(age_cmd, "TIMEOUT", 8.0)
    monkeypatch.setenv("SOPS_AGE_KEY_CMD", "cat /dev/zero")
    with pytest.raises(KeySourceError, match=r"\(cat\) \(printed more than 1 MiB on stdout"):
        source.unwrap(entry)
