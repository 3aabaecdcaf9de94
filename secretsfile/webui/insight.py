"""The secrets page's Recipients and Checks views as pure functions (like ``api``).

``recipients``: the environment x recipient matrix the config gives (with names) and which
environments your keys open. ``checks``: what ``secretsfile check`` (references, schemas),
``secretsfile stale`` and ``secretsfile updatekeys --check`` find, each problem with the
command that fixes it. Read-only, no key needed; names, paths and recipients only, never a
value.
"""

from __future__ import annotations

import datetime as _dt
import re
import shlex
from typing import Any

from secretsfile.webui.api import Ctx, Query, Reply

DEFAULT_AGE = "90d"
KINDS = ("references", "schemas", "stale", "drift")  # the order the page groups them in


def recipients(ctx: Ctx) -> Reply:
    """``{environments, recipients: [{key, name, environments, you}], you_can_read}``."""
    from secretsfile.ops.recipient_config import recipient_matrix
    from secretsfile.ops.whoami import whoami

    matrix = recipient_matrix(ctx.config)
    identity = whoami(ctx.config)
    yours = {key.spelled for key in identity.keys}
    return 200, {
        "environments": [env.name for env in ctx.config.environments],
        "recipients": [{**person, "you": person["key"] in yours}
                       for person in matrix["recipients"]],
        "you_can_read": {a.name: (a.configured if a.readable is None else a.readable)
                         for a in identity.environments},
        "problems": {a.name: a.problem for a in identity.environments if a.problem},
    }


def checks(ctx: Ctx, query: Query) -> Reply:
    """``{older_than, problems: [{kind, where, message, fix}], counts, notes}``."""
    older_than = query.get("older_than") or DEFAULT_AGE
    problems = _references(ctx) + _schemas(ctx)
    notes: list[str] = []
    problems += _stale(ctx, older_than, notes)
    problems += _drift(ctx)
    counts = {kind: sum(1 for p in problems if p["kind"] == kind) for kind in KINDS}
    return 200, {"older_than": older_than, "problems": problems, "counts": counts,
                 "notes": notes}


def _command(*words: str) -> str:
    return " ".join(shlex.quote(word) for word in words)


def _item(kind: str, where: str, message: str, fix: str) -> dict[str, Any]:
    return {"kind": kind, "where": where, "message": message, "fix": fix}


def _env_args(env: str | None) -> tuple[str, ...]:
    return ("--env", env) if env else ()


def _references(ctx: Ctx) -> list[dict[str, Any]]:
    from secretsfile.ops.references import check_files

    report = check_files(config=ctx.config)
    found = []
    for path, problem in report.problems:
        ref, env = problem.reference, problem.env
        if problem.code == "secret-not-found" and not problem.suggestions:
            fix = (_command("secretsfile", "secret", "create", ref.name, *_env_args(env))
                   + f" --{ref.key}=…" if ref.key
                   else _command("secretsfile", "secret", "set", ref.name, *_env_args(env)))
        elif problem.code == "key-not-found" and ref.key and not problem.suggestions:
            fix = (_command("secretsfile", "secret", "update", ref.name, *_env_args(env))
                   + f" --{ref.key}=…")
        else:  # a typo or a malformed reference: the template is what to change
            fix = f"edit {path} line {ref.line}, then: secretsfile check"
        where = f"{path}:{ref.line}:{ref.column}" + (f" ({env})" if env else "")
        found.append(_item("references", where, f"{ref.label}: {problem.message}", fix))
    return found


_QUOTED_COMMAND = re.compile(r"'(secretsfile [^']+)'")


def _schemas(ctx: Ctx) -> list[dict[str, Any]]:
    from secretsfile.ops.project_check import schema_findings

    found = []
    for finding in schema_findings(ctx.config, list(ctx.config.environments)):
        where = finding.path + (f":{finding.line}" if finding.line is not None else "")
        said = _QUOTED_COMMAND.search(finding.message)
        fix = said.group(1) if said else "secretsfile schema list, then: secretsfile check"
        found.append(_item("schemas", where, finding.message, fix))
    return found


def _stale(ctx: Ctx, older_than: str, notes: list[str]) -> list[dict[str, Any]]:
    from secretsfile.ops.history import parse_age, stale_secrets
    from secretsfile.ops.secrets import list_entries

    limit = parse_age(older_than)  # a bad duration is a UsageError: 400 with the hint
    if ctx.histories is None:
        notes.append("stale secrets need the git history: start the page with 'secretsfile ui'")
        return []
    histories = ctx.histories()
    now = _dt.datetime.now(_dt.timezone.utc)
    grouped = {(e.env, e.name) for e in list_entries(ctx.config, list(ctx.config.environments))
               if e.keys and not e.private}
    found = []
    for stale in stale_secrets(histories, limit, now):
        if (stale.env, stale.name) in grouped:
            fix = _command("secretsfile", "secret", "update", stale.name, "--env", stale.env,
                           "-i")
        else:
            fix = _command("secretsfile", "secret", "set", stale.name, "--env", stale.env)
        found.append(_item(
            "stale", f"{stale.name} ({stale.env})",
            f"not changed for {stale.days} days (since {stale.changed.date().isoformat()}, "
            f"commit {stale.commit[:10]}); rotate the credential, then store the new value",
            fix))
    if any(h.compared != "value" for h in histories):
        notes.append("stale secrets are found by ciphertext: after a data key rotation "
                     "every value counts as changed")
    return found


def _drift(ctx: Ctx) -> list[dict[str, Any]]:
    from secretsfile.ops.reconcile import drift

    found = []
    for item in drift(ctx.config):
        fix = (_command("sops", "updatekeys", item.display) if item.problem
               else _command("secretsfile", "updatekeys", item.display))
        for line in item.lines():
            found.append(_item("drift", item.display, line[len(item.display) + 2:], fix))
    return found
