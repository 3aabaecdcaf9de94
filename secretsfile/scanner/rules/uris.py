"""Credentials embedded in URIs, connection strings, command lines and HTTP headers."""

from __future__ import annotations

from secretsfile.scanner.model import Allowlist, Rule

from . import generic
from ._common import MASKED, NOT_PROGRAM_SOURCE

# Passwords that documentation and templates put in URLs and command lines (shared with commands.py).
PASSWORD_PLACEHOLDER = Allowlist(
    regexes=(
        r"(?i:^(?:pass(?:word|wd)?|pwd|secret|changeme|change_me|changeit|test|testing|admin|root|guest"
        r"|user|username|token|api[_-]?key|example|sample|dummy|fake|foo|bar|x+|y+|\*+|\.+|my_?pass(?:word)?"
        r"|your_?pass(?:word)?|[a-z]+_?password)$)",
        # $VAR, %VAR%, {name}, <name>, [name], @name; braces around a mixed-case value with a
        # digit ("{ZqL5kVrX1n8tA2}") hold a literal pasted into a documented "{password}" slot
        r"^(?:\$|%|\{(?!(?=[^{}]*[0-9])(?=[^{}]*[a-z])(?=[^{}]*[A-Z])[^{}]{8,}\}$)|<|\[|@)",
        r"(?i:replace|placeholder|your_|your-)|\{\{|\$\{|\$\(",
    ),
    description="placeholder or template passwords in URLs",
)
_DOC_HOSTS = Allowlist(
    regexes=(r"@(?:[\w-]+\.)*(?:example\.(?:com|org|net)|[\w-]+\.(?:example|test|invalid))(?![\w.-])",),
    regex_target="match",
    description="RFC 2606 documentation hosts",
)
_SAME_USER_AND_PASSWORD = Allowlist(
    regexes=(r"//([^:/@\s]+):\1@",),
    regex_target="match",
    description="user name repeated as password (postgres:postgres@localhost)",
)
_DB_DEFAULTS = Allowlist(
    regexes=(r"(?i:^(?:postgres|postgresql|pgpass|mysecretpassword|tiger|manager|oracle|sa)$)",),
    description="demo database passwords (postgres, scott/tiger, system/manager)",
)

