"""Microsoft Azure: storage account keys, connection strings, SAS tokens, Entra ID client secrets."""

from __future__ import annotations

from secretsfile.scanner.model import Allowlist, Rule

from . import generic
from ._common import ASSIGN, MASKED, RUNS

RULES: tuple[Rule, ...] = (
    Rule(
        id="azure-storage-account-key",
        description="Azure storage account key in a connection string or setting",
        regex=r"(?i)(?:AccountKey\s*=\s*|account_?key" + ASSIGN + r")([A-Za-z0-9+/]{86}==)",
        keywords=("accountkey", "account_key"),
        secret_group=1,
        entropy=4.5,
        allowlists=(MASKED, RUNS),
        true_samples=(
            "DefaultEndpointsProtocol=https;AccountName=stprodlogs;"
            "AccountKey=8fcMrwozB4xALGELgN6tD9dTwP+D2aJDsg3JnGis4JLlrO8WwsoG2P82Qix+2ogZ2y8/GN8Q6VB8MFE0nWiDSx==;EndpointSuffix=core.windows.net",
            'AZURE_STORAGE_ACCOUNT_KEY="OB+a79eVd0OlWMdQxQU8+ozv+pXzZorfVBhxLUQVCinxl25Yjc8Ht/yFnDEU/zAE7+zn5heWpPhdFBLls9nykV=="',
        ),
        false_samples=(
            "DefaultEndpointsProtocol=https;AccountName=devstoreaccount1;AccountKey=${STORAGE_KEY}",
        ),
        tags=("azure",),
    ),
    Rule(
        id="azure-shared-access-key",
        description="Azure Service Bus / Event Hubs / IoT Hub shared access key",
        regex=r"(?i)SharedAccessKey\s*=\s*([A-Za-z0-9+/]{42,44}=)",
        keywords=("sharedaccesskey",),
        secret_group=1,
        entropy=4.0,
        allowlists=(MASKED, RUNS),
        true_samples=(
            "Endpoint=sb://orders-bus.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;"
            "SharedAccessKey=DgBGX8h6YkvPDmKdWow+HZol0zY/x14aM7rnK8kaoL7=",
        ),
        false_samples=("SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=<key>",),
        tags=("azure",),
    ),
    Rule(
        id="azure-sas-token",
        description="Azure shared access signature (sv=...&sig=...)",
        regex=r"(?i)\bsv=\d{4}-\d\d-\d\d&[^\s\"'<>]{0,300}?\bsig=([A-Za-z0-9%+/]{40,120}(?:%3D|=){0,2})",
        keywords=("sig=",),
        secret_group=1,
        entropy=4.0,
        allowlists=(MASKED,),
        true_samples=(
            "https://stprodlogs.blob.core.windows.net/logs?sv=2022-11-02&ss=b&srt=co&sp=rl"
            "&se=2031-01-01T00:00:00Z&st=2024-01-01T00:00:00Z&spr=https&sig=ADUhvvtbiNbaDZqvehGDk7OjpBlwundh4a0kUKYwt6o%3D",
        ),
        false_samples=("https://stprodlogs.blob.core.windows.net/logs?sv=2022-11-02&sig=<signature>",),
        tags=("azure",),
    ),
    Rule(
        id="azure-ad-client-secret",
        description="Microsoft Entra ID (Azure AD) application client secret",
        regex=r"(?<![A-Za-z0-9_~.-])([A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?![A-Za-z0-9_~.-])",
        keywords=tuple(f"{d}q~" for d in range(10)),
        secret_group=1,
        entropy=3.5,
        allowlists=(MASKED, RUNS),
        true_samples=(
            "AZURE_CLIENT_SECRET=9kb8Q~dYNhkMmQE_GswrYsZUu56iwe6g08dfyCu0",
            '"clientSecret": "GpG7Q~hrrIK2uNUBeDZhHGZxRV9HQoBE3e59n"',
        ),
        false_samples=(
            "client_secret=bP88Q~xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~",
        ),
        tags=("azure",),
    ),
    Rule(
        id="azure-devops-pat",
        description="Azure DevOps personal access token",
        regex=(
            r"(?i)(?:azure[_-]?devops|ado|azdo|vsts|devops)[\w.-]{0,20}?(?:pat|token|password)"
            + ASSIGN
            + r"([a-z2-7]{52}|[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4})(?![A-Za-z0-9])"
        ),
        keywords=("devops", "ado_", "azdo", "vsts"),
        secret_group=1,
        entropy=3.5,
        allowlists=(MASKED, RUNS),
        true_samples=("AZURE_DEVOPS_PAT=q3n3xkfrl2vtab2kbiuou3h3pciuzgamtmgz4x6vjv6jjk4w7gvh",),
        false_samples=("AZURE_DEVOPS_PAT=$(System.AccessToken)",),
        tags=("azure",),
    ),
    Rule(
        id="azure-connection-string-password",
        description="Password inside an ADO.NET / ODBC / JDBC connection string",
        # After `;` the value may also end at a quote or the line's end (the last pair of a
        # string); elsewhere it must be followed by `;`. ODBC wraps values in braces: {p@ss;word}.
        regex=(
            r"(?i)(?:(;)\s*|[\"'\s]|^)(?:password|pwd)\s*=\s*(\{)?([^;\"'\s{}$%<>]{4,128})"
            r"(?(2)\}|(?(1)(?=[ \t]*(?:[;\"'\r\n]|$))|\s*;))"
        ),
        keywords=("password=", "pwd=", "password =", "pwd ="),
        secret_group=3,
        entropy=2.5,
        allowlists=(
            MASKED,
            Allowlist(
                regexes=(
                    r"(?i:^(?:password|passwd|pwd|secret|changeme|your\w*|my\w*|\*+|pass|test\w*|admin)$)",
                ),
                description="documentation placeholders",
            ),
            generic.TEMPLATE_REFERENCE,
            generic.PLACEHOLDER,
        ),
        true_samples=(
            '"Server=tcp:sql-prod.database.windows.net,1433;Database=orders;User ID=app;Password=tQCb2JNwnrbbHBUC6b;"',
            "Driver={ODBC Driver 18 for SQL Server};Server=db01;Uid=etl;Pwd=UM5YJu63f3xQsV;Encrypt=yes",
            '"Server=sql01.corp.local,1433;Database=Orders;User Id=svc_orders;Password=48BnQ-9Nxq1s7HJx7;TrustServerCertificate=True"',
            'conn_str = "DRIVER={ODBC Driver 18 for SQL Server};SERVER=10.20.4.11;DATABASE=ledger;UID=etl;PWD={k80Em+0f4Rqqxy}"',
            'cs = "Data Source=db02.corp.internal;Initial Catalog=crm;User ID=crm_app;Password=Vb7#qLm2Xz9w"',
            "spring.datasource.url=jdbc:sqlserver://db7.corp.internal:1433;databaseName=billing;user=app;password=DtGjX5XGhGbmutEq;encrypt=true",
        ),
        false_samples=(
            "Server=myServerAddress;Database=myDataBase;Uid=myUsername;Pwd=myPassword;",
            "Server=db01;User Id=app;Password=${DB_PASSWORD};",
            '"Server=myServerAddress;Database=myDataBase;User Id=myUsername;Password=myPassword;"',
            '"Data Source=.;Initial Catalog=app;Integrated Security=True;"',
            'cs = "Server=db01;Database=app;User Id=sa;Password={0}"',
            "Driver={SQL Server};Server=db01;Uid=sa;Pwd={password};",
            "jdbc:sqlserver://localhost:1433;databaseName=test;user=sa;password=${DB_PASSWORD}",
            'cs = "Server=db01;Uid=sa;Pwd=%s" % pw',
        ),
        tags=("azure", "connection-string"),
    ),
    Rule(
        id="azure-logic-app-trigger-url",
        description="Azure Logic Apps / Power Automate HTTP trigger URL (the sig= parameter is the key)",
        regex=(
            r"(?i)\.logic\.azure\.com(?::443)?/workflows/[0-9a-f]{32}/triggers/[^\s\"'<>]{0,300}?[?&]sig="
            r"((?-i:[A-Za-z0-9_-]{43}))(?![A-Za-z0-9_-])"
        ),
        keywords=("logic.azure.com",),
        secret_group=1,
        entropy=4.0,
        allowlists=(MASKED, RUNS),
        true_samples=(
            "WEBHOOK=https://prod-27.westeurope.logic.azure.com:443/workflows/3f9c2a7e41b85d06c9e4a1f7b3d28e50"
            "/triggers/manual/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0"
            "&sig=Qm7vT2kLp9Xz4Rb8Wn1Hc6Yd3Fj0Gs5Ue7Ai2Ko4Nqw",
        ),
        false_samples=(
            "https://prod-27.westeurope.logic.azure.com:443/workflows/3f9c2a7e41b85d06c9e4a1f7b3d28e50"
            "/triggers/manual/paths/invoke?api-version=2016-10-01&sv=1.0&sig=<signature>",
        ),
        tags=("azure",),
    ),
    Rule(
        id="azure-function-key-url",
        description="Azure Functions URL with its function or host key (?code=...)",
        regex=(
            r"(?i)[\w-]+\.azurewebsites\.net/api/[^\s\"'<>?]{1,200}\?(?:[^\s\"'<>#]{0,300}?&)?code="
            r"((?-i:[A-Za-z0-9_/+-]{40,100})(?:==|%3D%3D)?)(?![A-Za-z0-9_/+=%-])"
        ),
        keywords=("azurewebsites.net",),
        secret_group=1,
        entropy=4.0,
        allowlists=(MASKED, RUNS, generic.TEMPLATE_REFERENCE),
        true_samples=(
            'FUNC_URL="https://orders-api-prod.azurewebsites.net/api/HttpIngest?code='
            'vK3p9Qz7Lw2Tn5Rb8Xc1Hd4Fj6Gm0Ns3Ue7Ai9Ko2Yq5Zr8Bt1Cw4Dv7Ex0Fy=="',
        ),
        false_samples=(
            "https://orders-api-prod.azurewebsites.net/api/HttpIngest?code=<function-key>",
            "https://orders-api-prod.azurewebsites.net/api/HttpIngest?code=${FUNCTION_KEY}",
        ),
        tags=("azure",),
    ),
)
