"""The one declaration of the hot commands' arguments and options (the file commands,
exec-env/exec-file, git's textconv and merge drivers, the hooks' scan, check-encrypted and
check),
read by the Typer app (``spec_typer`` builds each command's signature from it) and by the
lean parser (``lean``, which runs the hot commands without importing Typer). No Typer,
rich, regex or dataclass here: this module is on the start-up path of every hot command."""

from __future__ import annotations

from secretsfile.cli.spec_params import Arg, Cmd, Help, Opt, help_text

__all__ = ["SPEC", "Arg", "Cmd", "Help", "Opt", "help_text", "key_opts"]




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
_SCAN = "secretsfile.cli.scan:"
NO_SUMMARY = Opt("no_summary", ("--quiet", "-q"), "No summary on stderr.", kind="flag")

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
    Cmd(("merge", "driver"), (
        Arg("base", "%O: the common ancestor.", metavar="BASE", type="path"),
        Arg("ours", "%A: ours; the result.", metavar="OURS", type="path"),
        Arg("theirs", "%B: theirs.", metavar="THEIRS", type="path"),
        Arg("marker_size", "%L.", metavar="MARKER_SIZE", optional=True, type="int", default=7),
        Arg("path", "%P: the path in the repository (its format, and the name in messages).",
            metavar="PATH", optional=True, default=""),
    ), "secretsfile.cli.merge_driver:driver"),
    Cmd(("scan",), (
        Arg("paths", "Files or directories to scan ('-' reads stdin). Default: the "
            "repository's working tree (tracked and untracked-not-ignored files).", many=True),
        Opt("staged", ("--staged",), "Scan the added lines of the staged changes (what the "
            "next commit adds). Named paths without staged changes are scanned whole.",
            kind="flag"),
        Opt("since", ("--since",), "Scan the added lines of each commit in REV..HEAD.",
            metavar="REV"),
        Opt("history", ("--history",), "Scan the added lines of every commit of every ref.",
            kind="flag"),
        Opt("no_git", ("--no-git",), "Walk the directories instead of asking git.", kind="flag"),
        Opt("config", ("--config", "-c"), "A scan config: YAML (the scan: section of "
            ".secretsfile.yaml) or a gitleaks TOML file. Default: .secretsfile.yaml found from "
            "the current directory.", type="path"),
        Opt("baseline", ("--baseline",), "Baseline file (default: .secretsfile-baseline.json "
            "at the root).", type="path"),
        Opt("no_baseline", ("--no-baseline",), "Report baselined findings too.", kind="flag"),
        Opt("update_baseline", ("--update-baseline",), "Accept the current findings: write "
            "their fingerprints to the baseline (a full working-tree scan replaces it; a "
            "narrower scan adds to it).", kind="flag"),
        Opt("fmt", ("--format", "-f"), "The report's format.", metavar="text|json|sarif",
            default="text"),
        Opt("output", ("--output", "-o"), "Write the report to this file instead of stdout.",
            type="path"),
        Opt("jobs", ("--jobs", "-j"), "Worker processes (0: one per core).", type="int",
            default=0),
        Opt("max_file_size", ("--max-file-size",), "Skip larger files (like 2MiB; 0: no "
            "limit)."),
        Opt("stdin_name", ("--stdin-name",), "The path to report (and match rules against) for "
            "stdin.", default="-"),
        Opt("decode", ("--decode",), "Also decode base64, hex and percent-encoded runs (two "
            "levels deep) and scan what they hide; findings are reported at the encoded text. "
            "About 15% slower.", kind="flag"),
        NO_SUMMARY,
    ), _SCAN + "run_scan_command", gc_off="staged"),
    Cmd(("check-encrypted",), (
        Arg("files", "Files to check; those that need not be encrypted are ignored. Default: "
            "every file of the repository that must be encrypted.", many=True),
        Opt("staged", ("--staged",), "Check the staged content of staged files (for hooks).",
            kind="flag"),
        Opt("fmt", ("--format", "-f"), "The report's format.", metavar="text|json",
            default="text"),
        NO_SUMMARY,
    ), _SCAN + "run_check_encrypted", gc_off="staged"),
    Cmd(("check",), (
        Arg("files", "Files to check (default: the 'references:' patterns of "
            ".secretsfile.yaml, the exports, recipients and schemas).", many=True),
        Opt("env", ("--env", "-e"), "Check against this environment (default: "
            "SECRETSFILE_ENV, else every environment)."),
        Opt("level", ("--level",), "NONE (syntax only), SECRET_EXISTS or "
            "SECRET_AND_KEY_EXISTS (default).", envvar="SECRETSFILE_SECRET_VALIDATION_LEVEL",
            metavar="NONE|SECRET_EXISTS|SECRET_AND_KEY_EXISTS"),
        Opt("recipients", ("--recipients/--no-recipients",), "Check that files are "
            "encrypted for the config's recipients (default: when no FILES are named).",
            kind="flag", tristate=True),
        Opt("schemas", ("--schemas/--no-schemas",), "Check secrets against their schema "
            "(default: when no FILES are named).", kind="flag", tristate=True),
        # prompts and listings of what to create: Typer's path
        Opt("create_missing", ("--create-missing",), "Create the secrets references name "
            "but the environment lacks (with -i: prompted; else listed).", kind="flag",
            lean=False),
        Opt("interactive", ("--interactive", "-i"), "With --create-missing: prompt for the "
            "values.", kind="flag", lean=False),
        Opt("as_json", ("--json",), "Machine-readable output.", kind="flag"),
        Opt("config", ("--config",), "The project config (default: nearest "
            ".secretsfile.yaml).", metavar="FILE", envvar="SECRETSFILE_CONFIG"),
    ), "secretsfile.cli.check:run_check"),
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
