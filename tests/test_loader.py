"""The loader for builds: load/values/get_secret/SecretsClient, masking, caching, keys per
environment, redaction of log records; planted values never leak."""

from __future__ import annotations

import copy
import dataclasses
import io
import logging
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import secretsfile
from secretsfile import loader
from secretsfile.config.project import load as load_config
from secretsfile.errors import (
    ConfigError,
    ConflictError,
    InputNotFoundError,
    KeyUnavailableError,
    UsageError,
)
from secretsfile.keysources.age import env_key_var
from secretsfile.loader import MASK, SecretGroup, SecretNotFoundError, SecretValue
from secretsfile.ops import secrets as ops_secrets
from secretsfile.secrets import redaction
from secretsfile.secrets.model import Secret
from tests.loader_project import DEV, PEM, PROD, Project, make_project, planted
from tests.loader_project import project as project  # the fixture
from tests.tracebacks import recorded_locals


def test_load_maps_names_to_masked_values(project: Project) -> None:
    secrets = secretsfile.load("dev")
    assert secrets.env == "dev"
    assert sorted(secrets) == ["api-token", "db", "tls-key"]
    token = secrets["api-token"]
    assert isinstance(token, SecretValue)
    assert token.reveal() == DEV["api-token"]
    assert token.get_secret_value() == DEV["api-token"]
    assert secrets["tls-key"].reveal() == PEM  # type: ignore[union-attr]
    db = secrets["db"]
    assert isinstance(db, SecretGroup)
    assert db["user"].reveal() == "dev-PLANTED-user"
    assert db.reveal() == DEV["db"]
    assert secrets.reveal() == DEV


def test_every_way_of_printing_shows_the_mask(project: Project) -> None:
    secrets = secretsfile.load("dev")
    token, db = secrets["api-token"], secrets["db"]
    shown = [str(token), repr(token), f"{token}", f"{token!r}", f"{token:>20}",
             "%s %r" % (token, token), "{}".format(token),  # noqa: UP031, UP032
             str(db), repr(db),
             str(db["password"]), str(secrets), repr(secrets), str(dict(secrets)),
             str(list(secrets.values())), repr(secretsfile.SecretsClient("dev"))]
    assert planted("\n".join(shown)) == []
    assert str(token) == MASK and f"{token}" == MASK
    assert "db" in repr(db) and "password" in repr(db)  # names are fine, values are not


def test_mapping_is_read_only(project: Project) -> None:
    secrets = secretsfile.load("dev")
    with pytest.raises(TypeError):
        secrets["api-token"] = "x"  # type: ignore[index]
    with pytest.raises(TypeError):
        secrets["db"]["user"] = "x"  # type: ignore[index]
    with pytest.raises(AttributeError):
        secrets["api-token"].value = "x"  # type: ignore[union-attr]


def test_secret_value_semantics() -> None:
    a, b = SecretValue("same-PLANTED"), SecretValue("same-PLANTED")
    assert a == b and hash(a) == hash(b) and a != SecretValue("other")
    assert a != "same-PLANTED"  # never equal to a str: compare .reveal()
    assert len(a) == len("same-PLANTED") and bool(a) and not SecretValue("")
    assert copy.copy(a) is a and copy.deepcopy({"k": a})["k"] is a
    with pytest.raises(TypeError) as caught:
        pickle.dumps(a)
    assert "PLANTED" not in str(caught.value)
    with pytest.raises(TypeError):
        pickle.dumps(SecretGroup("g", {"k": "v-PLANTED"}))


def test_missing_names_are_key_errors_with_suggestions(project: Project) -> None:
    secrets = secretsfile.load("dev")
    assert "api-tokn" not in secrets and secrets.get("api-tokn") is None
    with pytest.raises(KeyError) as caught:
        secrets["api-tokn"]
    assert isinstance(caught.value, SecretNotFoundError)
    assert isinstance(caught.value, UsageError)
    assert "did you mean 'api-token'?" in str(caught.value)
    with pytest.raises(SecretNotFoundError, match=r"has no key 'usr'.*'user'"):
        secrets["db"]["usr"]


