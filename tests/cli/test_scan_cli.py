"""`secretsfile scan`, `check-encrypted` and `hooks` end to end (in-process and as processes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import Runner

# Planted credentials: no output of any command may ever contain one of them whole.
AWS_ID = "AKIAZ2345672345672AB"
AWS_SECRET = "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"
GH_TOKEN = "ghp_" + "k7Q2mZ9xW4vB8nR1tY6uP3sL5dF0gH2jK4qE"
PASSWORD = "Xk39dkw!Qp7z"
PLANTED = (AWS_ID, AWS_SECRET, GH_TOKEN, PASSWORD)
DIRTY = (
    f'aws_access_key_id = "{AWS_ID}"\n'
    f'aws_secret_access_key = "{AWS_SECRET}"\n'
    f'GITHUB_TOKEN = "{GH_TOKEN}"\n'
    f'db_password = "{PASSWORD}"\n'
)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    monkeypatch.chdir(root)
    return root


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in PLANTED:
            assert secret not in text


def test_scan_working_tree_finds_and_redacts(run: Runner, repo: Path) -> None:
    (repo / "app.py").write_text(DIRTY)
    (repo / "clean.py").write_text("x = 1\n")
    result = run("scan")
    assert result.code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("app.py:1:22 aws-access-key-id AKIA***** ")
    assert {line.split()[1] for line in lines} >= {"aws-access-key-id", "github-pat"}
    assert "finding" in result.stderr
    assert_no_secret(result.stdout, result.stderr)


def test_clean_tree_exits_zero(run: Runner, repo: Path) -> None:
    (repo / "clean.py").write_text("import os\npassword = os.environ['DB_PASSWORD']\n")
    result = run("scan")
    assert (result.code, result.stdout) == (0, "")
    assert "no findings" in result.stderr


def test_gitignored_files_are_not_scanned_unless_named(run: Runner, repo: Path) -> None:
    (repo / ".gitignore").write_text(".env\n")
    (repo / ".env").write_text(f"AWS_ACCESS_KEY_ID={AWS_ID}\n")
    assert run("scan").code == 0
    assert run("scan", ".env").code == 1
    assert run("scan", "--no-git").code == 1


def test_json_and_sarif_formats(run: Runner, repo: Path) -> None:
    (repo / "app.py").write_text(DIRTY)
    data = json.loads(run("scan", "--format", "json").stdout)
    finding = data["findings"][0]
    assert {"path", "line", "column", "rule_id", "fingerprint", "redacted"} <= set(finding)
    sarif = json.loads(run("scan", "-f", "sarif").stdout)
    assert sarif["version"] == "2.1.0" and sarif["runs"][0]["results"]
    out = repo / "report.sarif"
    result = run("scan", "-f", "sarif", "-o", str(out))
    assert result.code == 1 and result.stdout == ""
    assert json.loads(out.read_text())["runs"][0]["results"]
    assert_no_secret(out.read_text(), json.dumps(data), json.dumps(sarif))


def test_staged_scans_added_lines_only(run: Runner, repo: Path) -> None:
    (repo / "app.py").write_text(f'key = "{AWS_ID}"\nx = 1\n')
    git(repo, "add", "app.py")
    git(repo, "commit", "-qm", "legacy secret")
    (repo / "app.py").write_text(f'key = "{AWS_ID}"\nx = 2\n')
    git(repo, "add", "app.py")
    assert run("scan", "--staged").code == 0  # the old secret is not an added line
    (repo / "new.py").write_text(f'token = "{GH_TOKEN}"\n')
    git(repo, "add", "new.py")
    result = run("scan", "--staged")
    assert result.code == 1 and result.stdout.startswith("new.py:1:")
    # pre-commit style: named files; one without staged changes is scanned whole
    (repo / "untouched.py").write_text(f'key = "{AWS_ID}"\n')
    git(repo, "add", "untouched.py")
    git(repo, "commit", "-qm", "more")
    result = run("scan", "--staged", "untouched.py")
    assert result.code == 1 and "untouched.py:1:" in result.stdout


def test_staged_finds_a_secret_after_a_lone_carriage_return(run: Runner, repo: Path) -> None:
    # same findings as the whole-file scan: a \r inside a line used to end the hunk early
    text = f'x = 1\rdb_password = "{PASSWORD}"\nt = "{GH_TOKEN}"\r\n'
    (repo / "app.py").write_bytes(text.encode())
    git(repo, "add", "app.py")
    staged, whole = run("scan", "--staged"), run("scan", "app.py")
    assert staged.code == whole.code == 1
    assert staged.stdout == whole.stdout and staged.stdout.count("app.py:") == 2
    assert_no_secret(staged.stdout, staged.stderr)


@pytest.mark.parametrize("command", [["scan", "--no-git"], ["check-encrypted"]])
@pytest.mark.parametrize("gone", ["stdout", "both"])
def test_a_reader_that_leaves_does_not_turn_findings_into_a_pass(
    repo: Path, command: list[str], gone: str
) -> None:
    # `scan | true` (R1) and `scan 2>&1 | true` (R3) exited 0 with findings: a
    # BrokenPipeError counted as success
    (repo / "secrets").mkdir()
    (repo / "secrets" / "prod.yaml").write_text(DIRTY.replace(" = ", ": "))
    (repo / "app.py").write_text(DIRTY * 200)
    merged = subprocess.STDOUT if gone == "both" else subprocess.PIPE
    proc = subprocess.Popen(["secretsfile", *command, "app.py", "secrets/prod.yaml"],
                            cwd=repo, stdout=subprocess.PIPE, stderr=merged)
    assert proc.stdout is not None
    proc.stdout.close()  # before it writes a byte
    stderr = proc.stderr.read().decode() if proc.stderr is not None else ""
    assert proc.wait(timeout=60) == 1, stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr
    assert_no_secret(stderr)


def test_output_into_a_pipe_through_dev_stdout(repo: Path) -> None:
    # R3: realpath made /dev/stdout /proc/…/pipe:[N], which could not be written
    (repo / "app.py").write_text(DIRTY)
    done = subprocess.run(["secretsfile", "scan", "--no-git", "app.py", "-o", "/dev/stdout"],
                          cwd=repo, capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 1 and done.stdout.count("app.py:") == 4, done.stderr
    assert_no_secret(done.stdout, done.stderr)


def test_since_and_history(run: Runner, repo: Path) -> None:
    (repo / "a.py").write_text("x = 1\n")
    git(repo, "add", "a.py")
    git(repo, "commit", "-qm", "one")
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "a.py").write_text(f'x = 1\nkey = "{AWS_ID}"\n')
    git(repo, "commit", "-qam", "two")
    (repo / "a.py").write_text("x = 1\n")
    git(repo, "commit", "-qam", "three: removed again")
    assert run("scan").code == 0  # gone from the tree
    result = run("scan", "--since", base)
    assert result.code == 1 and ":a.py:2:" in result.stdout  # commit:path:line
    data = json.loads(run("scan", "--history", "-f", "json").stdout)
    assert len(data["findings"][0]["commit"]) == 40
    assert run("scan", "--since", "nope").code == 2


def test_stdin(run: Runner, repo: Path) -> None:
    result = run("scan", "-", "--stdin-name", "pasted.env", stdin=f"TOKEN={GH_TOKEN}\n")
    assert result.code == 1 and result.stdout.startswith("pasted.env:1:7 ")
    assert run("scan", "-", stdin="nothing here\n").code == 0


def test_baseline_accepts_existing_findings_and_the_hook_never_writes_it(
    run: Runner, repo: Path
) -> None:
    (repo / "app.py").write_text(DIRTY)
    result = run("scan", "--update-baseline")
    assert result.code == 0 and "wrote" in result.stderr
    baseline = repo / ".secretsfile-baseline.json"
    text = baseline.read_text()
    assert_no_secret(text)
    assert run("scan").code == 0
    assert run("scan", "--no-baseline").code == 1
    (repo / "more.py").write_text(f'other_token = "{GH_TOKEN}"\n')
    git(repo, "add", "more.py")
    assert run("scan", "--staged").code == 1
    assert baseline.read_text() == text  # a normal or staged scan never rewrites it
    # moving the line does not invalidate the fingerprint
    (repo / "app.py").write_text("\n\n# moved\n" + DIRTY)
    result = run("scan", "app.py")
    assert result.code == 0 and "baselined" in result.stderr


def test_project_config_scan_section(run: Runner, repo: Path) -> None:
    (repo / "app.py").write_text(DIRTY + "acme = 'acme_Zx81Kd92mQ0p'\n")
    (repo / "vendor").mkdir()
    (repo / "vendor" / "lib.py").write_text(DIRTY)
    (repo / ".secretsfile.yaml").write_text(
        "scan:\n"
        "  disabled_rules: [aws-access-key-id]\n"
        "  exclude_paths: [vendor/]\n"
        "  rules:\n"
        "    - id: acme-token\n"
        "      regex: '(acme_[A-Za-z0-9]{12})'\n"
        "      secret_group: 1\n"
        "      keywords: [acme_]\n"
    )
    data = json.loads(run("scan", "-f", "json").stdout)
    rules = {f["rule_id"] for f in data["findings"]}
    assert "acme-token" in rules and "aws-access-key-id" not in rules
    assert all(not f["path"].startswith("vendor/") for f in data["findings"])


def test_gitleaks_toml_config(run: Runner, repo: Path) -> None:
    (repo / "app.py").write_text("acme = 'acme_Zx81Kd92mQ0p'\n" + DIRTY)
    (repo / "gl.toml").write_text(
        "[[rules]]\nid = \"acme\"\nregex = '''(?i)(acme_[a-z0-9]{12})'''\nkeywords = [\"acme_\"]\n"
    )
    data = json.loads(run("scan", "--config", "gl.toml", "-f", "json").stdout)
    assert {f["rule_id"] for f in data["findings"]} == {"acme"}  # no [extend]: defaults replaced
    (repo / "bad.toml").write_text("[[rules]]\nid = 'u'\nregex = '''\\pL'''\n")
    result = run("scan", "--config", "bad.toml")
    assert result.code == 5 and "rule u" in result.stderr and "Unicode class" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--staged", "--history"), "cannot be combined"),
        (("--format", "xml"), "unknown --format"),
        (("no-such-file.py",), "no such file"),
        (("--update-baseline", "--no-baseline"), "cannot be combined"),
    ],
)
def test_usage_errors(run: Runner, repo: Path, args: tuple[str, ...], message: str) -> None:
    result = run("scan", *args)
    assert result.code == 2 and message in result.stderr


def test_staged_outside_a_repository(
    run: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("scan", "--staged")
    assert result.code == 2 and "needs a git repository" in result.stderr


def test_no_output_path_ever_leaks_a_planted_secret(run: Runner, repo: Path) -> None:
    (repo / "app.py").write_text(DIRTY)
    (repo / "secrets").mkdir()
    (repo / "secrets" / "prod.yaml").write_text(f"password: {PASSWORD}\ntoken: {GH_TOKEN}\n")
    git(repo, "add", "-A")
    outputs: list[str] = []
    for args in (
        ("scan",), ("scan", "-f", "json"), ("scan", "-f", "sarif"), ("scan", "--staged"),
        ("scan", "--no-git"), ("scan", "--update-baseline"),
        ("scan", "--no-baseline", "-f", "json"),
        ("check-encrypted",), ("check-encrypted", "-f", "json"), ("check-encrypted", "--staged"),
    ):  # fmt: skip
        result = run(*args)
        outputs += [result.stdout, result.stderr]
    result = run("scan", "-", stdin=DIRTY)
    outputs += [result.stdout, result.stderr]
    outputs.append((repo / ".secretsfile-baseline.json").read_text())
    assert_no_secret(*outputs)
    assert any("AKIA*****" in text for text in outputs)


ENC = "ENC[AES256_GCM,data:Zm9v,iv:MDEyMzQ1Njc4OWFi,tag:MDEyMzQ1Njc4OWFiY2RlZg==,type:str]"
ENCRYPTED_YAML = f"password: {ENC}\nsops:\n    mac: {ENC}\n    version: 3.11.0\n"


def test_check_encrypted_default_policy(run: Runner, repo: Path) -> None:
    (repo / "secrets").mkdir()
    (repo / "secrets" / "dev.yaml").write_text(ENCRYPTED_YAML)
    assert run("check-encrypted").code == 0
    (repo / "secrets" / "prod.yaml").write_text(f"password: {PASSWORD}\n")
    (repo / "app.enc.json").write_text('{"a": 1}')
    result = run("check-encrypted")
    assert result.code == 1
    assert sorted(result.stdout.splitlines()) == [
        "app.enc.json: not encrypted (no sops metadata)",
        "secrets/prod.yaml: not encrypted (no sops metadata)",
    ]
    # named files: those outside the policy are ignored (pre-commit passes every file)
    assert run("check-encrypted", "README.md", "secrets/dev.yaml").code == 0
    assert_no_secret(result.stdout, result.stderr)


def test_check_encrypted_config_and_sops_rules(run: Runner, repo: Path) -> None:
    (repo / ".secretsfile.yaml").write_text("environments:\n  prod:\n    file: config/prod.yaml\n")
    (repo / ".sops.yaml").write_text("creation_rules:\n  - path_regex: k8s/.*\\.secret\\.yaml$\n")
    (repo / "config").mkdir()
    (repo / "k8s").mkdir()
    (repo / "config" / "prod.yaml").write_text(ENCRYPTED_YAML)
    (repo / "k8s" / "db.secret.yaml").write_text("stringData:\n  pw: plain\n")
    (repo / "secrets").mkdir()
    (repo / "secrets" / "x.yaml").write_text("not: covered\n")  # the default is off with a config
    data = json.loads(run("check-encrypted", "-f", "json").stdout)
    assert {f["path"]: f["ok"] for f in data["files"]} == {
        "config/prod.yaml": True,
        "k8s/db.secret.yaml": False,
    }
    (repo / "config" / "prod.yaml").write_text(
        ENCRYPTED_YAML.replace(f"password: {ENC}", "password: plain")
    )
    result = run("check-encrypted", "config/prod.yaml")
    assert (
        result.code == 1 and result.stdout == 'config/prod.yaml: plaintext value at ["password"]\n'
    )


def test_check_encrypted_staged_reads_the_index(run: Runner, repo: Path) -> None:
    (repo / "secrets").mkdir()
    (repo / "secrets" / "prod.yaml").write_text("password: plain\n")
    git(repo, "add", "secrets/prod.yaml")
    (repo / "secrets" / "prod.yaml").write_text(ENCRYPTED_YAML)  # fixed only in the worktree
    assert run("check-encrypted", "--staged").code == 1
    git(repo, "add", "secrets/prod.yaml")
    assert run("check-encrypted", "--staged").code == 0


def test_hooks_commands(run: Runner, repo: Path) -> None:
    result = run("hooks", "install")
    assert result.code == 0 and "installed" in result.stderr
    assert (repo / ".git" / "hooks" / "pre-commit").exists()
    result = run("hooks", "uninstall")
    assert result.code == 0 and not (repo / ".git" / "hooks" / "pre-commit").exists()
    assert "nothing changed" in run("hooks", "uninstall").stderr


def test_fast_entry_point_matches_and_imports_no_rich(repo: Path) -> None:
    (repo / "app.py").write_text(DIRTY)
    code = (
        "import sys\nfrom secretsfile.cli.scan import main\n"
        "rc = main(['scan', '-f', 'json'])\n"
        "print('RICH' if 'rich' in sys.modules else 'NORICH', file=sys.stderr)\n"
        "print('GITPYTHON' if 'git' in sys.modules else 'NOGIT', file=sys.stderr)\n"
        "sys.exit(rc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=repo, capture_output=True, text=True)
    assert done.returncode == 1
    assert json.loads(done.stdout)["findings"]
    assert "NORICH" in done.stderr and "NOGIT" in done.stderr
    module = subprocess.run(
        [sys.executable, "-m", "secretsfile.cli.scan", "scan", "--format", "xml"],
        cwd=repo, capture_output=True, text=True,
    )  # fmt: skip
    assert module.returncode == 2 and "unknown --format" in module.stderr


# --- item 18: after init, the secrets directory is guarded, not only the environment files


def hook_entry(hook_id: str) -> list[str]:
    """The command `.pre-commit-hooks.yaml` runs (the console script on PATH)."""
    import yaml

    manifest = Path(__file__).resolve().parents[2] / ".pre-commit-hooks.yaml"
    hook = next(h for h in yaml.safe_load(manifest.read_text()) if h["id"] == hook_id)
    program, *args = hook["entry"].split()
    assert program == "secretsfile"
    return [program, *args]


def run_hook(repo: Path, *files: str) -> subprocess.CompletedProcess[str]:
    """As pre-commit calls the hook: the staged file names as arguments."""
    entry = hook_entry("secretsfile-check-encrypted")
    return subprocess.run([*entry, *files], cwd=repo, capture_output=True, text=True)


@pytest.fixture
def initialised(run: Runner, repo: Path) -> Path:
    result = run("init")
    assert result.code == 0, result.stderr
    assert (repo / "secrets" / "dev.yaml").is_file()
    (repo / "secrets" / "README.md").write_text("How to add a secret: secretsfile set ...\n")
    (repo / "secrets" / ".gitkeep").write_text("")
    git(repo, "add", "-A")
    assert run("check-encrypted").code == 0
    return repo


def test_plaintext_file_in_the_secrets_directory_is_refused(run: Runner, initialised: Path) -> None:
    repo = initialised
    (repo / "secrets" / "internal.yaml").write_text(f"db_password: {PASSWORD}\n")
    (repo / "secrets" / "api-token.txt").write_text(f"{GH_TOKEN}\n")
    git(repo, "add", "secrets")
    expected = [
        "secrets/api-token.txt: not encrypted (no sops metadata)",
        "secrets/internal.yaml: not encrypted (no sops metadata)",
    ]
    for args in ((), ("--staged",), ("secrets/internal.yaml", "secrets/api-token.txt")):
        result = run("check-encrypted", *args)
        assert result.code == 1, args
        assert sorted(result.stdout.splitlines()) == expected
        assert "check_encrypted.exclude_paths" in result.stderr
        assert_no_secret(result.stdout, result.stderr)
    staged = [".gitignore", ".secretsfile.yaml", "secrets/README.md", "secrets/dev.yaml",
              "secrets/internal.yaml", "secrets/api-token.txt"]  # fmt: skip
    hook = run_hook(repo, *staged)
    assert hook.returncode == 1, hook.stderr
    assert sorted(hook.stdout.splitlines()) == expected
    assert_no_secret(hook.stdout, hook.stderr)


def test_excepted_and_encrypted_extra_files_pass(run: Runner, initialised: Path) -> None:
    repo = initialised
    with (repo / ".secretsfile.yaml").open("a") as config:
        config.write("check_encrypted:\n  exclude_paths:\n    - secrets/*.example.yaml\n")
    (repo / "secrets" / "app.example.yaml").write_text("db_password: CHANGE_ME\n")
    (repo / "secrets" / "internal.yaml").write_text(f"db_password: {PASSWORD}\n")
    assert run("encrypt", "--in-place", "secrets/internal.yaml").code == 0
    git(repo, "add", "-A")
    result = run("check-encrypted", "-f", "json")
    assert result.code == 0, result.stdout
    checked = {f["path"] for f in json.loads(result.stdout)["files"]}
    assert checked == {"secrets/dev.yaml", "secrets/internal.yaml"}
    assert run("check-encrypted", "--staged").code == 0
    hook = run_hook(repo, "secrets/app.example.yaml", "secrets/internal.yaml", "secrets/dev.yaml")
    assert hook.returncode == 0, hook.stdout + hook.stderr
    # an exception never exempts an environment's own file
    with (repo / ".secretsfile.yaml").open("a") as config:
        config.write("    - secrets/dev.yaml\n")
    (repo / "secrets" / "dev.yaml").write_text(f"db_password: {PASSWORD}\n")
    result = run("check-encrypted", "secrets/dev.yaml")
    assert result.code == 1 and result.stdout.startswith("secrets/dev.yaml: not encrypted")


def test_malformed_exception_list_is_a_config_error(run: Runner, initialised: Path) -> None:
    with (initialised / ".secretsfile.yaml").open("a") as config:
        config.write("check_encrypted:\n  exclude: [secrets/notes.yaml]\n")
    result = run("check-encrypted")
    assert result.code == 5
    assert "check_encrypted: unknown key 'exclude'" in result.stderr
    assert "Traceback" not in result.output
    assert run_hook(initialised, "secrets/dev.yaml").returncode == 5


def test_no_config_default_is_unchanged(run: Runner, repo: Path) -> None:
    (repo / "secrets").mkdir()
    (repo / "secrets" / "notes.txt").write_text("not a secrets format\n")
    (repo / "secrets" / "team").mkdir()
    (repo / "secrets" / "team" / "a.yaml").write_text("not: covered\n")
    (repo / "secrets" / "prod.yaml").write_text(f"password: {PASSWORD}\n")
    git(repo, "add", "-A")
    result = run("check-encrypted")
    assert result.code == 1
    assert result.stdout == "secrets/prod.yaml: not encrypted (no sops metadata)\n"
    assert "check_encrypted.exclude_paths" not in result.stderr
    hook = run_hook(repo, "secrets/notes.txt", "secrets/team/a.yaml", "secrets/prod.yaml")
    assert hook.returncode == 1 and hook.stdout == result.stdout


def test_scan_rules_lists_the_catalog_and_the_config(run: Runner, repo: Path) -> None:
    text = run("scan-rules")
    assert text.code == 0
    first = text.stdout.splitlines()[0]
    assert first.startswith("aws-access-key-id  [akia,") and "samples=" in first
    (repo / ".secretsfile.yaml").write_text(
        "scan:\n"
        "  disabled_rules: [aws-access-key-id]\n"
        "  rules:\n"
        "    - id: acme-token\n"
        "      description: ACME token\n"
        "      regex: '(acme_[A-Za-z0-9]{12})'\n"
        "      secret_group: 1\n"
        "      keywords: [acme_]\n"
    )
    listed = {r["id"]: r for r in json.loads(run("scan-rules", "--json").stdout)}
    assert "aws-access-key-id" not in listed
    assert listed["acme-token"]["origin"] == "config" and listed["acme-token"]["keywords"] == [
        "acme_"
    ]
    github = listed["github-pat"]
    assert github["origin"] == "built-in" and github["true_samples"] >= 1
    assert set(github) == {"id", "description", "keywords", "tags", "true_samples",
                           "false_samples", "path", "origin"}  # fmt: skip
    # `scan rules` stays a scan of a path named rules
    (repo / "rules").mkdir()
    (repo / "rules" / "x.py").write_text(DIRTY)
    assert run("scan", "rules").code == 1


def test_decode_finds_base64_secrets_at_their_place(run: Runner, repo: Path) -> None:
    import base64

    encoded = base64.b64encode(f"aws_access_key_id={AWS_ID}".encode()).decode()
    (repo / "secret.yaml").write_text(f"kind: ConfigMap\ndata:\n  blob: {encoded}\n")
    assert run("scan").code == 0
    result = run("scan", "--decode")
    assert result.code == 1
    assert result.stdout.startswith("secret.yaml:3:9 aws-access-key-id AKIA*****")
    assert "(decoded base64)" in result.stdout
    assert_no_secret(result.stdout, result.stderr, encoded)


def test_staged_pragmas_on_unchanged_lines_count(run: Runner, repo: Path) -> None:
    (repo / "app.py").write_text(
        "x = 1\n# secretsfile:allow-next-line\nkey = None\n"
        "# secretsfile:disable\nother = None\n# secretsfile:enable\nthird = None\n"
    )
    git(repo, "add", "app.py")
    git(repo, "commit", "-qm", "pragmas")
    text = (repo / "app.py").read_text()
    for name in ("key", "other", "third"):
        text = text.replace(f"{name} = None", f'{name} = "{AWS_ID}"')
    (repo / "app.py").write_text(text)
    git(repo, "add", "app.py")
    result = run("scan", "--staged")
    assert result.code == 1
    assert [line.split()[0] for line in result.stdout.splitlines()] == ["app.py:7:10"]
