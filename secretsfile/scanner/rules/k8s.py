"""Kubernetes: Secret manifests with data/stringData, kubeconfig credentials, base64 private keys."""

from __future__ import annotations

from secretsfile.scanner.model import Allowlist, Rule

from ._common import MASKED, RUNS, SEQUENTIAL

# Start of a Secret document's data block (kind may come before or after it).
_KIND = r"kind:[ \t]*['\"]?[Ss]ecret['\"]?[ \t]*(?:#[^\n]*)?\r?\n"  # a comment may follow
# Skip comment lines and short/empty entries before the one we report.
_ENTRIES = r"(?:[ \t]*#[^\n]*\n|[ \t]+[\w.-]+:[^\n]*\n)*?"
# Any lines of the same YAML document (never across a --- separator). Unbounded on purpose: the
# engine then treats these rules as block rules that may run past their keyword line.
_SAME_DOC = r"(?:(?!---)[^\n]*\n)*?"
_DATA_VALUE = r"[ \t]+[\w.-]+:[ \t]*(?:[|>][-+]?[ \t]*\r?\n[ \t]+)?['\"]?([A-Za-z0-9+/]{12,}={0,2})['\"]?[ \t]*(?:\r?\n|$)"
_TEMPLATE = Allowlist(regexes=(r"\{\{|\$\{|^ENC\[",), description="templated or sops-encrypted value")

