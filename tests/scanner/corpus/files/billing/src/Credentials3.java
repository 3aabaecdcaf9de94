package com.acme.billing;

public final class Credentials {
    private static final String API_TOKEN = "yBsQRcD7tZz3ZNXhqjh1nGaRMOpDN8zuSt1MP8Ou";
    private static final String SESSION_SECRET = "eb935d1980530e99f30f8389a505bd1db7fc211fb755aafabdc2d5007244a652";
    private static final String CLOUDFLARE_API_TOKEN = "cfut_M06jTG7q1I76XiBowod71B2KTuPOjTtrfSsZTzIQfd2e4c90";
    private static final String CHECKSUM_SHA256 = "36209bf16d96f90a75ce538ee9ea0b1a3d738ed767fdb9dac8e83b73095b4712";
    private static final String SMTP_PASSWORD = "********";
    private static final String GITHUB_TOKEN = "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
private final String dbPassword = System.getenv("DB_PASSWORD");
    static { System.setProperty("OP_SERVICE_ACCOUNT_TOKEN", "ops_eyJzaWduSW5BZGRyZXNzIjoibXkuMXBhc3N3b3JkLmNvbSIsfOxkFz8/6KUCDwU8w3bEwa16tnMpFeoNv3psmuY4K512RXmSEF/Fw2pAdK6clo4SWOKYAwIrYPlCnKmT1bilXUAIebso2WXvsE1TX2G81Sl0ZjtmTQ2C8VeVNkvrt+zbOuMYnTjqA6HMvwne35TXkxQWk9YYCZk/WFYBcAnU5kdjh6QAUp+w8bV68SYW6XqEwabK3fOMP4jgR/irV2UoIOXHcAbelZdQDZxjwQKyfcowVJl9yImso8eeTv0+Ig5QB6U/Wi03lt1Ez3dBKlMreESCE2tk+aEXxmvpUIUGeb4T"); }
}
