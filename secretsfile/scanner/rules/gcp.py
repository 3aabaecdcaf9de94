"""Google Cloud: API keys, service-account key files, OAuth client secrets and tokens."""

from __future__ import annotations

from secretsfile.scanner.model import Rule

from ._common import END, MASKED, RUNS, SEQUENTIAL

RULES: tuple[Rule, ...] = (
    Rule(
        id="gcp-api-key",
        description="Google Cloud / Firebase API key assigned to a setting, quoted, or passed as key=",
        regex=r"(?:[=:,(\[]\s*['\"`]?|['\"`]|\bkey=)(AIzaSy[A-Za-z0-9_-]{33})" + END,
        keywords=("aizasy",),
        secret_group=1,
        entropy=3.5,
        allowlists=(MASKED, RUNS, SEQUENTIAL),
        true_samples=(
            'const firebaseConfig = { apiKey: "AIzaSyHacJASK-SHZiI6kDXYLOyFVwVzrOc_IMb" };',
            "GOOGLE_API_KEY=AIzaSyWhjJ6QLgkJgtxrapHcZRn4W89fR55mgj1",
        ),
        false_samples=(
            "AIzaSyabcdefghijklmnopqrstuvwxyz1234567",
            "Google's own browser key AIzaSyxjpcFsa_DNWiu5LS92Vb7BsI14ZKu590y appears in public client builds",
            'apiKey: "AIzaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"',
            "AIZASYCO2CXRMC9ELSKLHLHRMBSWDEVEDZTLO2O",
        ),
        tags=("gcp",),
    ),
    Rule(
        id="gcp-service-account-key",
        exempt_filters=("hex-hash",),
        description="Google Cloud service-account key file (private_key_id of a JSON key)",
        regex=r""""private_key_id"\s*:\s*"([0-9a-f]{40})\"""",
        keywords=("private_key_id",),
        secret_group=1,
        true_samples=(
            '{\n  "type": "service_account",\n  "project_id": "billing-prod-2291",\n'
            '  "private_key_id": "6f9131465a8156f3374a9cb1fc747f0b4f94ebe7",\n  "client_email": "ci@billing-prod-2291.iam.gserviceaccount.com"\n}',
        ),
        false_samples=('{"private_key_id": "...", "private_key": "DUMMY"}',),
        tags=("gcp",),
    ),
    Rule(
        id="gcp-oauth-client-secret",
        description="Google OAuth client secret",
        regex=r"(?<![A-Za-z0-9_-])(GOCSPX-[A-Za-z0-9_-]{28})" + END,
        keywords=("gocspx-",),
        secret_group=1,
        allowlists=(MASKED, RUNS),
        true_samples=(
            '{"web": {"client_id": "1234-abc.apps.googleusercontent.com", "client_secret": "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"}}',
        ),
        false_samples=('"client_secret": "GOCSPX-xxxxxxxxxxxxxxxxxxxxxxxxxxxx"',),
        tags=("gcp",),
    ),
    Rule(
        id="gcp-oauth-access-token",
        description="Google OAuth 2.0 access token",
        regex=r"(?<![A-Za-z0-9_.-])(ya29\.[A-Za-z0-9_-]{50,2000})" + END,
        keywords=("ya29.",),
        secret_group=1,
        entropy=4.0,
        allowlists=(MASKED, RUNS),
        true_samples=("Authorization: Bearer ya29.a0AfxDRLjd_IEbhxvRnaSpX3a3Iu_HgmnetLFSWO_Ai7xCXxXQTHBMVNR5Vr6yr1-IdprhTV1-VNy7OHx5bSzkbDCMjXFZlEPZ35L5ndnsWYv4Gqlwb_QCMzsVCk",),
        false_samples=("tokens start with ya29. and are short lived",),
        tags=("gcp",),
    ),
    Rule(
        id="gcp-oauth-refresh-token",
        description="Google OAuth 2.0 refresh token",
        regex=r"(?<![A-Za-z0-9/])(1//0[A-Za-z0-9_-]{60,300})" + END,
        keywords=("1//0",),
        secret_group=1,
        entropy=4.0,
        allowlists=(MASKED, RUNS),
        true_samples=('"refresh_token": "1//00--xcsw6XEAO8JKziekv604wrTdgdA8Zr5Ndkedw5d5-j9Pu9FUxe8DzbwBwdQqc9_vWqBzZrsvOTuaE8NFpLe52F3c4MrP4Koa"',),
        false_samples=("assert 1//0 raises ZeroDivisionError",),
        tags=("gcp",),
    ),
)
