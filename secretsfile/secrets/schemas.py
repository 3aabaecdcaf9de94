"""Secret schemas: the fields a kind of credential has, validated on create and update.

Built in: ``aws``, ``gcp-service-account``, ``postgres``, ``mysql``, ``snowflake``,
``basic-auth``, ``api-key``. Projects add their own under ``schemas:`` in
``.secretsfile.yaml``::

    schemas:
      my-service:
        fields:
          - {name: token, required: true}
          - {name: host, secret: false, export: MY_SERVICE_HOST}
          - {name: port, type: int, default: 443}

A field is secret unless ``secret: false`` (then ``-i`` shows it while typed); ``export``
names the variable tools expect for it (``AWS_ACCESS_KEY_ID``, ``PGHOST``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from secretsfile.core.suggest import suggestion
from secretsfile.errors import ConfigError, UsageError
from secretsfile.secrets.model import Scalar, finite, parse_typed, text_of
from secretsfile.secrets.naming import is_variable_name, key_problem

TYPES = ("str", "int", "float", "bool")


@dataclass(frozen=True)
class Field:
    name: str
    type: str = "str"
    required: bool = True
    default: str | None = None
    secret: bool = True  # False: shown while typing (-i) and in `schema show`
    export: str | None = None  # the variable tools expect (AWS_ACCESS_KEY_ID, PGHOST)


@dataclass(frozen=True)
class Schema:
    name: str
    fields: tuple[Field, ...]
    description: str = ""

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]

    def validate(self, values: Mapping[str, Scalar]) -> dict[str, Scalar]:
        """Check ``values`` and fill defaults; the error names the field at fault. An
        int/float/bool field is returned typed (``"5432"`` -> ``5432``), defaults too."""
        known = {f.name: f for f in self.fields}
        for key in values:
            if key not in known:
                hint = suggestion(key, known, f"fields: {', '.join(known)}", n=1, cutoff=0.6)
                raise UsageError(f"schema {self.name}: unknown field {key!r}", hint=hint)
        out: dict[str, Scalar] = {}
        for spec in self.fields:
            if spec.name in values:
                out[spec.name] = _check_type(self.name, spec, values[spec.name])
            elif spec.default is not None:
                out[spec.name] = _check_type(self.name, spec, spec.default)
            elif spec.required:
                raise UsageError(
                    f"schema {self.name}: missing required field {spec.name!r}",
                    hint=f"add --{spec.name}=… (fields: {', '.join(known)})",
                )
        return out


_TYPE_HINTS = {
    "int": "digits with an optional leading '-' (no '+', '_' or spaces)",
    "float": "a finite number such as 1.5 or 2e-3 (not nan or inf)",
    "bool": "true or false (any case; yes/no/on/off/1/0 are not booleans)",
}


def _check_type(schema: str, spec: Field, value: Scalar) -> Scalar:
    """The value as the field's type: text for ``str``, else int, float or bool (from
    their text, as given on the command line, or already typed), never coerced."""
    try:
        return _as_type(spec.type, value)
    except (ValueError, OverflowError):  # OverflowError: an int too large for a float
        raise UsageError(
            f"schema {schema}: field {spec.name!r} must be {spec.type}",
            hint=f"give {_TYPE_HINTS.get(spec.type, spec.type)}; the value was not changed",
        ) from None


def _as_type(kind: str, value: Scalar) -> Scalar:
    if kind == "str":
        return value if isinstance(value, str) else text_of(value)
    if isinstance(value, str):
        return parse_typed(value, kind)
    if isinstance(value, bool) or kind == "bool":  # a bool is an int to Python, not here
        if isinstance(value, bool) and kind == "bool":
            return value
        raise ValueError(kind)
    if kind == "int" and isinstance(value, int):
        return value
    if kind == "float":
        return finite(float(value))
    raise ValueError(kind)


def _f(name: str, required: bool = True, type_: str = "str", default: str | None = None,
       *, secret: bool = True, export: str | None = None) -> Field:
    return Field(name, type_, required, default, secret, export)


def _open(name: str, required: bool = True, type_: str = "str", default: str | None = None,
          export: str | None = None) -> Field:
    """A field that is not itself secret (user, host, account): visible while typing."""
    return Field(name, type_, required, default, False, export)


_PG_SSL = (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"),
           ("sslcert", "PGSSLCERT"))
BUILTIN: dict[str, Schema] = {
    schema.name: schema
    for schema in (
        Schema("aws", (_f("access_key_id", export="AWS_ACCESS_KEY_ID"),
                       _f("secret_access_key", export="AWS_SECRET_ACCESS_KEY"),
                       _f("session_token", False, export="AWS_SESSION_TOKEN")),
               "AWS access key pair"),
        Schema("gcp-service-account", (
            _open("type", False, default="service_account"), _open("project_id"),
            _open("private_key_id", False), _f("private_key"), _open("client_email"),
            _open("client_id", False), _open("auth_uri", False), _open("token_uri", False),
            _open("auth_provider_x509_cert_url", False), _open("client_x509_cert_url", False),
            _open("universe_domain", False)), "a GCP service-account key (JSON fields)"),
        Schema("postgres", (_open("user", export="PGUSER"), _f("password", export="PGPASSWORD"),
                            _open("host", export="PGHOST"),
                            _open("port", False, "int", "5432", export="PGPORT"),
                            _open("database", export="PGDATABASE"),
                            *(_open(name, False, export=var) for name, var in _PG_SSL),
                            _f("sslkey", False, export="PGSSLKEY")), "PostgreSQL connection"),
        Schema("mysql", (_open("user", export="MYSQL_USER"), _f("password", export="MYSQL_PWD"),
                         _open("host", export="MYSQL_HOST"),
                         _open("port", False, "int", "3306", export="MYSQL_TCP_PORT"),
                         _open("database", export="MYSQL_DATABASE"),
                         _open("ssl_ca", False), _open("ssl_cert", False), _f("ssl_key", False),
                         _open("ssl_mode", False)), "MySQL connection"),
        Schema("snowflake", (_open("account", export="SNOWFLAKE_ACCOUNT"),
                             _open("user", export="SNOWFLAKE_USER"),
                             _f("password", False, export="SNOWFLAKE_PASSWORD"),
                             _f("private_key", False),
                             _f("private_key_passphrase", False),
                             _open("warehouse", False, export="SNOWFLAKE_WAREHOUSE"),
                             _open("database", False, export="SNOWFLAKE_DATABASE"),
                             _open("schema", False, export="SNOWFLAKE_SCHEMA"),
                             _open("role", False, export="SNOWFLAKE_ROLE")), "Snowflake login"),
        Schema("basic-auth", (_open("username"), _f("password")), "user name and password"),
        Schema("api-key", (_f("api_key"), _open("base_url", False)), "an API key"),
    )
}


def user_schemas(raw: Any) -> dict[str, Schema]:
    """Schemas defined in the config's ``schemas:`` section."""
    if not raw:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError("schemas must map a schema name to its fields")
    out: dict[str, Schema] = {}
    for name, body in raw.items():
        specs = body.get("fields") if isinstance(body, Mapping) else None
        if not isinstance(specs, list) or not specs:
            raise ConfigError(f"schema {name}: needs a non-empty 'fields' list")
        fields = tuple(_user_field(str(name), spec) for spec in specs)
        out[str(name)] = Schema(str(name), fields, str(body.get("description", "")))
    return out




