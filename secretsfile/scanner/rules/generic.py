"""The generic detector: credential-like names assigned a literal value.

Covers Python, JS/TS, Go, Java/Kotlin, C#, PHP, Ruby, YAML, JSON, TOML, INI/.properties, .env,
shell, Terraform/HCL, Dockerfiles and notebooks (JSON-escaped source). The families:

* ``generic-password`` / ``generic-secret``: a credential name followed by an assignment,
  comparison or key/value separator and a *quoted* literal. Applies to every file.
* ``generic-password-unquoted`` / ``generic-secret-unquoted``: the same with an unquoted value,
  only in files where an unquoted value is a literal (config, .env, YAML, INI, shell, Dockerfiles,
  Terraform, text) and never in program source, where it would be a variable.
* ``generic-secret-comparison``: ``if ("literal" == password)``.
* ``cli-secret-flag`` / ``dockerfile-secret``: ``--password=...`` and ``ENV API_TOKEN value``.
* ``generic-password-short-name`` (and ``-unquoted-``), ``password-positional-argument``,
  ``dotnet-config-password``: weaker names (``pw``, ``pass``, ``passwort``, ``senha``),
  ``NetworkCredential("u", "p")`` / ``auth=("u", "p")`` and ``<add key="...Password" value=...>``,
  reported only when the value looks chosen (a letter plus a digit or symbol, and three
  character classes or twelve characters).
* ``frontend-public-env-secret``: a secret in a variable the frontend build inlines into the
  public bundle (``REACT_APP_``, ``VITE_``, ``NEXT_PUBLIC_``, ``EXPO_PUBLIC_``, ...), also as
  the literal fallback of ``import.meta.env.VITE_X || "..."``; publishable keys are not.

Placeholders are dropped by the rules' allowlists (pure data, applied by the engine); the same
decisions are available as pure functions at the bottom of this module (``is_placeholder``,
``is_template_reference``, ``looks_like_code_reference``) for callers that want them.
"""

from __future__ import annotations

from secretsfile.scanner.lazy_regex import LazyRegex
from secretsfile.scanner.model import Allowlist, Rule

from ._common import NOT_PROGRAM_SOURCE, SEQUENTIAL

# --- name ------------------------------------------------------------------------------------
# The credential words, spelled in the three casings code uses (snake/kebab, camelCase/PascalCase,
# UPPER_CASE). They are case-sensitive literals on purpose: Python's re only skips ahead quickly
# when every alternative starts with a literal, which keeps the generic rules fast on files that
# merely mention "token" or "secret". Exclusions that depend on what precedes the word are
# look-behinds placed *after* it, so they cost nothing until a word matched.
_PASSWORD_WORD = (
    r"(?:password|Password|PASSWORD|passwd|Passwd|PASSWD|passphrase|Passphrase|PASSPHRASE"
    r"|pwd(?<![A-Za-z]pwd)|Pwd|PWD(?<![A-Z]PWD)|_pass(?![a-z])|_PASS(?![A-Z])|Pass(?![a-z])(?<=[a-z]Pass))"
    r"(?<!bypass)(?<!Bypass)(?<!BYPASS)"
)
_SECRET_WORD = (
    r"(?:secret|Secret|SECRET|token|Token|TOKEN"
    r"|api[_.-]?key|apiKey|ApiKey|APIKey|API[_.-]?KEY|Api[_.-]?Key"
    r"|access[_.-]?key|accessKey|AccessKey|ACCESS[_.-]?KEY"
    r"|private[_.-]?key|privateKey|PrivateKey|PRIVATE[_.-]?KEY"
    r"|auth[_.-]?key|authKey|AuthKey|AUTH[_.-]?KEY"
    r"|credential|Credential|CREDENTIAL"
    r"|signing[_.-]?key|signingKey|SigningKey|SIGNING[_.-]?KEY"
    r"|encryption[_.-]?key|encryptionKey|EncryptionKey|ENCRYPTION[_.-]?KEY"
    r"|master[_.-]?key|masterKey|MasterKey|MASTER[_.-]?KEY"
    r"|license[_.-]?key|licenseKey|LicenseKey|LICENSE[_.-]?KEY"
    r"|auth(?<![A-Za-z]auth)(?![a-z])|Auth(?![a-z])|AUTH(?<![A-Z]AUTH)(?![A-Z]))"
    # tokens that are not credentials: CSRF/XSRF, pagination, cancellation, public tokens, JWT libraries
    r"(?<!csrf_token)(?<!csrfToken)(?<!CsrfToken)(?<!CSRF_TOKEN)(?<!csrf-token)(?<!xsrf_token)(?<!xsrfToken)"
    r"(?<!XSRF_TOKEN)(?<!xsrf-token)(?<!pageToken)(?<!page_token)(?<!PageToken)(?<!nextToken)(?<!next_token)"
    r"(?<!NextToken)(?<!publicToken)(?<!public_token)(?<!PublicToken)(?<!cancellationToken)"
    r"(?<!CancellationToken)(?<!continuationToken)(?<!ContinuationToken)(?<!syncToken)(?<!webtoken)"
    r"(?<!WebToken)(?<!no_secret)(?<!NoSecret)"
)
# Rest of the identifier after the word (lazy), and an optional index: password[], secrete[25].
_NAME_REST = r"[\w.-]{0,30}?(?:\[\d{0,4}\](?=[ \t]*=[ \t]*\"))?(?:[ \t]+string|[ \t]*:[ \t]*(?:[Ss]tring|str)\??)?"

