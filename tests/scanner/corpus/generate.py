"""Generate the labelled scanner corpus: realistic files full of synthetic secrets and decoys.

Run from anywhere: ``python tests/scanner/corpus/generate.py``. The output is deterministic
(fixed seed), so re-running it reproduces ``files/`` and ``labels.json`` byte for byte.
Every secret is random text in a vendor's *format*; none of them is, or was, a real
credential. See README.md for the label format.
"""

from __future__ import annotations

import base64
import json
import random
import shutil
import string
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
SEED = 20240917

rng = random.Random(SEED)

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
B64 = ALNUM + "+/"
URL = ALNUM + "-_"
BECH = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"


def r(chars: str, n: int) -> str:
    """Random text; mixed-case charsets get every class, and no long runs."""
    while True:
        s = "".join(rng.choice(chars) for _ in range(n))
        if any(s[i] == s[i + 1] == s[i + 2] for i in range(len(s) - 2)):
            continue
        mixed = any(c.islower() for c in s) and any(c.isupper() for c in s) and any(c.isdigit() for c in s)
        if chars in (ALNUM, URL, B64) and n >= 8 and not mixed:
            continue
        if chars == HEX and n >= 8 and not (any(c.isdigit() for c in s) and any(c.isalpha() for c in s)):
            continue
        return s


def uuid() -> str:
    return f"{r(HEX, 8)}-{r(HEX, 4)}-4{r(HEX, 3)}-a{r(HEX, 3)}-{r(HEX, 12)}"


def password() -> str:
    """A chosen-looking password: letters, digits and a symbol."""
    core = r(ALNUM, rng.randint(12, 20))
    return core[:5] + rng.choice("!#%^*-_+.@") + core[5:]


def pem(kind: str, lines: int = 6) -> list[str]:
    body = [r(B64, 64) for _ in range(lines)] + [r(B64, 28) + "=="]
    return [f"-----BEGIN {kind}-----", *body, f"-----END {kind}-----"]


# --- secret values by vendor: (kind, env-var name, value) ------------------------------

SecretMaker = Callable[[], tuple[str, str, str]]

SECRETS: list[SecretMaker] = [
    lambda: ("aws-access-key-id", "AWS_ACCESS_KEY_ID", "AKIA" + r(B32, 16)),
    lambda: ("aws-secret-access-key", "AWS_SECRET_ACCESS_KEY", r(B64, 40)),
    lambda: ("gcp-api-key", "GOOGLE_API_KEY", "AIzaSy" + r(URL, 33)),
    lambda: ("gcp-oauth-client-secret", "GOOGLE_CLIENT_SECRET", "GOCSPX-" + r(URL, 28)),
    lambda: ("azure-ad-client-secret", "AZURE_CLIENT_SECRET", r(ALNUM, 3) + "8Q~" + r(URL, 34)),
    lambda: ("github-pat", "GITHUB_TOKEN", "ghp_" + r(ALNUM, 36)),
    lambda: ("github-fine-grained-pat", "GH_PAT", "github_pat_11" + r(ALNUM, 20) + "_" + r(ALNUM, 59)),
    lambda: ("github-app-token", "GH_INSTALLATION_TOKEN", "ghs_" + r(ALNUM, 36)),
    lambda: ("gitlab-pat", "GITLAB_TOKEN", "glpat-" + r(URL, 20)),
    lambda: ("bitbucket-app-password", "BITBUCKET_APP_PASSWORD", "ATBB" + r(ALNUM, 32)),
    lambda: ("npm-access-token", "NPM_TOKEN", "npm_" + r(ALNUM, 36)),
    lambda: ("pypi-upload-token", "TWINE_PASSWORD", "pypi-AgEIcHlwaS5vcmcCJD" + r(URL, 150)),
    lambda: ("docker-hub-token", "DOCKERHUB_TOKEN", "dckr_pat_" + r(URL, 27)),
    lambda: ("slack-bot-token", "SLACK_BOT_TOKEN", f"xoxb-{r(string.digits, 12)}-{r(string.digits, 13)}-{r(ALNUM, 24)}"),
    lambda: ("slack-webhook-url", "SLACK_WEBHOOK_URL",
             f"https://hooks.slack.com/services/T{r(B32, 8)}/B{r(B32, 10)}/{r(ALNUM, 24)}"),
    lambda: ("discord-webhook-url", "DISCORD_WEBHOOK",
             f"https://discord.com/api/webhooks/{r(string.digits, 19)}/{r(URL, 68)}"),
    lambda: ("telegram-bot-token", "TELEGRAM_BOT_TOKEN", f"{r(string.digits, 10)}:AA{r(URL, 33)}"),
    lambda: ("stripe-secret-key", "STRIPE_SECRET_KEY", "sk_live_51" + r(ALNUM, 97)),
    lambda: ("square-access-token", "SQUARE_ACCESS_TOKEN", "EAAA" + r(URL, 60)),
    lambda: ("sendgrid-api-key", "SENDGRID_API_KEY", f"SG.{r(URL, 22)}.{r(URL, 43)}"),
    lambda: ("mailgun-private-api-key", "MAILGUN_API_KEY", "key-" + r(HEX, 32)),
    lambda: ("mailchimp-api-key", "MAILCHIMP_API_KEY", r(HEX, 32) + "-us21"),
    lambda: ("twilio-api-key", "TWILIO_AUTH_TOKEN", r(HEX, 32)),
    lambda: ("openai-api-key", "OPENAI_API_KEY", "sk-proj-" + r(URL, 74) + "T3BlbkFJ" + r(URL, 74)),
    lambda: ("anthropic-api-key", "ANTHROPIC_API_KEY", "sk-ant-api03-" + r(URL, 93) + "AA"),
    lambda: ("huggingface-access-token", "HF_TOKEN", "hf_" + r(string.ascii_letters, 34)),
    lambda: ("wandb-api-key", "WANDB_API_KEY", r(HEX, 40)),
    lambda: ("databricks-api-token", "DATABRICKS_TOKEN", "dapi" + r(HEX, 32)),
    lambda: ("cohere-api-key", "COHERE_API_KEY", r(ALNUM, 40)),
    lambda: ("replicate-api-token", "REPLICATE_API_TOKEN", "r8_" + r(ALNUM, 37)),
    lambda: ("pinecone-api-key", "PINECONE_API_KEY", f"pcsk_{r(ALNUM, 5)}_{r(ALNUM, 63)}"),
    lambda: ("groq-api-key", "GROQ_API_KEY", "gsk_" + r(ALNUM, 52)),
    lambda: ("mistral-api-key", "MISTRAL_API_KEY", r(ALNUM, 32)),
    lambda: ("comet-api-key", "COMET_API_KEY", r(ALNUM, 25)),
    lambda: ("neptune-api-token", "NEPTUNE_API_TOKEN",
             base64.b64encode(b'{"api_address":"https://app.neptune.ai","api_url":"https://app.neptune.ai",'
                              b'"api_key":"' + r(HEX, 36).encode() + b'"}').decode()),
    lambda: ("datadog-api-key", "DD_API_KEY", r(HEX, 32)),
    lambda: ("newrelic-user-api-key", "NEW_RELIC_API_KEY", "NRAK-" + r(B32, 27)),
    lambda: ("sentry-token", "SENTRY_AUTH_TOKEN", "sntryu_" + r(HEX, 64)),
    lambda: ("shopify-token", "SHOPIFY_ACCESS_TOKEN", "shpat_" + r(HEX, 32)),
    lambda: ("digitalocean-token", "DIGITALOCEAN_TOKEN", "dop_v1_" + r(HEX, 64)),
    lambda: ("heroku-api-key", "HEROKU_API_KEY", "HRKU-AA" + r(URL, 58)),
    lambda: ("cloudflare-api-token", "CLOUDFLARE_API_TOKEN", "cfut_" + r(ALNUM, 40) + r(HEX, 8)),
    lambda: ("vault-token", "VAULT_TOKEN", "hvs.CAESI" + r(URL, 90)),
    lambda: ("onepassword-service-account-token", "OP_SERVICE_ACCOUNT_TOKEN",
             "ops_eyJzaWduSW5BZGRyZXNzIjoibXkuMXBhc3N3b3JkLmNvbSIs" + r(B64, 300)),
    lambda: ("age-secret-key", "SOPS_AGE_KEY", "AGE-SECRET-KEY-1" + r(BECH, 58)),
    lambda: ("fernet-key", "FERNET_KEY", base64.urlsafe_b64encode(rng.randbytes(32)).decode()),
    lambda: ("jwt", "SERVICE_JWT",
             "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ" + r(URL, 60) + "." + r(URL, 43)),
    lambda: ("generic-secret", "API_TOKEN", r(ALNUM, 40)),
    lambda: ("generic-secret", "JWT_SECRET", r(B64, 48)),
    lambda: ("generic-password", "DB_PASSWORD", password()),
    lambda: ("generic-password", "SMTP_PASSWORD", password()),
    lambda: ("generic-secret", "SESSION_SECRET", r(HEX, 64)),
    lambda: ("generic-secret", "CLIENT_SECRET", r(URL, 40)),
]