def _user_field(schema: str, spec: Any) -> Field:
    """One entry of a user schema's ``fields``, checked (ConfigError naming the field)."""
    if not isinstance(spec, Mapping) or not isinstance(spec.get("name"), str):
        raise ConfigError(f"schema {schema}: every field needs a name")
    where = f"schema {schema}: field {spec['name']!r}"
    problem = key_problem(spec["name"], f"schema {schema}: field")
    if problem:  # a field is a group key: the one key rule (naming.key_problem)
        raise ConfigError(problem, hint="rename the field in the config's schemas: section")
    type_ = str(spec.get("type", "str"))
    if type_ not in TYPES:
        raise ConfigError(f"{where} has unknown type {type_!r}",
                          hint=f"use one of {', '.join(TYPES)}")
    default = spec.get("default")
    flags = {flag: spec.get(flag, fallback)
             for flag, fallback in (("required", default is None), ("secret", True))}
    for flag, value in flags.items():
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: {flag} must be true or false",
                              hint=f"write {flag}: true or {flag}: false, unquoted")
    export = spec.get("export")
    if export is not None and not (isinstance(export, str) and is_variable_name(export)):
        raise ConfigError(f"{where}: export {export!r} is not a variable name",
                          hint="use letters, digits and _, not starting with a digit "
                               "(e.g. MY_SERVICE_HOST)")
    return Field(spec["name"], type_, flags["required"],
                 None if default is None else str(default), flags["secret"], export)


def find_schema(name: str, config_raw: Mapping[str, Any] | None = None) -> Schema:
    schemas = {**BUILTIN, **user_schemas((config_raw or {}).get("schemas"))}
    if name in schemas:
        return schemas[name]
    raise UsageError(f"unknown schema {name!r}",
                     hint=suggestion(name, schemas, f"known: {', '.join(sorted(schemas))}",
                                     n=1, cutoff=0.6))