RULES: tuple[Rule, ...] = (
    Rule(
        id="database-uri-password",
        description="Password in a database or message-broker URI (postgres, mysql, mongodb, redis, amqp, ldap, ...)",
        regex=(
            r"(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|ldaps?|mssql|sqlserver"
            r"|oracle|cockroachdb|clickhouse|couchdb|neo4j(?:\+s)?|bolt|nats|kafka|memcached|influxdb)"
            r"(?:\+[a-z0-9]+)?://([^:/?#@\s'\"]{1,64}):([^@/?#\s'\"<>]{3,128})@[\w.\[-]*"
        ),
        keywords=("postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "ldap", "mssql", "sqlserver",
                  "oracle", "cockroachdb", "clickhouse", "couchdb", "neo4j", "bolt://", "nats://", "kafka://",
                  "memcached", "influxdb"),
        secret_group=2,
        entropy=1.5,
        allowlists=(PASSWORD_PLACEHOLDER, _SAME_USER_AND_PASSWORD, _DOC_HOSTS, MASKED),
        true_samples=(
            'DATABASE_URL="postgresql://app:bYsorkX5PVbf0HUYbGX3@db.prod.internal:5432/orders"',
            "MONGO_URI=mongodb+srv://svc:w53bDVENngbnecOK@cluster0.ab1cd.mongodb.net/app?retryWrites=true",
            "redis://default:3junw23Ukoi9K1LqcXCBP8rE@cache.internal:6379/0",
            "amqp://worker:mE2Ikg1GdPZFlrEtqA@rabbitmq:5672/%2F",
            "ldaps://cn=admin:bBIW1tREO3GKRa@ldap.corp.internal",
            'engine = create_engine("mysql+pymysql://etl:HrVk5DheaCjPiWd1@10.0.3.7/warehouse")',
        ),
        false_samples=(
            "postgres://postgres:postgres@localhost:5432/test",
            "mongodb://username:password@localhost:27017/database",
            "mysql://user:${PASSWORD}@example.com:3306/db",
            "postgresql://{username}:{password}@{{host}}:5432/{database}",
            "postgres://$(PGUSER):$(PGPASSWORD)@$(PGHOST)/$(PGDATABASE)",
            "redis://localhost:6379/0",
        ),
        tags=("uri",),
    ),
    Rule(
        id="snowflake-connection-password",
        description="Snowflake connection URI or connector password",
        regex=(
            r"(?i)snowflake://([^:/?#@\s'\"]{1,64}):([^@/?#\s'\"<>]{3,128})@"
        ),
        keywords=("snowflake://",),
        secret_group=2,
        allowlists=(PASSWORD_PLACEHOLDER, MASKED),
        true_samples=("SNOWFLAKE_URL=snowflake://loader:iBTbE4dxQ72mQ3tzDs@xy12345.eu-central-1/analytics/public?warehouse=LOAD_WH",),
        false_samples=("snowflake://{user}:{password}@{account}/{database}",),
        tags=("uri", "snowflake"),
    ),
    Rule(
        id="basic-auth-url",
        description="Credentials in a URL (https://user:password@host)",
        regex=(
            r"(?:https?|HTTPS?|ftps?|FTPS?|sftp|ssh|git|svn|smb|wss?|socks5h?)://([^:/?#@\s'\"<>]{1,64}):([^@/?#\s'\"<>]{4,128})@"
            r"[A-Za-z0-9\[][\w.-]*"
        ),
        keywords=("://",),
        secret_group=2,
        entropy=1.5,
        allowlists=(
            PASSWORD_PLACEHOLDER,
            _SAME_USER_AND_PASSWORD,
            _DOC_HOSTS,
            MASKED,
            Allowlist(regexes=(r"^\d{1,5},",), description="multi-host URL: a port and the next host, not a password"),
        ),
        true_samples=(
            "git clone https://deploy:JNBETAlf33wbA7F0vdAV@git.corp.internal/platform/infra.git",
            'PIP_INDEX_URL="https://ci:Ci5WoWCOiYKMMy26d0yVPf@pypi.corp.internal/simple"',
            "https://x-access-token:OgZ0KLrlAth2MtfilKwHcLMZGQH1peGK@github.com/acme/app.git",
        ),
        false_samples=(
            "http://localhost:5000/<%= @variable %>",
            '"https://url:8000";@something else',
            "https://url:8000/ @something else",
            "https://${username}:${password}@api.example.com/v1",
            "https://username:password@example.com/api",
            "git@github.com:acme/app.git",
            "MultiHostUrl('https://foo.com:123,foo:bar@bar.com/path')",
            "mongodb://db1.corp.internal:27017,db2.corp.internal:27017/app?replicaSet=rs0",
        ),
        tags=("uri",),
    ),
    Rule(
        id="url-query-credential",
        description="Password, API key or access token in a URL query string",
        regex=(
            r"[?&](?i:password|passwd|pwd|api[_-]?key|access[_-]?token|auth[_-]?token|client[_-]?secret"
            r"|secret[_-]?key)=([^&\s'\"#<>\\]{8,200})"
        ),
        keywords=("password=", "passwd=", "pwd=", "api_key=", "apikey=", "api-key=", "access_token=",
                  "access-token=", "auth_token=", "client_secret=", "secret_key="),
        secret_group=1,
        entropy=3.0,
        allowlists=(
            PASSWORD_PLACEHOLDER,
            MASKED,
            Allowlist(regexes=(r"^%[sd]$|%\(|\{|\$|^eyJ",), description="format strings, templates, JWTs (own rule)"),
            generic.TEMPLATE_REFERENCE,
            generic.PLACEHOLDER,
            generic.NOT_A_LITERAL,
        ),
        true_samples=(
            "https://api.weather.example/v1/forecast?q=berlin&api_key=pNqyKsLsNBHYoIw3AdwaJ7se29aoxQoQ",
            "jdbc:postgresql://db:5432/app?user=svc&password=fZM54iB8t1zAey5P&ssl=true",
        ),
        false_samples=(
            "https://api.example.com/v1?api_key={API_KEY}",
            "url = base + '?access_token=%s' % token",
        ),
        tags=("uri",),
    ),
    Rule(
        id="jdbc-url-password",
        description="Password in a JDBC URL as user/password@host (Oracle thin and similar drivers)",
        regex=r"(?i)\bjdbc:[a-z0-9]+(?::[a-z0-9]+)?:([A-Za-z0-9_$#.-]{1,64})/([^@/\s'\"<>;]{4,128})@(?://)?[\w.\[-]",
        keywords=("jdbc:",),
        secret_group=2,
        entropy=1.5,
        allowlists=(PASSWORD_PLACEHOLDER, _DOC_HOSTS, MASKED, generic.PLACEHOLDER, _DB_DEFAULTS),
        true_samples=(
            'url = "jdbc:oracle:thin:scott/h7d5M0owgENZCD@//ora-prod.corp.internal:1521/ORCLPDB1"',
            "db.url=jdbc:oracle:thin:etl_loader/Wq3!vT9pLz2x@ora-dw.corp.internal:1521:DWH",
        ),
        false_samples=(
            "jdbc:oracle:thin:scott/tiger@localhost:1521:orcl",
            "jdbc:oracle:thin:${DB_USER}/${DB_PASSWORD}@//db:1521/XE",
            "jdbc:oracle:thin:@//ora-prod.corp.internal:1521/ORCLPDB1",
        ),
        tags=("uri", "jdbc"),
    ),
    Rule(
        id="libpq-dsn-password",
        description="Password in a libpq keyword DSN (host=... user=... password=...)",
        regex=(
            r"(?i)\b(?:host|hostaddr|dbname|user|port|sslmode)=[^\s'\",()]{1,128}[ \t]+"
            r"(?:[a-z_]{2,24}=[^\s'\"=,()]{0,128}[ \t]+){0,8}"
            r"password='?([^\s'\"\\,()]{4,128})(?=[\s'\"]|$)"
        ),
        keywords=("password=",),
        secret_group=1,
        entropy=2.0,
        allowlists=(
            PASSWORD_PLACEHOLDER,
            MASKED,
            generic.TEMPLATE_REFERENCE,
            generic.PLACEHOLDER,
            generic.DICTIONARY_WORD,
            _DB_DEFAULTS,
        ),
        true_samples=(
            'dsn = "host=pg-main.corp.internal port=5432 dbname=orders user=svc password=kN9RXoZ4VJe1NBvPve sslmode=require"',
            "PG_DSN=host=10.0.4.12 user=reporting dbname=dw password=Hx4q8Vn2TzLm7c",
        ),
        false_samples=(
            'dsn = "host=localhost dbname=test user=postgres password=postgres"',
            'dsn = f"host={host} dbname={db} user={user} password={password}"',
            "host=db user=app password=$PGPASSWORD dbname=app",
            "def connect(self, host, port=PORT, user=None, password=None, timeout=30):",
        ),
        tags=("uri", "connection-string"),
    ),
    Rule(
        id="pgpass-password",
        description="Password field of a PostgreSQL .pgpass line (host:port:database:user:password)",
        regex=r"(?m)^[^:\s#][^:\s]{0,252}:(?:\d{1,5}|\*):[^:\s]{1,63}:[^:\s]{1,63}:(\S{4,128})$",
        keywords=(":5432:", ":6432:", ":*:"),
        secret_group=1,
        entropy=2.0,
        path=r"(?:^|[/\\])(?:pgpass\.conf|[\w.-]*\.pgpass)$",
        allowlists=(PASSWORD_PLACEHOLDER, MASKED, generic.TEMPLATE_REFERENCE, generic.PLACEHOLDER, _DB_DEFAULTS),
        true_samples=(
            "pg-main.corp.internal:5432:orders:svc:bC9SzDDpNJJHrbtyOJyD",
            "# replicas\n*:6432:*:pgbouncer_auth:Tq8vL2mX9zR4",
        ),
        false_samples=(
            "localhost:5432:*:postgres:postgres",
            "hostname:5432:database:username:password",
            "*:*:*:app:${PGPASSWORD}",
        ),
        tags=("connection-string",),
    ),
    Rule(
        id="curl-basic-auth",
        description="curl -u / --user / --proxy-user with a literal password",
        regex=(
            r"\bcurl\b(?:[^\n]|\\\n)*?\s(?:-u|-U|--user|--proxy-user)[ =]?\s*['\"]?([^\s'\":<]{0,64})['\"]?:['\"]?"
            r"([^\s'\"]{3,128})"
        ),
        keywords=("curl",),
        secret_group=2,
        allowlists=(
            PASSWORD_PLACEHOLDER,
            MASKED,
            Allowlist(
                regexes=(r"(?:-u|-U|--user|--proxy-user)[ =]?\s*['\"]?([^\s'\":]+)['\"]?:['\"]?\1(?:['\"\s]|$)",),
                regex_target="match",
                description="user name repeated as password (test:test)",
            ),
        ),
        true_samples=(
            "curl --cacert ca.crt -u elastic:d9x15isLyoQudc https://localhost:9200",
            "curl -s --user 'api:9pyHplFGTRCRHdM4' https://api.mailgun.example/v3/messages",
            "curl -fsSL -u ci-bot:yT5kn4l2ePpnwPpYJ9Vg https://nexus.corp.internal/repository/raw/app.tgz -o app.tgz",
            "curl -x http://proxy.corp.internal:3128 --proxy-user svc_build:Qe7vN2xLp9rT4k https://pypi.org/simple/",
            'curl --user "{3c9e71d2-5b0a-4f86-9d13-e2a7c4b05f98}":"{Hv4nQ8sLw2Tz6k}" https://gateway.internal/api',
        ),
        false_samples=(
            "curl -u <user:password> https://test.com/endpoint",
            'curl -u "${username}":"${password}"',
            "curl -i -u 'test:test'",
            "curl --user neo4j:[PASSWORD] http://[IP]:7474/db/data/",
            "curl -u $USER:$TOKEN https://api.internal",
            "curl -u admin:admin http://localhost:8080",
            "curl -x http://proxy:3128 --proxy-user \"$PROXY_USER:$PROXY_PASS\" https://pypi.org/simple/",
            'curl --user "{apikey}":"{password}" https://gateway.internal/api',
        ),
        tags=("cli",),
    ),
    Rule(
        id="curl-user-token",
        description="curl -u TOKEN: (an API token passed as the user name with an empty password)",
        regex=r"\bcurl\b(?:[^\n]|\\\n)*?\s(?:-u|--user)[ =]?\s*['\"]?([^\s'\":<$]{12,128}):['\"]?(?=\s|$)",
        keywords=("curl",),
        secret_group=1,
        entropy=3.0,
        allowlists=(PASSWORD_PLACEHOLDER, MASKED, generic.PLACEHOLDER),
        true_samples=(
            'curl -u "Rk8vT2qLz5Wn!x:" https://localhost:9200',
            "curl https://api.payments.internal/v1/charges -u k4Jd9Qw2Lr7Tz0Vb3Xn6:",
        ),
        false_samples=(
            'curl -u "$API_KEY:" https://api.internal',
            "curl -u your_api_key_here: https://api.internal",
            "curl -u user: https://api.internal",
        ),
        tags=("cli",),
    ),
    Rule(
        id="http-authorization-header",
        description="Literal credential in an HTTP Authorization header",
        regex=(
            r"(?i)(?<![a-z])authorization['\"]?[ \t]*[:=,][ \t]*['\"]?(?:(?:bearer|basic|token|api-token|apikey|sso-key|digest)\s+|(?<=['\"]))"
            r"([A-Za-z0-9._~+/=:-]{8,500})(?![A-Za-z0-9._~+/=:-])"
        ),
        keywords=("authorization",),
        secret_group=1,
        entropy=3.0,
        allowlists=(
            PASSWORD_PLACEHOLDER,
            MASKED,
            Allowlist(
                regexes=(
                    r"(?i:^(?:bearer|basic|token|digest|none|null|header|required)$)",
                    r"^eyJ",
                    r"^[a-z_]+(?:\.[a-z_]+)*$",
                    r"^[A-Z][A-Za-z]*(?:-[A-Z][A-Za-z]*)*$",
                    r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$",
                ),
                description="scheme names, header names, identifiers and JWTs (own rule)",
            ),
        ),
        true_samples=(
            'curl -H "Authorization: Bearer Qq9Esww0rxVkLRn30zr3oNzUcrwj4GoU2GgA7iLI" https://api.internal/v1/jobs',
            "headers = {'Authorization': 'Token 781226154eec7e651da7f2dd8e768653dd39c533'}",
        ),
        false_samples=(
            'curl -H "Authorization: Bearer $API_KEY" https://api.internal/v1/jobs',
            'curl -H "Authorization: Bearer <Openverse API token>"',
            "headers['Authorization'] = 'Basic %s' % creds",
            'curl -H "Authorization: Token **********"',
            'SENSITIVE_HEADERS = frozenset(["Cookie", "Authorization", "Proxy-Authorization"])',
            "'ASAuthorization', 'ASAuthorizationAppleIDButton', 'ASAuthorizationController',",
            "_SIGNED_HEADERS = ['Authorization', 'X-Amz-Date']",
            '    "PENDING_AUTHORIZATION",\n    "PENDING_PAYMENT_VERIFICATION",',
        ),
        tags=("http",),
    ),
    Rule(
        id="netrc-password",
        exempt_filters=("uuid",),
        description="Password in a .netrc / _netrc entry",
        regex=r"(?i)\bmachine\s+\S+\s+login\s+\S+\s+password\s+([^\s'\"]{4,})",
        keywords=("machine",),
        secret_group=1,
        path=NOT_PROGRAM_SOURCE,
        allowlists=(PASSWORD_PLACEHOLDER, MASKED, generic.PLACEHOLDER, generic.DICTIONARY_WORD),
        true_samples=("machine api.heroku.com\n  login ci@example.com\n  password ded8db9b-be4e-ba70-3e04-f3c2939198a7\n",),
        false_samples=("machine example.com login user password $NETRC_PASSWORD",),
        tags=("netrc",),
    ),
)
