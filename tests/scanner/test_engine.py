"""The engine: keyword prefilter, windows, secret groups, entropy, suppression, filters."""

from __future__ import annotations

import re

import pytest

from secretsfile.scanner.engine import Fragment, Scanner, fingerprint
from secretsfile.scanner.model import Allowlist, Finding, Rule
from secretsfile.scanner.regex_shape import newline_span

AWS = Rule(
    id="aws-access-key-id",
    description="AWS access key id",
    regex=r"\b((?:AKIA|ASIA)[A-Z2-7]{16})\b",
    keywords=("akia", "asia"),
    secret_group=1,
)
PEM = Rule(
    id="private-key",
    description="Private key",
    regex=r"-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY-----[\s\S-]{64,}?"
    r"-----END[ A-Z0-9_-]{0,100}PRIVATE KEY-----",
    keywords=("-----begin",),
)
PASSWORD = Rule(
    id="generic-password",
    description="Password assigned a literal",
    regex=r"""(?i)(?:password|passwd)[ \t]*[:=][ \t]*["']([^"'\s]{6,})["']""",
    keywords=("password", "passwd"),
    secret_group=1,
)
KEY_ID = "AKIAZ2345672345672AB"
PEM_TEXT = (
    "-----BEGIN RSA PRIVATE KEY-----\n"
    + "MIIEpAIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi2Acz5AdyWWrpHhYr5lBRl2fkV\n" * 3
    + "-----END RSA PRIVATE KEY-----\n"
)


def scan(text: str, *rules: Rule, path: str = "app.py", **kwargs: object) -> list[Finding]:
    return Scanner(rules or (AWS, PEM, PASSWORD), **kwargs).scan_text(text, path)  # type: ignore[arg-type]


def test_finds_a_key_with_position_rule_and_redaction() -> None:
    [finding] = scan(f'x = 1\naws = "{KEY_ID}"\n')
    assert (finding.path, finding.line, finding.column, finding.rule_id) == (
        "app.py",
        2,
        8,
        "aws-access-key-id",
    )
    assert finding.secret == KEY_ID
    assert finding.redacted == "AKIA*****"
    assert KEY_ID not in repr(finding)


def test_keyword_prefilter_keeps_a_rule_without_its_keyword_from_running() -> None:
    # The regex would match, but the keyword "akia" is absent: the rule never runs.
    rule = Rule("r", "d", r"\b(X[A-Z]{5})\b", ("akia",), secret_group=1)
    assert scan("XABCDE here", rule) == []
    assert [f.secret for f in scan("XABCDE here akia", rule)] == ["XABCDE"]


def test_keywords_are_case_insensitive_and_rules_without_keywords_always_run() -> None:
    assert scan(f"AWS={KEY_ID}")[0].secret == KEY_ID  # keyword lower-case, text upper-case
    anywhere = Rule("any", "d", r"zz([0-9]{6})zz", (), secret_group=1)
    assert [f.secret for f in scan("zz482913zz", anywhere)] == ["482913"]


def test_large_text_takes_the_token_prefilter_path_and_finds_the_same() -> None:
    filler = "".join(f"value_{i} = compute({i}, 'abc')\n" for i in range(3000))
    text = filler + f'aws = "{KEY_ID}"\n' + filler
    [finding] = scan(text)
    assert finding.line == 3001
    assert scan(filler) == []


def test_keywords_with_spaces_and_punctuation() -> None:
    spaced = Rule("spaced", "d", r"token is ([a-z0-9]{12})", ("token is",), secret_group=1)
    punct = Rule("punct", "d", r"://[^:\s]+:([^@\s]{6,})@", ("://",), secret_group=1)
    text = "x" * 20000 + "\nthe token is k3j4h5g6f7d8\nurl = https://bob:Xk39dkwQ@host/x\n"
    assert {f.rule_id for f in Scanner((spaced, punct)).scan_text(text, "a.txt")} == {
        "spaced",
        "punct",
    }
    assert Scanner((spaced,)).scan_text("the token was k3j4h5g6f7d8 " + "y" * 20000, "a") == []


