"""Text, JSON and SARIF reports: the fields, the order, and never a whole secret."""

from __future__ import annotations

import json

from secretsfile.scanner.engine import fingerprint
from secretsfile.scanner.model import Finding
from secretsfile.scanner.report import Report, render, render_json, render_sarif, render_text

SECRETS = ("AKIAZ2345672345672AB", "wJalrXUtnFEMIK7MDENGbPxRfiCYzQ9kLmN3pR7t", "Xk39dkw!Qp")


def findings() -> list[Finding]:
    return [
        Finding("src/b.py", 7, 3, "generic-password", "Password literal", SECRETS[2],
                fingerprint("generic-password", "src/b.py", SECRETS[2])),
        Finding("src/a.py", 2, 8, "aws-access-key-id", "AWS access key id", SECRETS[0],
                fingerprint("aws-access-key-id", "src/a.py", SECRETS[0]),
                commit="c0ffee" * 6 + "abcd"),
        Finding("src/a.py", 1, 5, "aws-secret", "AWS secret key", SECRETS[1],
                fingerprint("aws-secret", "src/a.py", SECRETS[1])),
    ]  # fmt: skip


def test_text_format() -> None:
    lines = render_text(Report(findings())).splitlines()
    assert lines == [
        "src/a.py:1:5 aws-secret wJal***** AWS secret key",
        "src/b.py:7:3 generic-password Xk3***** Password literal",
        "c0ffeec0ffee:src/a.py:2:8 aws-access-key-id AKIA***** AWS access key id",
    ]
    assert render_text(Report([])) == ""


def test_json_format() -> None:
    data = json.loads(
        render_json(Report(findings(), files_scanned=3, bytes_scanned=99, skipped={"binary": 1}))
    )
    first = data["findings"][0]
    assert set(first) >= {"path", "line", "column", "rule_id", "fingerprint", "redacted"}
    assert first["redacted"] == "wJal*****"
    assert data["findings"][2]["commit"].startswith("c0ffee")
    assert data["summary"] == {"findings": 3, "files_scanned": 3, "bytes_scanned": 99,
                               "skipped": {"binary": 1}, "baselined": 0}  # fmt: skip


def test_sarif_format() -> None:
    sarif = json.loads(render_sarif(Report(findings(), tool_version="0.1.0")))
    assert sarif["version"] == "2.1.0" and "sarif-2.1.0" in sarif["$schema"]
    run = sarif["runs"][0]
    assert run["tool"]["driver"]["name"] == "secretsfile"
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    result = run["results"][0]
    assert rule_ids[result["ruleIndex"]] == result["ruleId"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (1, 5)
    assert result["partialFingerprints"]["secretsfile/v1"] == findings()[2].fingerprint


def test_no_format_contains_a_whole_secret() -> None:
    for fmt in ("text", "json", "sarif"):
        out = render(Report(findings()), fmt)
        for secret in SECRETS:
            assert secret not in out, (fmt, secret)
