"""Global false-positive filters, applied by the engine to every candidate of every rule.

Each filter answers one question about a candidate secret (its value, the line it sits on
and where on the line) and returns True when the candidate is *not* a credential:

- ciphertext: ``ENC[AES256_GCM,...]`` values, age armor (whole sops metadata blocks are
  skipped by the engine, see sops_blocks.py);
- public material: age recipients, ssh/PEM public keys and certificates, ``public_key = ...``;
- identifiers and digests: git SHAs and other hex hashes in a hash context, ``sha256:...``
  and SRI ``sha512-...`` integrity strings, UUIDs, data URIs;
- enum members whose value spells their own name (``CLIENT_AUTH: "clientAuth"``);
- references instead of values: ``${VAR}``, ``{{ var }}``, ``os.environ[...]``, ``$(cmd)``,
  ``process.env.X``, function calls and attribute look-ups;
- placeholders: ``changeme``, ``<your-token>``, ``xxxxxxxx``, ``****``, ``None``/``null``,
  documentation examples (``EXAMPLE``, ``your_api_key``) and obvious test passwords.

Shape filters (``uuid``, ``hex-hash``, ...) can be exempted per rule: a rule whose secrets
are UUIDs (a Heroku key is one) lists ``uuid`` in its ``exempt_filters``; the rule tests
check that list against the rule's true samples. The word lists live in wordlists.py.

Everything here is pure and cheap: plain string tests first, one precompiled regex at most.
"""

from __future__ import annotations

from collections.abc import Callable

from secretsfile.core.record import Record
from secretsfile.scanner.lazy_regex import LazyRegex

__all__ = [
    "FILTERS",
    "SHAPE_FILTERS",
    "Candidate",
    "is_placeholder",
    "is_reference",
    "rejection_reason",
]


class Candidate(Record, frozen=True):
    """What a filter may look at: the secret, its line, and the secret's span on that line."""

    secret: str
    line: str
    start: int  # index of the secret in ``line`` (0-based)
    path: str = ""

    @property
    def end(self) -> int:
        return self.start + len(self.secret)

    @property
    def before(self) -> str:
        """The part of the line left of the secret (where the variable name usually is)."""
        return self.line[: self.start]


# --- ciphertext -------------------------------------------------------------------------

_ENC_MARK = "ENC[AES256_GCM,"  # core.enc_value.ENC_MARK, loaded once a line holds it
_QUOTES = " \t'\"`"


def sops_ciphertext(c: Candidate) -> bool:
    """Inside a well-formed ``ENC[AES256_GCM,data:...,iv:...,tag:...,type:...]`` value.

    Only what ``core.enc_value`` accepts counts as ciphertext, and only the value itself:
    a bare ``ENC[AES256_GCM,`` hides nothing after it. Quotes and blanks at the candidate's
    ends may fall outside the value (``"ENC[...]"`` taken whole).
    """
    if _ENC_MARK not in c.line:
        return False
    from secretsfile.core.enc_value import enc_value_spans

    start, end, line = c.start, c.end, c.line
    while start < end and line[start] in _QUOTES:
        start += 1
    while end > start and line[end - 1] in _QUOTES:
        end -= 1
    return any(a <= start and end <= b for a, b in enc_value_spans(line))


_ARMOR_MARKERS = (
    "-----BEGIN AGE ENCRYPTED FILE-----",
    "-----BEGIN PGP MESSAGE-----",
)
_ARMOR_ENDS = ("-----END AGE ENCRYPTED FILE-----", "-----END PGP MESSAGE-----")


def armored_ciphertext(c: Candidate) -> bool:
    """An age or PGP encrypted message (the wrapped data keys in sops metadata): the
    candidate starts with its BEGIN line, or sits between BEGIN and END on one line (JSON
    keeps the message on one line, with \\n escapes). A marker elsewhere on the line (a
    comment beside a token) hides nothing."""
    if c.secret.startswith(_ARMOR_MARKERS):
        return True
    for begin, end in zip(_ARMOR_MARKERS, _ARMOR_ENDS, strict=True):
        opened = c.line.rfind(begin, 0, c.start + 1)
        if opened >= 0 and c.line.find(end, opened) >= c.end:
            return True
    return False


