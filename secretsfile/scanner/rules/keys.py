"""Key material: PEM / OpenSSH / PGP / PuTTY private keys, age identities, Fernet keys, JWTs."""

from __future__ import annotations

from secretsfile.scanner.model import Allowlist, Rule

from ._common import ASSIGN, DOCS, MASKED, RUNS, SEQUENTIAL

# After a BEGIN line: blank space or escaped newlines (keys pasted into JSON/YAML strings),
# then optional RFC 1421 / RFC 4880 header lines, then the first base64 line of the body.
_BODY = (
    r"(?:\s|\\[nr])*(?:[A-Za-z][A-Za-z-]{1,30}: [^\n\\]{1,200}(?:\n|\\n)(?:\s|\\[nr])*){0,6}"
    r"([A-Za-z0-9+/]{40,}={0,2})"
)

RULES: tuple[Rule, ...] = (
    Rule(
        id="private-key",
        description="PEM private key (PKCS#1 RSA, DSA, EC, PKCS#8, encrypted PKCS#8)",
        regex=r"-----BEGIN (?:RSA |DSA |EC |ENCRYPTED |ANY )?PRIVATE KEY-----" + _BODY,
        keywords=("-----begin",),
        secret_group=1,
        entropy=3.0,
        allowlists=(MASKED,),
        true_samples=(
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEATcu1h54l/7xj6y7hlIKtcKGWaBiA4Ay7F7mFStdjHnwfx77o\nssYjpZJaFPEOAM0OIU1qyjiiu92sJ++qjLGX3Z0KfR88wY6WzHR8MjkpdnMeHulo\n-----END RSA PRIVATE KEY-----\n",
            '{"key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCuUliJGJzUSq655FZderWtwZHfqtQK7Rm\\n-----END PRIVATE KEY-----\\n"}',
        ),
        false_samples=(
            "-----BEGIN PRIVATE KEY-----\nanything\n-----END PRIVATE KEY-----",
            "-----BEGIN PRIVATE KEY-----\nYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo=\n-----END PRIVATE KEY-----\n",
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAGMaeaiTsW1idl+SBrW3n\n-----END PUBLIC KEY-----",
        ),
        tags=("private-key",),
    ),
    Rule(
        id="openssh-private-key",
        description="OpenSSH private key",
        regex=r"-----BEGIN OPENSSH PRIVATE KEY-----" + _BODY,
        keywords=("-----begin openssh private key",),
        secret_group=1,
        entropy=3.0,
        allowlists=(MASKED,),
        true_samples=(
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
            "QyNTUxOQAAACDAwq3pOU2cuMHYYuBPVYyROsSiSlu8bspfWNMsquYKFWz8AoUA0XApWJqB\n-----END OPENSSH PRIVATE KEY-----\n",
        ),
        false_samples=(
            "-----BEGIN OPENSSH PRIVATE KEY----------END OPENSSH PRIVATE KEY-----",
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBIdGSzI2ITMkdy0NDPztWl/GSIjY6Niwxu/ASbi8N9P deploy@ci",
        ),
        tags=("private-key", "ssh"),
    ),
    Rule(
        id="pgp-private-key-block",
        description="OpenPGP (GnuPG) private key block",
        regex=r"-----BEGIN PGP PRIVATE KEY BLOCK-----" + _BODY,
        keywords=("-----begin pgp private key block",),
        secret_group=1,
        entropy=3.0,
        allowlists=(MASKED,),
        true_samples=(
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQWGBGSVV4YBDACy6qQbhJ1XNu6T8mCRb7qA1CKR4m85q28h/pzrtIGDmKO9kADT\n=8xQN\n-----END PGP PRIVATE KEY BLOCK-----",
        ),
        false_samples=(
            "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBFOrMNcBCACNOyBghZvhC6mlBdKXyz1oS58wyQRj06Tfp8CauhDcrJYPVvLY\n-----END PGP PUBLIC KEY BLOCK-----",
            "-----BEGIN PGP MESSAGE-----\n\nhQGMA3muqimBu2IIAQwAED19HejdpA1WHqErBJkbkZoFtJbz7cxIYMvKoDiY4aSH\n-----END PGP MESSAGE-----",
        ),
        tags=("private-key", "pgp"),
    ),
    Rule(
        id="putty-private-key",
        description="PuTTY private key file (.ppk)",
        regex=r"PuTTY-User-Key-File-[23]: [^\n]+\n(?:[^\n]*\n)+?Private-Lines: \d+\s*\n([A-Za-z0-9+/]{40,}={0,2})",
        keywords=("putty-user-key-file",),
        secret_group=1,
        entropy=3.0,
        allowlists=(MASKED,),
        true_samples=(
            "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: deploy\nPublic-Lines: 2\n"
            "AAAAC3NzaC1lZDI1NTE5AAAAIesrciVfHWzzRuY34VIBJ1Xn9cdUBH8X218e4DkFblfH\nJ6+jxH7qI7ZJKsJcudHK\nPrivate-Lines: 1\nAAAAIAPbHA87jxi7sDi57jPI1b4yMETDqnEnPclULss59m9s\n"
            "Private-MAC: a8075b0b9cb66c85299eb2106f4ac7dd1f8ef55acc567189c9fcf3c0d1e080da\n",
        ),
        false_samples=("PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\n<redacted>\n",),
        tags=("private-key", "ssh"),
    ),
    Rule(
        id="age-secret-key",
        exempt_filters=("placeholder",),
        description="age identity (X25519 secret key)",
        regex=r"(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})(?![A-Za-z0-9])",
        keywords=("age-secret-key-1",),
        secret_group=1,
        allowlists=(MASKED,),
        true_samples=(
            "# created: 2024-05-01T10:00:00Z\n# public key: age10uz08lql5um3pd5eej2zjfmavypwtkjfn8cdr4n9rvcnj8cdatf2977v7m\nAGE-SECRET-KEY-1YVYTYF5Z0CSU9RHL3GNN98EE0SL7TD2VMJTSVA65QDUSNFHN2K45DDAJCY\n",
            # the all-zero identity is a valid key too: it decrypts whatever was encrypted to it
            "SOPS_AGE_KEY=AGE-SECRET-KEY-1" + "Q" * 58,
            "SOPS_AGE_KEY=AGE-SECRET-KEY-1HKLHGL9P2876X7ZVEMQ3GJXWKE25JNCKUNXPENJSX04UL28P0350CKPQP9",
        ),
        false_samples=(
            "recipients: age1yzk2x87qg23up9lqdual6wnt8gls7a0wadwpsz508drxm0dks8y09m9cf4",
            "AGE-SECRET-KEY-1XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
        ),
        tags=("age",),
    ),
    Rule(
        id="age-plugin-identity",
        description="age plugin identity (AGE-PLUGIN-...-1...)",
        regex=r"(AGE-PLUGIN-[A-Z0-9]{2,30}-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{20,400})(?![A-Za-z0-9])",
        keywords=("age-plugin-",),
        secret_group=1,
        allowlists=(MASKED, RUNS),
        true_samples=("AGE-PLUGIN-YUBIKEY-10WE00LRFXG2NXWGMXKKXK9R79JVVPSVSW0EFQ0TH4K0Q6E9L89MN",),
        false_samples=("age1yubikey1lncy4qcws3jp79tdnwgm2pxk6juy8v02u7dkjcmx8tpsz29dyl7vygcc9w",),
        tags=("age",),
    ),
    Rule(
        id="fernet-key",
        description="Fernet key (32 bytes, url-safe base64) assigned to a Fernet- or key-named setting",
        regex=(
            r"(?i)(?:fernet[\w.-]{0,30}?(?:" + ASSIGN + r"|\(\s*b?['\"])"
            r"|(?:encryption|secret|signing|master|crypt)[_.-]?key" + ASSIGN + r"(?:b['\"])?)"
            r"([A-Za-z0-9_-]{43}=)(?![A-Za-z0-9_=-])"
        ),
        keywords=("fernet", "encryption_key", "encryption-key", "encryptionkey", "secret_key", "secretkey",
                  "signing_key", "master_key", "crypt_key"),
        secret_group=1,
        entropy=4.0,
        allowlists=(MASKED, RUNS, DOCS),
        true_samples=(
            "FERNET_KEY=ZIdLMRq-R_KCaK0znmBJeEILyyy3JkZToMCi9khEXVr=",
            'f = Fernet(b"wqx_I5yczZYxk6IDkl0DnmLIQVJouyDF2Lfd8bhYE55=")',
            'SECRETSFILE_FERNET_KEY: "auqRRQeQHqQ5xi_RG8EEQcWp9c-W4o6fGVtpoE2SkI3="',
        ),
        false_samples=(
            "token = gAAAAABdHkoqb9ZaJ3q4dlzEvTgG9WYwKcD9Aw7OUXeFicO-5M5IdNDjHBpKw7KBK3nCVqtuga4yzUaFEpJn8BqA1LzZprIJBw==",
            "FERNET_KEY=${FERNET_KEY}",
        ),
        tags=("fernet",),
    ),
    Rule(
        id="jwt",
        description="JSON Web Token (JOSE header, claims, optional signature)",
        regex=(
            r"(?<![A-Za-z0-9_-])(eyJ(?:hbGci|0eXAi|raWQi|lbmMi|jdHki|qa3Ui|qd2si|4NXUi|4NWMi|4NXQi|jcml0Ij|6aXAi)"
            r"[A-Za-z0-9_-]{5,}={0,2}\.eyJ[A-Za-z0-9_-]{10,}={0,2}"
            r"(?:\.[A-Za-z0-9_-]{10,}={0,2})?)(?![A-Za-z0-9_=-])"
        ),
        keywords=("eyj",),
        secret_group=1,
        entropy=3.5,
        allowlists=(
            MASKED,
            RUNS,
            Allowlist(regexes=(r"^eyJ[A-Za-z0-9_-]{0,40}\.eyJ[A-Za-z0-9_-]{0,20}$",), description="too short to be a token"),
        ),
        true_samples=(
            "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJxh03bfx4ThPaw7GftvDLRBLrAU1B-s0Ps96qSlhjDHTCKHxxC4Y8uqiMpXS_.QIWL0qBzjn-_W0ZEXp-L_eh2MF9eHZDHhc-f49rMZ_I",
            '"id_token": "eyJhbGciOiJSUzI1NiIsImtpZCI6IjD37pPU7tIizVJFJSo372.eyJpc3MiOiU4rvItGhdWEaW68qfRRnBWCREq51QO8r6ZYVml77tmasrU92OyNkjgZZsE75hOGwulONqofrAyVEl7FzPX_V8G-9-T6ufLteOK2P_E3ssTVizkcYHVRZYWEn.C63fpt4L58zQSY_dpRX3fekB5oXhD2JOZbRPkocWxFh5VpjzK6HjqXRyqs0afsHTIxWBuSR8FuuTrdFdRh9N3Z7clY3SP8cSSfwDGjxUgCSohXMr-uQw8U8KdA26YMpLljZYH_qHZr-qB5o54g9gWpcJfHqhg6jlak17C2zf8HTcywK7ESuFRVjE_clbN3SLKxPmpSMPu_Hvwy5dqq1ePpLp7rUSZAkRyNNSPBaHuiyuaNlcTnlZjcphSTtL04W5gDE3mdi1NZndZkfvyfaZvSpduxLqMl2v12qsbJmGP8BcvhX1EtMVixAwaXwZLlT_6Q9S6sJKV8foKyeZjVmJ7U"',
        ),
        false_samples=("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9", "eyJAAAA.eyJBBB", "eyJBB.eyJCC.eyJDDDD", "eyJub3QiOiJqb3NlIn0.eyJzdWIiOiIxMjM0NTY3ODkwIn0.wczoRkb4gVx-MubCWamQTVU-B8kZnasC4FRhNactu5N"),
        tags=("jwt",),
    ),
    Rule(
        id="ethereum-private-key",
        description="secp256k1 / Ethereum private key (0x + 64 hex) assigned to a key-named setting",
        regex=(
            r"(?i)(?:private[_.-]?key|priv[_.-]?key|wallet[_.-]?key|mnemonic_?key|deployer[_.-]?key|signer[_.-]?key)"
            + ASSIGN + r"(0x[a-f0-9]{64})(?![A-Za-z0-9])"
        ),
        keywords=("private_key", "privatekey", "private-key", "priv_key", "privkey", "wallet_key", "deployer_key",
                  "signer_key"),
        secret_group=1,
        entropy=3.0,
        allowlists=(MASKED, RUNS, SEQUENTIAL),
        true_samples=('DEPLOYER_PRIVATE_KEY="0xbfd4b854de1e27d53ca65344ad8e75c46f775f9a105b47e9947e2456d4017abb"',),
        false_samples=("PRIVATE_KEY=0x0000000000000000000000000000000000000000000000000000000000000000",),
        tags=("crypto-wallet",),
    ),
    Rule(
        id="wireguard-private-key",
        description="WireGuard private or preshared key in an INI-style interface/peer config",
        # A 32-byte key is 43 base64 characters and '='; the 43rd holds 2 bits, so it is one
        # of the 16 characters listed. PublicKey lines are public and not matched.
        regex=(
            r"(?im)^[ \t]*(?:PrivateKey|PresharedKey)[ \t]*=[ \t]*"
            r"((?-i:[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=))(?![A-Za-z0-9+/=])"
        ),
        keywords=("privatekey", "presharedkey"),
        secret_group=1,
        entropy=3.5,
        allowlists=(MASKED, RUNS, SEQUENTIAL),
        true_samples=(
            "[Interface]\nAddress = 10.8.0.2/24\nPrivateKey = MZ2jfgkfWP/iFpanf0eCKu63lihD8y8mHepq2lqQhDo=\nDNS = 1.1.1.1",
            "[Peer]\nPublicKey = I3KzZoZDQ1qmlabPoMrtH4ePmztNkq33pQQvMZoH8xM=\nPresharedKey = urnnt4bGO1yGX9GajNy1Cq93spDOFPsA48EPw+mICtM=\nEndpoint = vpn.corp.example:51820",
        ),
        false_samples=(
            "[Peer]\nPublicKey = uZ277wLQyvrNHH170/Tn/dr//8vq1x74Tk27FSXhmGQ=\nAllowedIPs = 0.0.0.0/0",
            "[Interface]\nPrivateKey = <contents of privatekey>",
            "PrivateKey = xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx=",
        ),
        tags=("wireguard", "private-key"),
    ),
    Rule(
        id="nats-nkey-seed",
        description="NATS nkey seed (user, account, operator, server or cluster private seed)",
        # The optional .creds armour line puts the match on the keyword's line.
        regex=r"(?:NKEY SEED-{3,}[ \t]*\r?\n)?(?<![A-Za-z0-9_-])(S[UAONCPX][A-Z2-7]{56})(?![A-Za-z0-9_-])",
        keywords=("nkey", "nats", "seed"),
        secret_group=1,
        entropy=3.5,
        allowlists=(MASKED, RUNS),
        true_samples=(
            "-----BEGIN USER NKEY SEED-----\nSUIDDBWEVJAARCW34IXSQX445H76CJGJ5C2UE6VHDPDG7C2LCJNGE7DR5J\n------END USER NKEY SEED------",
            "NATS_NKEY_SEED=SUQC5ERPSLRWU47JA5XUIZILKWFFPFL764RBL76JAVB2FLRQ5FIQ6HYBFH",
        ),
        false_samples=(
            "NATS_NKEY_SEED=SUxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "nats_user_public_key = UDXU4RCSJNZOIQHZNWXHXORDPRTGNJAHAHFRGZNEEJCPQTT2M7NLCNF4",
        ),
        tags=("nats",),
    ),
    Rule(
        id="otpauth-secret",
        description="TOTP/HOTP shared secret in an otpauth:// URI",
        regex=(
            r"otpauth://[th]otp/[^\s?\"'<>]{0,200}\?(?:[^\s\"'<>#]{0,300}?&)?"
            r"secret=([A-Za-z2-7]{16,128})=*(?![A-Za-z0-9])"
        ),
        keywords=("otpauth://",),
        secret_group=1,
        entropy=3.0,
        allowlists=(MASKED, RUNS, Allowlist(stopwords=("jbswy3dpehpk3pxp",), description="the otpauth docs example")),
        true_samples=(
            'qr = make("otpauth://totp/Corp:ops@corp.internal?secret=DL4IYMPGMIESHWE5TMTJ4P5EA2UUHGUD&issuer=Corp")',
            "MFA_URI=otpauth://totp/Corp:ops@corp.internal?issuer=Corp&algorithm=SHA1&secret=X7PMQV2K3OGHQGSC7GSPSPXZ6E6HBCST",
        ),
        false_samples=(
            "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
            "otpauth://totp/{label}?secret={secret}&issuer={issuer}",
        ),
        tags=("totp",),
    ),
    Rule(
        id="jwk-private-key",
        description="JSON Web Key with its private member (d)",
        regex=(
            r"\"kty\"[ \t]*:[ \t]*\"(?:RSA|EC|OKP)\"[^{}]*?"
            r"\"d\"[ \t]*:[ \t]*\"([A-Za-z0-9_-]{32,})\""
        ),
        keywords=("\"kty\"",),
        secret_group=1,
        entropy=3.5,
        allowlists=(MASKED, RUNS),
        true_samples=(
            '{"kty":"EC","crv":"P-256","x":"waEwuAlJrA4Al7bJdYZr3Hasw68-1yFl9GPA3ArgQWa","y":"1zuVfYhQnkYCRsI2E0T_EziNpWd6i3AqyaSKoXNn9wQ","d":"tXvYOMr3lSuWxqC-YHF0fc3eNI8TZTovwddSJGdMRtR"}',
            '{\n  "kty": "OKP",\n  "crv": "Ed25519",\n  "x": "ec4hvdQNK6ZiPvSZ3Zlk0WNirq-tUg4-_Xqxwhj4BUB",\n  "d": "39x4u4lT1BpNLlqcUkt4eLI-16j8HP339_HrssoqfEb"\n}',
        ),
        false_samples=(
            '{"kty":"EC","crv":"P-256","x":"waEwuAlJrA4Al7bJdYZr3Hasw68-1yFl9GPA3ArgQWa","y":"1zuVfYhQnkYCRsI2E0T_EziNpWd6i3AqyaSKoXNn9wQ"}',
            '{"kty":"RSA","n":"<modulus>","e":"AQAB","d":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}',
        ),
        tags=("jwk", "private-key"),
    ),
)
