"""Service settings."""

import os

from app import settings
from app.clients import Client

password = settings.DB_PASSWORD

GOOGLE_API_KEY = "AIzaSyKJyJ4MBm4PzLgeVudubh1MlH2zj3jmrsA"
COHERE_API_KEY = "HXyaqZhiI2ld4MG6aex4L2eFuKcLq2cyhMGAuGkb"
SHOPIFY_ACCESS_TOKEN = "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"
DISCORD_WEBHOOK = "https://discord.com/api/webhooks/5069557410907758474/JKQHHuoB7GrJi8CIbpV9ILuLFQOwsUaFsq6dLTncGOukXcdeF0WRgQUwjsJlYY2KY3kG"
GITLAB_TOKEN = "glpat-JJH5h-TDKBMX4XQSyyj_"

DB_PASSWORD = ""
ENCRYPTED_BLOB = "gAAAAAB4-1HgWTzH2aty_y6wf4lE-RSmZZLh4l979WiGyWe1XoyHX-7qyE2cOcRc6jWwsxi97cmXApIOs7fK8tJtyEr_k9cLFY79ZKMy5qy41HcDh0w"
API_KEY = "<your-api-key>"
GIT_SHA = "de60b349c9a32d440fe705c34bf485adcabbcb8a"
CHECKSUM_SHA256 = "88b55d1a9178d5c31a51446dc76300e91f0b8294c0ec9a0473e6e1a6579ea4bd"
PASSWORD_MIN_LENGTH = "12"
API_TOKEN = os.getenv("API_TOKEN")
SECRET_KEY = settings.SECRET_KEY

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "PASSWORD": "kmnyf-Xphq4t7R3twXk",
        "HOST": os.environ.get("DB_HOST", "localhost"),
    }
}

client = Client(api_key="atWABlpVcVeF0SGmcikk1K5qKfRSFMUgHYWOijNKTv4QrGVT")
csrf_token = "sHx0iADPtQ1qgU35H6bGg39dgTl9fmuzdkRB31oN"
next_page_token = "5MOwZyUhyV_ZrIG25hH-LrN7iDgdtIq6"
if password == "":
    raise SystemExit("DB password missing")
REVISION = "9b887351d596c4b8a482c521b0650ce5099a2b74"  # git rev-parse HEAD
