"""Service settings."""

import os

from app import settings
from app.clients import Client

password = settings.DB_PASSWORD

OPENAI_API_KEY = "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"
HF_TOKEN = "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"
DATABRICKS_TOKEN = "dapi3b3f9c1ba8f01db84fb6d84bc212de2e"
DOCKERHUB_TOKEN = "dckr_pat_-qXDPGKvrRsPp2IpAREgG0_Ji1Q"
BITBUCKET_APP_PASSWORD = "ATBBZPMqkGXndQ9Zpf2pc6hksjtk3YwGRYUh"

MD5SUM = "1dd2b4faf919d40c7a7590a6bb8ee749"
TEST_PASSWORD = "password"
TOKEN_TYPE = "Bearer"
API_VERSION = "2024-06-01"
TOKEN_URL = "https://oauth2.googleapis.com/token"
SECRET_KEY = "xxxxxxxxxxxxxxxxxxxxxxxx"
SECRET_KEY = os.getenv("SECRET_KEY")
API_TOKEN = os.environ["API_TOKEN"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "PASSWORD": "56FpR!iAqP8ks",
        "HOST": os.environ.get("DB_HOST", "localhost"),
    }
}

client = Client(api_key="abc6a38295f03258ff6586c27f992cf7")
csrf_token = "QnVkLN6Rg6GBUKJG1ln9saWlLavgpN1D1jQ5YZG9"
next_page_token = "T0Wvuq8LCLwO03_9pUUJ32_DM5y-q_-t"
if password == "":
    raise SystemExit("DB password missing")
REVISION = "9480c085b10231057bad957aa0546fbf73bdcc84"  # git rev-parse HEAD