# --- separator -------------------------------------------------------------------------------
# = == === != !== := ::= :::= ?= => .= ||= <- , "key": key: (YAML/JS, followed by a space or quote),
# ("KEY", "value") and `password "value"` (space-separated, value quoted).
_OP_QUOTED = (
    r"(?:['\"`]?\]?[ \t]{0,24}(?:={1,3}|!==?|:{1,3}=|\?=|=>|\.=|\|\|=|<-)"
    r"|['\"`]\]?[ \t]{0,24}:|:(?=[ \t]|['\"`])|(?<=[A-Z0-9_])['\"`][ \t]{0,4},|[ \t]+(?=@\"|['\"`]))"
    r"[ \t]{0,24}(?:@(?=\")|[bBrRuU]{1,2}(?=['\"]))?"
)
# The same without the space-separated form: "pass `x`" is prose when the name is a verb.
_OP_QUOTED_NO_SPACE = _OP_QUOTED.replace(r"|[ \t]+(?=@\"|['\"`]))", ")")
_OP_UNQUOTED = (
    r"(?:(?:['\"`]?\]?[ \t]{0,24}(?:={1,3}|:{1,3}=|\?=|=>)|['\"`]\]?[ \t]{0,24}:|:(?=[ \t]))[ \t]{0,24}|>(?!\s*-)\s{0,40})"
)

# --- value -----------------------------------------------------------------------------------
# One capture group whatever the quote; a backslash before the quote is allowed (notebooks and
# JSON-embedded source). The value never contains its own quote, a backslash or a newline.
_QUOTED = (
    r"\\?['\"`]((?<=\")[^\"\\\r\n]{{{n},200}}(?=\\?\")|(?<=')[^'\\\r\n]{{{n},200}}(?=')"
    r"|(?<=`)[^`\\\r\n]{{{n},200}}(?=`))"
)
_UNQUOTED = r"(?![\"'`])([^\s\"'`<>\\]{{{n1},199}}[^\s\"'`<>;,\\])(?=[\s;,<\"'`\\]|$)"

# --- allowlists ------------------------------------------------------------------------------
_PASSPHRASE = r"[a-z]{3,}(?: [a-z]{3,}){3,}$"
TEMPLATE_REFERENCE = Allowlist(
    regexes=(
        r"\$\{[A-Za-z_][\w.]*(?:[:?+=-][^{}]*)?\}|\$\{\{[^{}]*\}\}",  # ${VAR}, ${VAR:-x}, ${{ secrets.X }}
        r"\{\{[^{}]*\}\}",  # {{ jinja }} / {{ .Values.x }}
        r"^\$[A-Za-z_][A-Za-z0-9_]*$",  # $VAR
        r"^\$\(",  # $(command)
        r"%\([A-Za-z_]\w*\)[sdr]|^%[sdr]$|^\{\d*\}$",  # printf / format placeholders
        r"^%[A-Za-z_][A-Za-z0-9_]*%$",  # %WINDOWS_VAR%
        r"^<[^<>]{1,80}>$",  # <your-token>
        r"^\{[A-Za-z_][\w.-]*\}$",  # {SumoAccessKey}
        r"^\[[A-Za-z_ -]{3,}\]$",  # [PASSWORD]
        r"^ENC\[",  # sops / secretsfile ciphertext
        r"\$[A-Za-z_][A-Za-z0-9_]{2,}",  # shell/PHP/Perl interpolation inside the value
        r"^(?:op|vault|env|file|k8s|awssm|gcpsm|azkv|sm|ssm|secretsmanager)://",  # secret-manager references
        r"^arn:aws",
        r"(?i:^(?:os\.environ|os\.getenv|getenv|process\.env|env\(|environ|settings\.|config\.|import\.meta\.env))",
        r"^!(?:vault|Ref|Sub|GetAtt|ImportValue|env|secret)\b",  # YAML tags
    ),
    description="environment, template and secret-manager references",
)

PLACEHOLDER = Allowlist(
    regexes=(
        r"(?i:^(?:none|null|nil|undefined|true|false|yes|no|on|off|empty|n/?a|tbd|todo|required|optional"
        r"|secret|secrets|password|passwd|pwd|pass|passphrase|token|key|apikey|api_key|credentials?|value|string"
        r"|str|bytes|text|changeme|change_me|change-me|changeit|letmein|qwerty|hunter2|admin|administrator|root"
        r"|toor|guest|user|username|login|default|test|tests|testing|tester|demo|sample|example|foo|bar|baz"
        r"|foobar|dummy|fake|mock|redacted|hidden|masked|private|public|secret123|password1|password123"
        r"|passw0rd|p@ssw0rd|p@ssword|pa55word|pass123|pass1234|test123|test1234|testpass|testpassword"
        r"|admin123|abc123|abcd1234|12345|123456|1234567|12345678|123456789|1234567890|0000|00000000"
        r"|mypassword|mysecret|mytoken|supersecret|topsecret|s3cr3t|secretpassword|notasecret)$)",
        r"(?i:^x+$)|^\*+$|^\.+$|^-+$|^_+$|^#+$|^\?+$",
        r"(?i:x{5,})|\*{3,}|#{4,}|\.\.\.|•",
        r"(?i:abcdefghij|(?:1234-){2})",
        # lower-case prose: "value goes in here"; four or more words of three letters or more
        # ("correct horse battery staple") are a passphrase, not prose
        r"^(?!" + _PASSPHRASE + r")[a-z]+(?: [a-z]+){2,}$",
        # lower-case prose with punctuation: "template data / text", " * [would prune] ", "in #security"
        r"^(?!" + _PASSPHRASE + r")(?=[^ ]* )[^\w]*[a-z]+(?:[ /,:;#*()\[\]-]+[a-z]+)+[^\w]*$",
    ),
    stopwords=(
        "example", "placeholder", "changeme", "change_me", "change-me", "your_", "your-", "yourpass",
        "<your", "insert_", "insert-", "replace_", "replace-", "replaceme", "redacted", "dummy", "fake",
        "sample", "lorem", "notreal", "not_real", "not-real", "not_a_real", "not-a-real", "todo:", "fixme",
        "put_your", "enter_your", "goes_here", "goes-here", "_here", "-here", "password", "passwd",
        "secret",
    ),
    description="placeholders, documentation values and obvious test passwords",
)