def test_multiline_block_rule_matches_across_lines() -> None:
    [finding] = scan("key = '''\n" + PEM_TEXT + "'''\n")
    assert finding.rule_id == "private-key"
    assert finding.line == 2 and finding.column == 1
    assert finding.secret.startswith("-----BEGIN RSA PRIVATE KEY-----")


def test_regex_shape_analysis() -> None:
    assert newline_span(AWS.regex) == 0
    assert newline_span(PASSWORD.regex) == 0
    assert 0 < newline_span(r"a[\s'\"]{0,3}b") < 10
    assert newline_span(PEM.regex) > 1000
    assert newline_span(r"(?s)a.*b") > 1000
    assert newline_span(r"a[^x]*b") > 1000
    assert newline_span(r"a[^\n]*b") == 0


def test_few_lines_rule_sees_the_next_line() -> None:
    rule = Rule(
        "split",
        "d",
        r"secret_value\s{0,3}=\s{0,3}([A-Za-z0-9]{16})",
        ("secret_value",),
        secret_group=1,
    )
    [finding] = scan("secret_value =\n  Ab3dEf7hIj1lMn5p\n", rule)
    assert finding.line == 2 and finding.column == 3


def test_secret_group_variants() -> None:
    whole = Rule("whole", "d", r"tok_[a-z0-9]{10}", ("tok_",))
    second = Rule("second", "d", r"(id)=(tok_[a-z0-9]{10})", ("tok_",), secret_group=2)
    first_non_empty = Rule("auto", "d", r"(?:(x)|(tok_[a-z0-9]{10}))", ("tok_",), secret_group=-1)
    text = "id=tok_a1b2c3d4e5"
    assert [f.secret for f in scan(text, whole)] == ["tok_a1b2c3d4e5"]
    assert [(f.secret, f.column) for f in scan(text, second)] == [("tok_a1b2c3d4e5", 4)]
    assert [f.secret for f in scan(text, first_non_empty)] == ["tok_a1b2c3d4e5"]


def test_entropy_floor_uses_gitleaks_semantics() -> None:
    rule = Rule("e", "d", r"key=([a-z0-9]{12})", ("key=",), secret_group=1, entropy=3.0)
    assert scan("key=aaaabbbbcccc", rule, filters_enabled=False) == []  # H = 1.58
    assert len(scan("key=a8f3k2m9x7q1", rule, filters_enabled=False)) == 1  # H = 3.58


@pytest.mark.parametrize(
    "line",
    [
        f'aws = "{KEY_ID}"  # secretsfile:allow',
        f'aws = "{KEY_ID}"  # gitleaks:allow',
        f'aws = "{KEY_ID}"  # pragma: allowlist secret',
        f'aws = "{KEY_ID}"  // pragma: allowlist-secret',
        f'aws = "{KEY_ID}"  # pragma: whitelist secret',
    ],
)
def test_inline_allow_comments(line: str) -> None:
    assert scan(line + "\n") == []


@pytest.mark.parametrize(
    "marker", ["# pragma: allowlist nextline secret", "# secretsfile:allow-next-line"]
)
def test_next_line_allow(marker: str) -> None:
    assert scan(f'{marker}\naws = "{KEY_ID}"\nother = "{KEY_ID}"\n') != []
    findings = scan(f'{marker}\naws = "{KEY_ID}"\n')
    assert findings == []
    # the marker covers one line only
    [later] = scan(f'{marker}\nx = 1\naws = "{KEY_ID}"\n')
    assert later.line == 3


def test_allow_next_line_is_not_a_same_line_allow() -> None:
    assert len(scan(f'aws = "{KEY_ID}"  # secretsfile:allow-next-line\n')) == 1