# --- public material --------------------------------------------------------------------

_AGE_RECIPIENT = LazyRegex(r"age1(?:pq1)?[02-9ac-hj-np-z]{40,}")


def age_recipient(c: Candidate) -> bool:
    """An age public key (``age1...``); ``AGE-SECRET-KEY-1...`` identities are not filtered."""
    if not c.secret.startswith("age1") and "age1" not in c.line:
        return False
    for m in _AGE_RECIPIENT.finditer(c.line):
        if m.start() <= c.start and c.end <= m.end():
            return True
    return _AGE_RECIPIENT.fullmatch(c.secret) is not None


_PUBLIC_PREFIXES = (
    "ssh-rsa",
    "ssh-ed25519",
    "ssh-dss",
    "ecdsa-sha2-",
    "sk-ssh-ed25519",
    "sk-ecdsa-sha2-",
    "-----BEGIN PUBLIC KEY",
    "-----BEGIN RSA PUBLIC KEY",
    "-----BEGIN SSH2 PUBLIC KEY",
    "-----BEGIN CERTIFICATE",
    "-----BEGIN PGP PUBLIC KEY BLOCK",
    "-----BEGIN X509 CRL",
)
_SSH_KEY_ON_LINE = LazyRegex(
    r"(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-nistp\d+|sk-ssh-ed25519@openssh\.com)\s+$"
)
_PUBLIC_NAME = LazyRegex(r"(?i)(?:public|pub)[_.-]?key|publishable[_.-]?key")


def public_key(c: Candidate) -> bool:
    """Public keys, certificates and values assigned to ``public_key``-like names."""
    if c.secret.startswith(_PUBLIC_PREFIXES):
        return True
    before = c.before
    if c.secret.startswith("AAAA") and _SSH_KEY_ON_LINE.search(before):
        return True
    # Only the name part: the text left of the value, up to the assignment.
    return _PUBLIC_NAME.search(before[-60:]) is not None


# --- identifiers and digests ------------------------------------------------------------

_HEX = LazyRegex(r"[0-9a-fA-F]+")
_HASH_LENGTHS = frozenset({32, 40, 56, 64, 96, 128})
_HASH_CONTEXT = LazyRegex(
    r"(?i)sha\d*|md5|hash|digest|checksum|\bcommit|\brev(?:ision)?\b|\bref\b|etag|integrity|"
    r"fingerprint|\bgit\b|\bsum\b|blob|tree|object|\bid\b|_id\b|Id\b"
)


def hex_hash(c: Candidate) -> bool:
    """A hex digest (git SHA, md5, sha1/256/512) in a hash-like context.

    Hex API keys exist, so bare hex is not enough: the name left of the value (or the value
    shape ``sha256:<hex>``) must say it is a hash.
    """
    secret = c.secret
    if len(secret) < 7 or _HEX.fullmatch(secret) is None:
        return False
    if len(secret) not in _HASH_LENGTHS and not (7 <= len(secret) <= 12):
        return False
    return _HASH_CONTEXT.search(c.before[-80:]) is not None


_DIGEST_VALUE = LazyRegex(
    r"(?i)(?:sha(?:1|224|256|384|512)|md5|blake2[bs]?)[:=-][A-Za-z0-9+/_=-]{16,}|h1:[A-Za-z0-9+/]{40,}={0,2}"
)


def digest_value(c: Candidate) -> bool:
    """``sha256:<hex>``, SRI ``sha512-<base64>`` (lockfile integrity), go.sum ``h1:...``."""
    if _DIGEST_VALUE.match(c.secret):
        return True
    if "sha" not in c.line and "h1:" not in c.line and "md5" not in c.line:
        return False
    return any(m.start() <= c.start and c.end <= m.end() for m in _DIGEST_VALUE.finditer(c.line))


