"""The global false-positive filters, one by one."""

from __future__ import annotations

import pytest

from secretsfile.core.enc_value import ENC_MARK
from secretsfile.scanner import filters
from secretsfile.scanner.filters import Candidate, is_placeholder, is_reference, rejection_reason


def candidate(line: str, secret: str) -> Candidate:
    return Candidate(secret, line, line.index(secret))


@pytest.mark.parametrize(
    "value",
    ["changeme", "CHANGE_ME", "<your-api-token>", "xxxxxxxxxxxx", "************", "None", "null",
     "", "your_api_key_here", "EXAMPLEKEY123", "password", "test", "password123", "AP6xxxxxxxxxx",
     "sk_<redacted>", "placeholder-token", "dummy-secret", "[your token here]", "..."],
)  # fmt: skip
def test_placeholders(value: str) -> None:
    assert is_placeholder(value)


@pytest.mark.parametrize(
    "value", ["Xk39dkw!Qp", "ghp_R4nd0mT0k3nValue1234567890abcdEF", "sk_test_4eC39HqLyjWD"]
)
def test_real_looking_values_are_not_placeholders(value: str) -> None:
    assert not is_placeholder(value)


@pytest.mark.parametrize(
    "value",
    ["${DB_PASSWORD}", "$DB_PASSWORD", "$(cat /run/secrets/pw)", "{{ vault_password }}",
     "{{.Password}}", "os.environ['PW']", "os.getenv('PW')", "process.env.API_KEY",
     "ENV['TOKEN']", "%(password)s",
     "op://vault/item/field", "secrets.GITHUB_TOKEN", "self.password", "config.get('token')",
     "get_secret()", "!vault |", "arn:aws:secretsmanager:us-east-1:123:secret:x", "#{db.password}"],
)  # fmt: skip
def test_references(value: str) -> None:
    assert is_reference(value)


@pytest.mark.parametrize("value", ["hunter2hunter", "$ecretP4ss", "a(b)c-d", "PassW0rd$"])
def test_literals_are_not_references(value: str) -> None:
    assert not is_reference(value)


ENC = (
    "ENC[AES256_GCM,data:yw4sWFN6lg==,iv:xxseLWDMq2g3RLTp2lAtwxNMPxBraNzOQLRtrG9m4RM=,"
    "tag:L6JNB1LP+F3TxY1zBjbOFg==,type:str]"
)
TOKEN = "ghp_u8jzPde0IgxLd6GncfBAepfJBd0Kh8oOOL8d"


def test_sops_ciphertext() -> None:
    assert filters._ENC_MARK == ENC_MARK
    assert filters.sops_ciphertext(candidate(f"password: {ENC}", ENC))
    assert filters.sops_ciphertext(candidate(f'"password": "{ENC}",', f'"{ENC}"'))
    assert filters.sops_ciphertext(candidate(f"password: {ENC}", "yw4sWFN6lg=="))
    assert filters.sops_ciphertext(candidate(f"a: {ENC}, b: {ENC}", "xxseLWDMq2g3RLTp2lAt"))
    assert not filters.sops_ciphertext(candidate("password: hunter2hunter", "hunter2hunter"))


@pytest.mark.parametrize(
    "line",
    [
        f'P = "ENC[AES256_GCM,"; T = "{TOKEN}"',  # R2 F5: a bare prefix hides nothing after it
        f"t: ENC[AES256_GCM,{TOKEN}]",
        f"t: ENC[AES256_GCM,data:{TOKEN},iv:xxseLWDMq2g3RLTp2lAtwxNMPxBraNzOQLRtrG9m4RM=,"
        "tag:L6JNB1LP+F3TxY1zBjbOFg==,type:str]",
        f"t: {ENC}{TOKEN}",
        f"t: {ENC} {TOKEN}",
    ],
)
def test_text_around_or_in_a_fake_value_is_not_ciphertext(line: str) -> None:
    assert not filters.sops_ciphertext(candidate(line, TOKEN))
    assert rejection_reason(candidate(line, TOKEN)) is None


def test_age_recipient_but_not_identity() -> None:
    recipient = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
    assert filters.age_recipient(candidate(f"recipient: {recipient}", recipient))
    identity = "AGE-SECRET-KEY-1QYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQGPQYQSZQ"
    assert rejection_reason(candidate(f"key: {identity}", identity)) is None


