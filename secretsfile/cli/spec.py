"""The one declaration of the file commands' (and exec-env/exec-file's) arguments and
options, read by the Typer app (``spec_typer`` builds each command's signature from it) and
by the lean parser (``lean``, which runs the hot commands without importing Typer). No Typer,
rich, regex or dataclass here: this module is on the start-up path of every hot command."""

from __future__ import annotations

from collections.abc import Callable

Help = str | Callable[[], str]  # a callable: help text that needs the store registry


class Arg:
    """A positional argument; ``optional`` ones may be left out (default None)."""

    __slots__ = ("dest", "help", "metavar", "optional", "type")

    def __init__(self, dest: str, help: Help, metavar: str | None = None,
                 optional: bool = False, type: str = "str") -> None:
        self.dest, self.help, self.metavar = dest, help, metavar
        self.optional, self.type = optional, type


class Opt:
    """An option. ``kind``: "value" (takes one value), "flag" (bool; "--x/--no-x" declares
    both) or "list" (repeatable).
    ``lean=False``: the lean parser steps aside when it is given (Typer handles it)."""

    __slots__ = (
        "default",
        "dest",
        "flags",
        "help",
        "kind",
        "lean",
        "max",
        "metavar",
        "min",
        "type",
    )

    def __init__(self, dest: str, flags: tuple[str, ...], help: Help, kind: str = "value",
                 metavar: str | None = None, type: str = "str", default: object = None,
                 min: int | None = None, max: int | None = None, lean: bool = True) -> None:
        self.dest, self.flags, self.help, self.kind = dest, flags, help, kind
        self.metavar, self.type, self.min, self.max, self.lean = metavar, type, min, max, lean
        self.default = False if kind == "flag" and default is None else default


class Cmd:
    """A command: its parameters in signature order, where its body lives (``run`` =
    "module:function", called with one keyword per ``dest``), whether the key-source
    options are appended (``keys``) and whether the lean parser may run it (``lean``).
    ``extra``: unknown options reach the body as ``extra`` (``set``'s negative VALUE)."""

    __slots__ = ("extra", "keys", "lean", "name", "params", "run")

    def __init__(self, name: tuple[str, ...], params: tuple[Arg | Opt, ...], run: str,
                 keys: bool = False, lean: bool = True, extra: bool = False) -> None:
        self.name, self.params, self.run = name, params, run
        self.keys, self.lean, self.extra = keys, lean, extra


def _formats() -> str:
    from secretsfile.stores.registry import names_text

    return names_text()


def _extensions() -> str:
    from secretsfile.stores.registry import extensions_text

    return extensions_text()


FILE = Arg("file", lambda: f"The secrets file ({_extensions()}; any other name: binary, as "
           "in sops).", type="path")
STDIN_FILE = Arg("file", lambda: f"The file ({_extensions()}); '-' or none: stdin, with "
                 "--filename-override or --input-type.", optional=True, type="path")
KEY_PATH = Arg("key_path", 'a.b.0 or \'["a"]["b"][0]\'', metavar="PATH")
INPUT_TYPE = Opt("input_type", ("--input-type",), lambda: f"{_formats()} (default: from the "
                 "extension).", metavar="FORMAT")
OUTPUT_TYPE = Opt("output_type", ("--output-type",), lambda: f"{_formats()} (default: the "
                  "input's).", metavar="FORMAT")
JSON = Opt("as_json", ("--json",), "Machine-readable output on stdout.", kind="flag")
IGNORE_MAC = Opt("ignore_mac", ("--ignore-mac",), "Open a file whose MAC no longer matches "
                 "(a hand-resolved merge), after review; each value must still authenticate. "
                 "Loud warning; then run 'reseal --ignore-mac'.", kind="flag")
CONFIG = Opt("config", ("--config",), "The config: a .secretsfile.yaml or a .sops.yaml "
             "(default: SECRETSFILE_CONFIG, the nearest .secretsfile.yaml, SOPS_CONFIG, the "
             "nearest .sops.yaml).", metavar="FILE", type="path")
INDENT = Opt("indent", ("--indent",), "Indent YAML/JSON output by N spaces (default: the "
             "config's stores: setting, else the file's own; JSON's default is a TAB, 0 a "
             "newline and no indent).", metavar="N", type="int", min=0)
FILENAME_OVERRIDE = Opt("filename_override", ("--filename-override",), "Take the format (and "
                        "the creation rules) from NAME instead of the file's name; needed with "
                        "stdin.", metavar="NAME")
IDEMPOTENT = Opt("idempotent", ("--idempotent",), "Do nothing (no write, no error) if nothing "
                 "would change.", kind="flag")
THRESHOLD = Opt("key_shamir_threshold", ("--shamir-secret-sharing-threshold",), "How many key "
                "groups must open to recover the data key (Shamir; default: the config's "
                "shamir_threshold, else every group).", metavar="N", type="int", default=0,
                min=0, max=255)
SELECTOR = (
    Opt("unencrypted_suffix", ("--unencrypted-suffix",),
        "Leave keys ending with this in clear (default _unencrypted)."),
    Opt("encrypted_suffix", ("--encrypted-suffix",), "Encrypt only keys ending with this."),
    Opt("unencrypted_regex", ("--unencrypted-regex",), "Leave keys matching this in clear."),
    Opt("encrypted_regex", ("--encrypted-regex",), "Encrypt only keys matching this."),
    Opt("unencrypted_comment_regex", ("--unencrypted-comment-regex",),
        "Leave values under a matching comment in clear."),
    Opt("encrypted_comment_regex", ("--encrypted-comment-regex",),
        "Encrypt only values under a matching comment."),
    Opt("mac_only_encrypted", ("--mac-only-encrypted/--no-mac-only-encrypted",),
        "MAC only the encrypted values.", kind="flag"),
)
COMMAND = Arg("command", "The command, run by 'sh -c' as sops runs it (quote it as one "
              "argument).", metavar="COMMAND")
