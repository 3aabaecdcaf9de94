package com.acme.billing;

public final class Credentials {
    private static final String JWT_SECRET = "Bdip9r+wVqj9tw2aTuEGazO2CMwIFI44t/N+qujVV6bRLKDd";
    private static final String DATABRICKS_TOKEN = "dapie41de3b7caf2a6f443967172034e78fa";
    private static final String DISCORD_WEBHOOK = "https://discord.com/api/webhooks/4252502562696697352/4v9o9uLeQbJUY5VbMRTJJu9eHS6M_mKeTIftfAEOCJCLBCvG3N3ALFzuHRiw4Lj60iSq";
    private static final String AUTH_TOKEN = "REPLACE_ME";
    private static final String CHECKSUM_SHA256 = "d0b036bd8ca5bef1db7a8b6f00f43e302799f20894106bf5e1ac0add0c733852";
    private static final String AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
private final String dbPassword = System.getenv("DB_PASSWORD");
    static { System.setProperty("PINECONE_API_KEY", "pcsk_2U8kz_Bz8VROzmhhxevdDt7unObI3fV6xQd7StX392sn4CVVkAQhyFp0ZC4zSqmI3X3Qk"); }
}
