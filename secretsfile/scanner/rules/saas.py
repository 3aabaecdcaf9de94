"""SaaS and developer-platform tokens with a distinctive prefix (the long tail).

Each of these vendors puts a literal prefix on its tokens, so the rules need no credential
name: the prefix is the keyword and the body's alphabet and length are checked exactly.
``_prefixed`` builds one such rule; every rule keeps its own true and false samples.
"""

from __future__ import annotations

from secretsfile.scanner.model import Rule

from ._common import END, STANDARD, START


def _prefixed(
    rule_id: str, description: str, token: str, keywords: tuple[str, ...],
    true_samples: tuple[str, ...], false_samples: tuple[str, ...], entropy: float = 3.5,
) -> Rule:
    """A name-free rule: ``token`` (a regex, the secret) between token boundaries."""
    return Rule(
        id=rule_id,
        description=description,
        regex=START + "(" + token + ")" + END,
        keywords=keywords,
        secret_group=1,
        entropy=entropy,
        allowlists=STANDARD,
        true_samples=true_samples,
        false_samples=false_samples,
        tags=(rule_id.split("-")[0],),
    )


RULES: tuple[Rule, ...] = (
    _prefixed(
        "airtable-pat", "Airtable personal access token",
        r"pat[A-Za-z0-9]{14}\.[a-f0-9]{64}", ("pat",),
        ('client = Airtable("patlptQTzPtOWQF2r.c1133575f5b8245176dc0b2476bfbb9b534d09a1e7a8308d9513ad8a8885ff17")',
         "AIRTABLE_TOKEN=patc6Qit3tsNpBBR1.28b220d4a0ab036a9e8aba009c3db7a8433829acb61b58e796379a9939b6681d"),
        ('client = Airtable("patfQ8xxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")',
         "AIRTABLE_TOKEN=patXXXXXXXXXXXXXX.0000000000000000000000000000000000000000000000000000000000000000"),
    ),
    _prefixed(
        "contentful-pat", "Contentful content management (personal access) token",
        r"CFPAT-[A-Za-z0-9_-]{43}", ("cfpat-",),
        ('client = contentful_management.Client("CFPAT-SJ7SeGtOv-m779tNYt1fuTP5ANcOOwjAWNKH3lyrI6G")',
         "CONTENTFUL_MANAGEMENT_TOKEN=CFPAT-MBwMsH-pp9fZcGhHvoATznk8FF_uBZnoMFE5uB3Qy9q"),
        ("CONTENTFUL_MANAGEMENT_TOKEN=CFPAT-xxxx-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "token format: CFPAT-<43 chars>"),
    ),
    _prefixed(
        "deno-deploy-token", "Deno Deploy personal (ddp_) or organisation (ddw_) access token",
        r"dd[pw]_[A-Za-z0-9]{36}", ("ddp_", "ddw_"),
        ("DENO_DEPLOY_TOKEN=ddp_4rIeCmW8ZTRibcKn3PMLCTRV5LRuFXhVw9AI", '  token: "ddw_1lrLx5TgD905335Gmq40lSbSd9cjlf8YbBTf"'),
        ("DENO_DEPLOY_TOKEN=ddp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "ddp_tokens_for_ci_and_local_devel_xx"),
    ),
    _prefixed(
        "figma-pat", "Figma personal access token",
        r"figd_[A-Za-z0-9_-]{40}", ("figd_",),
        ('headers = {"X-Figma-Token": "figd_3VsTkMqEHMJm5ODEuq2ibwucY0n3AyBnCJtu7ryQ"}',
         "FIGMA_TOKEN=figd_K5UmaQtf2CN2SHelzAloROcf7YumBGexO11crHDy"),
        ("FIGMA_TOKEN=figd_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "FIGMA_TOKEN=figd_<your token>"),
    ),
    _prefixed(
        "frameio-token", "Frame.io developer token",
        r"fio-u-[A-Za-z0-9_-]{64}", ("fio-u-",),
        ("FRAMEIO_TOKEN=fio-u-UOmUhLRin4TbCxgDuEMJKG95vwdvbJCXhrvSnCSuONxbGf6J0xEYEYPxH5_G2Z8w",
         "client = FrameioClient('fio-u-KeNUdCR54pZh7ArkzMsgAyVSWtDF5yltvM4HUy-T2fM_aos3SoaBrq03vCbvZe8r')"),
        ("FRAMEIO_TOKEN=fio-u-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",),
    ),
    _prefixed(
        "harness-token", "Harness personal (pat.) or service account (sat.) token",
        r"[ps]at\.[A-Za-z0-9_-]{22}\.[a-f0-9]{24}\.[A-Za-z0-9]{20}", ("pat.", "sat."),
        ("HARNESS_PLATFORM_API_KEY=pat._OtqDNez6VDlQzxE4TYb2v.3eda4ba26158ac6a2e27df35.r5ajvisPJu1NfkST6MsM",
         "-H 'x-api-key: sat.ehDTpfGHsrarBollu5Ld4Z.36d8593b0b73f99ccfa35021.UTG4pZFS1aY2flyXNhcl'"),
        ("HARNESS_PLATFORM_API_KEY=pat.xxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxxxxxx.xxxxxxxxxxxxxxxxxxxx",
         "sat.accountId.orgId.projectId"),
    ),
    _prefixed(
        "intercom-access-token", "Intercom access token (base64 of tok:...)",
        r"dG9rO[jm][A-Za-z0-9+/]{40,80}={0,2}", ("dg9roj", "dg9rom"),
        ('intercom = Client(personal_access_token="dG9rOmUyMGNjMDg2LThiMTYtNDI1Zi05NTlkLTYzOGU1NmZiYmMxYTox")',
         "INTERCOM_ACCESS_TOKEN=dG9rOjQ5NjItYjgzNy00ZDQ4LWE5NDItOGRhOGQxNDcwNGRjOmg="),
        ("INTERCOM_ACCESS_TOKEN=dG9rOjxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx=", "echo dG9rOg== | base64 -d"),
    ),
    _prefixed(
        "planetscale-token", "PlanetScale service token, OAuth token or database password",
        r"pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_-]{43}", ("pscale_",),
        ("PLANETSCALE_SERVICE_TOKEN=pscale_tkn_4vk_A5abzFHrVGmg_gNgPknAguG2CpVR7_5NsKE-cBu",
         "mysql://k8vz2z0q3n:pscale_pw_wC56qMnIwTYge3uKFXZRw9umB3Hco-kKFrjtpw9DA4W@aws.connect.psdb.cloud/app"),
        ("PLANETSCALE_SERVICE_TOKEN=pscale_tkn_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "pscale_pw_prefix = 'pscale_pw_'"),
    ),
    _prefixed(
        "prefect-api-key", "Prefect Cloud API key",
        r"pnu_[A-Za-z0-9]{36}", ("pnu_",),
        ("PREFECT_API_KEY=pnu_8N7gt0mbKs1yQScvwt91X0ZzWhkv03sE1fTP", "prefect cloud login -k pnu_lav2EREVAyGEipXkb8hVwDBrSsiXrdFrU8iP"),
        ("PREFECT_API_KEY=pnu_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "PREFECT_API_KEY=pnu_..."),
    ),
    _prefixed(
        "readme-api-key", "ReadMe API key",
        r"rdme_[a-z0-9]{70}", ("rdme_",),
        ("README_API_KEY=rdme_xn0cxvwup7nymno782s1ryshwiibzb5opylfqgpayy7acktof7bqwewtvkbwj08d1tbjko",
         "rdme openapi ./spec.yaml --key=rdme_xn36mquwzpcgu8mv911vkuhqb7xuxm77sgjzqhf0z74zkrmqzsqglbp3ra6005zy66uerw"),
        ("README_API_KEY=rdme_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "import rdme_helpers"),
    ),
    _prefixed(
        "typeform-pat", "Typeform personal access token",
        r"tfp_[A-Za-z0-9_-]{59}", ("tfp_",),
        ("TYPEFORM_TOKEN=tfp_ZRGIj6TLgGBRq5YXYJMLLKTIp6DOdaIRx9A9XwnnVb0R_m6r5wDSH78sLw0",
         "-H 'Authorization: Bearer tfp_buKwiPp-sZvTJGRjATZIVI24vIypLk24nn8TUX3qY6U6_s7YodAjn8GToDq'"),
        ("TYPEFORM_TOKEN=tfp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_xxxxxxxxxxxxxx",),
    ),
    _prefixed(
        "launchdarkly-sdk-key", "LaunchDarkly server-side SDK key (mob- mobile keys are public)",
        r"sdk-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", ("sdk-",),
        ('ldclient.set_config(Config("sdk-bedad14a-89e8-4922-97c5-2ab27324cdff"))',
         "LAUNCHDARKLY_SDK_KEY=sdk-ae29ce93-9728-4e95-af0f-af28516469b1"),
        ("LAUNCHDARKLY_SDK_KEY=sdk-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
         "LAUNCHDARKLY_MOBILE_KEY=mob-bedad14a-89e8-4922-97c5-2ab27324cdff"),
        entropy=3.0,
    ),
    _prefixed(
        "launchdarkly-api-token", "LaunchDarkly API access token (api- and a UUID)",
        r"api-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", ("api-",),
        ("LD_API_TOKEN=api-7c1e4b2a-93d0-4f6e-b8a5-2d9c0e7f1a36",
         "-H 'Authorization: api-e52b9f07-1c4d-4a83-9e6b-0f3a7d2c8b15'"),
        ("LD_API_TOKEN=api-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", "api-version=2016-10-01"),
        entropy=3.0,
    ),
    _prefixed(
        "yandex-cloud-token", "Yandex OAuth token (y0_) or Yandex Cloud API key (AQVN)",
        r"y0_[A-Za-z0-9_-]{50,64}|AQVN[A-Za-z0-9_-]{36}", ("y0_", "aqvn"),
        ("YC_TOKEN=y0_hNRsSyDtknFn_icX0fJepbGHu-r80dX7zsU25ax7OSlv1eoqc1Cb_ua",
         'api_key: "AQVNgPdqejuh1bmw7S4jj7CmBr_uY62R0ED413hf"'),
        ("YC_TOKEN=y0_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "YC_TOKEN=<your yandex token>"),
    ),
    _prefixed(
        "dropbox-access-token", "Dropbox short-lived access token",
        r"sl\.(?:u\.)?[A-Za-z0-9_-]{130,200}", ("sl.u.", "dropbox"),
        ('dbx = dropbox.Dropbox("sl.u.DV3ObqHdDw1pW8FJiVnriEpP9lVbABDgVwwjsqE_CU7cwVyZtiahieNyQlXgwk66ib9j9byRCLJtSkEJrBZwGLpmkue6M_5QlPno0Jp_SL85DOkwpza9M3M8DT5sJXWqIui_KOZ")',
         "DROPBOX_ACCESS_TOKEN=sl.PGHOXU1s1lOW8tuX5RL3Z10rgqLVYO-396FJn7JLpOQxcDZUaKtHdujL-2T5_HVpKk2F8uic9CGaI4V_ooKQb5_StKGkvGB0NaGqFns0w7cJbcbj05CfB-hUkRQIsmDHsTaOJ3g"),
        ("DROPBOX_ACCESS_TOKEN=sl.u.xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
         "import dropbox  # token = sl.u.<...>"),
    ),
    _prefixed(
        "instagram-access-token", "Instagram Basic Display / Graph user access token",
        r"IGQVJ[A-Za-z0-9_-]{100,300}", ("igqvj",),
        ("IG_ACCESS_TOKEN=IGQVJRGgyCq7H8w0fOa5mXL5Vx52XE7MpH-5KBT42SC5en4JI3Nk9SaUphmCwdVpAydBX7iuYg66D4KBakD2YoFmHTiGh_i0JtTmgf5gEBPWJjO7uvrlXuvIiJGxk52X20dFpIul0q5cNVYM7oDQgko1QyL",),
        ("IG_ACCESS_TOKEN=IGQVJxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
         "IG_ACCESS_TOKEN=IGQVJ..."),
    ),
    _prefixed(
        "akamai-edgegrid-token", "Akamai EdgeGrid client or access token",
        r"akab-[a-z0-9]{16}-[a-z0-9]{16}(?!\.)", ("akab-",),
        ("client_token = akab-uldu1s7qy3ybltjm-nmwe8nblgplciwu5", 'access_token: "akab-ynika4ja9vjkha2f-deqhjsfc229oey9w"'),
        ("client_token = akab-client-token-xxxxxxxxxxx", "host = akab-h05ff6x4mi7brr3b-2wnfjhqc7pruanhg.luna.akamaiapis.net"),
        entropy=3.0,
    ),
    _prefixed(
        "adafruit-io-key", "Adafruit IO key",
        r"aio_[A-Za-z0-9]{28}", ("aio_",),
        ("ADAFRUIT_IO_KEY=aio_NQ6QZYrXWJcoUY8e22UCceCO2vtv", 'aio = Client("ops-sensors", "aio_z0gfsaHw8Kz00bSSmAN9CnM7Sacs")'),
        ("ADAFRUIT_IO_KEY=aio_xxxxxxxxxxxxxxxxxxxxxxxxxxxx", "import aio_helpers"),
    ),
    _prefixed(
        "rootly-api-key", "Rootly API key",
        r"rootly_[a-f0-9]{64}", ("rootly_",),
        ("ROOTLY_API_TOKEN=rootly_eb79ede1423985065ee79a029308e45316bb20d8fcf9c0f4440b08eae2614ef1",),
        ("ROOTLY_API_TOKEN=rootly_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "rootly_api_token_env_var"),
        entropy=3.0,
    ),
    _prefixed(
        "buildkite-api-token", "Buildkite user API access token",
        r"bkua_[a-f0-9]{40}", ("bkua_",),
        ("BUILDKITE_API_TOKEN=bkua_19cab172b41d1a8eef2cc954ab407ce4319a7130",
         "-H 'Authorization: Bearer bkua_2b88a9806d8bbfd1d03728881029444d64c5dd00'"),
        ("BUILDKITE_API_TOKEN=bkua_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "BUILDKITE_API_TOKEN=<your buildkite token>"),
        entropy=3.0,
    ),
    _prefixed(
        "circleci-pat", "CircleCI personal API token",
        r"CCIPAT_[A-Za-z0-9]{22}_[a-f0-9]{40}", ("ccipat_",),
        ('circle = CircleClient("CCIPAT_IX3idw5OrP6ovpVXLcqT40_92e6ccffce679f31de490a67497688dc923c5861")',
         "CIRCLECI_TOKEN=CCIPAT_YSLxEpV1owpnfGQ25ZsE5Q_d48308d7ff08d8f1122cf35038558d74300aed5b"),
        ("CIRCLECI_TOKEN=CCIPAT_xxxxxxxxxxxxxxxxxxxxxx_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",),
    ),
    _prefixed(
        "bitbucket-dc-token", "Bitbucket Data Center HTTP access token",
        r"BBDC-[A-Za-z0-9+/]{40,60}={0,2}", ("bbdc-",),
        ('git clone https://x-token-auth:BBDC-ODYxODU0NjQ4MzUxOjBIM2vfCZLJ4DZBivI4sgixiEI4@bitbucket.corp.internal/scm/ops/app.git',
         "BITBUCKET_TOKEN=BBDC-Nzc3NzExODYzNjgxOvi25Yipy71wofX0AB0yMi0Jr53c"),
        ("BITBUCKET_TOKEN=BBDC-Nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx=", "BITBUCKET_TOKEN=BBDC-<token>"),
    ),
    _prefixed(
        "duffel-api-token", "Duffel live or test API token",
        r"duffel_(?:live|test)_[A-Za-z0-9_-]{43}", ("duffel_",),
        ('client = Duffel(access_token="duffel_live_3pfWQYPAQNd4sXOInspxILD4-Ng57nWR6U_4jGqOPXA")',
         "DUFFEL_ACCESS_TOKEN=duffel_test_bEvDohbzrgygZwOeSXFg62lmqBQGXW_j1QEXoUGusUy"),
        ("DUFFEL_ACCESS_TOKEN=duffel_test_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "from duffel_api import Duffel"),
    ),
    _prefixed(
        "easypost-api-key", "EasyPost production (EZAK) or test (EZTK) API key",
        r"EZ[AT]K[A-Za-z0-9]{54}", ("ezak", "eztk"),
        ('client = easypost.EasyPostClient("EZAK8WexUm4O1lcJa7vd5vQWuMFaPjCUYBe8SucfGrjHxVBFozn38uCtmj")',
         "EASYPOST_API_KEY=EZTK8feAsdXqqzSYKp1oHW2dYgan50MVHXwh57hDafPz4RXSJkrnAvAMrZ"),
        ("EASYPOST_API_KEY=EZAKxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "EASYPOST_API_KEY=EZAK..."),
    ),
    _prefixed(
        "lob-api-key", "Lob live API key",
        r"live_[a-f0-9]{35}", ("live_",),
        ('lob.api_key = "live_07266f02772e0e136448ecca3ecc7bfde8c"', "LOB_API_KEY=live_3b11ca864f40bccbf50f1a0b95b43de909e"),
        ("LOB_API_KEY=live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "live_reload_interval_ms = 500"),
        entropy=3.0,
    ),
    _prefixed(
        "shippo-api-token", "Shippo live or test API token",
        r"shippo_(?:live|test)_[a-f0-9]{40}", ("shippo_",),
        ('shippo.config.api_key = "shippo_live_5198e219be106f20f6de56212f6c0413a4338b96"',
         "SHIPPO_API_TOKEN=shippo_test_c4435f3beda12f039a8e14dff5514d26a513e854"),
        ("SHIPPO_API_TOKEN=shippo_live_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "SHIPPO_API_TOKEN=shippo_test_<token>"),
        entropy=3.0,
    ),
    Rule(
        id="asana-pat",
        description="Asana personal access token on a line that mentions Asana",
        regex=r"(?<![\w/])([12]/\d{15,17}(?:/\d{15,17})?:[a-f0-9]{32})(?![A-Za-z0-9])",
        keywords=("asana",),
        secret_group=1,
        entropy=3.0,
        allowlists=STANDARD,
        true_samples=(
            'asana_client = asana.Client.access_token("2/0549729465135200/8701671130795194:1e1d3ba807557ed9cacf966f3df412d5")',
            "ASANA_TOKEN=1/5052855437676914:3d2d43548123ba1fafdfd0a8f8c7fc4a",
        ),
        false_samples=("ASANA_TOKEN=2/4450xxxxxxxxxxxx/xxxxxxxxxxxxxxxx:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "ASANA_TOKEN=<your asana token>"),
        tags=("asana",),
    ),
    Rule(
        id="ngrok-authtoken",
        description="ngrok agent authtoken on a line that mentions ngrok or authtoken",
        regex=r"(?<![A-Za-z0-9_-])(2[A-Za-z0-9]{26}_[A-Za-z0-9]{21})(?![A-Za-z0-9_-])",
        keywords=("ngrok", "authtoken"),
        secret_group=1,
        entropy=3.5,
        allowlists=STANDARD,
        true_samples=(
            "ngrok config add-authtoken 2822dPozmXWkgFi0IUAg8GQ1v7v_cQ08Y4pKyBd8ZmtrEiHlN",
            "NGROK_AUTHTOKEN=2TNGco7Fq7znPlenoEh4hG7kK6D_KrinPUIvtIHbj533pGKTQ",
        ),
        false_samples=("NGROK_AUTHTOKEN=2xxxxxxxxxxxxxxxxxxxxxxxxxx_xxxxxxxxxxxxxxxxxxxxx", "ngrok http 8080 --authtoken $NGROK_AUTHTOKEN"),
        tags=("ngrok",),
    ),
)
