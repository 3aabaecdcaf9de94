package com.acme.billing;

public final class Credentials {
    private static final String SLACK_BOT_TOKEN = "xoxb-057995708540-4395260179375-FFbSqbvaMZBpWPx7EmEpEOga";
    private static final String MISTRAL_API_KEY = "jGOgyiJQbEk1kLKnqegoYHdAnNM4KfUq";
    private static final String GOOGLE_CLIENT_SECRET = "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";
    private static final String SECRET_KEY = "xxxxxxxxxxxxxxxxxxxxxxxx";
    private static final String PUBLIC_KEY = "UKpiPzAoKGQ7qAdMbmqn2ZpW1gC/fgPaM/5JQMgU7PE=";
    private static final String AUTH_TOKEN = "REPLACE_ME";
private final String dbPassword = System.getenv("DB_PASSWORD");
    static { System.setProperty("NEW_RELIC_API_KEY", "NRAK-T426MIMFYMWMEQHG7C4NF6ZEDYM"); }
}
