"""Amazon Web Services: access key ids, secret access keys, session tokens, Bedrock API keys, MWS."""

from __future__ import annotations

from secretsfile.scanner.model import Allowlist, Rule

from ._common import ASSIGN, DOCS, END, END_B64, MASKED, RUNS

RULES: tuple[Rule, ...] = (
    Rule(
        id="aws-access-key-id",
        description="AWS access key id (long-term AKIA, temporary ASIA, and other IAM unique ids)",
        regex=r"(?<![A-Z0-9])((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?![A-Z0-9])",
        keywords=("akia", "asia", "abia", "acca", "a3t"),
        secret_group=1,
        allowlists=(
            DOCS,
            RUNS,
            Allowlist(
                regexes=(r"^[A-Z0-9]{4}[A-Z]{16}$",),
                description="all letters: words such as ASIAANDPACIFICREGION, not base32 ids",
            ),
        ),
        true_samples=(
            "aws_access_key_id = AKIASZ4CEUV32RIJ6OWJ",
            'export AWS_ACCESS_KEY_ID="ASIA37637I7IFPR22MY2"',
        ),
        false_samples=(
            "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
            "region = ASIAANDPACIFICREGION",
            "key = AKIAXXXXXXXXXXXXXXXX",
        ),
        tags=("aws",),
    ),
    Rule(
        id="aws-secret-access-key",
        description="AWS secret access key assigned to an AWS-named setting",
        regex=(
            r"(?i)aws[\w.-]{0,20}?(?:secret|sk)" + ASSIGN + r"([A-Za-z0-9/+]{40})" + END_B64
        ),
        keywords=("aws",),
        secret_group=1,
        entropy=4.0,
        allowlists=(DOCS, MASKED, RUNS),
        true_samples=(
            "aws_secret_access_key = pP78EqOa0EDQH+4nSwjbiB6MlnMMdt/hM120Lnp4",
            'AWS_SECRET_ACCESS_KEY: "nIk3u1cSdUz+J7NzsQd3I/Zp8UyUVCzNAiNjFLbM"',
            '{"awsSecretKey": "q126KIE0kJLaDipFwdHQ3RJG2xVaqTibzT5id77M"}',
        ),
        false_samples=(
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "AWS_SECRET_ACCESS_KEY = R6WCNd0erkAuZyD+Fe8C4IwjpYQtniKqnHAzE7Pk5fPrBRpwOnuYxA==",
            "aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY}",
        ),
        tags=("aws",),
    ),
    Rule(
        id="aws-session-token",
        description="AWS temporary session token",
        regex=r"(?i)aws[\w.-]{0,10}?session[\w.-]{0,4}?token" + ASSIGN + r"([A-Za-z0-9/+=]{100,2000})",
        keywords=("session_token", "sessiontoken", "session-token"),
        secret_group=1,
        entropy=4.5,
        allowlists=(MASKED, RUNS),
        true_samples=(
            "aws_session_token = IQoJb3JpZ2luX2VjEu9DE4qEtlnqlBjOxlyKtrjArRY6WalGCy9HjzasupGfTEC8GNCsclqqFJ13CP1xHn2iFRskiWOWVrTJgrzefjk1GY2S1ZkjTmU5e+ldVL09utuDXrJxERpqc/7Kc1caQFCZ2AItH/VPME341UoaYuLa52r/MFxtwWBI+ttuggaK3cGFT33zQ==",
        ),
        false_samples=(
            "aws_session_token = ${AWS_SESSION_TOKEN}",
            "aws_session_token = IQoJb3JpZ2luX2VjE",
        ),
        tags=("aws",),
    ),
    Rule(
        id="aws-bedrock-api-key",
        description="Amazon Bedrock long-term API key",
        regex=r"(?<![A-Za-z0-9+/])(ABSKQmVkcm9ja0FQSUtleS[A-Za-z0-9+/]{100,260}={0,2})(?![A-Za-z0-9+/=])",
        keywords=("absk",),
        secret_group=1,
        allowlists=(MASKED,),
        true_samples=("BEDROCK_API_KEY=ABSKQmVkcm9ja0FQSUtleS1WimoXSINyThOsWczGx3s2VoDV063dZBCznk0Z26juiu0CUuXyfexPa7GY/z2PN2zT2m83LSjVQ0iyQWBvNDkoIZcgph1gh/Y7oj784qWF+bYQq=",),
        false_samples=("BEDROCK_API_KEY=ABSKQmVkcm9ja0FQSUtleS1EXAMPLE",),
        tags=("aws",),
    ),
    Rule(
        id="aws-bedrock-short-term-api-key",
        description="Amazon Bedrock short-term API key (a presigned bedrock.amazonaws.com URL)",
        regex=r"(bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29t[A-Za-z0-9+/=%]{0,4000})" + END,
        keywords=("bedrock-api-key-",),
        secret_group=1,
        true_samples=(
            "AWS_BEARER_TOKEN_BEDROCK=bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29tLz9BY3Rpb249a8Dik9ur7o928l3ec+27T9kDGzVmtsC0sJB24XIEfDpAlh2XZ5qBa4peIK7gnvr5TrHzN88GNHke/yMu",
        ),
        false_samples=(
            "# keys look like bedrock-api-key-...",
            "bedrock-api-key-YmVkcm9jay5hbWF6b25hd3MuY29x",
        ),
        tags=("aws",),
    ),
    Rule(
        id="aws-mws-auth-token",
        description="Amazon Marketplace Web Service auth token",
        regex=r"(amzn\.mws\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",
        keywords=("amzn.mws.",),
        secret_group=1,
        true_samples=("MWS_AUTH_TOKEN=amzn.mws.0033235a-befc-b7b2-b965-caa3ab2001b0",),
        false_samples=("token prefix is amzn.mws. followed by a uuid",),
        tags=("aws",),
    ),
)
