"""Render findings as text, JSON or SARIF 2.1.0 strings. Secrets appear redacted only.

Every renderer takes the same ``Report`` and returns a ``str``; colour is the CLI's job
(it styles the text lines on a terminal).
"""

from __future__ import annotations

from collections.abc import Sequence

from secretsfile.scanner.model import Finding

TYPE_CHECKING = False  # typing stays unloaded at run time (the hook's start-up)
if TYPE_CHECKING:
    from typing import Any

    from secretsfile._fileio import StrPath

__all__ = ["FORMATS", "Report", "render", "render_json", "render_sarif", "render_text"]

FORMATS = ("text", "json", "sarif")
_SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_INFO_URI = "https://pypi.org/project/secretsfile/"


class Report:
    __slots__ = ("baselined", "bytes_scanned", "files_scanned", "findings", "skipped",
                 "tool_version")  # fmt: skip

    def __init__(self, findings: Sequence[Finding], files_scanned: int = 0,
                 bytes_scanned: int = 0, skipped: dict[str, int] | None = None,
                 baselined: int = 0, tool_version: str = "") -> None:  # fmt: skip
        self.findings = findings
        self.files_scanned = files_scanned
        self.bytes_scanned = bytes_scanned
        self.skipped: dict[str, int] = {} if skipped is None else skipped
        self.baselined = baselined
        self.tool_version = tool_version


def _sort_key(finding: Finding) -> tuple[str, str, int, int, str]:
    return (finding.commit or "", finding.path, finding.line, finding.column, finding.rule_id)


def text_lines(report: Report) -> list[tuple[str, str, str, str]]:
    """(location, rule id, redacted secret, description) per finding, sorted."""
    out: list[tuple[str, str, str, str]] = []
    for f in sorted(report.findings, key=_sort_key):
        where = f"{f.path}:{f.line}:{f.column}"
        if f.commit:
            where = f"{f.commit[:12]}:{where}"
        out.append((where, f.rule_id, f.redacted, f.description))
    return out


def render_text(report: Report) -> str:
    """``path:line:col rule-id redacted description``, one finding per line."""
    lines = [
        f"{where} {rule} {secret} {desc}".rstrip()
        for where, rule, secret, desc in text_lines(report)
    ]
    return "\n".join(lines) + ("\n" if lines else "")


def finding_dict(f: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "path": f.path,
        "line": f.line,
        "column": f.column,
        "rule_id": f.rule_id,
        "description": f.description,
        "fingerprint": f.fingerprint,
        "redacted": f.redacted,
    }
    if f.commit:
        data["commit"] = f.commit
    return data


def render_json(report: Report) -> str:
    import json  # here: the text report (the hook's) never needs it

    payload = {
        "version": 1,
        "findings": [finding_dict(f) for f in sorted(report.findings, key=_sort_key)],
        "summary": {
            "findings": len(report.findings),
            "files_scanned": report.files_scanned,
            "bytes_scanned": report.bytes_scanned,
            "skipped": dict(sorted(report.skipped.items())),
            "baselined": report.baselined,
        },
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def render_sarif(report: Report) -> str:
    import json

    findings = sorted(report.findings, key=_sort_key)
    rule_index: dict[str, int] = {}
    rules: list[dict[str, Any]] = []
    for f in findings:
        if f.rule_id not in rule_index:
            rule_index[f.rule_id] = len(rules)
            rules.append(
                {
                    "id": f.rule_id,
                    "name": f.rule_id,
                    "shortDescription": {"text": f.description or f.rule_id},
                    "defaultConfiguration": {"level": "error"},
                }
            )
    results: list[dict[str, Any]] = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.rule_id,
            "ruleIndex": rule_index[f.rule_id],
            "level": "error",
            "message": {"text": f"{f.description or f.rule_id}: {f.redacted}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": f.path},
                        "region": {"startLine": max(f.line, 1), "startColumn": max(f.column, 1)},
                    }
                }
            ],
            "partialFingerprints": {"secretsfile/v1": f.fingerprint},
        }
        if f.commit:
            result["properties"] = {"commit": f.commit}
        results.append(result)
    sarif = {
        "$schema": _SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "secretsfile",
                        "informationUri": _INFO_URI,
                        "version": report.tool_version or "0",
                        "rules": rules,
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"


def render(report: Report, fmt: str) -> str:
    if fmt == "json":
        return render_json(report)
    if fmt == "sarif":
        return render_sarif(report)
    return render_text(report)


def _human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"  # pragma: no cover


def summary(report: Report, written: int | None = None, baseline: StrPath | None = None
            ) -> str:  # fmt: skip
    """The one-line outcome for stderr (and what the baseline update wrote)."""
    parts = [f"{report.files_scanned} file{'s' if report.files_scanned != 1 else ''}",
             f"{_human_size(report.bytes_scanned)} scanned"]  # fmt: skip
    if report.baselined:
        parts.append(f"{report.baselined} baselined")
    if report.skipped:
        parts.append(
            "skipped " + ", ".join(f"{n} {why}" for why, n in sorted(report.skipped.items()))
        )
    count = len(report.findings)
    head = (
        f"secretsfile: {count} finding{'s' if count != 1 else ''}"
        if count
        else "secretsfile: no findings"
    )
    text = f"{head} ({'; '.join(parts)})"
    if written is not None and baseline is not None:
        text += (
            f"\nsecretsfile: wrote {written} fingerprint{'s' if written != 1 else ''} to {baseline}"
        )
    return text
