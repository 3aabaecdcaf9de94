"""Service settings."""

import os

from app import settings
from app.clients import Client

password = settings.DB_PASSWORD

TWINE_PASSWORD = "pypi-AgEIcHlwaS5vcmcCJDHVpEJ98vaoQ_p7iahmiNOkLzRhPnTEjTpDawWoMgfgRXdpaxtd6hUB3yDiYI_Lin1cy-zY5jDGp-KTn5_QO2e1eHni3ViOnuZRqk2TYE9GTHcyPgfzPB9RnGO6HLU49qZyUzz7bxLSD743d4UkGmt2"
GH_INSTALLATION_TOKEN = "ghs_K8OJ6HnenXw53ZPF7OICrx3HYOBJw399gh0i"
OP_SERVICE_ACCOUNT_TOKEN = "ops_eyJzaWduSW5BZGRyZXNzIjoibXkuMXBhc3N3b3JkLmNvbSIsh7yYddbhoLzjmluKXVJo3ECM8JOCblBH7azA/ndkJ6Z3P0Mq2tylLUWLpt8Hcef1vX8GpwyR0FE8UCf442otOGPUZnELbqj5HdWP0vD5xiDVXYCMvIUeZ/J8etrMUKX88bUvAfd0IZ/VHyknJpK9qYZx59uNee+G1c+DvzbA966O3KQPj7LKzXiGx9dHU97gxWg//4mCWTYuz6EIwBq50ys1N8pb39QpcGVy9qhKUsQbSLpcfZZxhfljnou9umxsDLDwDvdP3ZGK9XgQ6ci1+fe+MrXzy8ioO9HYSgOLhskw"
CLIENT_SECRET = "F0wOLK7SOYIi0KCC0j8KUZK2-A0r2iIMJy9t2Wf9"
SESSION_SECRET = "c874eafcc9fbdee12154e1da8209d9c32755e65867f10a6592f5bb7dab846ec3"

AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
CHECKSUM_SHA256 = "9c138becd7616ef88b018e736ed519689a77ce3a050505741d16d7c87411849a"
TOKEN_TYPE = "Bearer"
PASSWORD_MIN_LENGTH = "12"
BUILD_COMMIT = "72453ef44862746c9fcf2d8fbb58bdbd05d4af10"
PUBLIC_KEY = "/E/IEfFrtamb9UMkV7E1wRhd9DZ1F3XZHeT2a0isKc+="
SECRET_KEY = os.getenv("SECRET_KEY")
DB_PASSWORD = os.environ["DB_PASSWORD"]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "PASSWORD": "SFeRZ#ctD9oQKnc",
        "HOST": os.environ.get("DB_HOST", "localhost"),
    }
}

client = Client(api_key="ghs_RLstJ9sHGNf6JVMHypLjauMg2xJoP4FyvaM8")
csrf_token = "Bt00WXodqHJ6d2imk6sfG2iAzqSC8woOJubYudLT"
next_page_token = "w2zb7J8pXpaQMyeOaF32KZXqe1yPWfoy"
if password == "":
    raise SystemExit("DB password missing")
REVISION = "36501aa9d9e7d776b882be8bd32e3fa25fbdcba9"  # git rev-parse HEAD
