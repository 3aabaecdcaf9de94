"""Issue 3, "done when": the whole flow in a real git repository, through the real CLI.

A lead initialises three environments, gives CI (prod) and a developer (dev, staging) their
own keys, creates schema-checked secrets and commits. Then, as a fresh process each time:
a build script loads prod with only the CI key; the developer's key cannot read prod;
``run`` injects the variables; ``ci export --format github`` writes a $GITHUB_ENV that
parses back to exactly the original values; a template renders, and ``check`` (without any
key) passes it and catches a broken one. No output that was not asked to reveal a value
contains one.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import secretsfile

CHECKOUT = Path(secretsfile.__file__).resolve().parents[1]

# Values chosen to break naive quoting: quotes, %, $VAR, backslash, unicode, a line break.
PROD_PASSWORD = 'Pr0d-PLANTED "q" 50%\\n $HOME ünï\nsecond-line'
PROD_TOKEN = "tok-PLANTED-prod-7f3a9c"
DEV_PASSWORD = "dev-PLANTED-pw-1"
PLANTED = (PROD_PASSWORD, PROD_TOKEN, DEV_PASSWORD, "Pr0d-PLANTED", "second-line")

EXPECTED_PROD_VARS = {
    "APP_DB_USER": "app",
    "APP_DB_PASSWORD": PROD_PASSWORD,
    "APP_DB_HOST": "db.prod.internal",
    "APP_DB_PORT": "5432",
    "APP_DB_DATABASE": "orders",
    "API_TOKEN": PROD_TOKEN,
    # app-db is prod's only postgres secret: it also gets the schema's names (issue 10)
    "PGUSER": "app",
    "PGPASSWORD": PROD_PASSWORD,
    "PGHOST": "db.prod.internal",
    "PGPORT": "5432",
    "PGDATABASE": "orders",
}

BUILD_SCRIPT = """\
import hashlib, json, sys
import secretsfile

secrets = secretsfile.load("prod")          # only the CI key is available
db = secrets["app-db"]
digest = lambda text: hashlib.sha256(text.encode()).hexdigest()
print(json.dumps({
    "user": db["user"].reveal(),
    "password_sha256": digest(db["password"].reveal()),
    "token_sha256": digest(secrets["api-token"].reveal()),
    "printed": str(db["password"]),
}))
"""

TEMPLATE = """\
# rendered at deploy time: secretsfile render deploy/app.yaml --env prod
database:
  url: "postgresql://{{ app-db.user }}:{{ app-db.password }}@{{ app-db.host }}:\
{{ app-db.port }}/{{ app-db.database }}"
  port: {{ app-db.port }}
  password: {{app-db.password}}
api:
  token: '{{ api-token }}'
ci:
  github_token: ${{ secrets.GITHUB_TOKEN }}   # GitHub's syntax, left alone
  literal: "\\{{ api-token }}"
"""

BROKEN = """\
database:
  password: "{{ app-db.pasword }}"
  token: "{{ api-tokn }}"
  user: "{{ app-db.user }"
"""


class Cli:
    """``python -m secretsfile`` in the repository, as a separate process each time."""

    def __init__(self, repo: Path, no_key_home: Path) -> None:
        self.repo = repo
        self.no_key_home = no_key_home
        self.quiet_outputs: list[str] = []  # outputs that must never hold a value

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(CHECKOUT),
                                                          env.get("PYTHONPATH")]))
        env.update(extra)
        return env

    def without_keys(self, **extra: str) -> dict[str, str]:
        """A machine where the lead's key is absent (a CI runner, a developer laptop)."""
        return self.env(HOME=str(self.no_key_home),
                        XDG_CONFIG_HOME=str(self.no_key_home / ".config"), **extra)

    def __call__(self, *args: str, env: dict[str, str] | None = None, reveals: bool = False,
                 expect: int | None = 0) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([sys.executable, "-m", "secretsfile", *args], cwd=self.repo,
                                env=env or self.env(), capture_output=True, text=True,
                                timeout=120, check=False)
        if expect is not None:
            assert result.returncode == expect, (args, result.returncode, result.stderr)
        self.quiet_outputs.append(result.stderr)
        if not reveals:
            self.quiet_outputs.append(result.stdout)
        return result

    def python(self, code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", code], cwd=self.repo, env=env,
                              capture_output=True, text=True, timeout=120, check=False)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                          check=True).stdout


def parse_github_env(text: str) -> dict[str, str]:
    """$GITHUB_ENV as the Actions runner reads it: NAME=value, or NAME<<DELIM heredocs."""
    variables: dict[str, str] = {}
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if not line:
            continue
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            body: list[str] = []
            while lines[index] != delimiter:
                body.append(lines[index])
                index += 1
            index += 1
            variables[name] = "\n".join(body)
        else:
            name, value = line.split("=", 1)
            variables[name] = value
    return variables


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Cli:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    monkeypatch.chdir(repo)
    (tmp_path / "empty-home").mkdir()
    return Cli(repo, tmp_path / "empty-home")


