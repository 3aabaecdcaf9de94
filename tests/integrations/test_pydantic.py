"""The pydantic-settings source: secrets fill SecretStr fields, nested models and flattened
group keys; the process environment wins over the file; no warnings; values stay masked."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

pytest.importorskip("pydantic_settings")

from pydantic import BaseModel, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from secretsfile.errors import KeyUnavailableError
from secretsfile.integrations.pydantic import SecretsfileSettingsSource
from tests.loader_project import PEM, Project, planted
from tests.loader_project import project as project  # the fixture


class Database(BaseModel):
    user: str
    password: SecretStr


def settings_class(env: str | None, config: SettingsConfigDict | None = None) -> type[Any]:
    class Settings(BaseSettings):
        model_config = config or SettingsConfigDict()

        api_token: SecretStr
        db: Database
        db_password: SecretStr  # a group key, by its variable name DB_PASSWORD
        tls_key: SecretStr | None = None
        debug: bool = False

        @classmethod
        def settings_customise_sources(
            cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            return (init_settings, env_settings, SecretsfileSettingsSource(settings_cls, env=env),
                    file_secret_settings)

    return Settings


def test_fills_fields_from_the_environment(project: Project) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        settings = settings_class("dev")()
    assert settings.api_token.get_secret_value() == "dev-PLANTED-token"
    assert settings.db.user == "dev-PLANTED-user"
    assert settings.db.password.get_secret_value() == "dev-PLANTED-pw%0A::x<<y"
    assert settings.db_password.get_secret_value() == "dev-PLANTED-pw%0A::x<<y"
    assert settings.tls_key.get_secret_value() == PEM
    assert settings.debug is False
    shown = repr(settings) + str(settings) + settings.model_dump_json()
    assert planted(shown) == ["dev-PLANTED-user"]  # the one plain str field


def test_process_environment_wins(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_TOKEN", "from-env")
    settings = settings_class("prod")()
    assert settings.api_token.get_secret_value() == "from-env"
    assert settings.db.password.get_secret_value() == "prod-PLANTED-pw"
    assert settings_class("prod")(api_token="from-init").api_token.get_secret_value() == \
        "from-init"


def test_options_from_model_config(project: Project) -> None:
    config = SettingsConfigDict(secretsfile_env="prod")  # type: ignore[typeddict-unknown-key]
    settings = settings_class(None, config)()
    assert settings.api_token.get_secret_value() == "prod-PLANTED-token"


def test_errors_are_secretsfile_errors(project: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRETSFILE_AGE_KEY_PROD")
    with pytest.raises(KeyUnavailableError) as caught:
        settings_class("prod")()
    assert planted(str(caught.value)) == []