NOT_A_LITERAL = Allowlist(
    regexes=(
        # snake_case identifier (real_secret, db_password), but not a token with a lower-case
        # prefix: no segment over 20 characters nor mixing letters with 4 digits (live_…, bkua_…)
        r"^(?![a-z0-9_]*?(?<![a-z0-9])(?=[a-z0-9]*[a-z])(?:[a-z]*\d){4})[a-z][a-z0-9]{0,19}(?:_[a-z0-9]{1,20})+$",
        r"^[A-Z][A-Z0-9]{0,11}(?:[_-][A-Z0-9]{1,12})+$",  # CONSTANT_NAME / ENV-NAME
        r"^[A-Za-z_]\w*\(.*\)$",  # function call
        r"^[a-z][a-z0-9+.-]*://",  # URL (credentials in URLs have their own rules)
        r"^(?:~|\.{1,2})?/[\w./@-]*$|^[A-Za-z]:\\",  # file paths
        r"(?i:^[\w.-]+\.(?:pem|key|crt|cer|der|p12|pfx|jks|json|ya?ml|txt|env|keytab|gpg|asc|pub|cfg|conf|ini|toml)$)",
        r"^[\w.+-]+@[\w-]+\.[\w.-]+$",  # e-mail address
        r"^[+-]?\d+(?:\.\d+)?$",  # numbers
        r"^v?\d+(?:\.\d+){1,3}(?:[-+][\w.-]*)?$",  # versions
        r"(?i:^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$)",  # UUIDs
        r"^[&*!|>]",  # YAML anchors, aliases, tags, block scalars
        r"^\W+$",  # punctuation only
        r"^[A-Z][a-z]+(?:-[A-Z][a-z]+)+$",  # HTTP header names: Proxy-Authorization
    ),
    description="references, identifiers, paths, URLs, numbers, UUIDs",
)

# An attribute path (settings.db_password, self.token, Foo::KEY) is a reference in code and in
# most config languages, but a value in INI, .env and .properties files is always a literal:
# there ``password = hyqj1.KAkufHZimpL1`` is a password with a dot in it.
ATTRIBUTE_PATH = Allowlist(
    regexes=(r"^[A-Za-z_$][A-Za-z_$]*\d*(?:(?:\.|::|->)[A-Za-z_$][A-Za-z_$]*\d*)+(?:\(\))?$",),
    paths=(r"^(?!.*(?:\.(?:ini|env|properties|cfg|cnf|conf)|(?:^|/)\.env[\w.-]*)$)",),
    condition="AND",
    description="an attribute path, except in INI, .env and .properties files",
)

# Names that look like credentials but hold metadata: *_id, *_name, *_type, *_url, *_file, ...
# The metadata word is a whole segment of the name: after a separator, at a lower-to-upper case
# change (tokenType), or glued to the credential word (passwordhash, tokenurl); never the tail
# of another word (password_secure is not *_re, apikey_myservice is not *_service).
_SEGMENT_START = (
    r"(?:(?<![A-Za-z])|(?-i:(?<=[a-z])(?=[A-Z]))|(?<=password)|(?<=passwd)|(?<=secret)|(?<=token)|(?<=key)"
    r"|(?<=auth)|(?<=pwd)|(?<=pass)|(?<=credential))"
)
NAME_IS_METADATA = Allowlist(
    regexes=(
        r"(?i:^[\w.-]*?" + _SEGMENT_START + r"(?:id|ids|name|names|type|types|url|uri|urls|path|file|filename|dir|size|len|length|count"
        r"|version|format|prefix|suffix|field|fields|header|param|params|endpoint|expiry|expires|expiration|ttl"
        r"|timeout|label|regex|pattern|policy|hint|index|idx|mode|kind|template|provider|source|ref|arn|env|var"
        r"|required|enabled|description|desc|text|message|msg|prompt|column|placeholder|min|max|hash|hashed"
        r"|digest|question|strength|rules|validator|generator|input|chars|re|service|store|manager|handler|class"
        r"|cls|callback|at|on|by|limit|age|lifetime|duration|seconds|ms|bytes|bits|flag|location|method|scope"
        r"|scopes|audience|issuer|algorithm|alg|usage|status|state|error|errors|reset|changed|expired|valid"
        r"|length|number|no|num|key_id|keyid|key_name|keyname|vault|item|items|list|map|dict|set|table|fn"
        r"|func|function|plugin|helper|util|utils|test|tests|spec|mock|fixture|example|sample|schema"
        # plurals name a collection or a file (credentials: ~/.aws/credentials), unless the value is
        # one long token (a 32+ character run with a digit)
        r"|(?:secrets|tokens|credentials|keys)(?!['\"`\]]?[ \t]*[:=][ \t]*['\"`]?(?=[^'\"`\s]*\d)[A-Za-z0-9+/=_-]{32,}$)|hdr)"
        r"(?:\[\d{0,4}\])?['\"`\]]?[ \t]*(?:[:=!<>,?.|@]|[ \t]+['\"`@]))",
    ),
    regex_target="match",
    description="the name describes a credential's metadata, not the credential",
)

# Values in a vendor's format are judged by that vendor's rule (which knows its length and
# alphabet); the generic rules leave them alone instead of flagging malformed look-alikes.
VENDOR_FORMAT = Allowlist(
    regexes=(
        r"^(?:xox[abeoprs][.-]|xapp-|gh[pousr]_|github_pat_|gl(?:pat|dt|rt|ptt|cbt|soat|agent|imt|ft)-|GR1348941"
        r"|sk-ant-|sk-proj-|sk-svcacct-|[sr]k_(?:live|test|prod)_|whsec_|AKIA|ASIA|AIza|hf_|api_org_|npm_|pypi-"
        r"|dckr_pat_|SG\.|key-[0-9a-f]|xkeysib-|shp(?:at|ca|pa|ss)_|do[por]_v1_|hv[sbr]\.|glc_|glsa_|pplx-|gsk_|r8_"
        r"|pcsk_|lin_api_|ntn_|sntry[su]_|NRAK-|sq0(?:atp|csp)-|AGE-SECRET-KEY-|ops_eyJ|eyJ[\w-]*={0,2}\.|dapi|sgp_|sq[uap]_"
        r"|tskey-|vc[pikar]_|fo1_|FlyV1|-----BEGIN|[ps]k\.eyJ|pk_(?:live|test)_"
        # issue 13 families (slices B/C append their prefixes here)
        r"|tvly-|odt_|NR[RA]A-|SWM(?:TKN|KEY)-1-|dp\.(?:pt|st|ct|sa|scim|audit)\.|cio[A-Za-z0-9]{20}|aio_|SSWS[ \t]"
        r"|00D[A-Za-z0-9]{12}!|3MVG9|5Aep861|pat[A-Za-z0-9]{14}\.|[ps]at\.[A-Za-z0-9_-]{8}|pat-[a-z]{2}\d-|CFPAT-|dd[pw]_|figd_"
        r"|fio-u-|dG9rO[jm]|pscale_|pnu_|rdme_|tfp_|sdk-[0-9a-f]{8}-|api-[0-9a-f]{8}-|y0_|AQVN|sl\.u\.|IGQVJ|akab-|rootly_|bkua_"
        r"|CCIPAT_|BBDC-|duffel_|EZ[AT]K|shippo_|live_(?:\d{6,12}_|[0-9a-f]{8})|oauth:[a-z0-9]{12}|otpauth://)",
    ),
    description="value in a vendor token format: the vendor rule decides",
)

