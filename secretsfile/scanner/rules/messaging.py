"""Messaging and email: Slack, Discord, Telegram, SendGrid, Mailgun, Mailchimp, Twilio, Brevo, Postmark."""

from __future__ import annotations

from secretsfile.scanner.model import Allowlist, Rule

from ._common import ASSIGN, DOCS, MASKED, RUNS, SEQUENTIAL

_STD = (MASKED, RUNS, SEQUENTIAL)

RULES: tuple[Rule, ...] = (
    Rule(
        id="slack-bot-token",
        description="Slack bot token",
        regex=r"(?<![A-Za-z0-9_-])(xoxb-\d{8,14}-(?:\d{8,14}-)?[A-Za-z0-9]{18,34})(?![A-Za-z0-9-])",
        keywords=("xoxb-",),
        secret_group=1,
        allowlists=(MASKED, Allowlist(regexes=(r"-([A-Za-z0-9])\1{7,}$",), description="filler tail")),
        true_samples=("SLACK_BOT_TOKEN=xoxb-911413785766-9355970440077-sW1gOjF9ZSWErz6FjGYWv8tO",),
        false_samples=("xoxb-xxxxxxxxx-xxxxxxxxxx-xxxxxxxxxxxx", "xoxb-12345-abcd234", "xoxb-Slack_BOT_TOKEN"),
        tags=("slack",),
    ),
    Rule(
        id="slack-user-token",
        description="Slack user (xoxp) or enterprise (xoxe) token",
        regex=r"(?<![A-Za-z0-9_-])(xox[pe]-\d{8,14}-\d{8,14}-\d{8,14}-[A-Za-z0-9]{28,34})(?![A-Za-z0-9-])",
        keywords=("xoxp-", "xoxe-"),
        secret_group=1,
        allowlists=_STD,
        true_samples=('"token": "xoxp-03571322204-4507203491-40534876568-9a1fc11f947efc486f2dab3be76e5193"',),
        false_samples=('"token": "xoxp-1234-1234-1234-4ddbc191d40ee098cbaae6f3523ada2d"', '"token1": "xoxp-1234567890"'),
        tags=("slack",),
    ),
    Rule(
        id="slack-legacy-token",
        description="Slack legacy workspace, session, OAuth or refresh token (xoxa/xoxo/xoxr/xoxs)",
        regex=(
            r"(?<![A-Za-z0-9_-])(xox[aors]-(?:\d-)?\d{6,14}-\d{6,14}(?:-\d{6,14})?(?:-[A-Za-z0-9]{8,64})?)"
            r"(?![A-Za-z0-9-])"
        ),
        keywords=("xoxa-", "xoxo-", "xoxr-", "xoxs-"),
        secret_group=1,
        allowlists=(MASKED,),
        true_samples=("SLACK_TOKEN=xoxs-406540031679-431097239-0013944091-faec6d8092",),
        false_samples=("https://github.com/xoxa-nyc/xoxa-nyc.github.io/blob/master/README.md",),
        tags=("slack",),
    ),
    Rule(
        id="slack-app-token",
        description="Slack app-level token",
        regex=r"(?<![A-Za-z0-9_-])(xapp-\d-[A-Za-z0-9]{9,13}-\d{10,14}-[A-Za-z0-9]{30,70})(?![A-Za-z0-9-])",
        keywords=("xapp-",),
        secret_group=1,
        allowlists=_STD,
        true_samples=("SLACK_APP_TOKEN=xapp-1-A0602AKZ5T0-3454436700113-b6bd7730527e57d968529b46dc8fe2f87440f696c9bb1cc6740f1fedee7599dc",),
        false_samples=("SLACK_APP_TOKEN=xapp-1-...",),
        tags=("slack",),
    ),
    Rule(
        id="slack-config-token",
        description="Slack app configuration access or refresh token",
        regex=r"(?<![A-Za-z0-9_-])(xoxe\.xox[bp]-\d-[A-Za-z0-9]{100,200}|xoxe-\d-[A-Za-z0-9]{100,200})(?![A-Za-z0-9-])",
        keywords=("xoxe.xox", "xoxe-"),
        secret_group=1,
        entropy=3.5,
        allowlists=_STD,
        true_samples=("SLACK_CONFIG_TOKEN=xoxe.xoxp-1-Hr1ceUm9yhnE5burv3LDyD7yrMAcdKm0TQFDIuUezXd724i8w6yIsjU9dxF2Xylb18w6yUfrd7Oej5bQK4FxQHGhPmTwk78mqC8srFOjxsnK2cO4EHKESg5uvWKBabt67koO78Zaa2kqU74hCJbtZmnysPjykIPdpUM",),
        false_samples=("xoxe.xoxp-1-SlackAppConfigurationAccessTokenHere", "xoxe-1-xxx"),
        tags=("slack",),
    ),
    Rule(
        id="slack-webhook-url",
        description="Slack incoming webhook or workflow trigger URL",
        regex=r"(?i)(https?://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_+/-]{38,})",
        keywords=("hooks.slack.com",),
        secret_group=1,
        allowlists=_STD,
        true_samples=("SLACK_WEBHOOK=https://hooks.slack.com/services/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",),
        false_samples=("https://hooks.slack.com/services/TXXXXX/BXXXXX/XXXXXXXXXX",),
        tags=("slack",),
    ),
    Rule(
        id="discord-bot-token",
        description="Discord bot token assigned to a Discord-named setting",
        regex=(
            r"(?i)discord[\w.-]{0,20}?(?:token|secret|key)" + ASSIGN
            + r"((?-i:[MNO][A-Za-z0-9_-]{23,27})\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40})(?![A-Za-z0-9_-])"
        ),
        keywords=("discord",),
        secret_group=1,
        entropy=3.5,
        allowlists=_STD,
        true_samples=("DISCORD_BOT_TOKEN=MTI7XEdtOhCCBSscDzv5lx8f1L.GGewna.0ELhNDZEKEe8YQYqHT6Y7XwedOAh_dcP1gZC2V",),
        false_samples=("DISCORD_BOT_TOKEN=your-bot-token",),
        tags=("discord",),
    ),
    Rule(
        id="discord-webhook-url",
        description="Discord webhook URL",
        regex=r"(https://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/\d{17,20}/[A-Za-z0-9_-]{60,80})",
        keywords=("discord",),
        secret_group=1,
        allowlists=_STD,
        true_samples=("DISCORD_WEBHOOK=https://discord.com/api/webhooks/6364240845588020760/EYbD5ZSypnoWVY2Qi_37Il3h3GcCyaWvZx-utrtpYFM0gg3LOZ_YUPm6lOxdgzwS75ba",),
        false_samples=("https://discord.com/api/webhooks/{id}/{token}",),
        tags=("discord",),
    ),
    Rule(
        id="discord-client-secret",
        description="Discord OAuth client secret",
        regex=r"(?i)discord[\w.-]{0,20}?(?:client[_.-]?)?secret" + ASSIGN + r"([A-Za-z0-9_-]{32})(?![A-Za-z0-9_-])",
        keywords=("discord",),
        secret_group=1,
        entropy=3.5,
        allowlists=_STD,
        true_samples=("DISCORD_CLIENT_SECRET=NlOIOuw3VhIEzWOQf3uTXN4Pqv9Hv8TG",),
        false_samples=("discord=00000000000000000000000000000000",),
        tags=("discord",),
    ),
    Rule(
        id="telegram-bot-token",
        description="Telegram bot API token",
        regex=r"(?<![A-Za-z0-9_:])(\d{8,10}:AA[A-Za-z0-9_-]{33})(?![A-Za-z0-9_-])",
        keywords=(":aa",),
        secret_group=1,
        entropy=3.5,
        allowlists=_STD,
        true_samples=("TELEGRAM_BOT_TOKEN=2043698380:AA7q6kMD901LJFO4CgOhBxPUJsPFiZ5yBmR",),
        false_samples=("bot110201543:AAHdqTcvCH1vGWJxfSe1ofSAs0K5PALDsaw", "foo:AAH1bjqpKKW3maRSPAxzIU-0v6xNuq2-NjM"),
        tags=("telegram",),
    ),
    Rule(
        id="sendgrid-api-key",
        description="SendGrid API key",
        regex=r"(?<![A-Za-z0-9_-])(SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])",
        keywords=("sg.",),
        secret_group=1,
        entropy=3.5,
        allowlists=_STD,
        true_samples=("SENDGRID_API_KEY=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",),
        false_samples=("SG.ngeVfQFYQlKU0ufo8x5d1A..TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr",),
        tags=("sendgrid",),
    ),
    Rule(
        id="mailgun-private-api-key",
        description="Mailgun private API key (key- prefix)",
        regex=r"(?<![A-Za-z0-9_-])(key-[0-9a-f]{32})(?![A-Za-z0-9])",
        keywords=("key-",),
        secret_group=1,
        entropy=3.0,
        allowlists=_STD,
        true_samples=("MAILGUN_API_KEY=key-17f3f9edff46ad0061c63df4ea0c73a4",),
        false_samples=("MAILGUN_API_KEY=key-<your key>", "monkey-377ec2d5ba8b8a86fff6d24f34e2f3a9"),
        tags=("mailgun",),
    ),
    Rule(
        id="mailgun-api-key",
        description="Mailgun API key or webhook signing key assigned to a Mailgun-named setting",
        regex=(
            r"(?i)mailgun[\w.-]{0,20}?(?:api[_.-]?key|key|secret|token)" + ASSIGN
            + r"([0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8})(?![A-Za-z0-9])"
        ),
        keywords=("mailgun",),
        secret_group=1,
        entropy=3.0,
        allowlists=_STD,
        true_samples=("mailgun_api_key: 4782abb869e9849ef96f2d9eaadb27bf-af8b39f2-3fe982c7",),
        false_samples=("MAILGUN_API_KEY=${MAILGUN_API_KEY}",),
        tags=("mailgun",),
    ),
    Rule(
        id="mailchimp-api-key",
        description="Mailchimp (Intuit) API key",
        regex=r"(?<![A-Za-z0-9_-])([0-9a-f]{32}-us\d{1,2})(?![A-Za-z0-9])",
        keywords=("-us",),
        secret_group=1,
        entropy=3.0,
        allowlists=_STD,
        true_samples=("MAILCHIMP_API_KEY=1144b75f72f05f26e3cf02856bbf5651-us21",),
        false_samples=("3ea4572956e2b381923ed34c31db76aa-2", "9276a43e2951aa46e2b1c33ED38357DB-us2"),
        tags=("mailchimp",),
    ),
    Rule(
        id="twilio-api-key",
        description="Twilio API key SID or auth token assigned to a Twilio-named setting",
        regex=(
            r"(?i)twilio[\w.-]{0,20}?(?:auth[_.-]?token|api[_.-]?key|secret|token|key)" + ASSIGN
            + r"((?-i:SK)[0-9a-fA-F]{32}|[0-9a-f]{32})(?![A-Za-z0-9])"
        ),
        keywords=("twilio",),
        secret_group=1,
        entropy=3.0,
        allowlists=_STD,
        true_samples=("TWILIO_AUTH_TOKEN=1b7c64c244859c443a68e8d57997e762", "twilio_api_key: SK5b410580ccc6f9ae91daaa1cbdfec647"),
        false_samples=("TWILIO_AUTH_TOKEN=${TWILIO_AUTH_TOKEN}",),
        tags=("twilio",),
    ),
    Rule(
        id="brevo-api-key",
        description="Brevo (Sendinblue) API or SMTP key",
        regex=r"(?<![A-Za-z0-9_-])(xkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}|xsmtpsib-[a-f0-9]{64}-[A-Za-z0-9]{16})",
        keywords=("xkeysib-", "xsmtpsib-"),
        secret_group=1,
        allowlists=_STD,
        true_samples=("BREVO_API_KEY=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",),
        false_samples=("BREVO_API_KEY=xkeysib-...",),
        tags=("brevo",),
    ),
    Rule(
        id="postmark-server-token",
        exempt_filters=("uuid",),
        description="Postmark server or account token (UUID) assigned to a Postmark-named setting",
        regex=(
            r"(?i)postmark[\w.-]{0,20}?(?:token|key)" + ASSIGN
            + r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?![0-9a-f-])"
        ),
        keywords=("postmark",),
        secret_group=1,
        allowlists=(*_STD, DOCS),
        true_samples=("POSTMARK_SERVER_TOKEN=6b8fae99-67d7-9196-6f6d-f7e9dfd77b79",),
        false_samples=("POSTMARK_SERVER_TOKEN=POSTMARK_API_TEST",),
        tags=("postmark", "uuid-secret"),
    ),
    Rule(
        id="messagebird-api-key",
        exempt_filters=("uuid",),
        description="MessageBird (Bird) API key or client id assigned to a MessageBird-named setting",
        regex=(
            r"(?i)message[_.-]?bird[\w.-]{0,20}?(?:api[_.-]?key|key|token|client[_.-]?id)" + ASSIGN
            + r"([A-Za-z0-9]{25}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
            + r"(?![A-Za-z0-9-])"
        ),
        keywords=("messagebird", "message_bird", "message-bird"),
        secret_group=1,
        allowlists=(*_STD, DOCS),
        true_samples=("MESSAGEBIRD_API_KEY=t8PMHWBMhRkZOzksZud7BdcBh", "message_bird_token: 1bbd9f39-ce93-bf14-42b5-e4ade17445b0"),
        false_samples=("MESSAGEBIRD_API_KEY=${MESSAGEBIRD_API_KEY}",),
        tags=("messagebird", "uuid-secret"),
    ),
    Rule(
        id="discord-bot-token-shape",
        description="Discord bot token whose first part decodes to a numeric bot id (no name needed)",
        # The first part is the base64 of a 17-20 digit snowflake: each group of three ASCII
        # digits encodes as [MNO][DTjz][AEIMQUYcgk][w-z0-5] (a last lone digit as [MNO][AQgw]),
        # which random text rarely repeats five times.
        regex=(
            r"(?<![A-Za-z0-9_.-])((?:[MNO][DTjz][AEIMQUYcgk][w-z0-5]){5}"
            r"[MNO][DTjz][AEIMQUYcgk](?:[w-z0-5](?:[MNO](?:[AQgw]|[DTjz][AEIMQUYcgk]))?)?"
            r"\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40})(?![A-Za-z0-9_.-])"
        ),
        keywords=("discord", "token", ".run("),
        secret_group=1,
        entropy=3.5,
        allowlists=_STD,
        true_samples=(
            'bot.run("NzcxMzU5MTM0OTM4MDI2NTI3Ng.F5gGJt.WSN2VVJR70lBBNxaJphF3HFk4kN8u23POMRVs4")',
            "BOT_TOKEN=NzA4NjE1NDQ3MDY4NTI1Mjcx.nPiDSc.ilH-wPM1jehq4JxPHjDfs_6Agi1",
        ),
        false_samples=(
            'bot.run(os.environ["DISCORD_TOKEN"])',
            "BOT_TOKEN=MTI7XEdtOhCCBSscDzv5lx8f1L.GGewna.0ELhNDZEKEe8YQYqHT6Y7XwedOAh_dcP1gZC2V",
        ),
        tags=("discord",),
    ),
    Rule(
        id="teams-incoming-webhook",
        description="Microsoft Teams / Outlook (Office 365 connector) incoming webhook URL",
        regex=(
            r"(https://(?:[A-Za-z0-9-]{1,63}\.webhook\.office\.com/webhookb2|outlook\.office(?:365)?\.com/webhook)/"
            r"[0-9a-fA-F-]{36}@[0-9a-fA-F-]{36}/IncomingWebhook/[0-9a-f]{32}/[0-9a-fA-F-]{36}"
            r"(?:/[A-Za-z0-9_-]{20,80})?)(?![A-Za-z0-9_-])"
        ),
        keywords=("incomingwebhook",),
        secret_group=1,
        allowlists=_STD,
        true_samples=(
            "TEAMS_WEBHOOK=https://fabrikam.webhook.office.com/webhookb2/f9dd6cb3-ccfd-4dcc-8a05-e64ef0db17d5@e7018db6-983a-4613-9e2f-dae3a379ed11/IncomingWebhook/f56dd6a132ccf9e3d7b6cc7688a9c491/1a0236ec-dc2d-454c-9561-9917dfaf04f3/V2YG5nEIEXNt72_s0k4eyRzRYUrRVqu_P1uyt6QoDqATuL",
            '"url": "https://outlook.office.com/webhook/cc545922-59f8-4dd2-9381-2e809fc5b9ce@4ae426e6-fffd-4aa2-a37a-6bcab8769b88/IncomingWebhook/87d9d7506daa8f884f791edebe8e8b53/65cf47c3-2420-4825-952f-800289905d85"',
        ),
        false_samples=(
            "https://contoso.webhook.office.com/webhookb2/<group-id>@<tenant-id>/IncomingWebhook/<id>/<uuid>",
            "https://contoso.webhook.office.com/webhookb2/00000000-0000-0000-0000-000000000000@00000000-0000-0000-0000-000000000000/IncomingWebhook/00000000000000000000000000000000/00000000-0000-0000-0000-000000000000",
        ),
        tags=("teams", "microsoft"),
    ),
    Rule(
        id="twitch-stream-key",
        description="Twitch stream key (live_<channel id>_<key>)",
        regex=r"(?<![A-Za-z0-9_-])(live_\d{6,12}_[A-Za-z0-9]{30})(?![A-Za-z0-9_-])",
        keywords=("live_",),
        secret_group=1,
        entropy=3.5,
        allowlists=_STD,
        true_samples=(
            "ffmpeg -re -i in.mp4 -f flv rtmp://live.twitch.tv/app/live_865841289_B5kbhbIHmw02gnLXFiniClEvVjIMSN",
            'stream_key: "live_354120235_iNe7suPFbRkDpC2Yzjd3Df87cOvzu1"',
        ),
        false_samples=("rtmp://live.twitch.tv/app/{stream_key}", "stream_key: live_123456789_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
        tags=("twitch",),
    ),
    Rule(
        id="twitch-chat-oauth",
        description="Twitch chat (IRC) OAuth token",
        regex=(
            r"(?<![A-Za-z0-9_-])(oauth:(?=[a-z]{0,29}[0-9])(?=[0-9]{0,29}[a-z])[a-z0-9]{30})(?![A-Za-z0-9_-])"
        ),
        keywords=("oauth:",),
        secret_group=1,
        entropy=3.5,
        allowlists=_STD,
        true_samples=("TWITCH_CHAT_TOKEN=oauth:ecx4ai628umf4rh6on4bholh90q83k", "PASS oauth:ubd6ea3046xyjdggpg8tgr6gjqve9k"),
        false_samples=("TWITCH_CHAT_TOKEN=oauth:your_token_here", "oauth:authorizationserverconfiguration"),
        tags=("twitch",),
    ),
    Rule(
        id="zapier-webhook-url",
        description="Zapier catch hook URL",
        regex=r"(https://hooks\.zapier\.com/hooks/catch/\d{3,12}/[A-Za-z0-9]{5,12})(?![A-Za-z0-9_-])",
        keywords=("hooks.zapier.com",),
        secret_group=1,
        entropy=2.5,
        allowlists=_STD,
        true_samples=(
            'requests.post("https://hooks.zapier.com/hooks/catch/93152332/9fjwys8/", json=event)',
            "ZAPIER_HOOK=https://hooks.zapier.com/hooks/catch/25720910/nttfbj0/",
        ),
        false_samples=("https://hooks.zapier.com/hooks/catch/<account>/<hook>/", "https://hooks.zapier.com/hooks/catch/123/xxxxxxx/"),
        tags=("zapier",),
    ),
    Rule(
        id="mattermost-webhook-url",
        description="Mattermost or Rocket.Chat incoming webhook URL",
        regex=(
            r"(https?://[A-Za-z0-9.-]{1,253}(?::\d{1,5})?/hooks/"
            r"(?:(?=[a-z]{0,25}[0-9])(?=[0-9]{0,25}[a-z])[a-z0-9]{26}|[A-Za-z0-9]{17}/[A-Za-z0-9]{48}))"
            r"(?![A-Za-z0-9_-])"
        ),
        keywords=("/hooks/",),
        secret_group=1,
        entropy=3.0,
        allowlists=_STD,
        true_samples=(
            "MATTERMOST_WEBHOOK=https://chat.fabrikam.io/hooks/eqrh9le2fzy3ry1f8lv6kn7vco",
            'requests.post("https://chat.corp.internal/hooks/m48b27ytpk4dtp3vh7frgfthnd", json=msg)',
            "ROCKETCHAT_HOOK=https://rocket.fabrikam.io/hooks/Xb7PiGkWQz3aRsT9m/kD4Lw8nQpZ2rYvT6cH1sJx9eBfU3aN5mG7hK0oR4tWyEiC8d",
        ),
        false_samples=("MATTERMOST_WEBHOOK=https://chat.fabrikam.io/hooks/xxxxxxxxxxxxxxxxxxxxxxxxxx", "https://git.fabrikam.io/api/v1/repos/ops/app/hooks/12"),
        tags=("mattermost", "rocketchat"),
    ),
)