def test_issue3_done_when(cli: Cli, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    keys = tmp_path / "keys"
    keys.mkdir()

    # --- the lead sets the project up --------------------------------------------------------
    cli("init", "--env", "dev", "--env", "staging", "--env", "prod")
    config = yaml.safe_load((repo / ".secretsfile.yaml").read_text())
    assert list(config["environments"]) == ["dev", "staging", "prod"]
    for env in ("dev", "staging", "prod"):
        assert "sops:" in (repo / "secrets" / f"{env}.yaml").read_text()

    ci_recipient = cli("keygen", "-o", str(keys / "ci.txt")).stdout.strip()
    dev_recipient = cli("keygen", "-o", str(keys / "dev.txt")).stdout.strip()
    cli("recipients", "add", "prod", ci_recipient)
    cli("recipients", "add", "dev", dev_recipient)
    cli("recipients", "add", "staging", dev_recipient)

    (tmp_path / "prod-pw.txt").write_text(PROD_PASSWORD)
    (tmp_path / "prod-token.txt").write_text(PROD_TOKEN)
    (tmp_path / "dev-pw.txt").write_text(DEV_PASSWORD)
    cli("secret", "create", "app-db", "--env", "prod", "--schema", "postgres", "--user=app",
        f"--password=@{tmp_path / 'prod-pw.txt'}", "--host=db.prod.internal",
        "--database=orders")
    cli("secret", "set", "api-token", "--env", "prod", "--value-file",
        str(tmp_path / "prod-token.txt"))
    cli("secret", "create", "app-db", "--env", "dev", "--schema", "postgres", "--user=dev",
        f"--password=@{tmp_path / 'dev-pw.txt'}", "--host=localhost", "--database=orders")
    # the schema is enforced: a postgres secret needs a host
    refused = cli("secret", "create", "other-db", "--env", "staging", "--schema", "postgres",
                  "--user=x", f"--password=@{tmp_path / 'dev-pw.txt'}", "--database=y",
                  expect=None)
    assert refused.returncode == 2
    assert "missing required field 'host'" in refused.stderr

    (repo / "build.py").write_text(BUILD_SCRIPT)
    (repo / "deploy").mkdir()
    (repo / "deploy" / "app.yaml").write_text(TEMPLATE)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "secrets for dev, staging and prod")

    # --- what git holds: names in clear, values encrypted, no key -----------------------------
    assert git(repo, "log", "--format=%s").splitlines() == ["secrets for dev, staging and prod"]
    tracked = set(git(repo, "ls-files").split())
    assert {".secretsfile.yaml", ".gitignore", "secrets/dev.yaml", "secrets/staging.yaml",
            "secrets/prod.yaml", "build.py", "deploy/app.yaml"} <= tracked
    committed_prod = git(repo, "show", "HEAD:secrets/prod.yaml")
    assert "app-db:" in committed_prod and "password: ENC[AES256_GCM" in committed_prod
    assert "_schema_unencrypted: postgres" in committed_prod
    history = git(repo, "log", "-p", "--no-textconv", "--all")  # the blobs, not the diff driver
    for value in PLANTED:
        assert value not in history
    assert "AGE-SECRET-KEY" not in history

    ci_key = (keys / "ci.txt").read_text()
    as_ci = cli.without_keys(SECRETSFILE_AGE_KEY_PROD=ci_key)
    as_dev = cli.without_keys(SECRETSFILE_AGE_KEY_FILE=str(keys / "dev.txt"))

    # --- a build script loads prod with only the CI key ---------------------------------------
    build = cli.python(BUILD_SCRIPT, as_ci)
    assert build.returncode == 0, build.stderr
    assert json.loads(build.stdout) == {
        "user": "app", "password_sha256": sha256(PROD_PASSWORD),
        "token_sha256": sha256(PROD_TOKEN), "printed": "**********"}

    # --- a dev key cannot read prod (but reads dev) --------------------------------------------
    denied = cli.python(BUILD_SCRIPT, as_dev)
    assert denied.returncode != 0
    assert "KeyUnavailableError" in denied.stderr
    cli.quiet_outputs += [denied.stdout, denied.stderr]
    no_prod = cli("secret", "get", "app-db", "--env", "prod", "--reveal", env=as_dev, expect=3)
    assert len(no_prod.stderr.strip().splitlines()) == 1
    assert no_prod.stdout == ""
    dev_run = cli("run", "--env", "dev", "--", sys.executable, "-c",
                  "import os; print(os.environ['APP_DB_PASSWORD'])", env=as_dev, reveals=True)
    assert dev_run.stdout == DEV_PASSWORD + "\n"

    # --- run injects the variables (child environment only) -----------------------------------
    names = sorted(EXPECTED_PROD_VARS)
    probe = f"import json, os; print(json.dumps({{n: os.environ.get(n) for n in {names!r}}}))"
    injected = cli("run", "--env", "prod", "--", sys.executable, "-c", probe, env=as_ci,
                   reveals=True)
    assert json.loads(injected.stdout) == EXPECTED_PROD_VARS

    # --- ci export --format github parses back to exactly the original values -----------------
    github_env = tmp_path / "github_env"
    github_env.write_text("EARLIER=1\n")
    exported = cli("ci", "export", "--env", "prod", "--format", "github",
                   env={**as_ci, "GITHUB_ENV": str(github_env)}, reveals=True)
    parsed = parse_github_env(github_env.read_text())
    assert parsed == {"EARLIER": "1", **EXPECTED_PROD_VARS}
    masks = exported.stdout.splitlines()
    assert masks and all(line.startswith("::add-mask::") for line in masks)
    assert f"::add-mask::{PROD_TOKEN}" in masks
    assert "::add-mask::second-line" in masks  # every line of a multi-line value is masked

    # --- references render, and check catches a broken one ------------------------------------
    rendered = cli("render", "deploy/app.yaml", "--env", "prod", env=as_ci, reveals=True)
    assert yaml.safe_load(rendered.stdout) == {
        "database": {
            "url": f"postgresql://app:{PROD_PASSWORD}@db.prod.internal:5432/orders",
            "port": 5432,
            "password": PROD_PASSWORD,
        },
        "api": {"token": PROD_TOKEN},
        "ci": {"github_token": "${{ secrets.GITHUB_TOKEN }}", "literal": "{{ api-token }}"},
    }
    no_key = cli.without_keys()  # check reads names and keys only: no key at all
    ok = cli("check", "deploy/app.yaml", "--env", "prod", env=no_key)
    assert ok.stdout == ""
    assert "OK" in ok.stderr

    (repo / "deploy" / "broken.yaml").write_text(BROKEN)
    caught = cli("check", "--env", "prod", "deploy/app.yaml", "deploy/broken.yaml", env=no_key,
                 expect=1)
    lines = caught.stdout.splitlines()
    assert lines[0].startswith(
        "deploy/broken.yaml:2:14: {{ app-db.pasword }}: secret 'app-db' has no key 'pasword' "
        "in prod (did you mean 'password'")
    assert lines[1:] == [
        "deploy/broken.yaml:3:11: {{ api-tokn }}: secret 'api-tokn' not found in prod "
        "(did you mean 'api-token'?)",
        "deploy/broken.yaml:4:10: {{ app-db.user }: broken reference: missing '}}'",
    ]
    as_json = json.loads(cli("check", "--env", "prod", "--json", "deploy/broken.yaml",
                             env=no_key, expect=1).stdout)
    assert [p["code"] for p in as_json["problems"]] == [
        "key-not-found", "secret-not-found", "broken"]
    # without --env, every environment is checked: dev and staging have no api-token
    everywhere = cli("check", "deploy/app.yaml", env=no_key, expect=1)
    assert "secret 'api-token' not found in dev" in everywhere.stdout
    assert "secret 'api-token' not found in staging" in everywhere.stdout
    # render refuses the broken template and prints nothing
    refused_render = cli("render", "deploy/broken.yaml", "--env", "prod", env=as_ci, expect=2)
    assert refused_render.stdout == ""
    assert "did you mean 'password'" in refused_render.stderr

    # --- bad input: one line, an exit code, no traceback ---------------------------------------
    as_ci_any_env = cli.without_keys(SECRETSFILE_AGE_KEY=ci_key)
    for args, code in ((("render", "deploy/app.yaml", "--env", "prd"), 5),
                       (("secret", "get", "app-dbb", "--env", "prod"), 2),
                       (("run", "--env", "qa", "--", "true"), 5)):
        bad = cli(*args, env=as_ci_any_env, expect=code)
        assert len(bad.stderr.strip().splitlines()) == 1, bad.stderr
        assert "Traceback" not in bad.stderr

    # --- nothing that was not asked to reveal a value shows one -------------------------------
    for output in cli.quiet_outputs:
        for value in PLANTED:
            assert value not in output
    # the working tree holds no plaintext copy either
    for path in repo.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            text = path.read_text(errors="replace")
            for value in (PROD_PASSWORD, PROD_TOKEN, DEV_PASSWORD):
                assert value not in text, path