# A regular expression assigned to a credential name (detectors, validators): a character class
# or escape with a quantifier, a group construct, or a trailing {n} / {n,m}.
REGEX_LITERAL = Allowlist(
    regexes=(r"\[[^\]\s]{1,40}\][{*+?]", r"\(\?(?:[:=!]|<[=!]|P<)", r"\\[dwsbDWS][{*+?)]", r"\{\d+(?:,\d*)?\}\)?\$?$"),
    description="a regular expression, not a value",
)

# Syntax-highlighting styles (Pygments, prompt_toolkit, rich): Token.Comment: "italic #A3AAB2".
STYLE_VALUE = Allowlist(
    regexes=(
        r"(?i:^(?:(?:no)?(?:bold|italic|underline|inherit|noinherit|blink|reverse|hidden|roman|sans|mono"
        r"|border|bg|fg)\b:?[ ]*)*#(?:[0-9a-f]{3}|[0-9a-f]{6}|ansi[a-z]+)$)",
    ),
    description="a style or colour value",
)

# The "name" is a class attribute used as a key: Token.String, Secret.Kind (Capitalised member).
CLASS_ATTRIBUTE_KEY = Allowlist(
    regexes=(r"^(?:Token|Secret|Credential|Auth)\.[A-Z]",), regex_target="match",
    description="a class attribute used as a dictionary key",
)

# Unquoted rules in docs and text: a call cut at its first quote (token = f.encrypt(b"...")) and
# doctest lines, where the right-hand side is an expression.
CALL_OR_DOCTEST = (
    Allowlist(regexes=(r"^[A-Za-z_][\w.]*\(",), description="a call, cut at its first quote"),
    Allowlist(regexes=(r"^[ \t]*(?:>>>|\.\.\.)[ \t]",), regex_target="line", description="a doctest line"),
)

# An otpauth:// URI's secret is the otpauth rule's; the generic rules would read it on to the next
# parameter (SECRET&issuer=Corp).
OTPAUTH_URI = Allowlist(regexes=(r"otpauth://",), regex_target="line", description="an otpauth:// URI")

_GENERIC_ALLOWLISTS = (
    TEMPLATE_REFERENCE, PLACEHOLDER, NOT_A_LITERAL, ATTRIBUTE_PATH, NAME_IS_METADATA, VENDOR_FORMAT, REGEX_LITERAL,
    STYLE_VALUE, CLASS_ATTRIBUTE_KEY, OTPAUTH_URI,
)

# A single dictionary-looking word ("python", "somepass", "Incorrect") is what test suites and
# docs use; generated or chosen production passwords mix character classes or are longer.
DICTIONARY_WORD = Allowlist(
    regexes=(r"^[a-z]{1,15}(?:-[a-z]{1,15}){0,3}$|^[A-Z][a-z]{1,14}$|^[A-Z]{1,10}$",),
    description="a single dictionary-looking word",
)
# A CamelCase phrase with a function word and nothing else ("IAmSensitive", "NotSoSecret",
# "MySecretValue") reads as a docs example; a CamelCase passphrase of content words
# ("CorrectHorseBattery") or anything with a digit or a symbol stays a finding.
CAMEL_PHRASE = Allowlist(
    regexes=(r"^(?=(?:[A-Z][a-z]*)*?(?:I|Am|Is|Are|My|Your|Not|So|Very|The|This|It|An?)(?:[A-Z]|$))(?:[A-Z][a-z]{0,12}){2,4}$",),
    description="a CamelCase phrase with a function word",
)
_PASSWORD_ALLOWLISTS = (*_GENERIC_ALLOWLISTS, DICTIONARY_WORD, CAMEL_PHRASE)

# Weaker evidence (a short or non-English name, a positional argument) needs a value that looks
# chosen: letters and a digit or symbol, and three character classes or twelve characters.
LOOKS_WEAK = Allowlist(
    regexes=(
        r"^[A-Za-z]+$|^[^A-Za-z]+$",
        r"^(?=.{1,11}$)(?:[a-z\d]+|[A-Z\d]+|[a-z\W_]+|[A-Z\W_]+)$",
    ),
    description="a value that does not look like a chosen password",
)
_WEAK_NAME_ALLOWLISTS = (*_PASSWORD_ALLOWLISTS, LOOKS_WEAK)

# pw, PASS, userPw, SMTP_PW, and the word in other languages; never followed by more name.
# Every alternative starts with a literal (fast in Python's re); what may precede the word is
# checked by look-behinds after it. db_pass / DB_PASS belong to generic-password.
_WEAK_PASSWORD_WORD = (
    r"(?:pw(?<![A-Za-z0-9]pw)|PW(?<![A-Za-z0-9]PW)|Pw(?<![A-Z0-9]Pw)|pass(?<![\w]pass)|PASS(?<![\w]PASS)"
    r"|Pass(?<![A-Z0-9_]Pass)|mdp(?<![A-Za-z0-9]mdp)|MDP(?<![A-Za-z0-9]MDP)|passwort|Passwort|PASSWORT"
    r"|senha|Senha|SENHA|contrase(?:n|\u00f1)a|Contrase(?:n|\u00f1)a|mot_de_passe|wachtwoord|Wachtwoord"
    r"|haslo|parola|parol)(?![\w-])"
)
_WEAK_PASSWORD_KEYWORDS = (
    "pass =", "pass=", "pass:", "pass\"", "pass'", "pw =", "pw=", "pw:", "pw\"", "pw'", "mdp", "senha",
    "contrase", "wachtwoord", "haslo", "parol", "passwort", "mot_de_passe",
)