def test_public_keys() -> None:
    body = "AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
    assert filters.public_key(candidate(f"ssh-ed25519 {body} me@host", body))
    assert filters.public_key(candidate("-----BEGIN PUBLIC KEY-----", "-----BEGIN PUBLIC KEY-----"))
    assert filters.public_key(
        candidate('public_key = "abcdef1234567890abcd"', "abcdef1234567890abcd")
    )
    assert filters.public_key(
        candidate('STRIPE_PUBLISHABLE_KEY = "pk_live_abcdef123456"', "pk_live_abcdef123456")
    )
    assert not filters.public_key(
        candidate('public static String API_KEY = "abcdef1234567890abcd"', "abcdef1234567890abcd")
    )


def test_hashes_in_a_hash_context_only() -> None:
    sha1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
    assert filters.hex_hash(candidate(f'commit = "{sha1}"', sha1))
    sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert filters.hex_hash(candidate(f'"sha256": "{sha256}"', sha256))
    assert not filters.hex_hash(candidate(f'api_key = "{sha1}"', sha1))
    assert filters.digest_value(candidate("--hash=sha256:" + "ab" * 32, "sha256:" + "ab" * 32))
    sri = "sha512-" + "A" * 20 + "b" * 60 + "=="
    assert filters.digest_value(candidate(f'"integrity": "{sri}"', sri))


def test_uuid_and_data_uri() -> None:
    uid = "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert filters.uuid(candidate(f"id = {uid}", uid))
    data = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6"
    assert filters.data_uri(candidate(f'src="data:image/png;base64,{data}"', data))


def test_shape_filters_can_be_exempted() -> None:
    uid = "0f8fad5b-d9cb-469f-a165-70867728950e"
    c = candidate(f"HEROKU_API_KEY={uid}", uid)
    assert rejection_reason(c) == "uuid"
    assert rejection_reason(c, frozenset({"uuid"})) is None


@pytest.mark.parametrize(
    ("line", "secret"),
    [('    ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",', "clientAuth"),
     ('    ExtensionOID.PRIVATE_KEY_USAGE_PERIOD: "privateKeyUsagePeriod",', "privateKeyUsagePeriod"),
     ("SECRET_ACCESS_KEY = 'secret-access-key'", "secret-access-key")],
)  # fmt: skip
def test_values_that_spell_their_own_name(line: str, secret: str) -> None:
    assert rejection_reason(candidate(line, secret)) == "self-named"


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        ('CLIENT_AUTH = "cLiEnTaUtH9x2Q"', "cLiEnTaUtH9x2Q"),
        ('api_token = "token7Qw9ZpXv"', "token7Qw9ZpXv"),
    ],
)
def test_values_unlike_their_name_are_kept(line: str, secret: str) -> None:
    assert not filters.self_named(candidate(line, secret))


def test_a_candidate_is_a_frozen_value() -> None:
    found = candidate('token = "abc123"', "abc123")
    assert (found.start, found.end, found.before) == (9, 15, 'token = "')
    assert found == Candidate("abc123", 'token = "abc123"', 9) and hash(found) == hash(found)
    with pytest.raises(AttributeError):
        found.start = 0  # type: ignore[misc]


def test_an_armor_marker_hides_only_what_lies_inside_its_message() -> None:
    # R3: a marker in a comment beside a token hid everything on the line
    token = "ghp_k7Q2mZ9xW4vB8nR1tY6uP3sL5dF0gH2jK4qE"
    beside = f't = "{token}"  # -----BEGIN PGP MESSAGE-----'
    assert not filters.armored_ciphertext(Candidate(token, beside, beside.index(token)))
    one_line = ('"enc": "-----BEGIN AGE ENCRYPTED FILE-----\\nYWdlLWVuY3J5cHRpb24ub3JnL3Yx'
                'Ci0+IFgy\\n-----END AGE ENCRYPTED FILE-----\\n"')  # sops' JSON, one line
    body = "YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgy"
    assert filters.armored_ciphertext(Candidate(body, one_line, one_line.index(body)))
    marker = "-----BEGIN AGE ENCRYPTED FILE-----"
    assert filters.armored_ciphertext(Candidate(marker + "x", marker + "x", 0))


def test_the_ciphertext_filters_are_filters() -> None:
    assert filters.CIPHERTEXT_FILTERS.issubset(name for name, _ in filters.FILTERS)