RULES: tuple[Rule, ...] = (
    Rule(
        id="kubernetes-secret-data",
        description="Kubernetes Secret manifest with a base64 data value",
        regex=r"(?i)" + _KIND + _SAME_DOC + r"[ \t]*data:[ \t]*\r?\n" + _ENTRIES + _DATA_VALUE,
        keywords=("kind:",),
        secret_group=1,
        entropy=3.0,
        allowlists=(MASKED, RUNS, _TEMPLATE),
        true_samples=(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ntype: Opaque\ndata:\n  password: ydKWkli4rs+srKdvFh0+04B8\n",
            "apiVersion: v1\nkind: Secret  # the app's\ndata:\n  token: ydKWkli4rs+srKdvFh0+04B8\n",
        ),
        false_samples=(
            'apiVersion: v1\nkind: Secret\nmetadata:\n  name: registry-auth\ntype: Opaque\ndata:\n  htpasswd: ""\n',
            "apiVersion: v1\nkind: Secret\ndata:\n  password: {{ .Values.password | b64enc }}\n",
            "apiVersion: v1\nkind: ConfigMap\ndata:\n  settings: FQzANz5UVWDXKFmm0Wq5m8T7\n",
        ),
        tags=("kubernetes",),
    ),
    Rule(
        id="kubernetes-secret-data-kind-last",
        description="Kubernetes Secret manifest with a base64 data value (kind declared after data)",
        regex=(
            r"(?m)^[ \t]*data:[ \t]*\r?\n" + _ENTRIES + _DATA_VALUE
            + r"(?=(?:(?!---)[^\n]*\n){0,60}?[ \t]*kind:[ \t]*['\"]?(?i:secret)['\"]?[ \t]*"
            r"(?:#[^\n]*)?(?:\r?\n|$))"
        ),
        keywords=("data:",),
        secret_group=1,
        entropy=3.0,
        allowlists=(MASKED, RUNS, _TEMPLATE),
        true_samples=("apiVersion: v1\ndata:\n  api-token: X+P8/zlOq0ZZNNoEuAYh8YLvm1YkLDOM\nkind: Secret\nmetadata:\n  name: api\n",),
        false_samples=("apiVersion: v1\ndata:\n  extra: YmFyCg==\nkind: Secret\nmetadata:\n  name: x\n",),
        tags=("kubernetes",),
    ),
    Rule(
        id="kubernetes-secret-stringdata",
        description="Kubernetes Secret manifest with a plain-text stringData value",
        regex=(
            r"(?i)" + _KIND + _SAME_DOC + r"[ \t]*stringData:[ \t]*\r?\n" + _ENTRIES
            + r"[ \t]+[\w.-]+:[ \t]*['\"]?([^\s'\"{}$#<>]{8,200})['\"]?[ \t]*(?:\r?\n|$)"
        ),
        keywords=("kind:",),
        secret_group=1,
        entropy=3.0,
        allowlists=(MASKED, RUNS, _TEMPLATE),
        true_samples=(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: smtp\ntype: Opaque\nstringData:\n  SMTP_PASSWORD: qRNzKxXSSiQ8fPQfpXgI\n",
        ),
        false_samples=(
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: smtp\nstringData:\n  SMTP_PASSWORD: ${SMTP_PASSWORD}\n",
        ),
        tags=("kubernetes",),
    ),
    Rule(
        id="kubeconfig-credential",
        description="kubeconfig client key data (base64 PEM private key)",
        regex=r"client-key-data:[ \t]*['\"]?([A-Za-z0-9+/]{40,}={0,2})",
        keywords=("client-key-data",),
        secret_group=1,
        allowlists=(MASKED, RUNS),
        true_samples=("users:\n- name: admin\n  user:\n    client-certificate-data: MAmplJmCz5/AqfqLnYHHlcH7a87lBeeq4w6XKGlU\n    client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQokBMq1RWZUdkhpiVYIqW5XyAzW8wPVrW6AR3+aO9qXVMx8MQODYUG/uHztu2/\n",),
        false_samples=("users:\n- name: admin\n  user:\n    client-key-data: REDACTED\n",),
        tags=("kubernetes",),
    ),
    Rule(
        id="base64-private-key",
        description="Base64-encoded PEM private key (Kubernetes secrets, CI variables)",
        regex=(
            r"(LS0tLS1CRUdJTiB(?:QUklWQVRFIEtFWS|SU0EgUFJJVkFURSBLRVkt|FQyBQUklWQVRFIEtFWS|PUEVOU1NIIFBSSVZBVEUgS0VZ"
            r"|RU5DUllQVEVEIFBSSVZBVEUgS0VZ|EU0EgUFJJVkFURSBLRVkt|QR1AgUFJJVkFURSBLRVkgQkxPQ0)[A-Za-z0-9+/]{60,}={0,2})"
        ),
        keywords=("ls0tls1crudjtib",),
        secret_group=1,
        entropy=4.0,
        allowlists=(RUNS,),
        true_samples=("TLS_KEY_B64=LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2UUlCQURBTkJna3Foa2lHOXcwQkFRRUZBQVNDVC3TjSKcSdsl07v+OD6SbRW+0uX0yyqmbDwMoB2mN4Wzm6f2pdncDbNVwVfqzf69WKIwf0cj550+iYXW",),
        false_samples=("ca.pem: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUR4RENDQXF5Z0F3SUJBZ0lVV3pqUDl5RUk0eHlRSnBzVHVERU4yV2ROaUFzd0RRWUpLb1pJ",),
        tags=("private-key", "kubernetes"),
    ),
    Rule(
        id="kubeadm-bootstrap-token",
        description="kubeadm bootstrap (join) token on a command line or in a kubeadm config",
        regex=(
            r"(?:--(?:discovery-)?token[ \t=]+|\btoken:[ \t]*[\"']?)"
            r"([a-z0-9]{6}\.(?=[a-z0-9]{0,15}[0-9])(?=[a-z0-9]{0,15}[a-z])[a-z0-9]{16})"
            r"(?![A-Za-z0-9_.-])"
        ),
        keywords=("--token", "--discovery-token", "token:"),
        secret_group=1,
        entropy=3.0,
        allowlists=(MASKED, RUNS, SEQUENTIAL),
        true_samples=(
            "kubeadm join 10.0.0.10:6443 --token f5mbkw.6aznh33ok5973d0j --discovery-token-ca-cert-hash sha256:03b240fa106cf4089b8ccf199ca747e2d9e3421fabdac271596b69aca7e810a8",
            "bootstrapTokens:\n- token: \"oeem7d.qlesbsrkk4k6794g\"\n  ttl: 24h0m0s",
        ),
        false_samples=(
            "kubeadm join 10.0.0.10:6443 --token abcdef.0123456789abcdef",
            "kubeadm join 10.0.0.10:6443 --token <token> --discovery-token-ca-cert-hash sha256:<hash>",
        ),
        tags=("kubernetes", "kubeadm"),
    ),
    Rule(
        id="docker-swarm-token",
        description="Docker Swarm join token (SWMTKN) or unlock key (SWMKEY)",
        regex=(
            r"(?<![A-Za-z0-9_-])(SWMTKN-1-[a-z0-9]{50}-[a-z0-9]{25}|SWMKEY-1-[A-Za-z0-9+/]{43})"
            r"(?![A-Za-z0-9+/_-])"
        ),
        keywords=("swmtkn-1-", "swmkey-1-"),
        secret_group=1,
        entropy=3.5,
        allowlists=(MASKED, RUNS),
        true_samples=(
            "docker swarm join --token SWMTKN-1-a6k5gie07wv2fnt7ao3u9jb1kw2ubtbhw5q8lmio6uedcxganb-x1n3rrcviqmm0j0k3tb1efd2w 10.0.0.5:2377",
            "docker swarm unlock-key: SWMKEY-1-xNYV2A/wj4ExSQQD9uydECZkOZeUuBQmpMxfRJAvuSI",
        ),
        false_samples=(
            "docker swarm join --token <token> 10.0.0.5:2377",
            "docker swarm join --token SWMTKN-1-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxxx 10.0.0.5:2377",
        ),
        tags=("docker", "swarm"),
    ),
)
