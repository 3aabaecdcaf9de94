"""``secret get`` rendering: one secret's keys, masked unless revealed, each with the file
its value came from (team or private) when your private file overlays the team's."""

from __future__ import annotations

from secretsfile.cli.common import emit_json, out
from secretsfile.errors import UsageError
from secretsfile.secrets.model import MASK, Secret, secret_view, text_of


def show_key(secret: Secret, key: str, reveal: bool, as_json: bool) -> None:
    """One key of a group (or a single value by ``--key``: refused with the keys)."""
    try:
        value = secret.get(key)
    except KeyError as error:
        raise UsageError(str(error.args[0]), hint=f"keys: {', '.join(secret.keys)}") from None
    if as_json:
        emitted = secret.values[key] if reveal else MASK
        emit_json({"name": secret.name, "key": key, "value": emitted,
                   "origin": secret.origin(key)})
    else:
        out((value if reveal else MASK) + "\n")


def show_secret(secret: Secret, reveal: bool, as_json: bool) -> None:
    """The whole secret: a header, then each key (or the value) with its origin."""
    view = secret_view(secret, reveal)
    if as_json:
        emit_json(view)
        return
    if reveal and not secret.is_group:  # the bare value, for scripts
        out(f"{secret.value}\n")
        return
    header = f"{secret.name} ({secret.env}{', private' if secret.private else ''}"
    header += f", schema {secret.schema})" if secret.schema else ")"
    lines = [header]
    merged = bool(secret.origins)
    if secret.is_group:
        lines += [f"  {k}: {text_of(v)}" + (f"  ({secret.origin(k)})" if merged else "")
                  for k, v in view["values"].items()]
    else:
        lines.append(f"  value: {view['value']}")
    if secret.note:
        lines.append(f"  note: {secret.note}")
    out("\n".join(lines) + "\n")
