"""Key commands: keygen, whoami, and quickstart (the whole flow on a sample file)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from secretsfile.cli.common import emit_json, out, project, say
from secretsfile.cli.project_cmd import ConfigOpt
from secretsfile.errors import UsageError
from secretsfile.keysources import registry

if TYPE_CHECKING:
    from secretsfile.ops.whoami import EnvAccess

PANEL = "Keys"
SAMPLE = """\
# A sample secrets file: keys stay readable, values get encrypted.
database:
    host: db.internal
    password: s3cr3t-sample-password
api_token: sample-token-0123456789
port: 5432
"""


def keygen(
    key_type: Annotated[str, typer.Option(
        "--type", "-t", metavar="|".join(registry.generators()),
        help="The kind of key.")] = registry.DEFAULT_KIND,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Key file (default: your config dir).")
    ] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help='Machine-readable output: {"type", "path", "public", "created"}.')
    ] = False,
) -> None:
    """Create a key (mode 0600; never overwrites) and print its public recipient / key id;
    for a key that exists already, print its public recipient / key id."""
    from secretsfile.ops.keygen import keygen as make_key

    key = make_key(key_type, output)
    if as_json:
        emit_json({"type": key.kind, "path": str(key.path), "public": key.public,
                   "created": not key.existed})
        return
    if key.existed:
        say(f"{key.kind} key {key.path} already exists (left unchanged); its public key:")
    else:
        say(f"wrote {key.kind} key to {key.path}")
    out(key.public + "\n")


def whoami(
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Your public key(s), where they come from, and which environments you can read
    (from each file's recipients, without decrypting)."""
    from secretsfile.ops.whoami import whoami as who

    identity = who(project(config))
    if as_json:
        emit_json(identity.as_json())
        return
    if not identity.keys:
        say("you have no key: create one with 'secretsfile keygen'")
    for key in identity.keys:
        out(f"{key.spelled}\n")
        where = ", ".join(str(report) for report in key.found_in) or "unknown"
        say(f"  {key.recipient.kind} key from {where}")
    for env in identity.environments:
        out(f"{env.name}\t{env.file}\t{_access_text(env)}\n")


def _access_text(env: EnvAccess) -> str:
    if env.problem:
        return f"unknown ({env.problem})"
    if env.readable is None:
        return "no file yet" + ("; you are a configured recipient" if env.configured else "")
    if env.readable:
        return "can read"
    lacking = f"; configured, but the file lacks you: a reader runs 'updatekeys {env.file}'"
    return "cannot read" + (lacking if env.configured else "")


def quickstart() -> None:
    """Try it end to end: ensure a key, encrypt a sample file in a temp dir, read it back."""
    from secretsfile.ops import files
    from secretsfile.ops.keygen import keygen as make_key
    from secretsfile.ops.recipients import own_age_recipients

    recipients = own_age_recipients()
    if recipients:
        say(f"using your age key ({recipients[0]})")
    else:
        key = make_key(registry.DEFAULT_KIND)
        recipients = [key.public]
        say(f"created an age key at {key.path} (back it up; public key {key.public})")
    with tempfile.TemporaryDirectory(prefix="secretsfile-quickstart-") as folder:
        sample = Path(folder) / "secrets.yaml"
        sample.write_text(SAMPLE, encoding="utf-8")
        files.encrypt_file(sample, files.EncryptOptions(), in_place=True)
        say(f"\n$ secretsfile encrypt --in-place {sample.name}   # the file in git looks like:")
        out(sample.read_text(encoding="utf-8"))
        data = files.load_file(sample)
        if data.get("database", {}).get("password") != "s3cr3t-sample-password":
            raise UsageError("quickstart round trip failed")  # pragma: no cover
        say(f"\n$ secretsfile get {sample.name} database.host   # reads one value")
        out(files.scalar_text(files.get_value(sample, "database.host")) + "\n")
    key_file = registry.default_source().default_key_file()
    say(f"\nround trip OK with {key_file if recipients else 'your key'}. Next:")
    say("  secretsfile encrypt --in-place secrets/dev.yaml   # encrypt your own file")
    say("  secretsfile edit secrets/dev.yaml                 # change it in $EDITOR")
    say("  secretsfile decrypt secrets/dev.yaml              # read it back")


def register(app: typer.Typer) -> None:
    app.command("keygen", rich_help_panel=PANEL)(keygen)
    app.command("whoami", rich_help_panel=PANEL)(whoami)
    app.command("quickstart", rich_help_panel=PANEL)(quickstart)