_PASSWORD_KEYWORDS = ("passw", "passphrase", "pwd", "_pass", "pass_")
_SECRET_KEYWORDS = (
    "secret", "token", "api_key", "api-key", "api.key", "apikey", "access_key", "access-key", "accesskey",
    "private_key", "private-key", "privatekey", "auth_key", "auth-key", "authkey", "credential",
    "signing_key", "signingkey", "encryption_key", "encryptionkey", "master_key", "masterkey", "license_key",
    "licensekey", "_auth", "auth_", "auth\"", "auth'", "auth:", "auth =", "auth=",
)

RULES: tuple[Rule, ...] = (
    Rule(
        id="generic-password",
        description="Password-like name assigned a quoted literal",
        regex=_PASSWORD_WORD + _NAME_REST + _OP_QUOTED + _QUOTED.format(n=5),
        keywords=_PASSWORD_KEYWORDS,
        secret_group=1,
        entropy=2.3,
        allowlists=_PASSWORD_ALLOWLISTS,
        true_samples=(
            'DB_PASSWORD = "Bj0gvR71vW5MLPdG"',
            "db_pass: 'e3JHZlyZrKTi'",
            'const adminPassword = "ed4eHGBCTOxK0h";',
            'password := "jAV6PpWJKgX0"',
            'db_password => "0rmibMMK84Kc",',
            '    "    conn = connect(user=\\"etl\\", password=\\"fFdLPTbV0S2ihj\\")\\n",',
            'if (db_pass != "Srm93Ugh05i6") {',
            'System.setProperty("DB_PASSWORD", "0olG3AEflb1c");',
            'vpn_password = "orbit lantern maple quiver"',
        ),
        false_samples=(
            'password = ""',
            'password = "changeme"',
            'password = "${DB_PASSWORD}"',
            "password: '{{ vault_db_password }}'",
            'password = "<your password>"',
            'password = os.environ["DB_PASSWORD"]',
            'password_field = "password_input"',
            'PASSWORD_MIN_LENGTH = "12"',
            'password = "********"',
            'password = "xxxxxxxxxx"',
            "password = r'([a-f0-9]{48}(?![a-f0-9]))'",
            "    model = Model(password='IAmSensitive', password_bytes=b'IAmSensitiveBytes')",
            'password: "ENC[AES256_GCM,data:Zm9vYmFy,iv:m0505h2c9jjUilzLZxTGYJjt/fo+0gZ8UHqCzkNELcx=,tag:kLHcZON8J4kj5GSivv/G1V==,type:str]"',
        ),
        tags=("generic",),
    ),
    Rule(
        id="generic-secret",
        description="Secret-, token- or key-like name assigned a quoted literal",
        regex=_SECRET_WORD + _NAME_REST + _OP_QUOTED + _QUOTED.format(n=10),
        keywords=_SECRET_KEYWORDS,
        secret_group=1,
        entropy=3.0,
        allowlists=_GENERIC_ALLOWLISTS,
        true_samples=(
            'API_KEY = "cRWtnYUk0mZS0G5mXBRZdZGbWWCVD441"',
            "client_secret: 'jdCkxL5R5cjsLeoyeAozPL34y_nMDMVUl7hNCmiJ'",
            'const accessToken = "XOEFVWB3sw1EvFt9VcFcfYJnGzF4SiC2MXX8IS9R";',
            'var jiraToken string = "ol3zUXvvsLkIfDFjN6N88RAb"',
            'secretKey := "4TU0rD4nPrOd47ZEvF4iU26HjGDSRx5l"',
            '{"authToken": "99e6067d88a875a474ed9af565b2bb283579e6b9"}',
            'String stripeKey = "x"; String webhookSecret = "0g7keJrkN9M7cD2IYSJtI4eQFXk4Dv02";',
            '  "apiKey" => "gfk4X0Anu5vhF3g4nIZfCF7ocKxk0LKN",',
            '"credentials" : "5d1f8a3c9e0b7246f1a8c3e5d9b0274a6c8e1f3b5d7a9c0e2f4b6d8a1c3e5f70"',
            "'refresh_token': 'eyJ4cTc2QmZ3THo5aw=='",  # base64 JSON without the dots of a JWT
            "api_key: 'orbit lantern maple quiver'",  # a passphrase of four words
        ),
        false_samples=(
            'token_type = "bearer_token_type"',
            'public_key = "ClLW7FTiMXfcQLmnZIaonxrjgotFSIzPV2zxtEukOYu"',
            'csrf_token = "xO74g4xyFSPueth1aYzXP2BgQJ5TQp4cGCnHgQDX"',
            'secret_name = "prod/db/password"',
            'api_key = "${API_KEY}"',
            'api_key = "{{ api_key }}"',
            'TOKEN_URL = "https://oauth2.googleapis.com/token"',
            'api_key = "your-api-key-here"',
            'credentialsId: "29f63271-dc2f-4734-8221-5b31b5169bac"',
            'access_key_id = "AKIAIOSFODNN7EXAMPLE"',
            "    cl_api_key = r'([a-z]{24})'",
            "    secret = r'([a-z0-9]{64})'",
            '    ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",',
            '    Token.Comment: "italic #A3AAB2",',
            "    Token.String: '#ansiyellow',",
            '    TOKEN_DATA: "template data / text",',
            'credentials = "~/.config/gcloud/application_default_credentials.json"',
            '"credentials": "service-account-reader"',
            'api_key = "goes in here"',
            '        token = " * [would prune] "',
            "    team = os.environ.get('DETECT_SECRETS_SECURITY_TEAM', 'in #security')",
            'secret_key = "ENC[AES256_GCM,data:LPaDGSLAEsYnrh1FX8OI+YBIIbm1XDQenM9sVNoi,iv:xKZa3gGfwdc7Hs4qab0oQ6Vam1OnRnkmdQF66+dgv05=,tag:iH31yOebfd8sejvLwqxfiu==,type:str]"',
        ),
        tags=("generic",),
    ),
    Rule(
        id="generic-password-unquoted",
        description="Password-like name assigned an unquoted literal in a config, .env, YAML, INI or shell file",
        regex=_PASSWORD_WORD + _NAME_REST + _OP_UNQUOTED + _UNQUOTED.format(n1=4),
        keywords=_PASSWORD_KEYWORDS,
        secret_group=1,
        entropy=2.3,
        path=NOT_PROGRAM_SOURCE,
        allowlists=(*_PASSWORD_ALLOWLISTS, *CALL_OR_DOCTEST),
        true_samples=(
            "DB_PASSWORD=aC8uHEkNZ4GWqwvg",
            "  password: 4RrEwWhtgYPOZG",
            "spring.datasource.password = 4zxnmIAGzfL8",
            "export PGPASSWORD=a9pBWKeRTF7B",
            "<password>FxenMFpC3x2Q</password>",
        ),
        false_samples=(
            "DB_PASSWORD=",
            "password: ${DB_PASSWORD}",
            "password: !vault |",
            "password = var.db_password",
            "PASSWORD=changeme",
            "password: *default_password",
            '>>> conn = connect(password=get_password("db"))',
        ),
        tags=("generic",),
    ),
    Rule(
        id="generic-secret-unquoted",
        description="Secret-, token- or key-like name assigned an unquoted literal in a config, .env, YAML, INI or shell file",
        regex=_SECRET_WORD + _NAME_REST + _OP_UNQUOTED + _UNQUOTED.format(n1=9),
        keywords=_SECRET_KEYWORDS,
        secret_group=1,
        entropy=3.0,
        path=NOT_PROGRAM_SOURCE,
        allowlists=(*_GENERIC_ALLOWLISTS, *CALL_OR_DOCTEST),
        true_samples=(
            "API_TOKEN=1Qrfex0oMKP2pgHz2XUpMwjCcJ8x2Ffi",
            "LOB_API_KEY=lv_9c2f4e7a1b3d5f6a8c0e2d4b6a8f0c1e3d5",
            "  client_secret: t3QNZdsi01ipkUTlrZzNMrPtNkQFk8g-Ggo-GIyy",
            "app.jwt.secret=y8tTkGvrFGOQb5LkxlbnV5O8zFa4ybnK1QLeWiXeOi2T",
            "<apiKey>b5bb289002bff1ba29d454a204f409c7</apiKey>",
        ),
        false_samples=(
            "API_TOKEN=${API_TOKEN}",
            "token_endpoint: https://login.example.com/oauth2/token",
            "secretName: app-credentials",
            "secret_access_key = aws_secret",
            "secretsManagerArn: arn:aws:secretsmanager:eu-west-1:123456789012:secret:db",
            '>>> token = f.encrypt(b"A really secret message. Not for prying eyes.")',
        ),
        tags=("generic",),
    ),
    Rule(
        id="generic-secret-comparison",
        description="A literal compared with a credential-named variable",
        regex=(
            r"([\"'])([^\"'\\\r\n]{6,200})\1[ \t]{0,3}(?:===?|!==?)[ \t]{0,3}[\w.$>\[\]'\"-]{0,40}?"
            r"(?i:passw(?:or)?d|passwd|pwd|secret|api_?key|token|private_?key)"
        ),
        keywords=("passw", "pwd", "secret", "api_key", "apikey", "token", "private_key", "privatekey"),
        secret_group=2,
        entropy=2.5,
        allowlists=(TEMPLATE_REFERENCE, PLACEHOLDER, NOT_A_LITERAL, ATTRIBUTE_PATH),
        true_samples=('if ("QoyHYxorCe5DfdBK" == password) {', "if 'lK7lzOk9gWnSw84Nw6iP' != config.api_key:"),
        false_samples=('if ("" == password) {', "if 'bearer' == token_type:", 'if ("changeme" === password)'),
        tags=("generic",),
    ),
    Rule(
        id="generic-password-short-name",
        description="Chosen-looking password under a short or non-English name (pw, pass, passwort, senha, mdp)",
        regex=_WEAK_PASSWORD_WORD + _OP_QUOTED_NO_SPACE + _QUOTED.format(n=6),
        keywords=_WEAK_PASSWORD_KEYWORDS,
        secret_group=1,
        entropy=2.5,
        allowlists=_WEAK_NAME_ALLOWLISTS,
        true_samples=(
            'pw = "Vq7#mLx2Rt9p"',
            '{"user": "etl", "pass": "k3Rw-9xQ2mZt7v"}',
            "$smtpPass = 'Hn4%xT8qLw2z';",
            'passwort = "Zu8!kLq2Wm4x"',
            'SMTP_PW: "p8Xq2Lr9Kw4t"',
        ),
        false_samples=(
            'pw = "password"',
            'pw = "letmein"',
            '{"pass": "skip"}',
            'PASS = "hunter22"',
            'passport = "X1234567"',
            'pw = "CorrectHorse"',
            'pass = "${SMTP_PASS}"',
            "Notice that we pass `record_in_macro=False`.",
        ),
        tags=("generic",),
    ),
    Rule(
        id="generic-password-unquoted-short-name",
        description="Chosen-looking password under a short or non-English name, unquoted, in config files",
        regex=_WEAK_PASSWORD_WORD + r"[ \t]*" + _OP_UNQUOTED + _UNQUOTED.format(n1=5),
        keywords=_WEAK_PASSWORD_KEYWORDS,
        secret_group=1,
        entropy=2.5,
        path=NOT_PROGRAM_SOURCE,
        allowlists=(*_WEAK_NAME_ALLOWLISTS, *CALL_OR_DOCTEST),
        true_samples=("SMTP_PW=Lq8-xW3zKp7r", "  pass: Tz5!nR2wXq8m", "mdp=Hy6#pL3vQz9k"),
        false_samples=("SMTP_PW=", "pass: true", "pw: ${SMTP_PW}", "pass: skip_tests", "PASS=secret"),
        tags=("generic",),
    ),
    Rule(
        id="password-positional-argument",
        description="Literal password as the second argument of a credential constructor (NetworkCredential, HTTPBasicAuth, auth=(...))",
        regex=(
            r"(?:NetworkCredential|BasicAuth|DigestAuth|HTTPBasicAuth|HTTPDigestAuth|\bauth[ \t]*=)[ \t]*\("
            r"[ \t]*(?:@|[bu])?([\"'])[^\"'\\\r\n]{1,64}\1[ \t]*,[ \t]*(?:@|[bu])?[\"']([^\"'\\\s]{6,64})[\"']"
        ),
        keywords=("networkcredential", "basicauth", "digestauth", "auth=(", "auth = ("),
        secret_group=2,
        entropy=2.5,
        allowlists=_WEAK_NAME_ALLOWLISTS,
        true_samples=(
            'var cred = new NetworkCredential("svc-backup", "Rw7#kPq2Lx9m");',
            'r = requests.get(url, auth=("etl", "t8Kq-2Wz5mXr"))',
            "session.auth = HTTPBasicAuth('ci', 'Gz3%mQ8wLp2x')",
        ),
        false_samples=(
            'auth=("user", "password")',
            'new NetworkCredential("svc", password)',
            'auth=("user", "pass")',
            'auth = (username, "hunter22")',
        ),
        tags=("generic",),
    ),
    Rule(
        id="dotnet-config-password",
        description="Password in a .NET appSettings entry (<add key=\"...Password\" value=\"...\"/>)",
        regex=(
            r"<add[ \t]+key=\"[\w.:-]{0,40}?(?:[Pp]assword|PASSWORD|[Pp]wd|PWD|[Ss]ecret|SECRET)[\w.:-]{0,20}\""
            r"[ \t]+value=\"([^\"\r\n]{6,200})\""
        ),
        keywords=("<add key=",),
        secret_group=1,
        entropy=2.5,
        allowlists=_WEAK_NAME_ALLOWLISTS,
        true_samples=('<add key="SmtpPassword" value="Kx8#pLq2Wm7z" />', '    <add key="Api.Secret" value="q8ZlT2mW9xRk4vPn7sJ3" />'),
        false_samples=('<add key="SmtpPassword" value="" />', '<add key="PasswordPolicy" value="Strict" />',
                       '<add key="ClearTextPassword" value="%NUGET_PASSWORD%" />'),
        tags=("generic",),
    ),
    Rule(
        id="frontend-public-env-secret",
        description="Secret in a variable the frontend build inlines into the public bundle (REACT_APP_, VITE_, NEXT_PUBLIC_, ...)",
        regex=(
            r"(?:REACT_APP|VITE|NEXT_PUBLIC|EXPO_PUBLIC|NUXT_PUBLIC|NUXT_ENV|GATSBY|VUE_APP)_[A-Z0-9_]{0,40}?"
            r"(?:SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE_KEY|SERVICE_ROLE|SERVICE_KEY|ADMIN_KEY|(?<=_)SK)(?:_KEY)?"
            r"(?<!CSRF_TOKEN)(?<!XSRF_TOKEN)(?![A-Za-z0-9_])"
            r"(?:['\"`]?[ \t]*[=:][ \t]*|[ \t]*(?:\|\||\?\?)[ \t]*(?=['\"`]))(['\"`])?"
            r"((?(1)[^\s'\"`<>\\]{8,200}|(?=[^\s'\"`]*\d)[^\s'\"`<>;,\\]{8,200}))(?=[\s'\"`;,\\]|$)"
        ),
        keywords=("react_app_", "vite_", "next_public_", "expo_public_", "nuxt_public_", "nuxt_env_", "gatsby_",
                  "vue_app_"),
        secret_group=2,
        entropy=3.0,
        allowlists=(
            TEMPLATE_REFERENCE, PLACEHOLDER, NOT_A_LITERAL, ATTRIBUTE_PATH, VENDOR_FORMAT,
            Allowlist(regexes=(r"^pk[._]",), description="publishable keys are public by design"),
        ),
        true_samples=(
            "REACT_APP_ADMIN_TOKEN=Qm8vT2xLr9Kw4zPn",
            "VITE_SUPABASE_SERVICE_ROLE_KEY=q7Lz2Xw9Rk4mTp8vNs3J",
            'const key = import.meta.env.VITE_OPENAI_SECRET || "JPMoA7rSG071dzbNM6mAm8ealKtRfXKKEiQDTN62";',
            '  "NEXT_PUBLIC_CMS_PASSWORD": "Xr4#pL8qWz2m",',
        ),
        false_samples=(
            "NEXT_PUBLIC_STRIPE_PUBLISHABLE_KEY=pk_live_pWIDBF9nAMtiZ1JX4uvMG5yK",
            "REACT_APP_FIREBASE_API_KEY=AIzaSy-your-key",
            "NEXT_PUBLIC_MAPBOX_TOKEN=pk.eyJ1IjoiY29ycCIsImEiOiJjbHQ4cTJ4d2wwMDFqMmtvN3pxYjV4In0.Qm8vT2xLr9Kw4zPnQm8vT2",
            "const token = process.env.REACT_APP_TOKEN || fallbackToken;",
            "VITE_CSRF_TOKEN=Qm8vT2xLr9Kw4zPn",
            "VITE_AUTH_TOKEN=${AUTH_TOKEN}",
            "export const VITE_APP_TOKEN = readRuntimeToken;",
        ),
        tags=("frontend",),
    ),
    Rule(
        id="cli-secret-flag",
        description="Literal secret passed as a command-line flag (--password, --token, --api-key, ...)",
        regex=(
            r"--(?<![\w-]--)(?i:password|passwd|pass|token|api-key|apikey|api-token|secret|client-secret"
            r"|auth-token|access-token|secret-key|private-key-passphrase)[= ]['\"]?([^\s'\"]{6,200})"
        ),
        keywords=("--pass", "--token", "--api-key", "--apikey", "--api-token", "--secret", "--client-secret",
                  "--auth-token", "--access-token", "--private-key-passphrase"),
        secret_group=1,
        entropy=2.5,
        allowlists=(TEMPLATE_REFERENCE, PLACEHOLDER, NOT_A_LITERAL, ATTRIBUTE_PATH, DICTIONARY_WORD, SEQUENTIAL),
        true_samples=(
            "mysql --user=doadmin --password=wA5mfBrAKz73GvJV --host=db.internal",
            "vault login --token z0CgGmwJYdhWJL73vCv0l5PM",
            "docker login -u ci --password 6QHwsc9HCVXHm4bQD1a6 registry.internal",
        ),
        false_samples=(
            'docker login -u ci --password "$REGISTRY_PASSWORD" registry.internal',
            "mysql --password=${MYSQL_PASSWORD}",
            "--token <token>",
            "    # The --username and --password options can't be used for",
            "kubeadm join 10.0.0.5:6443 --token abcdef.0123456789abcdef",
        ),
        tags=("generic", "cli"),
    ),
    Rule(
        id="cli-credential-header",
        description="Literal credential in a credential-named HTTP header on a command line (curl/httpie -H \"X-Api-Key: ...\")",
        regex=(
            r"(?<![\w-])(?:-H|--header)(?:[ \t]+|=)['\"]?"
            r"((?i:[a-z0-9-]{0,30}?(?:api-?key|token|secret|auth[a-z-]{0,20}|passw(?:or)?d|access-?key)[a-z0-9-]{0,20}))"
            r"[ \t]*:[ \t]*(?:(?i:bearer|basic|token|apikey)[ \t]+)?([^\s'\"\\]{8,300})"
        ),
        keywords=("-h ", "-h=", "--header"),
        secret_group=2,
        entropy=3.0,
        exempt_filters=("uuid",),
        allowlists=(
            TEMPLATE_REFERENCE, PLACEHOLDER, VENDOR_FORMAT, SEQUENTIAL,
            Allowlist(
                regexes=(r"(?i:[cx]srf-token|auth-(?:email|user|username|type|method|scheme|domain|url)[ \t]*:)",
                         r"[\w.+-]@[\w-]+\.\w|://"),
                regex_target="match", description="anti-forgery tokens and auth metadata headers",
            ),
        ),
        true_samples=(
            'curl -s -H "X-Api-Key: 7Rq2mXv9LpT4wZ8k" https://api.internal/v1/jobs',
            "curl -X GET https://deploy.corp.net/api \\\n     -H 'X-Octopus-ApiKey: 6f1c2a8e-93b4-4d7a-b5e2-0c9f4a1d7e36' \\",
            'http POST :8080/tasks --header "Token: e91f4c0a7b3d5f26"',
        ),
        false_samples=(
            'curl -H "X-Api-Key: $API_KEY" https://api.internal/v1/jobs',
            'curl -H "X-CSRF-Token: 3fea6af1349166ea8c2d" https://app.internal/form',
            "curl -H 'X-Auth-Email: ops@corp.example' https://api.cloudflare.com/client/v4/zones",
            'curl -H "Content-Type: application/json" -H "X-Api-Key: <your-api-key>" https://api.internal',
        ),
        tags=("generic", "cli"),
    ),
    Rule(
        id="dockerfile-secret",
        description="Secret baked into a Dockerfile ENV or ARG instruction (space-separated form)",
        regex=(
            r"(?im)^[ \t]*(?:ENV|ARG)[ \t]+[A-Z0-9_]*(?:PASSWORD|PASSWD|PWD|SECRET|TOKEN|API_?KEY|ACCESS_?KEY"
            r"|PRIVATE_?KEY)[A-Z0-9_]*[ \t]+['\"]?([^\s'\"=]{6,200})"
        ),
        keywords=("env ", "arg "),
        secret_group=1,
        entropy=3.0,
        path=r"(?i:(?:^|/)(?:Dockerfile|Containerfile)[^/]*$|\.dockerfile$)",
        allowlists=(TEMPLATE_REFERENCE, PLACEHOLDER, NOT_A_LITERAL, ATTRIBUTE_PATH),
        true_samples=("FROM python:3.12-slim\nENV API_TOKEN 3sIhqpxzvSvku2Ob6Y9Li9AkSbyMzhZN\n",),
        false_samples=("FROM python:3.12-slim\nENV API_TOKEN ${API_TOKEN}\n",),
        tags=("generic", "docker"),
    ),
)


