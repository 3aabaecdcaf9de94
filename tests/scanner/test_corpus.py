"""Detection quality of the built-in rules on two labelled corpora.

1. The project's own corpus (``tests/scanner/corpus``, see its README): realistic files with
   synthetic secrets and the decoys real repositories are full of. Targets: recall >= 0.99,
   false-alarm rate <= 0.005.
2. Other scanners' test data (``../shared/corpus/peer-samples.jsonl`` beside the checkout),
   scored as the peers were: a sample is flagged when the scanner reports anything in it.
   Targets: recall >= 0.91, false-positive rate <= 0.047 (issue 13 aims at 0.93 / 0.04).

Run with ``pytest -s`` to see the numbers. Output never contains a secret: only rates,
rule ids, sample ids and file:line.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from secretsfile.scanner.engine import Scanner
from secretsfile.scanner.model import Finding
from secretsfile.scanner.rules import BUILTIN_RULES

CORPUS = Path(__file__).parent / "corpus"
PEER_SAMPLES = Path(__file__).parents[3] / "shared" / "corpus" / "peer-samples.jsonl"
PEER_SAMPLE_PATH = "sample.txt"  # peers wrote each sample to a file of its own


@cache
def _scanner() -> Scanner:
    return Scanner(list(BUILTIN_RULES))


def _scan(text: str, path: str) -> list[Finding]:
    return _scanner().scan_text(text, path)


def _score_own_corpus() -> dict[str, object]:
    labels = json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))
    by_file: dict[str, list[dict[str, object]]] = {}
    for entry in labels:
        by_file.setdefault(str(entry["file"]), []).append(entry)
    secrets = [e for e in labels if e["label"] == "secret"]
    decoys = [e for e in labels if e["label"] == "decoy"]
    missed: list[str] = []
    false_alarms: list[str] = []
    for rel in sorted({p.relative_to(CORPUS / "files").as_posix() for p in (CORPUS / "files").rglob("*") if p.is_file()}):
        text = (CORPUS / "files" / rel).read_text(encoding="utf-8")
        findings = _scan(text, rel)
        entries = by_file.get(rel, [])

        def covered(line: int, entries: list[dict[str, object]] = entries) -> dict[str, object] | None:
            for e in entries:
                if int(str(e["line"])) <= line <= int(str(e["end_line"])):
                    return e
            return None

        flagged: set[tuple[str, int]] = set()
        for f in findings:
            entry = covered(f.line)
            if entry is None or entry["label"] == "decoy":
                where = f"{rel}:{f.line} ({f.rule_id}{', ' + str(entry['kind']) if entry else ', unlabelled'})"
                if where not in false_alarms:
                    false_alarms.append(where)
            else:
                flagged.add((rel, int(str(entry["line"]))))
        for e in entries:
            if e["label"] == "secret" and (rel, int(str(e["line"]))) not in flagged:
                missed.append(f"{rel}:{e['line']} ({e['kind']})")
    recall = 1 - len(missed) / len(secrets)
    false_alarm_rate = len(false_alarms) / len(decoys)
    return {
        "secrets": len(secrets),
        "decoys": len(decoys),
        "recall": recall,
        "false_alarm_rate": false_alarm_rate,
        "missed": missed,
        "false_alarms": false_alarms,
    }


def test_own_corpus_is_big_enough() -> None:
    labels = json.loads((CORPUS / "labels.json").read_text(encoding="utf-8"))
    kinds = Counter(e["label"] for e in labels)
    assert kinds["secret"] >= 200
    assert kinds["decoy"] >= 200


def test_own_corpus_quality() -> None:
    result = _score_own_corpus()
    print(
        f"\nown corpus: {result['secrets']} secrets, {result['decoys']} decoys; "
        f"recall {result['recall']:.3f}, false-alarm rate {result['false_alarm_rate']:.3f}"
    )
    for item in result["missed"]:  # type: ignore[attr-defined]
        print("  missed", item)
    for item in result["false_alarms"]:  # type: ignore[attr-defined]
        print("  false alarm", item)
    assert result["recall"] >= 0.99  # type: ignore[operator]
    assert result["false_alarm_rate"] <= 0.005  # type: ignore[operator]


def test_peer_samples_quality() -> None:
    if not PEER_SAMPLES.exists():
        pytest.skip(f"peer corpus not found at {PEER_SAMPLES} (it lives beside the checkout)")
    rows = [json.loads(line) for line in PEER_SAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]
    counts: Counter[tuple[str, str, bool]] = Counter()
    missed_by_rule: Counter[str] = Counter()
    fp_by_rule: Counter[str] = Counter()
    for row in rows:
        flagged = bool(_scan(row["text"], PEER_SAMPLE_PATH))
        counts[(row["origin"], row["label"], flagged)] += 1
        if row["label"] == "tp" and not flagged:
            missed_by_rule[row["rule"]] += 1
        if row["label"] == "fp" and flagged:
            fp_by_rule[row["rule"]] += 1

    def rate(label: str, origin: str | None = None) -> tuple[int, int]:
        hit = sum(v for (o, lab, f), v in counts.items() if lab == label and f and origin in (None, o))
        total = sum(v for (o, lab, _), v in counts.items() if lab == label and origin in (None, o))
        return hit, total

    print()
    for origin in sorted({o for o, _, _ in counts}):
        tp_hit, tp_total = rate("tp", origin)
        fp_hit, fp_total = rate("fp", origin)
        print(f"peer {origin}: recall {tp_hit}/{tp_total}, false positives {fp_hit}/{fp_total}")
    tp_hit, tp_total = rate("tp")
    fp_hit, fp_total = rate("fp")
    recall, fp_rate = tp_hit / tp_total, fp_hit / fp_total
    print(f"peer pooled: recall {recall:.3f} ({tp_hit}/{tp_total}), false-positive rate {fp_rate:.3f} ({fp_hit}/{fp_total})")
    print("  most missed (peer rule):", missed_by_rule.most_common(8))
    print("  most false positives (peer rule):", fp_by_rule.most_common(8))
    assert recall >= 0.91
    assert fp_rate <= 0.047