def pick(n: int) -> list[tuple[str, str, str]]:
    return [rng.choice(SECRETS)() for _ in range(n)]


def snake(name: str) -> str:
    return name.lower()


def camel(name: str) -> str:
    head, *rest = name.lower().split("_")
    return head + "".join(p.title() for p in rest)


# --- decoys: values that look secret-ish and are not -----------------------------------

def decoy_values() -> list[tuple[str, str, str]]:
    """(kind, name, value) triples for assignment-shaped decoys."""
    return [
        ("placeholder", "DB_PASSWORD", "changeme"),
        ("placeholder", "API_KEY", "<your-api-key>"),
        ("placeholder", "API_TOKEN", "your-api-token-here"),
        ("placeholder", "SECRET_KEY", "xxxxxxxxxxxxxxxxxxxxxxxx"),
        ("placeholder", "SMTP_PASSWORD", "********"),
        ("placeholder", "AUTH_TOKEN", "REPLACE_ME"),
        ("placeholder", "CLIENT_SECRET", "<client-secret>"),
        ("placeholder", "ACCESS_TOKEN", "TODO"),
        ("empty", "DB_PASSWORD", ""),
        ("test-password", "TEST_PASSWORD", "password"),
        ("test-password", "ADMIN_PASSWORD", "admin123"),
        ("test-password", "DEMO_PASSWORD", "test123"),
        ("docs-example", "AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
        ("docs-example", "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        ("docs-example", "OPENAI_API_KEY", "sk-..."),
        ("docs-example", "GITHUB_TOKEN", "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        ("docs-example", "STRIPE_SECRET_KEY", "sk_test_xxxxxxxxxxxxxxxxxxxxxxxx"),
        ("uuid", "TENANT_ID", uuid()),
        ("uuid", "CLIENT_ID", uuid()),
        ("uuid", "REQUEST_ID", uuid()),
        ("hash", "GIT_SHA", r(HEX, 40)),
        ("hash", "BUILD_COMMIT", r(HEX, 40)),
        ("hash", "CHECKSUM_SHA256", r(HEX, 64)),
        ("hash", "MD5SUM", r(HEX, 32)),
        ("public-key", "PUBLIC_KEY", r(B64, 43) + "="),
        ("public-key", "STRIPE_PUBLISHABLE_KEY", "pk_live_" + r(ALNUM, 24)),
        ("age-recipient", "SOPS_AGE_RECIPIENTS", "age1" + r(BECH.lower(), 58)),
        ("sops-enc", "DB_PASSWORD",
         f"ENC[AES256_GCM,data:{r(B64, 24)},iv:{r(B64, 43)}=,tag:{r(B64, 22)}==,type:str]"),
        ("metadata-name", "TOKEN_URL", "https://oauth2.googleapis.com/token"),
        ("metadata-name", "SECRET_NAME", "prod/payments/stripe"),
        ("metadata-name", "PASSWORD_MIN_LENGTH", "12"),
        ("metadata-name", "TOKEN_TYPE", "Bearer"),
        ("metadata-name", "CREDENTIALS_FILE", "/run/secrets/gcp.json"),
        ("metadata-name", "API_KEY_HEADER", "X-Api-Key"),
        ("fernet-token", "ENCRYPTED_BLOB",
         "gAAAAAB" + base64.urlsafe_b64encode(rng.randbytes(81)).decode()),
        ("version", "API_VERSION", "2024-06-01"),
    ]


def env_refs() -> dict[str, list[str]]:
    """Per-syntax references to secrets kept elsewhere."""
    return {
        "py": ['{name} = os.environ["{name}"]', '{name} = os.getenv("{name}")', "{name} = settings.{name}",
               '{snake} = config.get("{snake}")'],
        "js": ["const {camel} = process.env.{name};", "const {camel} = import.meta.env.VITE_{name};"],
        "go": ['{camel} := os.Getenv("{name}")'],
        "java": ['private final String {camel} = System.getenv("{name}");'],
        "yaml": ["{snake}: ${{{name}}}", '{snake}: "{{{{ vault_{snake} }}}}"', "{snake}: ${{{{ secrets.{name} }}}}"],
        "env": ["{name}=${{{name}}}", "{name}=$VAULT_{name}", "{name}="],
        "sh": ['export {name}="${{{name}:?set {name}}}"', '{name}="$(vault kv get -field=value secret/{snake})"'],
        "tf": ["{snake} = var.{snake}", "{snake} = data.vault_generic_secret.app.data[\"{snake}\"]"],
    }


# --- file writers ------------------------------------------------------------------------

Line = tuple[str, str | None, str]  # text, label ("secret" / "decoy" / None), kind


def S(text: str, kind: str) -> Line:
    return (text, "secret", kind)


def D(text: str, kind: str) -> Line:
    return (text, "decoy", kind)


def N(text: str = "") -> Line:
    return (text, None, "")


Block = list[Line]


def fmt(template: str, name: str) -> str:
    return template.format(name=name, snake=snake(name), camel=camel(name))


def settings_py(i: int) -> Block:
    out: Block = [N('"""Service settings."""'), N(""), N("import os"), N(""), N("from app import settings"),
                  N("from app.clients import Client"), N(""), N("password = settings.DB_PASSWORD"), N("")]
    for kind, name, value in pick(5):
        out.append(S(f'{name} = "{value}"', kind))
    out.append(N(""))
    for kind, name, value in rng.sample(decoy_values(), 6):
        out.append(D(f'{name} = "{value}"', kind))
    for t in rng.sample(env_refs()["py"], 2):
        out.append(D(fmt(t, rng.choice(["DB_PASSWORD", "API_TOKEN", "SECRET_KEY"])), "env-ref"))
    kind, name, value = pick(1)[0]
    out += [N(""), N("DATABASES = {"), N('    "default": {'), N('        "ENGINE": "django.db.backends.postgresql",'),
            S(f'        "PASSWORD": "{password()}",', "generic-password"),
            D('        "HOST": os.environ.get("DB_HOST", "localhost"),', "env-ref"), N("    }"), N("}"), N(""),
            S(f'client = Client(api_key="{value}")', kind) if kind != "jwt" else S(f'client = Client(token="{value}")', kind),
            D(f'csrf_token = "{r(ALNUM, 40)}"', "csrf-token"),
            D(f'next_page_token = "{r(URL, 32)}"', "pagination-token"),
            D('if password == "":', "comparison-empty"),
            N('    raise SystemExit("DB password missing")'),
            D(f'REVISION = "{r(HEX, 40)}"  # git rev-parse HEAD', "hash")]
    return out


def app_ts(i: int) -> Block:
    out: Block = [N("import { createClient } from './client';"), N("")]
    for kind, name, value in pick(4):
        out.append(S(f'const {camel(name)} = "{value}";', kind))
    out.append(N("export const config = {"))
    for kind, name, value in pick(2):
        out.append(S(f"  {camel(name)}: '{value}',", kind))
    for kind, name, value in rng.sample(decoy_values(), 4):
        out.append(D(f'  {camel(name)}: "{value}",', kind))
    out.append(N("};"))
    for t in env_refs()["js"]:
        out.append(D(fmt(t, rng.choice(["API_KEY", "AUTH_TOKEN", "CLIENT_SECRET"])), "env-ref"))
    out += [D("const headers = { Authorization: `Bearer ${token}` };", "template"),
            D(f'const img = "data:image/png;base64,{r(B64, 120)}";', "data-uri"),
            D(f'const requestId = "{uuid()}";', "uuid")]
    return out


def main_go(i: int) -> Block:
    out: Block = [N("package main"), N(""), N('import "os"'), N(""), N("const (")]
    for kind, name, value in pick(3):
        out.append(S(f'\t{camel(name)} = "{value}"', kind))
    out.append(N(")"))
    out.append(N("func main() {"))
    for kind, name, value in pick(2):
        out.append(S(f'\t{camel(name)} := "{value}"', kind))
    for kind, name, value in rng.sample(decoy_values(), 3):
        out.append(D(f'\t{camel(name)} := "{value}"', kind))
    out.append(D(fmt(env_refs()["go"][0], "DB_PASSWORD"), "env-ref"))
    out.append(N("}"))
    return out


def app_java(i: int) -> Block:
    out: Block = [N("package com.acme.billing;"), N(""), N("public final class Credentials {")]
    for kind, name, value in pick(3):
        out.append(S(f'    private static final String {name} = "{value}";', kind))
    for kind, name, value in rng.sample(decoy_values(), 3):
        out.append(D(f'    private static final String {name} = "{value}";', kind))
    out.append(D(fmt(env_refs()["java"][0], "DB_PASSWORD"), "env-ref"))
    kind, name, value = pick(1)[0]
    out.append(S(f'    static {{ System.setProperty("{name}", "{value}"); }}', kind))
    out.append(N("}"))
    return out


def config_yaml(i: int) -> Block:
    out: Block = [N("service:"), N(f"  name: billing-{i}"), N("  replicas: 3"), N("credentials:")]
    for kind, name, value in pick(4):
        q = rng.choice(["", '"', "'"])
        out.append(S(f"  {snake(name)}: {q}{value}{q}", kind))
    for kind, name, value in rng.sample(decoy_values(), 5):
        out.append(D(f'  {snake(name)}: "{value}"', kind))
    for t in env_refs()["yaml"]:
        out.append(D(fmt(t, rng.choice(["DB_PASSWORD", "API_KEY"])), "env-ref"))
    db = rng.choice(["postgresql", "mysql", "mongodb", "redis", "amqp"])
    out += [N("database:"), S(f"  url: {db}://svc_app:{password().replace('@', 'x')}@db-{i}.internal:5432/app", "database-uri-password"),
            D(f"  replica_url: {db}://db-replica-{i}.internal:5432/app", "uri-no-credentials"),
            D("  dev_url: postgres://postgres:postgres@localhost:5432/dev", "uri-default-credentials")]
    return out


def values_json(i: int) -> Block:
    pairs = pick(4)
    decs = rng.sample(decoy_values(), 4)
    lines: Block = [N("{")]
    items: list[Line] = [S(f'  "{camel(n)}": "{v}"', k) for k, n, v in pairs] + [
        D(f'  "{camel(n)}": "{v}"', k) for k, n, v in decs]
    items.append(D(f'  "integrity": "sha512-{base64.b64encode(rng.randbytes(64)).decode()}"', "lockfile-integrity"))
    for j, (text, label, kind) in enumerate(items):
        lines.append((text + ("," if j < len(items) - 1 else ""), label, kind))
    lines.append(N("}"))
    return lines


def dotenv(i: int) -> Block:
    out: Block = [N("# local development settings"), N("APP_ENV=development"), N("PORT=8080")]
    for kind, name, value in pick(6):
        out.append(S(f"{name}={value}", kind))
    for kind, name, value in rng.sample(decoy_values(), 6):
        out.append(D(f"{name}={value}", kind))
    for t in env_refs()["env"]:
        out.append(D(fmt(t, rng.choice(["DB_PASSWORD", "API_TOKEN"])), "env-ref"))
    return out


def settings_toml(i: int) -> Block:
    out: Block = [N("[server]"), N('host = "0.0.0.0"'), N(""), N("[secrets]")]
    for kind, name, value in pick(3):
        out.append(S(f'{snake(name)} = "{value}"', kind))
    for kind, name, value in rng.sample(decoy_values(), 3):
        out.append(D(f'{snake(name)} = "{value}"', kind))
    return out


def app_ini(i: int) -> Block:
    out: Block = [N("[database]"), N("host = db.internal"), N("user = app"),
                  S(f"password = {password()}", "generic-password"), N(""), N("[api]")]
    for kind, name, value in pick(2):
        out.append(S(f"{snake(name)} = {value}", kind))
    out += [D("password = %(DB_PASSWORD)s", "template"), D("api_key =", "empty"), D("token_url = https://auth.internal/token", "metadata-name")]
    return out


def deploy_sh(i: int) -> Block:
    out: Block = [N("#!/usr/bin/env bash"), N("set -euo pipefail")]
    for kind, name, value in pick(3):
        out.append(S(f'export {name}="{value}"', kind))
    for t in env_refs()["sh"]:
        out.append(D(fmt(t, rng.choice(["DB_PASSWORD", "API_TOKEN"])), "env-ref"))
    out += [S(f"mysql -u deploy --password={password().replace('$', '')} -h db.internal app < schema.sql", "cli-secret-flag"),
            D('docker login -u ci --password "$REGISTRY_PASSWORD" registry.internal', "env-ref"),
            S(f"curl -fsS -u deploy:{r(ALNUM, 18)} https://artifacts.internal/upload", "curl-basic-auth"),
            D('curl -fsS -u "$ARTIFACT_USER:$ARTIFACT_PASSWORD" https://artifacts.internal/upload', "env-ref"),
            S(f'curl -H "Authorization: Bearer {r(ALNUM, 40)}" https://api.internal/v1/deploy', "http-authorization-header"),
            D('curl -H "Authorization: Bearer $API_TOKEN" https://api.internal/v1/deploy', "env-ref"),
            D(f"echo {r(HEX, 64)}  release.tar.gz | sha256sum -c -", "hash")]
    return out


def main_tf(i: int) -> Block:
    out: Block = [N('resource "aws_db_instance" "main" {'), N('  engine   = "postgres"'),
                  S(f'  password = "{password()}"', "generic-password"),
                  D('  username = "app"', "plain"), N("}"), N(""), N('provider "datadog" {')]
    kind, name, value = pick(1)[0]
    out.append(S(f'  {snake(name)} = "{value}"', kind))
    out.append(N("}"))
    for t in env_refs()["tf"]:
        out.append(D(fmt(t, "DB_PASSWORD"), "env-ref"))
    out.append(D('  password = "${random_password.db.result}"', "template"))
    return out


def dockerfile(i: int) -> Block:
    out: Block = [N("FROM python:3.12-slim"), N("WORKDIR /app")]
    for kind, name, value in pick(2):
        out.append(S(f"ENV {name}={value}", kind))
    kind, name, value = pick(1)[0]
    out.append(S(f"ENV {name} {value}", kind))
    out += [D("ARG NPM_TOKEN", "build-arg"), D("ENV API_TOKEN=${API_TOKEN}", "env-ref"),
            D("RUN --mount=type=secret,id=npm_token NPM_TOKEN=$(cat /run/secrets/npm_token) npm ci", "env-ref"),
            N('CMD ["python", "-m", "app"]')]
    return out


def notebook(i: int) -> Block:
    pairs = pick(3)
    src = ['"import getpass\\n",', '"import os\\n",', '"\\n",']
    labels: Block = [N("{"), N(' "cells": ['), N("  {"), N('   "cell_type": "code",'),
                     N('   "execution_count": null,'), N('   "metadata": {},'), N('   "outputs": [],'),
                     N('   "source": [')]
    labels += [N("    " + line) for line in src]
    for k, n, v in pairs:
        labels.append(S(f'    "{snake(n)} = \\"{v}\\"\\n",', k))
    labels.append(D('    "api_key = os.environ[\\"OPENAI_API_KEY\\"]\\n",', "env-ref"))
    labels.append(D('    "token = getpass.getpass(\\"token: \\")\\n"', "interactive"))
    labels += [N("   ]"), N("  }"), N(" ],"), N(' "metadata": {"language_info": {"name": "python"}},'),
               N(' "nbformat": 4,'), N(' "nbformat_minor": 5'), N("}")]
    return labels


def k8s_secret(i: int) -> Block:
    pw = base64.b64encode(password().encode()).decode()
    tok = base64.b64encode(r(ALNUM, 32).encode()).decode()
    return [N("apiVersion: v1"), N("kind: Secret"), N("metadata:"), N(f"  name: app-{i}"), N("type: Opaque"),
            N("data:"), S(f"  DB_PASSWORD: {pw}", "kubernetes-secret-data"), S(f"  API_TOKEN: {tok}", "kubernetes-secret-data"), N("---"),
            N("apiVersion: v1"), N("kind: ConfigMap"), N("metadata:"), N(f"  name: app-{i}-config"), N("data:"),
            D(f"  BUILD_INFO: {base64.b64encode(r(ALNUM, 30).encode()).decode()}", "configmap-data"),
            D("  LOG_LEVEL: info", "plain")]


def k8s_templates(i: int) -> Block:
    return [N("apiVersion: v1"), N("kind: Secret"), N("metadata:"), N("  name: {{ .Release.Name }}-db"),
            N("data:"), D("  password: {{ .Values.db.password | b64enc }}", "template"), N("---"),
            N("apiVersion: external-secrets.io/v1beta1"), N("kind: ExternalSecret"), N("metadata:"),
            N("  name: db"), N("spec:"), N("  data:"), N("    - secretKey: password"),
            D("      remoteRef: {key: prod/db, property: password}", "external-secret"), N("---"),
            N("apiVersion: v1"), N("kind: Secret"), N("metadata:"), N("  name: tls"), N("stringData:"),
            S(f"  SMTP_PASSWORD: {password().replace('#', 'x')}", "kubernetes-secret-stringdata")]


def ci_yaml(i: int) -> Block:
    kind, name, value = pick(1)[0]
    return [N("name: release"), N("on: [push]"), N("jobs:"), N("  publish:"), N("    runs-on: ubuntu-latest"),
            N("    env:"), D(f"      {name}: ${{{{ secrets.{name} }}}}", "env-ref"),
            S(f"      DEPLOY_TOKEN: {r(ALNUM, 40)}", "generic-secret"),
            D("      NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}", "env-ref"),
            D(f"      CACHE_KEY: deps-{r(HEX, 40)}", "hash"),
            N("    steps:"), N("      - uses: actions/checkout@v4"),
            D(f"      - uses: actions/setup-python@{r(HEX, 40)}", "hash"),
            N("      - run: make release"), N("        env:"), S(f"          {name}: {value}", kind)]


def compose_yaml(i: int) -> Block:
    pw = password().replace("$", "x").replace("@", "x").replace("#", "x")
    return [N("services:"), N("  db:"), N("    image: postgres:16"), N("    environment:"),
            S(f"      POSTGRES_PASSWORD: {pw}", "generic-password"), D("      POSTGRES_USER: app", "plain"),
            N("  app:"), N("    build: ."), N("    environment:"),
            S(f"      DATABASE_URL: postgres://app:{pw}@db:5432/app", "database-uri-password"),
            D("      REDIS_URL: redis://redis:6379/0", "uri-no-credentials"),
            D("      SECRET_KEY: ${SECRET_KEY:?missing}", "env-ref")]


def key_files(i: int) -> list[tuple[str, Block]]:
    out: list[tuple[str, Block]] = []
    kinds = ["RSA PRIVATE KEY", "PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"]
    kind = kinds[i % len(kinds)]
    body = pem(kind)
    rule = "openssh-private-key" if "OPENSSH" in kind else "private-key"
    block: Block = [S(body[0], rule)] + [(ln, "secret-cont", rule) for ln in body[1:]]
    out.append((f"keys/id_{i}.pem", block))
    pub = pem("PUBLIC KEY", 4)
    out.append((f"keys/id_{i}.pub.pem", [D(pub[0], "public-key")] + [(ln, "decoy-cont", "public-key") for ln in pub[1:]]))
    out.append((f"keys/id_{i}.pub", [D(f"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI{r(B64, 43)} deploy@ci-{i}", "public-key")]))
    return out


def misc_files() -> list[tuple[str, Block]]:
    files: list[tuple[str, Block]] = []
    files.append((".npmrc", [N("registry=https://registry.npmjs.org/"),
                             S(f"//registry.npmjs.org/:_authToken=npm_{r(ALNUM, 36)}", "npm-access-token"),
                             D("//npm.pkg.github.com/:_authToken=${GITHUB_TOKEN}", "env-ref")]))
    files.append(("netrc", [S(f"machine git.corp.internal login ci password {r(ALNUM, 24)}", "netrc-password"),
                            D("machine example.com login user password $NETRC_PASSWORD", "env-ref")]))
    files.append(("docker/config.json", [N("{"), N('  "auths": {'), N('    "registry.corp.internal": {'),
                                         S(f'      "auth": "{base64.b64encode(("ci:" + password()).encode()).decode()}"', "docker-config-auth"),
                                         N("    }"), N("  },"), D('  "credsStore": "desktop"', "plain"), N("}")]))
    age = r(BECH, 58)
    files.append(("keys.txt", [N("# created: 2024-05-01T10:00:00Z"),
                               D(f"# public key: age1{r(BECH.lower(), 58)}", "age-recipient"),
                               S(f"AGE-SECRET-KEY-1{age}", "age-secret-key")]))
    files.append(("sa.json", [N("{"), N('  "type": "service_account",'), N('  "project_id": "billing-prod-2291",'),
                              S(f'  "private_key_id": "{r(HEX, 40)}",', "gcp-service-account-key"),
                              S(f'  "private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC{r(B64, 40)}\\n{r(B64, 64)}\\n-----END PRIVATE KEY-----\\n",', "private-key"),
                              D('  "client_email": "ci@billing-prod-2291.iam.gserviceaccount.com",', "plain"),
                              D(f'  "client_id": "{r(string.digits, 21)}"', "plain"), N("}")]))
    # a sops-encrypted file and its metadata: nothing in it is a plaintext secret
    enc = lambda: f"ENC[AES256_GCM,data:{r(B64, 32)},iv:{r(B64, 43)}=,tag:{r(B64, 22)}==,type:str]"  # noqa: E731
    sops: Block = [D(f"db_password: {enc()}", "sops-enc"), D(f"api_token: {enc()}", "sops-enc"),
                   D(f"stripe_secret_key: {enc()}", "sops-enc"), N("sops:"), N("    kms: []"),
                   N("    age:"), D(f"        - recipient: age1{r(BECH.lower(), 58)}", "age-recipient"),
                   N("          enc: |"), D("            -----BEGIN AGE ENCRYPTED FILE-----", "age-armor")]
    sops += [D(f"            {r(B64, 64)}", "age-armor") for _ in range(4)]
    sops += [D("            -----END AGE ENCRYPTED FILE-----", "age-armor"),
             D("    lastmodified: \"2024-09-17T10:00:00Z\"", "plain"), D(f"    mac: {enc()}", "sops-enc"),
             N("    unencrypted_suffix: _unencrypted"), N("    version: 3.9.0")]
    files.append(("secrets/prod.yaml", sops))
    lock: Block = [N("{"), N('  "name": "web",'), N('  "lockfileVersion": 3,'), N('  "packages": {')]
    for pkg in ("react", "lodash", "axios", "zod"):
        lock += [N(f'    "node_modules/{pkg}": {{'), N('      "version": "1.0.0",'),
                 D(f'      "resolved": "https://registry.npmjs.org/{pkg}/-/{pkg}-1.0.0.tgz",', "uri-no-credentials"),
                 D(f'      "integrity": "sha512-{base64.b64encode(rng.randbytes(64)).decode()}"', "lockfile-integrity"),
                 N("    },")]
    lock += [N("  }"), N("}")]
    files.append(("package-lock.json", lock))
    gosum: Block = [D(f"github.com/acme/lib{j} v1.{j}.0 h1:{base64.b64encode(rng.randbytes(32)).decode()}", "go-sum-hash")
                    for j in range(6)]
    files.append(("go.sum", gosum))
    poetry: Block = [N("[[package]]"), N('name = "requests"'), N('version = "2.32.3"'), N("files = [")]
    poetry += [D(f'    {{file = "requests-2.32.3-py3-none-any.whl", hash = "sha256:{r(HEX, 64)}"}},', "lockfile-hash")
               for _ in range(4)]
    poetry += [N("]")]
    files.append(("poetry.lock", poetry))
    readme: Block = [N("# Setup"), N(""), N("Export your credentials before running:"), N(""), N("```sh"),
                     D("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "docs-example"),
                     D("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "docs-example"),
                     D("export OPENAI_API_KEY=<your key>", "placeholder"),
                     D("export DATABASE_URL=postgres://user:password@localhost:5432/app", "docs-example"),
                     N("```"), N(""),
                     D(f"The release commit is {r(HEX, 40)} and the image digest is sha256:{r(HEX, 64)}.", "hash"),
                     D(f"Request ids look like {uuid()}.", "uuid"),
                     D("Set `password: changeme` in `config.yaml` for local runs.", "placeholder"),
                     D(f"![logo](data:image/svg+xml;base64,{r(B64, 80)}=)", "data-uri")]
    files.append(("README.md", readme))
    return files


# --- issue 13 families: their own seed, so the files above stay byte-identical -----------

ISSUE13_SEED = 20261313


def _pw() -> str:
    """A chosen password with a symbol that shells and connection strings accept."""
    core = r(ALNUM, rng.randint(12, 18))
    return core[:6] + rng.choice("#%^*-_+.@") + core[6:]


def _connection_files() -> list[tuple[str, Block]]:
    appsettings: Block = [
        N("{"), N('  "ConnectionStrings": {'),
        S(f'    "Orders": "Server=sql01.corp.local,1433;Database=Orders;User Id=svc_orders;Password={_pw()};'
          'TrustServerCertificate=True",', "connection-string-password"),
        S(f'    "Ledger": "DRIVER={{ODBC Driver 18 for SQL Server}};SERVER=10.20.4.11;DATABASE=ledger;UID=etl;'
          f'PWD={{{_pw()}}}",', "connection-string-password"),
        D('    "Local": "Server=myServerAddress;Database=myDataBase;User Id=myUsername;Password=myPassword;",',
          "docs-example"),
        D('    "Dev": "Data Source=.;Initial Catalog=app;Integrated Security=True;"', "plain"),
        N("  }"), N("}"),
    ]
    props: Block = [
        S(f"spring.datasource.url=jdbc:sqlserver://db7.corp.internal:1433;databaseName=billing;user=app;"
          f"password={r(ALNUM, 16)};encrypt=true", "jdbc-url-password"),
        S(f"reports.url=jdbc:oracle:thin:scott/{r(ALNUM, 14)}@//ora-prod.corp.internal:1521/ORCLPDB1",
          "jdbc-url-password"),
        D("test.url=jdbc:sqlserver://localhost:1433;databaseName=test;user=sa;password=${DB_PASSWORD}", "env-ref"),
        D("ci.url=jdbc:postgresql://db:5432/app?user=app&password=password", "placeholder"),
    ]
    dsn: Block = [
        N("# ruff: noqa"), N("import psycopg2"), N(""),
        S(f'DSN = "host=pg-main.corp.internal port=5432 dbname=orders user=svc password={r(ALNUM, 18)} '
          'sslmode=require"', "libpq-dsn-password"),
        D('TEST_DSN = "host=localhost dbname=test user=postgres password=postgres"', "placeholder"),
        D('dsn = f"host={host} dbname={db} user={user} password={password}"', "template"),
    ]
    pgpass: Block = [S(f"pg-main.corp.internal:5432:orders:svc:{r(ALNUM, 20)}", "pgpass-line"),
                     D("localhost:5432:*:postgres:*", "placeholder")]
    return [("dotnet/appsettings.Production.json", appsettings), ("java/database.properties", props),
            ("app/db_dsn.py", dsn), ("ops/.pgpass", pgpass)]


def _command_line_files() -> list[tuple[str, Block]]:
    ps1: Block = [
        N("# nightly maintenance"),
        S(f"psexec \\\\fs02 -u CORP\\svc_backup -p {_pw()} -h cmd /c backup.bat", "psexec-password"),
        S(f"Connect-VIServer -Server vc01.corp.local -User administrator@vsphere.local -Password \"{_pw()}\"",
          "powershell-password-param"),
        S(f"net use Z: \\\\fs01\\finance {_pw()} /user:CORP\\svc_reports /persistent:no", "net-use-password"),
        S(f"$pw = ConvertTo-SecureString \"{_pw()}\" -AsPlainText -Force", "powershell-securestring-literal"),
        D("psexec \\\\host -u admin -p %ADMIN_PW% cmd", "env-ref"),
        D("Connect-VIServer -Server $vc -User $u -Password $env:VC_PASS", "env-ref"),
        D("net use Z: \\\\fs01\\finance * /user:CORP\\jdoe", "prompt"),
        D("$pw = Read-Host -AsSecureString", "prompt"),
    ]
    sh: Block = [
        N("#!/bin/sh"), N("set -eu"),
        S(f"sshpass -p '{_pw()}' ssh -o StrictHostKeyChecking=no deploy@10.0.7.15", "sshpass-password"),
        S(f"mysqldump -h db01.corp.internal -u backup -p{r(ALNUM, 16)} --single-transaction shop > shop.sql",
          "mysql-cli-password"),
        S(f"curl -fsSL -u ci-bot:{r(ALNUM, 20)} https://nexus.corp.internal/repository/raw/app.tgz -o app.tgz",
          "curl-basic-auth"),
        S(f"wget --http-user=ci --http-password={r(ALNUM, 16)} https://artifacts.corp.internal/app.tgz",
          "wget-password"),
        D('sshpass -p "$SSHPASS" ssh deploy@host', "env-ref"),
        D("mysql -u root -p shop", "prompt"),
        D("curl -u $USER:$TOKEN https://api.internal", "env-ref"),
        D("# The --username and --password options can't be used for svn+ssh URLs.", "prose"),
    ]
    sql: Block = [S(f"CREATE USER 'reporting'@'%' IDENTIFIED BY '{_pw()}';", "sql-user-password"),
                  S(f"ALTER ROLE app_rw WITH LOGIN PASSWORD '{_pw()}';", "sql-user-password"),
                  D("CREATE USER 'app'@'%' IDENTIFIED BY 'password';", "placeholder"),
                  D("ALTER ROLE app_rw WITH PASSWORD :'pw';", "template")]
    return [("ops/maintenance.ps1", ps1), ("ops/maintenance.sh", sh), ("db/init_users.sql", sql)]


def _vendor_token_file() -> tuple[str, Block]:
    u = uuid
    b64key = lambda: base64.b64encode(rng.randbytes(32)).decode()  # noqa: E731
    env: Block = [
        S(f"TEAMS_WEBHOOK=https://contoso.webhook.office.com/webhookb2/{u()}@{u()}/IncomingWebhook/{r(HEX, 32)}/{u()}",
          "teams-incoming-webhook"),
        S(f"BOT_TOKEN={base64.b64encode(r(string.digits, 19).encode()).decode().rstrip('=')}.{r(URL, 6)}."
          f"{r(URL, 38)}", "discord-bot-token"),
        S(f"TWITCH_CHAT_TOKEN=oauth:{r(string.ascii_lowercase + string.digits, 30)}", "twitch-chat-oauth"),
        S(f"OKTA_API_TOKEN=00{r(URL, 40)}", "okta-api-token"),
        S(f"SLACK_APP_TOKEN=xapp-1-A{r(B32, 10)}-{r(string.digits, 13)}-{r(HEX, 64)}", "slack-app-token"),
        S(f"SF_ACCESS_TOKEN=00D{r(B32, 12)}!{r(ALNUM, 96)}", "salesforce-access-token"),
        S(f"DOPPLER_TOKEN=dp.st.prd.{r(ALNUM, 43)}", "doppler-token"),
        S(f"CARGO_REGISTRY_TOKEN=cio{r(ALNUM, 32)}", "crates-io-api-token"),
        S(f"ADAFRUIT_IO_KEY=aio_{r(ALNUM, 28)}", "adafruit-io-key"),
        S(f"TAVILY_API_KEY=tvly-{r(ALNUM, 32)}", "tavily-api-key"),
        S(f"DTRACK_API_KEY=odt_{r(ALNUM, 32)}", "dependency-track-api-key"),
        S(f"NEW_RELIC_REST_API_KEY=NRRA-{r(HEX, 42)}", "newrelic-rest-api-key"),
        S(f"JENKINS_API_TOKEN=11{r(HEX, 32)}", "jenkins-api-token"),
        S(f"LOB_API_KEY=live_{r(HEX, 35)}", "lob-api-key"),
        D("TEAMS_WEBHOOK=https://contoso.webhook.office.com/webhookb2/<group-id>@<tenant-id>/IncomingWebhook/<id>/<uuid>",
          "placeholder"),
        D("TWITCH_CHAT_TOKEN=oauth:your_token_here", "placeholder"),
        D("TAVILY_API_KEY=tvly-YOUR_API_KEY", "placeholder"),
        D("DTRACK_API_KEY=${DTRACK_API_KEY}", "env-ref"),
    ]
    code: Block = [
        N("# ruff: noqa"), N("import os"), N(""), N("import requests"), N(""),
        S(f'requests.post(url, headers={{"X-Api-Key": "odt_{r(ALNUM, 32)}"}})', "dependency-track-api-key"),
        S(f'client = TavilyClient(api_key="tvly-dev-{r(ALNUM, 32)}")', "tavily-api-key"),
        S(f'aio = Client("ops-sensors", "aio_{r(ALNUM, 28)}")', "adafruit-io-key"),
        S(f'HOOK = "https://outlook.office.com/webhook/{u()}@{u()}/IncomingWebhook/{r(HEX, 32)}/{u()}"',
          "teams-incoming-webhook"),
        N(""), N("WG_CONF = '''"), N("[Interface]"),
        S(f"PrivateKey = {b64key()}", "wireguard-private-key"),
        N("[Peer]"), D(f"PublicKey = {b64key()}", "public-key"), N("'''"),
        S(f"UNSEAL = 'Unseal Key 1: {base64.b64encode(rng.randbytes(33)).decode()}'", "vault-unseal-key"),
        D('bot.run(os.environ["DISCORD_TOKEN"])', "env-ref"),
    ]
    return ("deploy/.env.integrations", env), ("svc/integrations.py", code)  # type: ignore[return-value]


def _frontend_and_password_files() -> list[tuple[str, Block]]:
    env: Block = [
        S(f"REACT_APP_ADMIN_TOKEN={r(ALNUM, 24)}", "frontend-public-env-secret"),
        S(f"VITE_SUPABASE_SERVICE_ROLE_KEY={r(ALNUM, 32)}", "frontend-public-env-secret"),
        D(f"NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=pk_live_{r(ALNUM, 24)}", "public-key"),
        D(f"NEXT_PUBLIC_MAPBOX_TOKEN=pk.eyJ1IjoiY29ycCIsImEiOiJ{r(URL, 24)}In0.{r(URL, 22)}", "public-key"),
        D("VITE_CSRF_HEADER=X-CSRF-Token", "plain"),
    ]
    ts: Block = [S(f'const key = import.meta.env.VITE_OPENAI_SECRET || "{r(ALNUM, 40)}";',
                   "frontend-public-env-secret"),
                 D("const token = process.env.REACT_APP_TOKEN || fallbackToken;", "code-reference")]
    mail: Block = [N("smtp:"), N("  host: smtp.corp.internal"), N("  user: alerts"),
                   S(f"  pass: {_pw()}", "generic-password"), D("  pw: ${SMTP_PW}", "env-ref"),
                   D("  pass: true", "plain")]
    py: Block = [
        N("# ruff: noqa"),
        S(f'pw = "{_pw()}"', "generic-password"),
        S(f'r = requests.get(url, auth=("etl", "{_pw()}"))', "generic-password"),
        S(f'passwort = "{_pw()}"', "generic-password"),
        D('pw = "letmein"', "test-password"),
        D("# If you pass `--no-import-all`, the last two imports are skipped.", "prose"),
        D("model = Model(password='IAmSensitive', password_bytes=b'IAmSensitiveBytes')", "docs-example"),
    ]
    web_config: Block = [N("<appSettings>"), S(f'  <add key="SmtpPassword" value="{_pw()}" />', "dotnet-config-password"),
                         D('  <add key="PasswordPolicy" value="Strict" />', "metadata-name"), N("</appSettings>")]
    return [("web/.env.production", env), ("web/src/api_client.ts", ts), ("config/mail.yaml", mail),
            ("app/notify.py", py), ("dotnet/Web.config", web_config)]


def _real_code_decoys() -> list[tuple[str, Block]]:
    """Lines of real third-party code that look like credentials (issue 13, site-packages)."""
    py: Block = [
        N("# ruff: noqa"),
        D("cl_api_key = r'([a-z]{24})'", "regex-literal"),
        D("password = r'([a-f0-9]{48}(?![a-f0-9]))'", "regex-literal"),
        D("secret = r'([a-z0-9]{64})'", "regex-literal"),
        N("OID_NAMES = {"),
        D('    ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",', "enum-value"),
        D('    ExtensionOID.PRIVATE_KEY_USAGE_PERIOD: "privateKeyUsagePeriod",', "enum-value"),
        D('    TOKEN_DATA: "template data / text",', "prose"),
        N("}"), N("STYLE = {"),
        D('    Token.Comment: "italic #A3AAB2",', "style-value"),
        D("    Token.String: '#ansiyellow',", "style-value"),
        N("}"), N(""), N(""), N("def prune_marker():"),
        D('    token = " * [would prune] "', "prose"),
        N("    return token"), N(""), N(""),
        D('REDACT = ["Cookie", "Authorization", "Proxy-Authorization"]', "header-names"),
        D('link = MultiHostUrl("https://foo.com:123,foo:bar@bar.com/path")', "multi-host-url"),
    ]
    metadata: Block = [N("Metadata-Version: 2.1"), N(""), N("    >>> f = Fernet(key)"),
                       D('    >>> token = f.encrypt(b"A really secret message. Not for prying eyes.")', "doctest"),
                       D("kubeadm join 10.0.0.10:6443 --token abcdef.0123456789abcdef", "docs-example")]
    return [("lib/vendored/detectors.py", py), ("lib/vendored/METADATA", metadata)]


def issue13_files() -> list[tuple[str, Block]]:
    """Families of issue 13, drawn from their own seeded generator."""
    global rng
    rng = random.Random(ISSUE13_SEED)
    files = _connection_files() + _command_line_files() + list(_vendor_token_file())
    return files + _frontend_and_password_files() + _real_code_decoys()


# --- issue 13, last target: command-line tokens and vendor URLs (own seed, written last) ---

ISSUE13C_SEED = 20261327


def issue13c_files() -> list[tuple[str, Block]]:
    """curl -u TOKEN:, token-named headers, Logic Apps / Functions URLs, LaunchDarkly and Sourcegraph."""
    global rng
    rng = random.Random(ISSUE13C_SEED)
    sh: Block = [
        N("#!/bin/sh"), N("set -eu"),
        S(f'curl -fsS -u "{r(ALNUM, 24)}:" https://api.payments.internal/v1/charges', "curl-user-token"),
        S(f'curl -fsS -H "X-Auth-Token: {r(ALNUM, 32)}" https://jobs.corp.internal/api/v1/queue', "http-token-header"),
        S(f"LOGIC_APP_URL='https://prod-{rng.randint(10, 99)}.westeurope.logic.azure.com:443/workflows/{r(HEX, 32)}"
          f"/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0"
          f"&sig={r(URL, 43)}'", "azure-logic-app-trigger-url"),
        S(f"INGEST_URL='https://orders-prod.azurewebsites.net/api/HttpIngest?code={r(URL, 54)}=='",
          "azure-function-key-url"),
        S(f"LD_API_TOKEN=api-{uuid()}", "launchdarkly-api-token"),
        S(f"SOURCEGRAPH_TOKEN={r(HEX, 40)}", "sourcegraph-legacy-token"),
        D('curl -fsS -u "$STRIPE_SECRET_KEY:" https://api.payments.internal/v1/charges', "env-ref"),
        D('curl -fsS -H "X-Auth-Token: <token>" https://jobs.corp.internal/api/v1/queue', "placeholder"),
        D("DOCS_URL='https://orders-prod.azurewebsites.net/api/HttpIngest?code=<function-key>'", "placeholder"),
        D("AZURE_API_VERSION=api-version=2016-10-01", "plain"),
        D(f"SOURCEGRAPH_COMMIT={r(HEX, 12)}", "short-hash"),
    ]
    return [("ops/integrations.sh", sh)]


WRITERS: list[tuple[str, Callable[[int], Block]]] = [
    ("app/settings_{i}.py", settings_py), ("web/src/config_{i}.ts", app_ts), ("cmd/server_{i}/main.go", main_go),
    ("billing/src/Credentials{i}.java", app_java), ("deploy/config_{i}.yaml", config_yaml),
    ("web/values_{i}.json", values_json), ("env/.env.{i}", dotenv), ("svc/settings_{i}.toml", settings_toml),
    ("etc/app_{i}.ini", app_ini), ("scripts/deploy_{i}.sh", deploy_sh), ("infra/main_{i}.tf", main_tf),
    ("docker/Dockerfile.{i}", dockerfile), ("notebooks/explore_{i}.ipynb", notebook),
    ("k8s/secret_{i}.yaml", k8s_secret), ("k8s/templates_{i}.yaml", k8s_templates),
    (".github/workflows/release_{i}.yml", ci_yaml), ("compose/docker-compose.{i}.yml", compose_yaml),
]


def main() -> None:
    if FILES.exists():
        shutil.rmtree(FILES)
    files: list[tuple[str, Block]] = []
    for i in range(4):
        for pattern, writer in WRITERS:
            files.append((pattern.format(i=i), writer(i)))
        files += key_files(i)
    files += misc_files()
    files += issue13_files()  # last: it reseeds the generator
    files += issue13c_files()  # after issue13_files: its own seed
    labels: list[dict[str, object]] = []
    for rel, block in files:
        path = FILES / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(text for text, _, _ in block) + "\n", encoding="utf-8")
        open_entry: dict[str, object] | None = None
        for number, (_, label, kind) in enumerate(block, start=1):
            if label in ("secret", "decoy"):
                open_entry = {"file": rel, "line": number, "end_line": number, "label": label, "kind": kind}
                labels.append(open_entry)
            elif label in ("secret-cont", "decoy-cont") and open_entry is not None:
                open_entry["end_line"] = number
            else:
                open_entry = None
    (HERE / "labels.json").write_text(json.dumps(labels, indent=1) + "\n", encoding="utf-8")
    n_secret = sum(1 for e in labels if e["label"] == "secret")
    print(f"{len(files)} files, {n_secret} secrets, {len(labels) - n_secret} decoys")


if __name__ == "__main__":
    main()
