"""Service settings."""

import os

from app import settings
from app.clients import Client

password = settings.DB_PASSWORD

SQUARE_ACCESS_TOKEN = "EAAA6Jh2AEjGJGLSdiM0_TvJB2CXIG7pix9Hp1J00R6MQ7npH5XppFw7r1OUE-4_"
DATABRICKS_TOKEN = "dapi0778c9d69d734f145d230aa60284118d"
AWS_ACCESS_KEY_ID = "AKIAMDICMF7SJ4MOEJ6F"
VAULT_TOKEN = "hvs.CAESIUCJha0WHSdJPtGczLaV5Sp4GZlxujop0AQA6C6VLW6mB0yl2VRZmu23O1DMnPjBNgOyWFGioubDcVB_iSRzI-Exm9D"
NPM_TOKEN = "npm_4RHqQn7AGSFhSkjvZ4OvlGHJK2eXwZWsbJoD"

AUTH_TOKEN = "REPLACE_ME"
API_KEY_HEADER = "X-Api-Key"
STRIPE_SECRET_KEY = "sk_test_xxxxxxxxxxxxxxxxxxxxxxxx"
GITHUB_TOKEN = "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
ADMIN_PASSWORD = "admin123"
CREDENTIALS_FILE = "/run/secrets/gcp.json"
API_TOKEN = settings.API_TOKEN
SECRET_KEY = os.environ["SECRET_KEY"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "PASSWORD": "R2qN6%awuHnFD4",
        "HOST": os.environ.get("DB_HOST", "localhost"),
    }
}

client = Client(api_key="npm_fMIwCHXlFFr0QYDMfuQxj4i0sfzIAtZcG51c")
csrf_token = "aHd3bEkvkIVPp39ejShUrIcWxtjSVHp2N95cA6Ye"
next_page_token = "IqeGN6WFatLNPBLx5oyN7Ek1mM72pPlf"
if password == "":
    raise SystemExit("DB password missing")
REVISION = "23dd573372ebdd107199bbfe95ac3509ed3106b1"  # git rev-parse HEAD