# --- pure helpers ----------------------------------------------------------------------------

_TEMPLATE_RE = LazyRegex("|".join(f"(?:{r})" for r in TEMPLATE_REFERENCE.regexes))
_PLACEHOLDER_RE = LazyRegex("|".join(f"(?:{r})" for r in PLACEHOLDER.regexes))
_NOT_LITERAL_RE = LazyRegex("|".join(f"(?:{r})" for r in (*NOT_A_LITERAL.regexes, *ATTRIBUTE_PATH.regexes)))


def is_template_reference(value: str) -> bool:
    """True if ``value`` refers to a secret kept elsewhere instead of holding it.

    Environment and template references (``${VAR}``, ``$VAR``, ``{{ x }}``, ``%VAR%``,
    ``os.environ[...]``, ``process.env.X``), format placeholders (``%s``, ``{0}``), ``<...>``
    markers, secret-manager URIs (``op://``, ``vault://``, ``arn:aws...``) and sops/secretsfile
    ``ENC[...]`` ciphertext.
    """
    return _TEMPLATE_RE.search(value.strip()) is not None


def is_placeholder(value: str) -> bool:
    """True if ``value`` is empty, a documentation placeholder or an obvious test password.

    ``changeme``, ``xxxx``, ``****``, ``None``/``null``, ``your-api-key-here``, ``example...``,
    ``password123`` and friends. Real secrets never match.
    """
    v = value.strip()
    if not v:
        return True
    if _PLACEHOLDER_RE.search(v) is not None:
        return True
    lowered = v.lower()
    return any(word in lowered for word in PLACEHOLDER.stopwords)


def looks_like_code_reference(value: str) -> bool:
    """True if ``value`` reads as an identifier, path, URL, e-mail, number, version or UUID."""
    return _NOT_LITERAL_RE.search(value.strip()) is not None
