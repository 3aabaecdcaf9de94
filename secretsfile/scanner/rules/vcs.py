"""Source hosting: GitHub (every token kind), GitLab (every token kind), Bitbucket and Atlassian."""

from __future__ import annotations

from secretsfile.scanner.model import Rule

from ._common import ASSIGN, END, MASKED, RUNS, SEQUENTIAL

_STD = (MASKED, RUNS, SEQUENTIAL)

RULES: tuple[Rule, ...] = (
    Rule(
        id="github-pat",
        description="GitHub personal access token (classic)",
        regex=r"(?<![A-Za-z0-9_])(ghp_[A-Za-z0-9]{36,255})" + END,
        keywords=("ghp_",),
        secret_group=1,
        entropy=3.5,
        allowlists=_STD,
        true_samples=("GITHUB_TOKEN=ghp_ztfpFshAflyDwKx7LtqQ6b76DqxfTpppGoJ0", "git clone https://ghp_9rjnGbcS70ufIrFKUqcVmz5fmZ9FDMeC3hLr@github.com/acme/app.git"),
        false_samples=("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "foo_JCMI0c2FudHzm9tQcee7xfD2GuEbNbJIVWz1"),
        tags=("github",),
    ),
    Rule(
        id="github-fine-grained-pat",
        description="GitHub fine-grained personal access token",
        regex=r"(?<![A-Za-z0-9_])(github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})" + END,
        keywords=("github_pat_",),
        secret_group=1,
        entropy=3.5,
        allowlists=_STD,
        true_samples=('token: "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"',),
        false_samples=(
            "github_pat_xxxxxxxxxxxxxxxxxxxxxx_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ),
        tags=("github",),
    ),
    Rule(
        id="github-oauth-token",
        description="GitHub OAuth access token",
        regex=r"(?<![A-Za-z0-9_])(gho_[A-Za-z0-9]{36,255})" + END,
        keywords=("gho_",),
        secret_group=1,
        entropy=3.5,
        allowlists=_STD,
        true_samples=("oauth_token: gho_6BdLmtQ0FHONyO527sC8WPlWRhhnNiVROprN",),
        false_samples=("gho_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",),
        tags=("github",),
    ),
    Rule(
        id="github-app-token",
        description="GitHub App user-to-server or installation (server-to-server) token",
        regex=r"(?<![A-Za-z0-9_])(gh[us]_[A-Za-z0-9]{36,255}|ghs_\d{1,12}_eyJ[A-Za-z0-9_.-]{40,2000})" + END,
        keywords=("ghu_", "ghs_"),
        secret_group=1,
        entropy=3.5,
        allowlists=_STD,
        true_samples=("GH_APP_TOKEN=ghs_Caqxwtc8CgCLqi0oGoq0LOQvCqhm5HtttYG4", 'user_token = "ghu_JbtIz8d7lbTdDba32a7vJllfDF1ro0tkhJk7"'),
        false_samples=("ghu_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "ghs_"),
        tags=("github",),
    ),
    Rule(
        id="github-refresh-token",
        description="GitHub App refresh token",
        regex=r"(?<![A-Za-z0-9_])(ghr_[A-Za-z0-9]{36,255})" + END,
        keywords=("ghr_",),
        secret_group=1,
        entropy=3.5,
        allowlists=_STD,
        true_samples=('"refresh_token": "ghr_SsnVk9VlZmhfClkgWba0nUTE5MJNLjfsdAMhCGzmODq6Wd6ZyjVfro4vUFEIqpuVA7E5iAf9hJc3"',),
        false_samples=("ghr_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",),
        tags=("github",),
    ),
    Rule(
        id="gitlab-pat",
        description="GitLab personal, project or group access token",
        regex=r"(?<![A-Za-z0-9_])(glpat-(?:[A-Za-z0-9_-]{27,300}\.[0-9a-z]{2}[0-9a-z]{7}|[A-Za-z0-9_-]{20,64}))" + END,
        keywords=("glpat-",),
        secret_group=1,
        entropy=3.0,
        allowlists=_STD,
        true_samples=("GITLAB_TOKEN=glpat-Ktfd792eS5llODLZHvb6", "glpat-NMWU0gWmwtfeS4ZXDacy_RlZ569NvqKrKBy6.01.h8i4dok"),
        false_samples=("glpat-XXXXXXXXXXX-XXXXXXXX", "glpat-abc", "glpat-hellOWorld380 testin"),
        tags=("gitlab",),
    ),
    Rule(
        id="gitlab-deploy-token",
        description="GitLab deploy token",
        regex=r"(?<![A-Za-z0-9_])(gldt-[A-Za-z0-9_-]{20,64})" + END,
        keywords=("gldt-",),
        secret_group=1,
        entropy=3.0,
        allowlists=_STD,
        true_samples=("CI_DEPLOY_PASSWORD=gldt-oBbFRtDCxdi2GaAoLW1s",),
        false_samples=("gldt-seems_too000Sshorty",),
        tags=("gitlab",),
    ),
    Rule(
        id="gitlab-runner-token",
        description="GitLab runner authentication or registration token",
        regex=(
            r"(?<![A-Za-z0-9_])(glrt-(?:t\d_)?[A-Za-z0-9_-]{20,300}(?:\.[0-9a-z]{9})?"
            r"|GR1348941[A-Za-z0-9_-]{20,50})" + END
        ),
        keywords=("glrt-", "gr1348941"),
        secret_group=1,
        entropy=3.0,
        allowlists=_STD,
        true_samples=("token = \"glrt-t1_jLkjhcdTWGeCf1WaIFsv9nUCrsx\"", "registration-token: GR1348941SvyaTusKu6DwUZG1vuLf"),
        false_samples=("GR134894112312312312312312312", "GR1348941XXXXXXXXXXXXXXXXXXXX", "GR1348941helloWord0"),
        tags=("gitlab",),
    ),
    Rule(
        id="gitlab-ci-job-token",
        description="GitLab CI/CD job token or pipeline trigger token",
        regex=r"(?<![A-Za-z0-9_])(glcbt-(?:[0-9a-fA-F]{1,5}_)?[A-Za-z0-9_-]{20}|glptt-[A-Za-z0-9_-]{40})" + END,
        keywords=("glcbt-", "glptt-"),
        secret_group=1,
        entropy=3.0,
        allowlists=_STD,
        true_samples=("curl -X POST -F token=glptt-2fb88f6c3a22170a1acf4d2cd831bf80926c3886 -F ref=main https://gitlab.example.com/api/v4/projects/9/trigger/pipeline",),
        false_samples=("glptt-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "glptt-hellOworld380_testin"),
        tags=("gitlab",),
    ),
    Rule(
        id="gitlab-other-token",
        description="GitLab SCIM/OAuth/agent/incoming-mail/feed/feature-flag/kubernetes-agent tokens",
        regex=(
            r"(?<![A-Za-z0-9_])(glsoat-[A-Za-z0-9_-]{20,50}|gloas-[A-Za-z0-9_-]{64}|glagent-[A-Za-z0-9_-]{50,1024}"
            r"|glimt-[A-Za-z0-9_-]{25}|glft-[A-Za-z0-9_-]{20}|glffct-[A-Za-z0-9_-]{20}|gloas-[A-Za-z0-9_-]{64})" + END
        ),
        keywords=("glsoat-", "gloas-", "glagent-", "glimt-", "glft-", "glffct-"),
        secret_group=1,
        entropy=3.0,
        allowlists=_STD,
        true_samples=("GITLAB_AGENT_TOKEN=glagent-W1bXdgyF14CJ_H0P6sWiIKCCoQp-FxiH1DUcqo76ciqBLH2Fu9", "scim_token: glsoat-69Ry6hVuQs9COEF-RTxB", "feed_token=glft--42qpCtIXf5wFe6vPYEv"),
        false_samples=("glagent-hellOworld380_testin", "gloas-checking_Length-Is-checking_Length-Is-"),
        tags=("gitlab",),
    ),
    Rule(
        id="bitbucket-app-password",
        description="Bitbucket app password or repository/workspace access token",
        regex=r"(?<![A-Za-z0-9_])(ATBB[A-Za-z0-9_=.-]{28,40}|ATCTT3xFfGN0[A-Za-z0-9_=-]{150,300})" + END,
        keywords=("atbb", "atctt3xffgn0"),
        secret_group=1,
        entropy=3.5,
        allowlists=_STD,
        true_samples=("BITBUCKET_APP_PASSWORD=ATBB0VNAWOBFwiH8sYE1R7VdWIq4pnCQEtOZ",),
        false_samples=("ATBBxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",),
        tags=("bitbucket",),
    ),
    Rule(
        id="atlassian-api-token",
        description="Atlassian (Jira, Confluence, Bitbucket Cloud) API token",
        regex=r"(?<![A-Za-z0-9_])(ATATT3xFfGF0[A-Za-z0-9_=-]{100,300})",
        keywords=("atatt3xffgf0",),
        secret_group=1,
        entropy=3.5,
        allowlists=_STD,
        true_samples=("JIRA_API_TOKEN=ATATT3xFfGF00THcHWaEhTQCfU-a26H_NW_XKo1Nv-Vl6PwDNofc-B2Pq2lqOTSfdzhMo2NNf26-mVnk1ECx4OoHglRvTQcvuF7HWjKcaff5GWTuvwBcwyvxmR4T8WrsdPtMe3Qf1LQz6PxXmEvBlKMAQyGObTixOdT8jI4Dr04XCZW_o1CqNw=F16AAF69",),
        false_samples=("getPagesInConfluenceSpace,searchConfluenceUsingCql",),
        tags=("atlassian", "bitbucket"),
    ),
    Rule(
        id="jenkins-api-token",
        description="Jenkins API token named for Jenkins or passed to jenkins-cli -auth (the crumb is not a secret)",
        regex=(
            r"(?i:jenkins[\w.-]{0,30}?(?:api[_.-]?)?(?:token|key|pass(?:word)?)" + ASSIGN
            + r"|jenkins-cli\.jar\b[^\n]{0,200}?[ \t]-auth[ \t]+[^\s:@]{1,64}:)"
            r"(11[a-f0-9]{32}|[a-f0-9]{32})(?![A-Za-z0-9])"
        ),
        keywords=("jenkins",),
        secret_group=1,
        entropy=3.0,
        allowlists=_STD,
        true_samples=(
            "JENKINS_API_TOKEN=11d4731471cde3a21b399c08eb7b1344d1",
            "java -jar jenkins-cli.jar -s https://jenkins.corp.internal/ -auth ci-bot:11b684b0be36202cb0171b84fc8f36e5b6 build deploy-prod",
        ),
        false_samples=(
            "JENKINS_API_TOKEN=${JENKINS_TOKEN}",
            '"Jenkins-Crumb": "cdec0b84a8175ad46c256414327a33a3862012a3c0dbcf10b45d2f64525d78e2"',
        ),
        tags=("jenkins",),
    ),
)
