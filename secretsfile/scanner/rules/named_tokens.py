"""Unprefixed vendor tokens, recognised by the vendor's name on the setting plus the token's shape.

Some vendors issue tokens without a prefix: a legacy Sourcegraph token is 40 hex digits. The
value alone would be any hash; a setting named after the vendor (``sourcegraph: ...``,
``SOURCEGRAPH_TOKEN=...``) holding exactly that shape is the credential. The setting name may be
the bare vendor word (the generic rules need a credential word such as ``token``).

Also here: HTTP headers named after a token (``-H "Token: ..."``, ``X-Auth-Token: ...``), where
the header name is the credential word and the ``Authorization`` rule (uris.py) does not look.
"""

from __future__ import annotations

from secretsfile.scanner.model import Rule

from ._common import ASSIGN, END, STANDARD
from .uris import PASSWORD_PLACEHOLDER

RULES: tuple[Rule, ...] = (
    Rule(
        id="sourcegraph-legacy-token",
        description="Sourcegraph access token without the sgp_ prefix (40 hex) on a Sourcegraph-named setting",
        regex=r"(?i)sourcegraph" + ASSIGN + r"([a-f0-9]{40})" + END,
        keywords=("sourcegraph",),
        secret_group=1,
        entropy=3.0,
        allowlists=STANDARD,
        true_samples=(
            "sourcegraph: 3f9aC71dE0b24c68B5a9e1F7d03c2b8A64e5f19d",
            'SOURCEGRAPH_TOKEN="c81e728d9d4c2f636f067f89cc14862c5d1b2a07"',
        ),
        false_samples=(
            "sourcegraph: 0000000000000000000000000000000000000000",
            "sourcegraph_commit: 3f9ac71de0b24c68b5a9",
        ),
        tags=("sourcegraph",),
    ),
    Rule(
        id="http-token-header",
        description="Literal token in a token-named HTTP header (Token:, X-Auth-Token:, X-Api-Key:) on a command line",
        regex=(
            r"(?i)(?:-H|--header)[ \t]*['\"](?:x-)?(?:[a-z]+-)?(?:token|api-?key|auth-?key)[ \t]*:[ \t]*"
            r"([A-Za-z0-9._~+/=-]{12,200})['\"]"
        ),
        keywords=("token", "api-key", "apikey", "auth-key", "authkey"),
        secret_group=1,
        entropy=2.5,
        allowlists=(PASSWORD_PLACEHOLDER, *STANDARD),  # 2.5: a 16-hex token measures 2.9
        true_samples=(
            'curl -X POST http://localhost:8080/api/jobs -H "Token: 7c2e9a41f05db386" -d "name=x"',
            "curl --header 'X-Api-Key: q8Vw2Lz5Tn0Rk7Hb3Yc9' https://api.internal/v1/items",
        ),
        false_samples=(
            'curl -H "Token: $API_TOKEN" https://api.internal/v1/jobs',
            'curl -H "X-Api-Key: <your-api-key>" https://api.internal',
            'curl -H "X-Auth-Token: xxxxxxxxxxxxxxxx" https://api.internal',
        ),
        tags=("http",),
    ),
)
