package com.acme.billing;

public final class Credentials {
    private static final String HF_TOKEN = "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";
    private static final String AWS_ACCESS_KEY_ID = "AKIAE7RKX3AYUUEY7VCF";
    private static final String VAULT_TOKEN = "hvs.CAESIx9t3GYmvKJVFN6TuyodoYrA39Mv03ThLD1r0HRyOoPDPh5AYW5382sHNRBsFjxUOSWtRs_SvRsU1E_zwFd-dchgEXT";
    private static final String ACCESS_TOKEN = "TODO";
    private static final String SECRET_KEY = "xxxxxxxxxxxxxxxxxxxxxxxx";
    private static final String CHECKSUM_SHA256 = "ad89f7d5730d140850d80b8ff293934052f3acb9f7f5d2f7b26bd77d8e81da17";
private final String dbPassword = System.getenv("DB_PASSWORD");
    static { System.setProperty("SENTRY_AUTH_TOKEN", "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"); }
}