def test_rule_allowlists_or_and_and() -> None:
    regex_drop = Allowlist(regexes=(r"2AB$",))
    assert scan(KEY_ID, Rule(**{**AWS.__dict__, "allowlists": (regex_drop,)})) == []
    line_drop = Allowlist(regexes=(r"^fixture",), regex_target="line")
    assert scan(f"fixture {KEY_ID}", Rule(**{**AWS.__dict__, "allowlists": (line_drop,)})) == []
    path_drop = Allowlist(paths=(r"^tests/",))
    ruled = Rule(**{**AWS.__dict__, "allowlists": (path_drop,)})
    assert scan(KEY_ID, ruled, path="tests/x.py") == []
    assert len(scan(KEY_ID, ruled, path="src/x.py")) == 1
    both = Allowlist(paths=(r"^tests/",), stopwords=("2ab",), condition="AND")
    ruled = Rule(**{**AWS.__dict__, "allowlists": (both,)})
    assert scan(KEY_ID, ruled, path="tests/x.py") == []
    assert len(scan(KEY_ID, ruled, path="src/x.py")) == 1  # only one of two criteria
    assert len(scan("AKIAZ2345672345672CD", ruled, path="tests/x.py")) == 1


def test_global_allowlists_and_stopwords() -> None:
    assert scan(KEY_ID, AWS, allowlists=(Allowlist(paths=(r"\.md$",)),), path="README.md") == []
    assert scan(KEY_ID, AWS, stopwords=("672ab",)) == []
    assert len(scan(KEY_ID, AWS, stopwords=("nothing",))) == 1


def test_commit_allowlist_only_applies_to_that_commit() -> None:
    rule = Rule(**{**AWS.__dict__, "allowlists": (Allowlist(commits=("abc123",)),)})
    scanner = Scanner((rule,))
    assert scanner.scan_fragment(Fragment("a.py", KEY_ID, None, "abc123")) == []
    assert len(scanner.scan_fragment(Fragment("a.py", KEY_ID, None, "def456"))) == 1


def test_rule_validate_names_each_problem() -> None:
    assert PASSWORD.validate() == []
    bad = Rule("x", "x", "(a", ("X",), secret_group=0, exempt_filters=("reference",))
    problems = bad.validate()
    assert any(p.startswith("invalid regex") for p in problems)
    assert "keywords must be non-empty and lower-case" in problems
    assert any("exempt_filters" in p for p in problems)
    assert "fewer groups" in Rule("y", "y", "a(b)", ("a",), secret_group=2).validate()[0]


def test_global_filters_drop_placeholders_and_references() -> None:
    for value in ("changeme", "${DB_PASSWORD}", "{{ vault_pw }}", "<your-password>", "xxxxxxxx"):
        assert scan(f'password = "{value}"') == [], value
    assert len(scan('password = "Xk39dkw!Qp"')) == 1


def test_global_filters_can_be_disabled() -> None:
    assert len(scan('password = "changeme"', filters_enabled=False)) == 1


def test_shape_filter_exempt_for_rules_that_list_it() -> None:
    heroku = Rule(
        "heroku-api-key",
        "Heroku API key",
        r"(?i)heroku[\w.-]{0,20}[ \t]*[:=][ \t]*['\"]?"
        r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})",
        ("heroku",),
        secret_group=1,
        exempt_filters=("uuid",),
    )
    generic = Rule(
        "generic-token",
        "d",
        r"(?i)token[ \t]*=[ \t]*['\"]?([0-9a-f-]{36})",
        ("token",),
        secret_group=1,
    )
    uuid = "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert len(scan(f"HEROKU_API_KEY={uuid}", heroku)) == 1
    assert scan(f"token = {uuid}", generic) == []


