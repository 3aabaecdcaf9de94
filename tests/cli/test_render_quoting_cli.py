"""What ``render`` and ``decrypt --output-type dotenv`` print reads back as the same string:
through yaml.safe_load (YAML 1.1) and ruamel (YAML 1.2), json, python-dotenv and
``set -a; . FILE`` in sh; compared with what the real sops prints."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from secretsfile.config.project import load as project
from secretsfile.keysources.age import default_key_file
from secretsfile.ops.secrets import save_secret
from secretsfile.secrets.model import Secret
from tests.cli.conftest import Runner

# every one a string; each reads as something else (or nothing) when printed bare
TRICKY = ["0777", "no", "on", "012345678901", "1e3", "null", "~", "a b", "a#b", "'q'",
          '"dq"', "$HOME", "line1\nline2", "trailing ", "Yes", ".inf", "0x1F", "1:30",
          "2001-12-14", "-", "<<", "", "plain-word"]
KEYS = [f"k{i}" for i in range(len(TRICKY))]
# what a dotenv reader misreads bare (the rest is printed bare, as sops prints it)
SHELL_SPECIAL = {"~", "a b", "a#b", "'q'", '"dq"', "$HOME", "line1\nline2", "trailing ", "<<"}
VALUES = dict(zip(KEYS, TRICKY, strict=True))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, age_key: str) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".secretsfile.yaml").write_text(
        f"environments:\n  dev:\n    recipients: [{age_key}]\n")
    config = project()
    dev = config.choose("dev")
    save_secret(config, dev, Secret("sss", "dev", values=VALUES), create=True)
    save_secret(config, dev, Secret("typed", "dev", values={"port": 5432, "on": True}),
                create=True)
    return tmp_path


def test_yaml_render_reads_back_as_the_same_strings(run: Runner, repo: Path) -> None:
    (repo / "t.yaml").write_text("".join(f"{k}: {{{{ sss.{k} }}}}\n" for k in KEYS)
                                 + "port: {{ typed.port }}\nflag: {{ typed.on }}\n")
    result = run("render", "t.yaml", "--env", "dev")
    assert result.code == 0, result.stderr
    expected = {**VALUES, "port": 5432, "flag": True}  # typed values stay typed
    assert yaml.safe_load(result.stdout) == expected
    from ruamel.yaml import YAML

    assert dict(YAML(typ="safe").load(result.stdout)) == expected
    assert "k0: \"0777\"\n" in result.stdout and "k22: plain-word\n" in result.stdout


def test_json_render_reads_back_as_the_same_strings(run: Runner, repo: Path) -> None:
    bare = ", ".join(f'"{k}": {{{{ sss.{k} }}}}' for k in KEYS)
    inside = ", ".join(f'"in_{k}": "<{{{{ sss.{k} }}}}>"' for k in KEYS)
    (repo / "t.json").write_text(f'{{{bare}, {inside}, "port": {{{{ typed.port }}}}}}')
    result = run("render", "t.json", "--env", "dev")
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {k: data[k] for k in KEYS} == VALUES
    assert {k: data[f"in_{k}"] for k in KEYS} == {k: f"<{v}>" for k, v in VALUES.items()}
    assert data["port"] == 5432


def _encrypted_yaml(repo: Path, age_key: str, run: Runner) -> Path:
    plain = repo / "plain.yaml"
    plain.write_text("".join(f"{k}: {json.dumps(v)}\n" for k, v in VALUES.items())
                     + "both: \"it's $HOME\"\n")
    result = run("encrypt", "--age", age_key, plain, "--output", repo / "s.yaml")
    assert result.code == 0, result.stderr
    return repo / "s.yaml"


def test_dotenv_output_reads_back_in_python_dotenv_and_sh(run: Runner, repo: Path,
                                                          age_key: str) -> None:
    dotenv = pytest.importorskip("dotenv")
    path = _encrypted_yaml(repo, age_key, run)
    result = run("decrypt", "--output-type", "dotenv", path)
    assert result.code == 0, result.stderr
    out = repo / "out.env"
    out.write_text(result.stdout)
    expected = {**VALUES, "both": "it's $HOME"}
    read = dotenv.dotenv_values(out, interpolate=False)
    # python-dotenv cannot read the POSIX form that a value with both ' and $ needs
    assert {k: read[k] for k in KEYS} == VALUES
    sh = subprocess.run(["sh", "-c", 'set -a; . "$1"; env -0', "sh", str(out)],
                        capture_output=True, text=True, check=True, env={"HOME": "/nowhere"})
    env = dict(entry.split("=", 1) for entry in sh.stdout.split("\0") if "=" in entry)
    assert {k: env[k] for k in expected} == expected
    assert sh.stderr == ""


@pytest.mark.skipif(shutil.which("sops") is None, reason="needs the sops binary")
def test_dotenv_output_differs_from_sops_only_where_sops_is_misread(
        run: Runner, repo: Path, age_key: str) -> None:
    path = _encrypted_yaml(repo, age_key, run)
    ours = run("decrypt", "--output-type", "dotenv", path).stdout
    env = {**os.environ, "SOPS_AGE_KEY_FILE": str(default_key_file())}
    theirs = subprocess.run(["sops", "decrypt", "--output-type", "dotenv", str(path)],
                            capture_output=True, text=True, check=True, env=env).stdout
    ours_lines = dict(line.split("=", 1) for line in ours.splitlines() if "=" in line)
    their_lines = dict(line.split("=", 1) for line in theirs.splitlines() if "=" in line)
    for key, value in VALUES.items():
        if value in SHELL_SPECIAL:
            assert ours_lines[key] != their_lines.get(key)  # sops: bare, misread (#1951)
        else:  # YAML's ambiguities do not matter to dotenv readers
            assert ours_lines[key] == their_lines[key] == value  # bare, as sops prints it


def _sh_env(path: Path) -> dict[str, str]:
    sh = subprocess.run(["sh", "-c", 'set -a; . "$1"; env -0', "sh", str(path)],
                        capture_output=True, text=True, check=True, env={"HOME": "/nowhere"})
    assert sh.stderr == ""
    return dict(entry.split("=", 1) for entry in sh.stdout.split("\0") if "=" in entry)


@pytest.mark.parametrize("name", [".env", ".env.production", "app.env.tmpl", "-"])
def test_dotenv_render_reads_back_as_the_same_strings(run: Runner, repo: Path,
                                                      name: str) -> None:
    dotenv = pytest.importorskip("dotenv")
    template = "".join(f"{k.upper()}={{{{ sss.{k} }}}}\n" for k in KEYS) + "# {{ sss.k22 }}\n"
    if name == "-":
        result = run("render", "-", "--format", "dotenv", "--env", "dev", stdin=template)
    else:
        (repo / name).write_text(template)
        result = run("render", name, "--env", "dev")
    assert result.code == 0, result.stderr
    out = repo / "out.env"
    out.write_text(result.stdout)
    expected = {k.upper(): v for k, v in VALUES.items()}
    assert {k: _sh_env(out)[k] for k in expected} == expected
    assert dotenv.dotenv_values(out, interpolate=False) == expected
    assert "K22=plain-word\n" in result.stdout and "# plain-word\n" in result.stdout


def test_dotenv_render_quotes_a_value_with_quote_and_dollar(run: Runner, repo: Path,
                                                            age_key: str) -> None:
    save_secret(project(), project().choose("dev"),
                Secret("bbb", "dev", values={"x": "it's $HOME"}), create=True)
    (repo / "t.env").write_text("Y={{ bbb.x }}\n")
    result = run("render", "t.env", "--env", "dev")
    assert result.code == 0, result.stderr
    assert result.stdout == "Y='it'\\''s $HOME'\n"  # as decrypt --output-type dotenv prints it
    (repo / "out.env").write_text(result.stdout)
    assert _sh_env(repo / "out.env")["Y"] == "it's $HOME"


def test_dotenv_render_refuses_what_it_cannot_quote_without_leaking(run: Runner,
                                                                    repo: Path) -> None:
    (repo / "a.env").write_text('A="x{{ sss.k11 }}"\n')  # $HOME inside "…": expanded
    (repo / "b.env").write_text("B=pre{{ sss.k7 }}\n")  # a b: in a longer bare value
    for name in ("a.env", "b.env"):
        result = run("render", name, "--env", "dev")
        assert result.code != 0 and result.stdout == ""
        assert f"{name}:1" in result.stderr and "KEY={{ … }}" in result.stderr
        assert "$HOME" not in result.stderr and "a b" not in result.stderr
    (repo / "c.env").write_text("C='{{ sss.k22 }}'\nD=\"{{ sss.k11 }}\"\n")  # safe inside
    result = run("render", "c.env", "--env", "dev")
    assert result.code != 0 and "c.env:2" in result.stderr
    (repo / "d.env").write_text("C='{{ sss.k22 }}'\nD=\"x-{{ sss.k0 }}\"\n")
    assert run("render", "d.env", "--env", "dev").stdout == "C='plain-word'\nD=\"x-0777\"\n"


def test_ini_render_refuses_a_value_its_readers_would_strip(run: Runner, repo: Path) -> None:
    # configparser and go-ini strip spaces around a value, and only go-ini unquotes "…"
    (repo / "t.ini").write_text("[s]\nc={{ sss.k13 }}\n")  # "trailing "
    result = run("render", "t.ini", "--env", "dev")
    assert result.code != 0 and result.stdout == ""
    assert "t.ini:2" in result.stderr and "space" in result.stderr
    (repo / "u.ini").write_text("[s]\nc=<{{ sss.k13 }}>\n")  # inside: kept
    assert run("render", "u.ini", "--env", "dev").stdout == "[s]\nc=<trailing >\n"
