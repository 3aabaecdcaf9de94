"""The pre-commit hooks, end to end, with the real pre-commit tool.

One module-scoped hook repository (a committed snapshot of this checkout, uncommitted
changes included: what `pre-commit try-repo` itself does with a dirty checkout) and one
PRE_COMMIT_HOME, so pre-commit builds the hook's virtualenv and pip-installs secretsfile
once for all the scenarios. The virtualenv sees the test interpreter's site-packages
(VIRTUALENV_SYSTEM_SITE_PACKAGES), so pip resolves the dependencies without downloading
them; secretsfile itself is still built and installed from the snapshot by pip.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[1]
AWS_ID = "AKIAZ2345672345672AB"
AWS_SECRET = "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"
ORIGINAL_HOME = os.environ.get("HOME", "")

pytestmark = pytest.mark.skipif(
    shutil.which("pre-commit") is None, reason="pre-commit not installed"
)


def _env(home: Path, pre_commit_home: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_", "PRE_COMMIT", "VIRTUAL_ENV"))
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(
        HOME=str(home),
        PRE_COMMIT_HOME=str(pre_commit_home),
        VIRTUALENV_SYSTEM_SITE_PACKAGES="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        GIT_AUTHOR_NAME="Test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="Test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
        GIT_CONFIG_NOSYSTEM="1",
    )
    if ORIGINAL_HOME:  # reuse the user's pip cache (wheels for the build backend)
        env.setdefault("PIP_CACHE_DIR", str(Path(ORIGINAL_HOME) / ".cache" / "pip"))
    return env


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    base = tmp_path_factory.mktemp("precommit")
    env = _env(base / "home", base / "pre-commit-home")
    (base / "home").mkdir()
    snapshot = base / "secretsfile-hooks"
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=CHECKOUT, capture_output=True, check=True,
    ).stdout  # fmt: skip
    for name in filter(None, listing.decode().split("\0")):
        source = CHECKOUT / name
        if source.is_file():
            target = snapshot / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    for args in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", "commit", "-qm", "snapshot"],
    ):
        done = _run(args, snapshot, env)
        assert done.returncode == 0, done.stderr
    yield snapshot, env


@pytest.fixture
def target(tmp_path: Path, hook_repo: tuple[Path, dict[str, str]]) -> tuple[Path, dict[str, str]]:
    repo = tmp_path / "target"
    repo.mkdir()
    _, env = hook_repo
    assert _run(["git", "init", "-q", "-b", "main"], repo, env).returncode == 0
    (repo / "README.md").write_text("demo\n")
    _run(["git", "add", "README.md"], repo, env)
    assert _run(["git", "commit", "-qm", "init", "--no-verify"], repo, env).returncode == 0
    return repo, env


def try_repo(hook_repo: Path, repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return _run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "--verbose"], repo, env
    )


def blocked(hook_repo: Path, repo: Path, env: dict[str, str]) -> str:
    """``try-repo``'s output, after checking that the hooks failed the change."""
    done = try_repo(hook_repo, repo, env)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    return output


def test_manifest_is_valid() -> None:
    manifest = str(CHECKOUT / ".pre-commit-hooks.yaml")
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", manifest],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_try_repo_blocks_an_aws_key_pair(
    hook_repo: tuple[Path, dict[str, str]], target: tuple[Path, dict[str, str]]
) -> None:
    repo, env = target
    (repo / "settings.py").write_text(
        f'AWS_ACCESS_KEY_ID = "{AWS_ID}"\nAWS_SECRET_ACCESS_KEY = "{AWS_SECRET}"\n'
    )
    _run(["git", "add", "settings.py"], repo, env)
    output = blocked(hook_repo[0], repo, env)
    assert "secretsfile scan" in output and "Failed" in output
    assert "settings.py:1:" in output and "aws-access-key-id" in output
    assert AWS_ID not in output and AWS_SECRET not in output


