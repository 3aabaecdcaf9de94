# ruff: noqa
cl_api_key = r'([a-z]{24})'
password = r'([a-f0-9]{48}(?![a-f0-9]))'
secret = r'([a-z0-9]{64})'
OID_NAMES = {
    ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",
    ExtensionOID.PRIVATE_KEY_USAGE_PERIOD: "privateKeyUsagePeriod",
    TOKEN_DATA: "template data / text",
}
STYLE = {
    Token.Comment: "italic #A3AAB2",
    Token.String: '#ansiyellow',
}


def prune_marker():
    token = " * [would prune] "
    return token


REDACT = ["Cookie", "Authorization", "Proxy-Authorization"]
link = MultiHostUrl("https://foo.com:123,foo:bar@bar.com/path")
