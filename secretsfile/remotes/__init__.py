"""External secret stores (Vault/OpenBao KV v2, AWS Secrets Manager): one entry per named
secret. ``registry.open_remote(url)`` picks the backend by the URL's scheme."""