_UUID = LazyRegex(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def uuid(c: Candidate) -> bool:
    """A UUID is an identifier (exempted for rules whose true samples are UUIDs)."""
    return _UUID.fullmatch(c.secret) is not None


_DATA_URI = LazyRegex(r"data:[\w.+/-]*(?:;[\w=.+-]+)*;base64,[A-Za-z0-9+/=]*")


def data_uri(c: Candidate) -> bool:
    """A value inside ``data:<mime>;base64,...`` (inline images and fonts)."""
    if c.secret.startswith("data:"):
        return True
    if ";base64," not in c.line:
        return False
    return any(m.start() <= c.start and c.end <= m.end() + 2 for m in _DATA_URI.finditer(c.line))


# --- references -------------------------------------------------------------------------

_REFERENCE_PREFIXES = (
    "${",
    "$(",
    "{{",
    "{%",
    "<%",
    "#{",
    "%(",
    "%{",
    "@{",
    "$ENV",
    "ENV[",
    "ENV.",
    "env(",
    "env.",
    "os.environ",
    "os.getenv",
    "getenv(",
    "process.env",
    "import.meta.env",
    "System.getenv",
    "System.getProperty",
    "Environment.GetEnvironmentVariable",
    "secrets.",
    "vars.",
    "!ENV",
    "!Ref",
    "!Sub",
    "!GetAtt",
    "ref+",
    "op://",
    "vault:",
    "sm://",
    "arn:aws:secretsmanager:",
    "{env:",
    "%env:",
    "%ENV{",
    "!vault",
    "$ANSIBLE_VAULT",
)
_SHELL_VAR = LazyRegex(r"\$[A-Z_][A-Z0-9_]*")
_TEMPLATE_INSIDE = LazyRegex(r"\$\{[^}]*\}|\{\{[^}]*\}\}|<%.*?%>|\{%.*?%\}")
_CALL_OR_ATTRIBUTE = LazyRegex(
    r"[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*\(.*\)"
    r"|(?:self|this|cls|config|conf|cfg|settings|options|opts|args|params|props|env|ctx|context|"
    r"request|req|credentials|creds|secrets|vars|os)\.[A-Za-z_][\w.\[\]'\"]*"
)


def is_reference(value: str) -> bool:
    """True when ``value`` points at a secret kept elsewhere instead of being one."""
    v = value.strip().strip("'\"`")
    if not v:
        return False
    if v.startswith(_REFERENCE_PREFIXES):
        return True
    if _SHELL_VAR.fullmatch(v):
        return True
    if _TEMPLATE_INSIDE.search(v) and len(_TEMPLATE_INSIDE.sub("", v)) < 8:
        return True
    return _CALL_OR_ATTRIBUTE.fullmatch(v) is not None


def reference(c: Candidate) -> bool:
    """Environment, template and secret-manager references."""
    return is_reference(c.secret)


# --- values that spell their own name ---------------------------------------------------

# The name left of the value: ``CLIENT_AUTH: "``, ``Oid.KEY_USAGE = '``, ``"token_type", "``.
_NAME_BEFORE = LazyRegex(
    r"([A-Za-z_][\w.-]*)['\"`\]]?[ \t]*(?:[:=]{1,3}|=>|,)[ \t]*[bBrRuU]{0,2}['\"`]?$"
)
_IDENTIFIER_VALUE = LazyRegex(r"[A-Za-z][A-Za-z0-9_.-]{3,}")


def _folded(text: str) -> str:
    return text.replace("_", "").replace("-", "").replace(".", "").lower()


def self_named(c: Candidate) -> bool:
    """An enum member whose value is its own name in another casing.

    ``ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth"``, ``PRIVATE_KEY_USAGE_PERIOD =
    "privateKeyUsagePeriod"``: the value names the constant, it is no secret.
    """
    if _IDENTIFIER_VALUE.fullmatch(c.secret) is None:
        return False
    m = _NAME_BEFORE.search(c.before[-120:])
    if m is None:
        return False
    name = _folded(m.group(1).rsplit(".", 1)[-1])
    return name == _folded(c.secret)


# --- placeholders -----------------------------------------------------------------------

_WordLists = tuple[frozenset[str], frozenset[str], tuple[str, ...]]
_word_lists_loaded: _WordLists | None = None


def _word_lists() -> _WordLists:
    """The lists of wordlists.py, imported on first use (see its docstring)."""
    global _word_lists_loaded
    if _word_lists_loaded is None:
        from secretsfile.scanner import wordlists

        _word_lists_loaded = (
            wordlists.EMPTY_LIKE, wordlists.TEST_PASSWORDS, wordlists.PLACEHOLDER_WORDS
        )  # fmt: skip
    return _word_lists_loaded


_SAME_CHAR = LazyRegex(r"(.)\1*")
_MASKED = LazyRegex(r"[\s*xX•.#_-]+")


def is_placeholder(value: str) -> bool:
    """True for values written to be replaced: examples, masks, dummies, test passwords."""
    v = value.strip().strip("'\"`")
    low = v.lower()
    empty_like, test_passwords, placeholder_words = _word_lists()
    if low in empty_like or low in test_passwords:
        return True
    if "<" in v and ">" in v.partition("<")[2]:
        return True  # "<your-token>", "sk_<redacted>"
    if len(v) >= 2 and v[0] == "[" and v[-1] == "]" and " " in v:
        return True  # "[your token here]"
    if _SAME_CHAR.fullmatch(v) or _MASKED.fullmatch(v):
        return True
    if any(word in low for word in placeholder_words):
        return True
    # Mostly one character: "AP6xxxxxxxxxx", "sk_live_000000000000" are masks with a prefix.
    if len(v) >= 8:
        top = max(v.count(ch) for ch in set(v))
        if top / len(v) >= 0.6:
            return True
    return False


def placeholder(c: Candidate) -> bool:
    """Documentation and template placeholders."""
    return is_placeholder(c.secret)


# --- the list the engine runs -----------------------------------------------------------

Filter = Callable[[Candidate], bool]

#: (name, filter) in the order the engine tries them; cheap and common first.
FILTERS: tuple[tuple[str, Filter], ...] = (
    ("placeholder", placeholder),
    ("reference", reference),
    ("self-named", self_named),
    ("sops-ciphertext", sops_ciphertext),
    ("armored-ciphertext", armored_ciphertext),
    ("age-recipient", age_recipient),
    ("public-key", public_key),
    ("digest-value", digest_value),
    ("hex-hash", hex_hash),
    ("uuid", uuid),
    ("data-uri", data_uri),
)

#: The FILTERS that drop what sits in sops ciphertext or an armored message. A built-in
#: vendor rule (AKIA…, ghp_…: a shape random base64 does not hold by chance) is not subject
#: to them, nor to the skipping of sops metadata lines: a token there was pasted in, a
#: look-alike hiding it. Generic and custom rules are (their shapes may occur by chance).
CIPHERTEXT_FILTERS: frozenset[str] = frozenset({"sops-ciphertext", "armored-ciphertext"})

#: Filters that judge only the secret's shape; a rule whose secrets have that shape lists
#: them in its ``exempt_filters`` (a Heroku API key *is* a UUID).
SHAPE_FILTERS: frozenset[str] = frozenset({"uuid", "hex-hash", "placeholder", "public-key"})


def rejection_reason(c: Candidate, exempt: frozenset[str] = frozenset()) -> str | None:
    """The name of the first filter that rejects the candidate, or None to keep it."""
    for name, check in FILTERS:
        if name in exempt:
            continue
        if check(c):
            return name
    return None
