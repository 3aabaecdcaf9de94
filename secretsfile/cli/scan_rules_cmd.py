"""``secretsfile scan-rules``: the rules a scan would run, for people writing scan configs.

A command of its own (not ``scan rules``): ``scan`` takes paths, and ``scan rules`` scans a
directory named ``rules``. Lists id, description, keywords, tags and the number of true
and false samples of each rule: the built-in catalog, plus or minus what the scan config
(``.secretsfile.yaml``'s ``scan:`` section or ``--config`` FILE) adds, overrides or disables.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from secretsfile.cli.boundary import write_stdout

if TYPE_CHECKING:
    from secretsfile.scanner.model import Rule


def rule_entry(rule: Rule, builtin_ids: frozenset[str]) -> dict[str, Any]:
    """One rule as the JSON listing shows it."""
    return {
        "id": rule.id,
        "description": rule.description,
        "keywords": list(rule.keywords),
        "tags": list(rule.tags),
        "true_samples": len(rule.true_samples),
        "false_samples": len(rule.false_samples),
        "path": rule.path or None,
        "origin": "built-in" if rule.id in builtin_ids else "config",
    }


def scan_rules(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON array of rules.")] = False,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            "-c",
            help="A scan config, as for `scan --config`. Default: .secretsfile.yaml found from "
            "the current directory.",
        ),
    ] = None,
) -> int:
    """List the scanner's rules: id, keywords, tags, sample counts and description.

    A rule's regex runs only when one of its keywords occurs in the text; the samples are
    the true and false examples each rule is tested against.
    """
    import json

    from secretsfile.config.project import load as load_project
    from secretsfile.ops.scanning import builtin_rules, load_scan_config

    loaded = load_scan_config(config, load_project() if config is None else None)
    builtin = builtin_rules()
    entries = [rule_entry(r, frozenset(b.id for b in builtin))
               for r in loaded.config.build_rules(builtin)]  # fmt: skip
    if as_json:
        write_stdout(json.dumps(entries, indent=2) + "\n")
    else:
        write_stdout("".join(_text_line(entry) for entry in entries))
    return 0


def _text_line(entry: dict[str, Any]) -> str:
    keywords = ",".join(entry["keywords"]) or "-"
    tags = ",".join(entry["tags"]) or "-"
    samples = f"{entry['true_samples']}/{entry['false_samples']}"
    return f"{entry['id']}  [{keywords}]  tags={tags}  samples={samples}  {entry['description']}\n"
