"""Integrity beyond sops' MAC, through the CLI: someone who can push but holds no key must
not be able to blank, hide, rename or retype a secret (issue 7, items 1 and 2)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import traceback
from pathlib import Path

import pytest

import secretsfile
from secretsfile.errors import IntegrityError
from secretsfile.ops import files

from .conftest import Runner

PLANTED = "tok-PLANTED-4242"
TAG_LINE = re.compile(r"(?m)^\s*secretsfile_tag: .*\n")

PLAIN = f"""\
token: "1234"
api: {PLANTED}
empty: ""
nothing: null
emptymap: {{}}
emptylist: []
a_unencrypted: ab
b_unencrypted: c
"""


def no_plant(*texts: str) -> None:
    for text in texts:
        assert PLANTED not in text


@pytest.fixture
def sealed(run: Runner, age_key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A file encrypted by secretsfile (so it carries an integrity tag), outside any project."""
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "s.yaml"
    path.write_text(PLAIN)
    assert run("encrypt", "--in-place", str(path)).code == 0
    assert "secretsfile_tag: v1:" in path.read_text()
    return path


def _sub(text: str, pattern: str, replacement: str) -> str:
    changed = re.sub(pattern, replacement, text, count=1, flags=re.M)
    assert changed != text, pattern
    return changed


TAMPERS = {
    "rename a key holding an empty string": (r"^empty:", "emptx:"),
    "rename a key holding null": (r"^nothing:", "nothinx:"),
    "remove an empty map": (r"^emptymap: \{\}\n", ""),
    "remove an empty list": (r"^emptylist: \[\]\n", ""),
    "add a key holding null": (r"^token:", "added: null\ntoken:"),
    "add a key holding an empty string": (r"^token:", 'added: ""\ntoken:'),
    "change a type tag (str -> int)": (r"^(token: ENC\[.*)type:str\]", r"\1type:int]"),
    "re-split unencrypted values": (r"^a_unencrypted: ab\nb_unencrypted: c$",
                                    "a_unencrypted: a\nb_unencrypted: bc"),
    "prepend a document": (r"\A", 'api: ""\n---\n'),
}


@pytest.mark.parametrize("tamper", sorted(TAMPERS))
def test_keyless_structure_changes_are_refused(run: Runner, sealed: Path, tamper: str) -> None:
    pattern, replacement = TAMPERS[tamper]
    sealed.write_text(_sub(sealed.read_text(), pattern, replacement))
    for command in (("decrypt", str(sealed)), ("get", str(sealed), "api"),
                    ("get", str(sealed), "token")):
        result = run(*command)
        assert result.code == 4, (tamper, command, result.output)
        assert len(result.stderr.strip().splitlines()) == 1
        no_plant(result.output)


def test_sops_accepts_what_the_tag_refuses(sealed: Path, tmp_path: Path) -> None:
    """The type-tag change goes unnoticed by sops' MAC; that is the gap the tag closes."""
    sops = shutil.which("sops")
    assert sops is not None
    key = next((Path.home() / ".config" / "secretsfile" / "age").glob("keys.txt"))
    sealed.write_text(_sub(sealed.read_text(), *TAMPERS["change a type tag (str -> int)"]))
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SOPS_AGE_KEY_FILE": str(key)}
    done = subprocess.run([sops, "decrypt", str(sealed)], capture_output=True, text=True,
                          env=env, check=False)
    assert done.returncode == 0 and "token: 1234\n" in done.stdout
    with pytest.raises(IntegrityError):
        files.load_file(sealed)


def test_a_document_split_off_with_three_dashes_is_refused(run: Runner, sealed: Path) -> None:
    sealed.write_text(_sub(sealed.read_text(), r"^empty:", "---\nempty:"))
    result = run("decrypt", str(sealed))
    assert result.code == 4
    assert "document 1 of 2 has no sops metadata" in result.stderr