def test_sops_values_and_metadata_are_never_findings() -> None:
    anything = Rule("hex", "d", r"[A-Za-z0-9+/=]{20,}", ())
    enc = (
        "ENC[AES256_GCM,data:Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5,iv:Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5,"
        "tag:abcdefghijklmnopqrstuv==,type:str]"
    )
    doc = (
        f"password: {enc}\n"
        "sops:\n"
        "    age:\n"
        "        - recipient: age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p\n"
        "          enc: |\n"
        "            -----BEGIN AGE ENCRYPTED FILE-----\n"
        "            YWdlLWVuY3J5cHRpb24ub3JnL3YxCi0+IFgyNTUxOSBhYmNkZWZnaGlqa2xtbm9w\n"
        "            -----END AGE ENCRYPTED FILE-----\n"
        "    lastmodified: '2026-01-01T00:00:00Z'\n"
        f"    mac: {enc}\n"  # a well-formed value: a look-alike mac is no sops document
        "    version: 3.11.0\n"
    )
    assert Scanner((anything,)).scan_text(doc, "secrets/prod.yaml") == []
    assert (
        len(Scanner((anything,)).scan_text("blob = QWxhZGRpbjpvcGVuIHNlc2FtZTEyMzQ1Ng\n", "a")) == 1
    )


def test_generic_finding_dropped_when_a_specific_rule_found_the_same_secret() -> None:
    generic = Rule(
        "generic-api-key", "d", r"(?i)aws[\w ]*=[ \t]*\"([A-Z0-9]{20})\"", ("aws",), secret_group=1
    )
    findings = scan(f'aws = "{KEY_ID}"', AWS, generic)
    assert [f.rule_id for f in findings] == ["aws-access-key-id"]


def test_path_restricted_and_path_only_rules() -> None:
    only_env = Rule(
        "env-token", "d", r"TOKEN=(\w{10,})", ("token",), secret_group=1, path=r"\.env$"
    )
    assert scan("TOKEN=abcdef123456", only_env, path="a.py") == []
    assert len(scan("TOKEN=abcdef123456", only_env, path="prod.env")) == 1
    keystore = Rule("pkcs12-file", "PKCS#12 file", "", (), path=r"\.p12$")
    [finding] = scan("anything", keystore, path="certs/id.p12")
    assert (finding.line, finding.column, finding.redacted) == (1, 1, "*****")


def test_line_map_reports_real_line_numbers() -> None:
    scanner = Scanner((AWS,))
    [finding] = scanner.scan_fragment(
        Fragment("a.py", f"x = 1\naws = '{KEY_ID}'", (10, 42), "c0ffee")
    )
    assert (finding.line, finding.commit) == (42, "c0ffee")


def test_non_ascii_text_keeps_columns_in_characters() -> None:
    [finding] = scan(f"名前 = 'İ' ; aws = '{KEY_ID}'")
    assert finding.column == len("名前 = 'İ' ; aws = '") + 1


def test_fingerprint_is_stable_and_position_free() -> None:
    first = scan(f'aws = "{KEY_ID}"')[0]
    moved = scan(f'\n\n\n    aws_key = "{KEY_ID}"')[0]
    assert (
        first.fingerprint == moved.fingerprint == fingerprint("aws-access-key-id", "app.py", KEY_ID)
    )
    assert first.fingerprint != scan(f'aws = "{KEY_ID}"', path="other.py")[0].fingerprint
    assert re.fullmatch(r"[0-9a-f]{64}", first.fingerprint)
    assert KEY_ID not in first.fingerprint


def test_duplicate_rule_ids_keep_the_first() -> None:
    shadow = Rule(**{**AWS.__dict__, "description": "shadow"})
    assert [f.description for f in scan(KEY_ID, AWS, shadow)] == ["AWS access key id"]


def test_short_secrets_are_redacted_harder() -> None:
    assert Finding("p", 1, 1, "r", "d", secret="abcdef").redacted == "ab*****"
    assert Finding("p", 1, 1, "r", "d", secret="abc").redacted == "a*****"
    assert Finding("p", 1, 1, "r", "d", secret="abcdefghijklmnop").redacted == "abcd*****"


def test_scan_bytes_decodes_only_what_it_needs() -> None:
    scanner = Scanner((AWS,))
    assert scanner.scan_bytes(b"\xff\xfe no keywords here", "a.bin") == []
    [finding] = scanner.scan_bytes(f"caf\xe9 aws='{KEY_ID}'".encode("latin-1"), "a.txt")
    assert finding.secret == KEY_ID
