"""Issue 7, items 13, 14, 17 and 4 (values): no command silently destroys data, and bad
names, directories or binary values are one line with a documented exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from secretsfile.cli.entry import try_fast
from secretsfile.keysources.age import generate_identity
from tests.cli.conftest import PLANTED, Runner, init_repo

BINARY = b"\xff\xfe\x00bin\x80PLANTED-BINARY\xc3"  # not UTF-8 (0xff never is)


def _clean(result_text: str) -> None:
    assert "Traceback" not in result_text
    assert all(secret not in result_text for secret in PLANTED)


# -- item 13: plaintext never over an encrypted file, never where encryption is required --


def test_decrypt_onto_itself_is_refused(run: Runner, enc_yaml: Path) -> None:
    before = enc_yaml.read_bytes()
    result = run("decrypt", enc_yaml, "-o", enc_yaml)
    assert result.code == 2
    assert "refusing to write plaintext over an encrypted file" in result.stderr
    assert result.stderr.count("\n") == 1 and result.stdout == ""
    _clean(result.output)
    assert enc_yaml.read_bytes() == before


def test_decrypt_onto_an_encrypted_file_we_cannot_open_is_refused(
    run: Runner, enc_yaml: Path, tmp_path: Path
) -> None:
    """The check reads metadata only: no key for the target is needed to refuse."""
    _, other = generate_identity()
    plain = tmp_path / "other.json"
    plain.write_text('{"x": "y"}')
    assert run("encrypt", "--age", other, "-i", plain).code == 0
    before = plain.read_bytes()
    result = run("decrypt", enc_yaml, "--output", plain)
    assert result.code == 2 and "over an encrypted file" in result.stderr
    assert plain.read_bytes() == before


@pytest.fixture
def project(run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return init_repo(run, tmp_path, monkeypatch, "dev", "prod")


def test_decrypt_into_the_secrets_directory_is_refused(
    run: Runner, project: Path, tmp_path: Path
) -> None:
    assert run("secret", "set", "api", "--env", "dev", "--value-stdin", stdin=PLANTED[0]).code == 0
    target = project / "secrets" / "dev.plain.yaml"
    result = run("decrypt", "secrets/dev.yaml", "-o", "secrets/dev.plain.yaml")
    assert result.code == 2, result.stderr
    assert "where files must be encrypted" in result.stderr
    assert ".secretsfile.yaml" in result.stderr  # which config says so
    _clean(result.output)
    assert not target.exists()
    outside = tmp_path / "elsewhere.yaml"
    assert run("decrypt", "secrets/dev.yaml", "-o", outside).code == 0
    assert PLANTED[0] in outside.read_text()


@pytest.mark.parametrize("command", [
    ("render", "app.tmpl", "--env", "dev", "-o"),
    ("ci", "export", "--env", "dev", "--format", "dotenv", "-o"),
])
def test_render_and_ci_export_refuse_the_same_targets(
    run: Runner, project: Path, command: tuple[str, ...]
) -> None:
    assert run("secret", "set", "api", "--env", "dev", "--value-stdin", stdin=PLANTED[0]).code == 0
    (project / "app.tmpl").write_text("token: {{ api }}\n")
    before = (project / "secrets" / "prod.yaml").read_text()
    for target in ("secrets/prod.yaml", "secrets/rendered.txt"):
        result = run(*command, target)
        assert result.code == 2, (target, result.output)
        _clean(result.output)
    assert (project / "secrets" / "prod.yaml").read_text() == before
    assert not (project / "secrets" / "rendered.txt").exists()


def test_keys_and_status_on_a_directory_say_so(run: Runner, tmp_path: Path) -> None:
    for command in ("keys", "status"):
        result = run(command, str(tmp_path))
        assert result.code == 2 and "is a directory" in result.stderr, result.output


def test_decrypt_into_a_creation_rule_path_is_refused(
    run: Runner, enc_yaml: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "sops-project"
    root.mkdir()
    (root / ".sops.yaml").write_text(
        "creation_rules:\n  - path_regex: \\.prod\\.yaml$\n    age: age1xyz\n"
    )
    monkeypatch.chdir(root)
    result = run("decrypt", enc_yaml, "-o", "app.prod.yaml")
    assert result.code == 2 and ".sops.yaml" in result.stderr
    assert not (root / "app.prod.yaml").exists()
    assert run("decrypt", enc_yaml, "-o", "app.dev.yaml").code == 0


# -- item 14: set refuses to drop data it was not asked to replace --------------------------


def test_set_below_a_scalar_is_refused_and_names_the_path(run: Runner, enc_yaml: Path) -> None:
    before = enc_yaml.read_bytes()
    result = run("set", enc_yaml, "api_token.inner", "--value-stdin", stdin="new")
    assert result.code == 1
    assert '["api_token"]' in result.stderr and "--force" in result.stderr
    assert str(enc_yaml) in result.stderr
    _clean(result.output)
    assert enc_yaml.read_bytes() == before
    forced = run("set", "--force", enc_yaml, "api_token.inner", "--value-stdin", stdin="new")
    assert forced.code == 0
    assert run("get", enc_yaml, "api_token.inner").stdout == "new\n"


def test_set_scalar_over_a_map_names_every_lost_key(run: Runner, enc_yaml: Path) -> None:
    before = enc_yaml.read_bytes()
    result = run("set", enc_yaml, "db", "--value-stdin", stdin="flat")
    assert result.code == 1
    for path in ('["db"]["user"]', '["db"]["password"]', '["db"]["port"]'):
        assert path in result.stderr
    _clean(result.output)
    assert enc_yaml.read_bytes() == before


def test_set_map_keeping_every_key_and_plain_updates_need_no_force(
    run: Runner, enc_yaml: Path
) -> None:
    value = '{"user": "u", "password": "p", "port": 1, "extra": true}'
    assert run("set", enc_yaml, "db", "--json", "--value-stdin", stdin=value).code == 0
    assert run("set", enc_yaml, "db.user", "--value-stdin", stdin="v").code == 0
    assert run("set", enc_yaml, "flags.2", "--value-stdin", stdin="appended").code == 0
    assert run("get", enc_yaml, "flags.2").stdout == "appended\n"


# -- item 17: format names and directories ---------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("decrypt", "--output-type", "toml", "{f}"),
        ("decrypt", "--output-type=toml", "--extract", "db", "{f}"),
        ("decrypt", "--input-type", "toml", "{f}"),
        ("get", "--input-type", "toml", "{f}", "db.user"),
        ("decrypt", "{dir}"),
        ("get", "{dir}", "a"),
    ],
)
def test_bad_format_names_and_directories_exit_2_on_both_paths(
    run: Runner, enc_yaml: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    directory = enc_yaml.with_name("a-directory")
    directory.mkdir()
    argv = [a.format(f=enc_yaml, dir=directory) for a in args]
    full = run(*argv)
    assert full.code == 2 and full.stdout == ""
    expected = "is a directory" if "{dir}" in args else "use yaml, json, dotenv, ini or binary"
    assert expected in full.stderr
    capsys.readouterr()
    assert try_fast(argv) == 2
    fast = capsys.readouterr()
    assert (fast.out, fast.err) == (full.stdout, full.stderr)


def test_encrypt_with_unknown_output_type_exits_2(run: Runner, plain_yaml: Path) -> None:
    result = run("encrypt", "--output-type", "toml", plain_yaml)
    assert result.code == 2 and result.stdout == ""
    assert "unknown output format 'toml'" in result.stderr


def test_set_on_a_directory_says_so(run: Runner, tmp_path: Path) -> None:
    result = run("set", tmp_path, "a", "--value-stdin", stdin="x")
    assert result.code == 2 and "is a directory" in result.stderr


# -- item 4: binary values are refused, naming where they came from --------------------------


def test_set_value_file_with_binary_content_is_refused(
    run: Runner, enc_yaml: Path, tmp_path: Path
) -> None:
    blob = tmp_path / "blob.bin"
    blob.write_bytes(BINARY)
    before = enc_yaml.read_bytes()
    result = run("set", enc_yaml, "blob", "--value-file", blob)
    assert result.code == 6
    assert str(blob) in result.stderr and "not UTF-8" in result.stderr
    assert "PLANTED-BINARY" not in result.output
    _clean(result.output)
    assert enc_yaml.read_bytes() == before


def test_set_value_file_with_utf8_text_is_kept_exactly(
    run: Runner, enc_yaml: Path, tmp_path: Path
) -> None:
    text = tmp_path / "cert.pem"
    text.write_bytes("héllo — ✓\nline 2\n".encode())
    assert run("set", enc_yaml, "cert", "--value-file", text).code == 0
    assert run("get", enc_yaml, "cert").stdout == "héllo — ✓\nline 2\n"


def _cli(*args: str | Path, stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    """The real console entry with real bytes on stdin (the in-process runner has text)."""
    env = {**os.environ, "LC_ALL": "C.UTF-8"}
    return subprocess.run([sys.executable, "-m", "secretsfile", *map(str, args)], input=stdin,
                          capture_output=True, env=env, check=False)


def test_value_stdin_with_binary_content_is_refused(enc_yaml: Path) -> None:
    before = enc_yaml.read_bytes()
    result = _cli("set", enc_yaml, "blob", "--value-stdin", stdin=BINARY)
    assert result.returncode == 6, result.stderr
    assert b"stdin: not UTF-8" in result.stderr and b"Traceback" not in result.stderr
    assert b"PLANTED-BINARY" not in result.stderr + result.stdout
    assert enc_yaml.read_bytes() == before
    assert _cli("set", enc_yaml, "ok", "--value-stdin", stdin="é\n".encode()).returncode == 0


def test_secret_values_from_binary_files_are_refused(
    run: Runner, project: Path, tmp_path: Path
) -> None:
    blob = tmp_path / "blob.bin"
    blob.write_bytes(BINARY)
    env_file = project / "secrets" / "dev.yaml"
    before = env_file.read_bytes()
    for args in (("set", "blob-key", "--value-file", str(blob)),
                 ("create", "grp", f"--key=@{blob}"),
                 ("create", "grp", "--values", f"@{blob}")):
        result = run("secret", *args, "--env", "dev")
        assert result.code == 6, (args, result.stderr)
        assert str(blob) in result.stderr and "not UTF-8" in result.stderr
        assert "PLANTED-BINARY" not in result.output and "Traceback" not in result.output
    assert env_file.read_bytes() == before


# -- item 14: named secrets keep their shape unless --force ----------------------------------


def test_secret_set_over_a_group_is_refused_and_names_its_keys(
    run: Runner, project: Path
) -> None:
    assert run("secret", "create", "app-db", "--env", "dev", f"--user=u-{PLANTED[0]}",
               f"--password={PLANTED[1]}").code == 0
    before = (project / "secrets" / "dev.yaml").read_bytes()
    result = run("secret", "set", "app-db", "--env", "dev", "--value-stdin", stdin="one")
    assert result.code == 1
    assert "keys: user, password" in result.stderr and "--force" in result.stderr
    _clean(result.output)
    assert (project / "secrets" / "dev.yaml").read_bytes() == before
    forced = run("secret", "set", "app-db", "--env", "dev", "--force", "--value-stdin", stdin="one")
    assert forced.code == 0
    assert run("secret", "get", "app-db", "--env", "dev", "--reveal").stdout == "one\n"


def test_secret_update_of_a_single_value_is_refused(run: Runner, project: Path) -> None:
    assert run("secret", "set", "token", "--env", "dev", "--value-stdin",
               stdin=PLANTED[0]).code == 0
    before = (project / "secrets" / "dev.yaml").read_bytes()
    result = run("secret", "update", "token", "--env", "dev", "--key=v")
    assert result.code == 1
    assert "holds one value" in result.stderr and "--force" in result.stderr
    _clean(result.output)
    assert (project / "secrets" / "dev.yaml").read_bytes() == before
    assert run("secret", "update", "token", "--env", "dev", "--force", "--key=v").code == 0
    assert run("secret", "get", "token", "--env", "dev", "-k", "key", "--reveal").stdout == "v\n"
    assert run("secret", "set", "token2", "--env", "dev", "--value-stdin", stdin="x").code == 0
    assert run("secret", "set", "token2", "--env", "dev", "--value-stdin", stdin="y").code == 0


def test_output_to_a_directory_is_a_usage_error(run: Runner, enc_yaml: Path,
                                                tmp_path: Path) -> None:
    result = run("decrypt", str(enc_yaml), "-o", str(tmp_path))
    assert result.code == 2 and "is a directory" in result.stderr
    _clean(result.output)


def test_odd_arguments_exit_cleanly_without_echoing_them(run: Runner, enc_yaml: Path,
                                                         project: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    result = run("set", str(enc_yaml), "a", "--json", "--value", deep)
    assert result.code == 6 and "too deeply nested" in result.stderr
    result = run("set", str(enc_yaml), "[" + "9" * 5000 + "]", "--value", "x")
    assert result.code == 2 and "too large" in result.stderr
    assert run("secret", "set", "api", "--env", "dev", "--value-stdin", stdin="x").code == 0
    result = run("secret", "update", "api", "--env", "dev", "hunter2-PLANTED")
    assert result.code == 2 and "hunter2-PLANTED" not in result.output
    result = run("secret", "create", "new-one", "--env", "dev", "--values", deep)
    assert result.code == 6 and "too large or too deeply nested" in result.stderr
