"""A pydantic-settings source: an environment's secrets as settings values.

Install the extra (``pip install 'secretsfile[pydantic]'``), then::

    from pydantic import BaseModel, SecretStr
    from pydantic_settings import BaseSettings, PydanticBaseSettingsSource
    from secretsfile.integrations.pydantic import SecretsfileSettingsSource

    class Database(BaseModel):
        user: str
        password: SecretStr

    class Settings(BaseSettings):
        api_token: SecretStr          # secret api-token
        db: Database                  # key group db: {user, password}
        db_user: str                  # or one key of a group, as its variable name DB_USER

        @classmethod
        def settings_customise_sources(cls, settings_cls, init_settings, env_settings,
                                       dotenv_settings, file_secret_settings):
            # first wins: arguments, then the process environment, then secretsfile
            return (init_settings, env_settings,
                    SecretsfileSettingsSource(settings_cls, env="prod"), file_secret_settings)

A field takes the secret of the same name (case, ``-`` and ``_`` do not matter), else the
environment variable name a group key gets (``db_user`` <- ``db`` / ``user``). Options come
from the constructor or from ``model_config`` keys ``secretsfile_env``,
``secretsfile_config`` and ``secretsfile_path``. No external binary, no warnings.

``model_dump_json()`` writes SecretStr fields as ``"**********"``: the values are lost on a
round trip, so never use dumped settings as a cache.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from secretsfile.loader import Secrets, load

__all__ = ["SecretsfileSettingsSource"]


def _key(name: str) -> str:
    return name.replace("-", "_").lower()


class SecretsfileSettingsSource(PydanticBaseSettingsSource):
    """Settings values from a secretsfile environment (decrypted in memory, once per file)."""

    def __init__(self, settings_cls: type[BaseSettings], env: str | None = None, *,
                 config: str | Path | None = None, path: str | Path | None = None,
                 include_private: bool = True) -> None:
        super().__init__(settings_cls)
        options: dict[str, Any] = dict(self.config)
        self.env = env or options.get("secretsfile_env")
        self.config_path = config or options.get("secretsfile_config")
        self.path = path or options.get("secretsfile_path")
        self.include_private = include_private
        self._secrets: Secrets | None = None
        self._by_name: dict[str, Any] | None = None
        self._by_variable: dict[str, str] | None = None

    def _load(self) -> Secrets:
        if self._secrets is None:
            self._secrets = load(self.env, config=self.config_path, path=self.path,
                                 include_private=self.include_private)
        return self._secrets

    def _lookup(self, names: list[str]) -> Any:
        if self._by_name is None:
            self._by_name = {_key(name): value for name, value in self._load().reveal().items()}
        for name in names:
            if _key(name) in self._by_name:
                return self._by_name[_key(name)]
        if self._by_variable is None:
            self._by_variable = {var.lower(): value
                                 for var, value in self._load().environ().items()}
        for name in names:
            if _key(name) in self._by_variable:
                return self._by_variable[_key(name)]
        return None

    @staticmethod
    def _names(field: FieldInfo, field_name: str) -> tuple[str, list[str]]:
        """(the key pydantic validates, the names to look up)."""
        alias = field.validation_alias if isinstance(field.validation_alias, str) else None
        alias = alias or field.alias
        return (alias or field_name), [n for n in (alias, field_name) if n]

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        key, names = self._names(field, field_name)
        return self._lookup(names), key, False

    def __call__(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for field_name, field in self.settings_cls.model_fields.items():
            value, key, _ = self.get_field_value(field, field_name)
            if value is not None:
                data[key] = value
        return data

    def __repr__(self) -> str:
        return f"SecretsfileSettingsSource(env={self.env!r})"