def test_the_repositorys_own_modules_do_not_replace_the_hooks(
    hook_repo: tuple[Path, dict[str, str]], target: tuple[Path, dict[str, str]]
) -> None:
    # pre-commit runs the entry in the repository: `python -m` would import these first
    repo, env = target
    for name in ("re", "enum", "secretsfile"):
        (repo / f"{name}.py").write_text("raise SystemExit(0)  # would pass every commit\n")
    (repo / "settings.py").write_text(f'AWS_ACCESS_KEY_ID = "{AWS_ID}"\n')
    (repo / "secrets").mkdir()
    (repo / "secrets" / "prod.yaml").write_text("password: correct-horse-battery\n")
    _run(["git", "add", "-A"], repo, env)
    output = blocked(hook_repo[0], repo, env)
    assert "settings.py:1:" in output and "secrets/prod.yaml: not encrypted" in output


def test_try_repo_lets_a_clean_change_through(
    hook_repo: tuple[Path, dict[str, str]], target: tuple[Path, dict[str, str]]
) -> None:
    repo, env = target
    (repo / "app.py").write_text("import os\n\nPASSWORD = os.environ['DB_PASSWORD']\n")
    (repo / "secrets").mkdir()
    enc = "ENC[AES256_GCM,data:Zm9v,iv:MDEyMzQ1Njc4OWFi,tag:MDEyMzQ1Njc4OWFiY2RlZg==,type:str]"
    (repo / "secrets" / "dev.yaml").write_text(
        f"password: {enc}\nsops:\n    mac: {enc}\n    version: 3.11.0\n"
    )
    _run(["git", "add", "app.py", "secrets/dev.yaml"], repo, env)
    done = try_repo(hook_repo[0], repo, env)
    assert done.returncode == 0, done.stdout + done.stderr


def test_try_repo_blocks_a_plaintext_secrets_file(
    hook_repo: tuple[Path, dict[str, str]], target: tuple[Path, dict[str, str]]
) -> None:
    repo, env = target
    (repo / "secrets").mkdir()
    (repo / "secrets" / "prod.yaml").write_text("database:\n  password: correct-horse-battery\n")
    _run(["git", "add", "secrets/prod.yaml"], repo, env)
    output = blocked(hook_repo[0], repo, env)
    assert "secrets/prod.yaml: not encrypted (no sops metadata)" in output
    assert "correct-horse-battery" not in output


def test_installed_hook_blocks_the_commit(
    hook_repo: tuple[Path, dict[str, str]], target: tuple[Path, dict[str, str]]
) -> None:
    snapshot, _ = hook_repo
    repo, env = target
    rev = _run(["git", "rev-parse", "HEAD"], snapshot, env).stdout.strip()
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {snapshot}\n    rev: {rev}\n    hooks:\n"
        "      - id: secretsfile-scan\n      - id: secretsfile-check-encrypted\n"
    )
    assert _run([sys.executable, "-m", "pre_commit", "install"], repo, env).returncode == 0
    (repo / "deploy.sh").write_text(
        f"export AWS_ACCESS_KEY_ID={AWS_ID}\nexport AWS_SECRET_ACCESS_KEY={AWS_SECRET}\n"
    )
    _run(["git", "add", ".pre-commit-config.yaml", "deploy.sh"], repo, env)
    blocked = _run(["git", "commit", "-qm", "add deploy script"], repo, env)
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert AWS_ID not in blocked.stdout + blocked.stderr
    (repo / "deploy.sh").write_text(
        'export AWS_ACCESS_KEY_ID="$(vault read -field=id aws/creds)"\n'
    )
    _run(["git", "add", "deploy.sh"], repo, env)
    done = _run(["git", "commit", "-qm", "add deploy script"], repo, env)
    assert done.returncode == 0, done.stdout + done.stderr
    # pre-commit installed secretsfile from the snapshot into the hook's own virtualenv
    installed = list(
        Path(env["PRE_COMMIT_HOME"]).glob("repo*/py_env-*/lib/python*/site-packages/secretsfile")
    )
    assert installed and (installed[0] / "cli" / "scan.py").is_file()