USER = Opt("user", ("--user",), "Run the command as this user (as in sops: only when "
           "secretsfile runs as root).", metavar="NAME")
ALLOW = Opt("allow", ("--allow",), "Set this variable even though it is on the deny-list of "
            "variables that change how programs load or run (PATH, LD_*, BASH_ENV, PYTHON*, "
            "NODE_OPTIONS, GIT_SSH_COMMAND, GITHUB_*, ...); repeatable.", kind="list",
            metavar="NAME")
_FILES = "secretsfile.cli.files_cmd:"
_EXEC = "secretsfile.cli.exec_cmd:"

SPEC: dict[tuple[str, ...], Cmd] = {cmd.name: cmd for cmd in (
    Cmd(("encrypt",), (
        STDIN_FILE,
        Opt("in_place", ("--in-place", "-i"), "Replace FILE.", kind="flag"),
        Opt("output", ("--output", "-o"), "Write here. If it is already encrypted with a key "
            "you hold, its data key and unchanged ciphertexts are kept (1-line diffs).",
            type="path"),
        INPUT_TYPE, OUTPUT_TYPE, FILENAME_OVERRIDE, INDENT, CONFIG, *SELECTOR,
    ), _FILES + "encrypt", keys=True),
    Cmd(("decrypt",), (
        STDIN_FILE,
        Opt("extract", ("--extract",), 'Only this value: \'["a"]["b"]\' or a.b.',
            metavar="PATH"),
        OUTPUT_TYPE, INPUT_TYPE,
        Opt("output", ("--output", "-o"), "Write plaintext here (mode 0600); never over an "
            "encrypted file or where check-encrypted requires encryption.", type="path"),
        IGNORE_MAC, FILENAME_OVERRIDE, INDENT, CONFIG,
    ), _FILES + "decrypt"),
    Cmd(("edit",), (FILE, INPUT_TYPE, IGNORE_MAC, CONFIG, INDENT), _FILES + "edit", keys=True,
        lean=False),
    Cmd(("set",), (
        FILE, KEY_PATH,
        Arg("positional", "The value as JSON, as sops takes it ('\"text\"', 5, '{\"a\": "
            "true}'); lands in shell history: prefer --value-stdin.", metavar="[VALUE]",
            optional=True),
        Opt("value_stdin", ("--value-stdin",), "Read the value from stdin.", kind="flag"),
        Opt("value_file", ("--value-file",), "Read the value from a file.", type="path"),
        Opt("value", ("--value",), "The value itself (lands in shell history: avoid)."),
        Opt("as_json", ("--json",), "Parse the value as JSON (numbers, lists, maps).",
            kind="flag"),
        Opt("force", ("--force",), "Also when other values would be dropped (a scalar on the "
            "way, or keys of a replaced map).", kind="flag"),
        IDEMPOTENT, INPUT_TYPE, INDENT, CONFIG,
    ), _FILES + "set_", extra=True),
    Cmd(("unset",), (FILE, KEY_PATH, IDEMPOTENT, INPUT_TYPE, INDENT, CONFIG), _FILES + "unset"),
    Cmd(("get",), (FILE, KEY_PATH, JSON, INPUT_TYPE, CONFIG), _FILES + "get"),
    Cmd(("exec-env",), (
        FILE, COMMAND,
        Opt("pristine", ("--pristine",), "Only FILE's values in the environment, nothing "
            "inherited.", kind="flag"),
        ALLOW, USER, INPUT_TYPE, IGNORE_MAC,
    ), _EXEC + "exec_env"),
    Cmd(("exec-file",), (
        FILE, COMMAND,
        Opt("no_fifo", ("--no-fifo",), "A regular 0600 file instead of a FIFO.", kind="flag"),
        OUTPUT_TYPE, INPUT_TYPE, USER, IGNORE_MAC,
    ), _EXEC + "exec_file"),
    Cmd(("git", "textconv"), (
        Arg("file", "The file (git passes a temporary copy)."),
        Opt("redact", ("--redact",), "Fingerprints instead of values.", kind="flag"),
    ), "secretsfile.cli.textconv:textconv"),
)}


def key_opts() -> list[Opt]:
    """The key-source options of a ``keys=True`` command, from the key-source registry:
    each source's recipient option, its own-key flag, its extras, then the threshold."""
    from secretsfile.keysources import registry

    opts: list[Opt] = []
    for kind, cli in registry.cli_options():
        flags = (f"--{cli.name}", cli.short) if cli.short else (f"--{cli.name}",)
        opts.append(Opt("key_add_" + kind, flags, cli.help, kind="list", metavar=cli.metavar))
        if cli.own_key_flag:
            opts.append(Opt("key_own_" + kind, (f"--{cli.own_key_flag}",), cli.own_key_help,
                            kind="flag"))
    for source in registry.sources():
        for extra in getattr(source, "cli_extras", ()):
            opts.append(Opt(f"key_extra_{source.kind}_{extra.name.replace('-', '_')}",
                            (f"--{extra.name}",), extra.help, metavar=extra.metavar))
    return [*opts, THRESHOLD]


def help_text(help: Help) -> str:
    return help if isinstance(help, str) else help()