def test_untouched_file_reads_without_warning(run: Runner, sealed: Path) -> None:
    result = run("decrypt", str(sealed))
    assert result.code == 0 and result.stderr == ""
    assert "token: \"1234\"\n" in result.stdout and "emptymap: {}\n" in result.stdout


def test_missing_tag_warns_outside_strict_projects(run: Runner, sealed: Path) -> None:
    sealed.write_text(TAG_LINE.sub("", sealed.read_text()))
    result = run("decrypt", str(sealed))
    assert result.code == 0
    assert "has no integrity tag" in result.stderr and "secretsfile reseal" in result.stderr


def test_strict_project_refuses_a_missing_tag_until_resealed(
        run: Runner, sealed: Path, tmp_path: Path) -> None:
    (tmp_path / ".secretsfile.yaml").write_text("integrity: strict\n")
    sealed.write_text(TAG_LINE.sub("", sealed.read_text()))
    before = sealed.read_text()
    result = run("decrypt", str(sealed))
    assert result.code == 4 and "integrity: strict" in result.stderr
    assert "secretsfile reseal" in result.stderr
    resealed = run("reseal", str(sealed))
    assert resealed.code == 0 and "integrity tag added" in resealed.stderr
    after = sealed.read_text()
    values = [line for line in before.splitlines() if "type:" in line and "mac:" not in line]
    assert values and all(line in after.splitlines() for line in values)  # same ciphertexts
    assert run("decrypt", str(sealed)).code == 0
    again = run("reseal", str(sealed))
    assert again.code == 0 and "nothing written" in again.stderr


def test_reseal_accepts_a_reviewed_change(run: Runner, sealed: Path) -> None:
    sealed.write_text(_sub(sealed.read_text(), *TAMPERS["rename a key holding null"]))
    assert run("decrypt", str(sealed)).code == 4
    result = run("reseal", str(sealed))
    assert result.code == 0 and "replaced" in result.stderr
    assert "nothinx: null" in run("decrypt", str(sealed)).stdout


def test_reseal_still_needs_the_sops_mac(run: Runner, sealed: Path) -> None:
    text = sealed.read_text()
    sealed.write_text(_sub(text, r"^a_unencrypted: ab$", "a_unencrypted: zz"))
    result = run("reseal", str(sealed))
    assert result.code == 4 and "MAC mismatch" in result.stderr


def test_sops_can_edit_our_file_and_we_read_it_back(
        run: Runner, sealed: Path, tmp_path: Path) -> None:
    sops = shutil.which("sops")
    assert sops is not None
    key = Path.home() / ".config" / "secretsfile" / "age" / "keys.txt"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "SOPS_AGE_KEY_FILE": str(key)}
    subprocess.run([sops, "set", str(sealed), '["token"]', '"5678"'], env=env, check=True,
                   capture_output=True)
    assert "secretsfile_tag" not in sealed.read_text()  # sops drops what it does not know
    result = run("get", str(sealed), "token")
    assert result.code == 0 and result.stdout == "5678\n"
    assert "has no integrity tag" in result.stderr
    assert run("reseal", str(sealed)).code == 0
    done = subprocess.run([sops, "decrypt", str(sealed)], env=env, capture_output=True,
                          text=True, check=True)
    assert 'token: "5678"' in done.stdout


def test_bad_integrity_setting_is_a_config_error(run: Runner, sealed: Path,
                                                 tmp_path: Path) -> None:
    (tmp_path / ".secretsfile.yaml").write_text("integrity: maybe\n")
    sealed.write_text(TAG_LINE.sub("", sealed.read_text()))  # the policy is read when needed
    result = run("decrypt", str(sealed))
    assert result.code == 5 and "integrity must be" in result.stderr


