"""Package and container registries: npm, PyPI, Docker registry auth, RubyGems, NuGet, Clojars,
Artifactory."""

from __future__ import annotations

from secretsfile.scanner.model import Allowlist, Rule

from ._common import MASKED, RUNS, SEQUENTIAL

_STD = (MASKED, RUNS, SEQUENTIAL)
_TEMPLATE = Allowlist(
    regexes=(r"^\$\{?[A-Za-z_]", r"\{\{", r"^%[A-Za-z_]\w*%$", r"^<[^>]*>$"),
    description="environment or template reference",
)

RULES: tuple[Rule, ...] = (
    Rule(
        id="npm-access-token",
        description="npm access token",
        regex=r"(?<![A-Za-z0-9_])(npm_[A-Za-z0-9]{36})(?![A-Za-z0-9])",
        keywords=("npm_",),
        secret_group=1,
        entropy=3.5,
        allowlists=_STD,
        true_samples=("NPM_TOKEN=npm_c9huyp77Qk1JSlbPJDOilSryTrFwlJ23Ze2M",),
        false_samples=("NPM_TOKEN=npm_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",),
        tags=("npm",),
    ),
    Rule(
        id="npmrc-auth-token",
        exempt_filters=("uuid",),
        description="Registry credential in an .npmrc (//host/:_authToken, _auth or _password)",
        regex=r"(?i)//[^\s:/]+(?::\d+)?(?:/[^\s:]*)?/:(?:_authToken|_auth|_password)\s*=\s*([^\s\"']{8,})",
        keywords=("_authtoken", ":_auth", ":_password"),
        secret_group=1,
        entropy=2.5,
        allowlists=(MASKED, _TEMPLATE),
        true_samples=(
            "//registry.npmjs.org/:_authToken=9d183a66-8477-7698-0e65-16007b320b31",
            "//npm.pkg.github.com/:_authToken=ghp_R4eQR9i6J0chUrCZ4x0yVbSbxfiFECw9SXya",
            "//artifactory.corp.example/api/npm/npm/:_password=QktFy0F2XXWpxREpJR+jPvLZ",
        ),
        false_samples=(
            "//registry.npmjs.org/:_authToken=${NPM_TOKEN}",
            "//registry.npmjs.org:_authToken=743b294a-cd03-11ec-9d64-0242ac120002",
            "_authToken=743b294a-cd03-11ec-9d64-0242ac120002",
        ),
        tags=("npm", "uuid-secret"),
    ),
    Rule(
        id="pypi-upload-token",
        description="PyPI / TestPyPI upload token (macaroon)",
        regex=r"(pypi-(?:AgEIcHlwaS5vcmc|AgENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{70,1000})(?![A-Za-z0-9_-])",
        keywords=("pypi-ageichlwas5vcmc", "pypi-agendgvzdc5wexbplm9yzw"),
        secret_group=1,
        entropy=4.0,
        allowlists=_STD,
        true_samples=(
            "password = pypi-AgEIcHlwaS5vcmcCJDm3Hg4gVxBkiaCir7J4Pr8eCowHhljJv1_W-tXuEGmpXWpwXuwSvTIsfgXlMOHs2dUUCG9nrEDRj9TYn-f6ipThdICGN2EUr0FygrVvl0i__RxG8k21QmOlkR0pkreVoiTTH7bsAroI5Obyg8M_aOM2",
            "TWINE_PASSWORD=pypi-AgENdGVzdC5weXBpLm9yZwIkWJwmCusO5hMt4QC639fM1oGDEs0ecgLHrPOMOs8wE4SuwDF-Y4pALe_PEnIZJZaKNXzB61gB6gmyo5Lt5UxAF77iPYCg2iUoeirUVPgJyN_I9p8DcbHsJRR9Bft7p02tVY0xthNw4Qyi",
        ),
        false_samples=("password = pypi-AgEIcHlwaS5vcmcCJDU3OTM1MjliLWIyYTYt",),
        tags=("pypi",),
    ),
    Rule(
        id="docker-config-auth",
        description="Registry credentials in a Docker config.json (\"auth\": base64 of user:password)",
        regex=r"\"auths\"\s*:\s*\{\s*\"[^\"]+\"\s*:\s*\{[^{}]*?\"auth\"\s*:\s*\"([A-Za-z0-9+/]{12,}={0,2})\"",
        keywords=('"auths"',),
        secret_group=1,
        entropy=3.0,
        allowlists=_STD,
        true_samples=(
            '{\n  "auths": {\n    "registry.gitlab.com": {\n      "auth": "vPkTGVwBeynpLWhpeFHR/e/qzE2s8vGzENpu2yF1"\n    }\n  }\n}',
        ),
        false_samples=('{"auths": {"ghcr.io": {}}, "credsStore": "desktop"}',),
        tags=("docker",),
    ),
    Rule(
        id="rubygems-api-key",
        description="RubyGems API key",
        regex=r"(?<![A-Za-z0-9_])(rubygems_[a-f0-9]{48})(?![A-Za-z0-9])",
        keywords=("rubygems_",),
        secret_group=1,
        entropy=3.0,
        allowlists=_STD,
        true_samples=("GEM_HOST_API_KEY=rubygems_6cbd273bba8be8a39c10411c0484916a5cf00cf7cb948aff",),
        false_samples=("GEM_HOST_API_KEY=rubygems_...",),
        tags=("rubygems",),
    ),
    Rule(
        id="nuget-api-key",
        description="NuGet.org API key",
        regex=r"(?<![A-Za-z0-9_])(oy2[a-z0-9]{43})(?![A-Za-z0-9])",
        keywords=("oy2",),
        secret_group=1,
        entropy=3.5,
        allowlists=_STD,
        true_samples=("dotnet nuget push pkg.nupkg --api-key oy27litgdc6atxtpt6b97g949qq0t0nwrcmlgb91ry8jca",),
        false_samples=("--api-key oy2xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",),
        tags=("nuget",),
    ),
    Rule(
        id="nuget-config-password",
        description="Clear-text password in a NuGet.config packageSourceCredentials entry",
        regex=r"(?i)<add\s+key=\"(?:ClearText)?Password\"\s+value=\"([^\"]{6,200})\"",
        keywords=("cleartextpassword", 'key="password"'),
        secret_group=1,
        entropy=3.0,
        allowlists=(
            MASKED,
            RUNS,
            # %NAME% (NuGet's environment-variable syntax) and $NAME / ${NAME}; a lone % is a character
            Allowlist(regexes=(r"%[A-Za-z_]\w*%", r"\$\{?[A-Za-z_]"), description="environment variable references"),
        ),
        true_samples=(
            '<add key="ClearTextPassword" value="ukaABB2W9X1ucZBQ4gFC" />',
            '<add key="ClearTextPassword" value="Feed7%Access2Q" />',
        ),
        false_samples=(
            '<add key="ClearTextPassword" value="%NUGET_PASSWORD%" />',
            '<add key="ClearTextPassword" value="Feed%NUGET_PASSWORD%" />',
            '<add key="ClearTextPassword" value="$NUGET_PASSWORD" />',
            '<add key="ClearTextPassword" value="abc" />',
        ),
        tags=("nuget",),
    ),
    Rule(
        id="clojars-api-token",
        description="Clojars deploy token",
        regex=r"(?<![A-Za-z0-9_])(CLOJARS_[a-z0-9]{60})(?![A-Za-z0-9])",
        keywords=("clojars_",),
        secret_group=1,
        entropy=3.0,
        allowlists=_STD,
        true_samples=("CLOJARS_PASSWORD=CLOJARS_2wfy3i5c6ztjis2166g3jti47a69sauun9xmjz0o8zlgpvck7ttmfulqoobj",),
        false_samples=("CLOJARS_PASSWORD=CLOJARS_xxxx",),
        tags=("clojars",),
    ),
    Rule(
        id="artifactory-api-key",
        description="JFrog Artifactory API key or reference token",
        regex=r"(?<![A-Za-z0-9_])(AKCp[A-Za-z0-9]{69}|cmVmdGtu[A-Za-z0-9]{56})(?![A-Za-z0-9])",
        keywords=("akcp", "cmvmdgtu"),
        secret_group=1,
        entropy=3.5,
        allowlists=_STD,
        true_samples=("ARTIFACTORY_API_KEY=AKCpThZg8weGVuCxDErp3QZEiDqQXZkIZMzpeTEAFKOugZB17Oc487bSXIVbJ8sq6V6hIDUMF", "X-JFrog-Art-Api: cmVmdGtu1ywUTBKCVc551GHygXg32hZKQE7q8UCXNkDCAg9LtPW6QD6LmwJYUcDZ"),
        false_samples=("lowEntropy := AKCpXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",),
        tags=("artifactory",),
    ),
    Rule(
        id="crates-io-api-token",
        description="crates.io API token",
        regex=(
            r"(?<![A-Za-z0-9_-])(cio(?=[A-Za-z0-9]{0,31}[0-9])(?=[A-Za-z0-9]{0,31}[A-Z])(?=[A-Za-z0-9]{0,31}[a-z])"
            r"[A-Za-z0-9]{32})(?![A-Za-z0-9_-])"
        ),
        keywords=("cio",),
        secret_group=1,
        entropy=3.5,
        allowlists=_STD,
        true_samples=("CARGO_REGISTRY_TOKEN=ciom5fMM55pRzXBw7NKX0SSxbh59wVoF5tg", '[registry]\ntoken = "cioLDu0nm6Ib59C2lbspBtT3XOUMDG8Pbeb"'),
        false_samples=("CARGO_REGISTRY_TOKEN=${{ secrets.CRATES_IO_TOKEN }}", 'cio = "cio-config"'),
        tags=("crates.io", "rust"),
    ),
    Rule(
        id="dependency-track-api-key",
        description="Dependency-Track API key (odt_ prefix)",
        regex=r"(?<![A-Za-z0-9_-])(odt_[A-Za-z0-9]{32,64})(?![A-Za-z0-9_-])",
        keywords=("odt_",),
        secret_group=1,
        entropy=3.5,
        allowlists=_STD,
        true_samples=(
            "curl -X POST -H 'X-Api-Key: odt_gCfRMWs85ME2RSmjXGxBk7SM9Jx19XFM' https://dtrack.corp.internal/api/v1/bom",
            "DTRACK_API_KEY=odt_D2QZDCuLnBfyED3H5hghDrhShlU42OT6",
        ),
        false_samples=("DTRACK_API_KEY=odt_...", "X-Api-Key: ${DTRACK_API_KEY}"),
        tags=("dependency-track",),
    ),
)