def test_try_repo_blocks_a_plaintext_file_beside_the_environments_after_init(
    hook_repo: tuple[Path, dict[str, str]], target: tuple[Path, dict[str, str]]
) -> None:
    repo, env = target
    init = _run([sys.executable, "-m", "secretsfile", "init"], repo, env)
    assert init.returncode == 0, init.stderr
    plain = "database:\n  password: correct-horse-battery\n"
    (repo / "secrets" / "internal.yaml").write_text(plain)
    _run(["git", "add", "-A"], repo, env)
    output = blocked(hook_repo[0], repo, env)
    assert "secrets/internal.yaml: not encrypted (no sops metadata)" in output
    assert "secrets/dev.yaml:" not in output  # init's encrypted file passes
    assert "correct-horse-battery" not in output


def _hook(hook_repo: Path, repo: Path, env: dict[str, str], hook_id: str
          ) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), hook_id,
                 "--verbose"], repo, env)


def _without_keys(env: dict[str, str], home: Path) -> dict[str, str]:
    home.mkdir()
    bare = {k: v for k, v in env.items() if not k.startswith(("SOPS_", "SECRETSFILE_"))}
    bare.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    return bare


def test_secretsfile_check_hook_covers_references_schemas_and_recipients(
    hook_repo: tuple[Path, dict[str, str]], target: tuple[Path, dict[str, str]],
    tmp_path: Path,
) -> None:
    repo, env = target
    init = _run([sys.executable, "-m", "secretsfile", "init", "--env", "prod"], repo, env)
    assert init.returncode == 0, init.stderr
    planted = "pw-PLANTED-hook-1"
    store = (
        "from secretsfile.config.project import load\n"
        "from secretsfile.ops.secrets import save_secret\n"
        "from secretsfile.secrets.model import Secret\n"
        "c = load(); e = c.choose('prod')\n"
        f"save_secret(c, e, Secret('app-db', 'prod', values={{'user': 'u', 'password': "
        f"'{planted}'}}, schema='postgres'), create=True)\n")
    stored = _run([sys.executable, "-c", store], repo, env)
    assert stored.returncode == 0, stored.stderr
    config = repo / ".secretsfile.yaml"
    config.write_text(config.read_text() + "references: [app.yaml]\n")
    (repo / "app.yaml").write_text("db: {{ app-db.password }}\nhost: {{ app-db.hots }}\n")
    _run(["git", "add", "-A"], repo, env)
    no_key = _without_keys(env, tmp_path / "nokey")
    done = _hook(hook_repo[0], repo, no_key, "secretsfile-check")
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "app.yaml:2:7: {{ app-db.hots }}: secret 'app-db' has no key 'hots' in prod" in output
    assert "secrets/prod.yaml:" in output
    assert "secret 'app-db' (schema postgres) lacks required fields host, database" in output
    assert planted not in output
    assert "Traceback" not in output
    # fixed references and schema: a recipient added to the config by hand is drift
    (repo / "app.yaml").write_text("db: {{ app-db.password }}\n")
    fixed = store.replace("create=True", "create=False").replace(
        "'password': ", "'host': 'h', 'database': 'd', 'password': ")
    assert _run([sys.executable, "-c", fixed], repo, env).returncode == 0
    carol = "age1lggyhqrw2nlhcxprm67z43rta597azn8gknawjehu9d9dl0jq3yqqvfafg"
    _run(["git", "add", "-A"], repo, env)
    passed = _hook(hook_repo[0], repo, no_key, "secretsfile-check")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    text = config.read_text()
    config.write_text(text.replace("recipients:\n", f"recipients:\n      - {carol}\n", 1)
                      if "recipients:\n" in text else text.replace("recipients: [",
                                                                   f"recipients: [{carol}, "))
    _run(["git", "add", "-A"], repo, env)
    drifted = _hook(hook_repo[0], repo, no_key, "secretsfile-check")
    output = drifted.stdout + drifted.stderr
    assert drifted.returncode == 1, output
    assert f"secrets/prod.yaml: missing recipient age {carol}" in output
    assert planted not in output