def test_environment_choice(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    assert secretsfile.load("prod").env == "prod"
    with pytest.raises(UsageError, match="which environment"):
        secretsfile.load()
    monkeypatch.setenv("SECRETSFILE_ENV", "prod")
    assert secretsfile.load()["api-token"].reveal() == PROD["api-token"]  # type: ignore[union-attr]
    assert secretsfile.load("dev").env == "dev"  # the argument wins


def test_default_env_from_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    made = make_project(tmp_path / "p", default_env="prod")
    monkeypatch.setenv("SECRETSFILE_AGE_KEY", made.prod_key)
    assert secretsfile.load(config=made.root / ".secretsfile.yaml").env == "prod"


def test_per_environment_key_variable(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    assert env_key_var("prod") == "SECRETSFILE_AGE_KEY_PROD"
    assert env_key_var("staging-eu") == "SECRETSFILE_AGE_KEY_STAGING_EU"
    monkeypatch.delenv("SECRETSFILE_AGE_KEY_PROD")
    # the dev key is in SECRETSFILE_AGE_KEY_DEV only: it is not used for prod
    with pytest.raises(KeyUnavailableError) as caught:
        secretsfile.load("prod")
    message = str(caught.value)
    assert "cannot decrypt environment 'prod'" in message
    assert "SECRETSFILE_AGE_KEY_PROD" in message and "\n" not in message
    assert planted(message) == [] and "AGE-SECRET-KEY" not in message
    # the generic variable works for any environment
    monkeypatch.setenv("SECRETSFILE_AGE_KEY", project.prod_key)
    assert secretsfile.load("prod")["api-token"].reveal() == PROD["api-token"]  # type: ignore[union-attr]


def test_decrypts_once_per_file_version(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    import secretsfile.ops.document as document

    calls = []
    real = document.open_document

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(document, "open_document", counting)
    secretsfile.load("dev")
    secretsfile.load("dev")
    secretsfile.values("dev")
    secretsfile.get_secret("api-token", env="dev")
    assert len(calls) == 1
    project.write("dev", {**DEV, "api-token": "dev-PLANTED-token-2"})
    os.utime(project.path("dev"), ns=(1, 1))  # a new mtime even on coarse clocks
    assert secretsfile.get_secret("api-token", env="dev") == "dev-PLANTED-token-2"
    assert len(calls) == 2


def test_concurrent_loads_decrypt_once(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    import secretsfile.ops.document as document

    calls = []
    real = document.open_document

    def counting(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(document, "open_document", counting)
    results: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def work() -> None:
        try:
            start.wait()
            results.append(secretsfile.get_secret("db", "password", env="prod"))
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert results == ["prod-PLANTED-pw"] * 8
    assert len(calls) == 1


def test_values_and_environ(project: Project) -> None:
    assert secretsfile.values("dev") == DEV
    assert secretsfile.values("prod", as_environ=True) == {
        "DB_USER": "prod-PLANTED-user", "DB_PASSWORD": "prod-PLANTED-pw",
        "API_TOKEN": "prod-PLANTED-token"}
    assert secretsfile.load("prod").environ(["api-token"]) == {"API_TOKEN": "prod-PLANTED-token"}


def test_two_secrets_on_one_variable_is_an_error(project: Project) -> None:
    project.write("dev", {**DEV, "db-user": "dev-PLANTED-other"})
    with pytest.raises(ConflictError) as caught:
        secretsfile.values("dev", as_environ=True)
    assert "DB_USER" in str(caught.value) and "'db'" in str(caught.value)
    assert "'db-user'" in str(caught.value) and planted(str(caught.value)) == []
    assert secretsfile.load("dev")["db-user"].reveal() == "dev-PLANTED-other"  # type: ignore[union-attr]


def test_get_secret_and_client(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    assert secretsfile.get_secret("api-token", env="dev") == "dev-PLANTED-token"
    assert secretsfile.get_secret("db", "user", env="prod") == "prod-PLANTED-user"
    assert secretsfile.get_secret("db", env="prod") == PROD["db"]
    client = secretsfile.SecretsClient(env="prod")
    assert client.get_secret("api-token") == "prod-PLANTED-token"
    assert client.list_secrets() == ["api-token", "db"]
    monkeypatch.setenv("SECRETSFILE_ENV", "dev")
    assert secretsfile.SecretsClient().get_secret("db", "user") == "dev-PLANTED-user"
    with pytest.raises(SecretNotFoundError, match="did you mean 'api-token'") as caught:
        client.get_secret("api_token")
    assert planted(str(caught.value)) == []
    with pytest.raises(SecretNotFoundError, match="single value"):
        client.get_secret("api-token", "key")


def test_private_secret_overrides_the_team_one(project: Project, run_keygen: str) -> None:
    config = load_config()
    env = config.environment("dev")
    ops_secrets.save_secret(config, env, Secret("api-token", "dev", "mine-PLANTED", private=True),
                            create=True)
    assert secretsfile.get_secret("api-token", env="dev") == "mine-PLANTED"
    team_only = secretsfile.load("dev", include_private=False)
    assert team_only["api-token"].reveal() == "dev-PLANTED-token"  # type: ignore[union-attr]


@pytest.fixture
def run_keygen(isolated_env: Path) -> str:
    """The user's own age key in the default location (for private secrets)."""
    from secretsfile.ops.keygen import keygen

    result = keygen("age", None)
    return result.public


def test_one_file_by_path(project: Project, monkeypatch: pytest.MonkeyPatch,
                          tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    secrets = secretsfile.load(path=project.path("prod"))
    assert secrets.env == "prod" and secrets["api-token"].reveal() == "prod-PLANTED-token"  # type: ignore[union-attr]
    with pytest.raises(InputNotFoundError):
        secretsfile.load(path=tmp_path / "missing.yaml")


def test_bad_input_is_one_clear_error(project: Project, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match=r"unknown environment 'prdo'.*did you mean 'prod'"):
        secretsfile.load("prdo")
    project.path("dev").unlink()
    with pytest.raises(InputNotFoundError, match="has no secrets file"):
        secretsfile.load("dev")
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    with pytest.raises(ConfigError, match=r"no environments configured.*no \.secretsfile\.yaml"):
        secretsfile.load()


def test_nothing_written_to_disk(project: Project, isolated_env: Path) -> None:
    def listing() -> set[Path]:
        return {*project.root.rglob("*"), *isolated_env.rglob("*")}

    before = listing()
    secretsfile.load("dev")
    secretsfile.values("prod", as_environ=True)
    assert listing() == before


def test_export_to_environ(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_TOKEN", "already-set")
    for name in ("DB_USER", "DB_PASSWORD"):  # recorded, so teardown removes what we set
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    secrets = secretsfile.load("prod")
    set_names = secrets.export_to_environ()
    assert sorted(set_names) == ["DB_PASSWORD", "DB_USER"]
    assert os.environ["API_TOKEN"] == "already-set"
    assert secrets.export_to_environ(override=True, only=["api-token"]) == ["API_TOKEN"]
    assert os.environ["API_TOKEN"] == "prod-PLANTED-token"


def test_export_to_environ_refuses_variables_that_change_how_programs_run(
        project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    from secretsfile.loader import clear_cache
    from secretsfile.ops.exporting import DeniedVariableError

    project.write("dev", {"ld-preload": "/tmp/evil-PLANTED.so", "api-token": "t"})
    clear_cache()
    monkeypatch.delenv("LD_PRELOAD", raising=False)
    secrets = secretsfile.load("dev")
    with pytest.raises(DeniedVariableError, match="LD_PRELOAD") as caught:
        secrets.export_to_environ()
    assert "PLANTED" not in str(caught.value)
    assert "LD_PRELOAD" not in os.environ and "API_TOKEN" not in os.environ
    monkeypatch.setenv("LD_PRELOAD", "")  # recorded, so teardown removes what we set
    monkeypatch.delenv("LD_PRELOAD")
    assert secrets.export_to_environ(only=["ld-preload"], allow=["LD_PRELOAD"]) == ["LD_PRELOAD"]


@pytest.fixture
def restore_logging() -> Iterator[None]:
    factory = logging.getLogRecordFactory()
    root = logging.getLogger()
    handlers = list(root.handlers)
    yield
    logging.setLogRecordFactory(factory)
    for handler in root.handlers:
        if redaction._installed is not None:
            handler.removeFilter(redaction._installed)
    root.handlers[:] = handlers
    redaction._installed = None


def test_redact_logging(project: Project, restore_logging: None) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(message)s"))
    lonely = logging.getLogger("test.lonely")
    lonely.propagate = False
    lonely.addHandler(handler)
    lonely.setLevel(logging.INFO)
    installed = secretsfile.redact_logging()
    assert secretsfile.redact_logging() is installed  # idempotent
    secrets = secretsfile.load("dev")  # loaded after installing: still redacted
    token = secrets["api-token"].reveal()  # type: ignore[union-attr]
    lonely.info("token=%s", token)
    lonely.info(f"inline {token} and {secrets['db']['password'].reveal()}")
    lonely.warning("pem %r", secrets["tls-key"].reveal())  # type: ignore[union-attr]
    lonely.info("one line of the key: %s", PEM.splitlines()[1])
    try:
        raise ValueError(f"bad token {token}")
    except ValueError:
        lonely.exception("failed")
    lonely.info("masked object %s", secrets["api-token"])
    lonely.removeHandler(handler)
    text = stream.getvalue()
    assert planted(text) == [], text
    assert text.count(MASK) >= 6
    assert "ValueError: bad token **********" in text


def test_filter_on_a_handler(project: Project, restore_logging: None) -> None:
    secretsfile.load("prod")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "pw %s", ("prod-PLANTED-pw",),
                               None)
    assert loader.RedactingFilter().filter(record)
    assert record.getMessage() == f"pw {MASK}"


def test_import_stays_light() -> None:
    code = ("import sys, secretsfile; from secretsfile import SecretValue, redact_logging; "
            "heavy = {'typer', 'rich', 'git', 'yaml', 'cryptography', 'pyrage', 'click'}; "
            "print(sorted(m for m in heavy if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_load_imports_no_cli_git_or_rich(project: Project) -> None:
    code = ("import sys, secretsfile; secretsfile.load('dev'); "
            "heavy = {'typer', 'rich', 'git', 'click', 'ruamel', 'secretsfile.cli'}; "
            "print(sorted(m for m in heavy if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, env=dict(os.environ), cwd=project.root)
    assert result.stdout.strip() == "[]", result.stderr
    assert planted(result.stdout + result.stderr) == []


def test_public_api_is_exported() -> None:
    for name in ("load", "values", "get_secret", "SecretsClient", "SecretValue",
                 "redact_logging"):
        assert name in secretsfile.__all__
        assert getattr(secretsfile, name) is getattr(loader, name)


def test_the_underlying_secret_is_masked_too(project: Project) -> None:
    secrets = secretsfile.load("dev")
    for name in ("api-token", "db"):
        secret = secrets.secret(name)
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        logger = logging.getLogger("test-loader-secret")
        logger.addHandler(handler)
        try:
            logger.warning("%s %r", secret, secret)
        finally:
            logger.removeHandler(handler)
        shown = [repr(secret), str(secret), f"{secret}", str(dataclasses.asdict(secret)),
                 stream.getvalue()]
        assert planted("\n".join(shown)) == [] and MASK in shown[0]
        with pytest.raises(TypeError, match="cannot be pickled") as caught:
            pickle.dumps(secret)
        assert planted(str(caught.value)) == []
    assert secrets.secret("api-token").get() == DEV["api-token"]
    assert secrets.secret("db").values == DEV["db"]


def test_errors_leave_no_value_in_traceback_locals(project: Project) -> None:
    project.write("dev", {**DEV, "db-user": "dev-PLANTED-other"})
    secrets = secretsfile.load("dev")
    failing: list[Callable[[], object]] = [
        secrets.environ, secrets.export_to_environ, lambda: secrets["nope"],
        lambda: secrets["db"]["nope"],  # type: ignore[index]
        lambda: secrets.secret("db").get(), lambda: secrets.secret("db").get("nope"),
        lambda: secretsfile.get_secret("api-token", "key", env="dev")]
    for call in failing:
        with pytest.raises((ConflictError, KeyError)) as caught:
            call()
        assert planted(recorded_locals(caught.value)) == [], call
        assert planted(str(caught.value)) == []


@pytest.mark.parametrize("value", ["nul-PLANTED\0byte", "bad-PLANTED\ud800text"])
def test_export_refuses_what_the_environment_cannot_hold(
        project: Project, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.delenv("ODD", raising=False)
    secrets = loader.Secrets("dev", {"odd": Secret("odd", "dev", value)})
    with pytest.raises(UsageError, match="ODD") as caught:
        secrets.export_to_environ()
    assert "PLANTED" not in recorded_locals(caught.value) + str(caught.value)
    assert "ODD" not in os.environ