def test_mac_failure_leaves_no_plaintext_in_traceback_locals(sealed: Path) -> None:
    sealed.write_text(_sub(sealed.read_text(), r"^a_unencrypted: ab$", "a_unencrypted: zz"))
    with pytest.raises(IntegrityError) as caught:
        files.load_file(sealed)
    error: BaseException | None = caught.value
    while error is not None:
        for frame, _ in traceback.walk_tb(error.__traceback__):
            for name, value in frame.f_locals.items():
                assert PLANTED not in repr(value), (frame.f_code.co_name, name)
                is_key = isinstance(value, bytes) and len(value) == 32
                assert not is_key, (frame.f_code.co_name, name)  # the data key
        error = error.__cause__ or error.__context__


# -- environments: only single-document files are environment files -----------------------


@pytest.fixture
def project(run: Runner, age_key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert run("init", "--env", "prod").code == 0
    assert "integrity: strict" in (tmp_path / ".secretsfile.yaml").read_text()
    for name, value in (("api-token", PLANTED), ("other", "second-PLANTED-value")):
        assert run("secret", "set", name, "--env", "prod", "--value-stdin",
                   stdin=value).code == 0
    return tmp_path / "secrets" / "prod.yaml"


@pytest.mark.parametrize("where", ["prepend", "between"])
def test_extra_documents_in_an_environment_file_are_refused(
        run: Runner, project: Path, where: str) -> None:
    text = project.read_text()
    if where == "prepend":  # the MAC skips empty values, so this still verifies
        text = 'api-token: ""\n---\n' + text
    else:
        text = _sub(text, r"^other:", "---\nother:")
    project.write_text(text)
    for command in (("secret", "get", "api-token", "--env", "prod", "--reveal"),
                    ("run", "--env", "prod", "--", "true"),
                    ("ci", "export", "--env", "prod", "--format", "dotenv"),
                    ("decrypt", str(project))):
        result = run(*command)
        assert result.code == 4, (command, result.output)
        no_plant(result.output)
    with pytest.raises(IntegrityError):
        secretsfile.load("prod")


def test_copied_metadata_does_not_make_a_prepended_document_valid(
        run: Runner, project: Path) -> None:
    text = project.read_text()
    metadata = text[text.index("sops:"):]
    project.write_text('api-token: ""\n' + metadata + "---\n" + text)
    result = run("decrypt", str(project))
    assert result.code == 4 and "integrity tag does not match" in result.stderr
    assert run("secret", "get", "api-token", "--env", "prod", "--reveal").code == 4


@pytest.mark.parametrize(("name", "plain", "pattern", "replacement"), [
    ("s.json", json.dumps({"api": PLANTED, "empty": ""}), r'"empty":', '"emptx":'),
    ("s.env", f"API={PLANTED}\nEMPTY=\n", r"^EMPTY=", "EMPTX="),
])
def test_json_and_dotenv_files_carry_the_tag(run: Runner, age_key: str, tmp_path: Path,
                                             name: str, plain: str, pattern: str,
                                             replacement: str) -> None:
    path = tmp_path / name
    path.write_text(plain)
    assert run("encrypt", "--in-place", str(path)).code == 0
    assert "secretsfile_tag" in path.read_text()
    assert run("decrypt", str(path)).code == 0
    path.write_text(_sub(path.read_text(), pattern, replacement))
    result = run("decrypt", str(path))
    assert result.code == 4 and "integrity tag does not match" in result.stderr
    no_plant(result.output)


def test_strict_follows_the_file_not_the_working_directory(
        run: Runner, project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A tag stripped from a strict project's file is refused from anywhere: a CI step
    running `decrypt ../repo/secrets/prod.yaml` gets the project's policy."""
    project.write_text(TAG_LINE.sub("", project.read_text()))
    outside = tmp_path / "outside"
    outside.mkdir()
    monkeypatch.chdir(outside)
    for command in (("decrypt", str(project)), ("get", str(project), "api-token")):
        result = run(*command)
        assert result.code == 4 and "integrity: strict" in result.stderr, command
    with pytest.raises(IntegrityError):
        secretsfile.load(path=project)
    with pytest.raises(IntegrityError):
        secretsfile.load_file(project)
