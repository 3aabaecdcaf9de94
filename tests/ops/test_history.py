"""ops/history.py: per-commit changes from versions handed in (no git here), by ciphertext
and by decrypted value, merges, deletions, unreadable versions, dates, staleness."""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from secretsfile.errors import UsageError
from secretsfile.ops import history as ops_history
from secretsfile.ops.history import (
    BY_CIPHERTEXT,
    BY_VALUE,
    file_history,
    only_secret,
    parse_age,
    secret_dates,
    stale_secrets,
)

T0 = _dt.datetime(2024, 1, 1, tzinfo=_dt.timezone.utc)
PATH = "secrets/prod.yaml"
SOPS = """sops:
    age:
        - recipient: age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq
          enc: {wrap}
    lastmodified: "2024-01-01T00:00:00Z"
    mac: ENC[AES256_GCM,data:AAAA,iv:AAAAAAAAAAAAAAAAAAAAAA==,tag:AAAAAAAAAAAAAAAAAAAAAA==,type:str]
    unencrypted_suffix: _unencrypted
    version: 3.11.0
"""


def enc(token: str) -> str:
    zeros = "AAAAAAAAAAAAAAAAAAAAAA=="
    return f"ENC[AES256_GCM,data:{token},iv:{zeros},tag:{zeros},type:str]"


def text(entries: dict[str, object], wrap: str = "k1") -> str:
    """A sops-shaped file (ciphertext made up: these tests never decrypt it)."""
    lines = []
    for name, value in entries.items():
        if isinstance(value, dict):
            lines.append(f"{name}:")
            lines += [f"    {k}: {v if k.startswith('_') else enc(str(v))}"
                      for k, v in value.items()]
        else:
            lines.append(f"{name}: {enc(str(value))}")
    return "\n".join(lines) + "\n" + SOPS.format(wrap=wrap)


@dataclass(frozen=True)
class V:
    commit: str
    parents: tuple[str, ...]
    when: _dt.datetime
    text: str | None
    author: str = "Alice"
    email: str = "alice@example.invalid"
    subject: str = ""


def chain(*texts: str | None) -> list[V]:
    return [V(f"c{i}", (f"c{i - 1}",) if i else (), T0 + _dt.timedelta(days=i), t,
              subject=f"commit {i}") for i, t in enumerate(texts)]


def changes(commit: ops_history.CommitChanges) -> list[tuple[str, str]]:
    return [(c.label, c.change) for c in commit.changes]


def test_added_changed_removed_by_ciphertext() -> None:
    group = {"user": "U", "password": "P1", "_schema_unencrypted": "postgres"}
    versions = chain(text({"a": "A1", "db": group}),
                     text({"a": "A1", "db": {"user": "U", "password": "P2"}, "b": "B"}),
                     text({"db": {"user": "U"}, "b": "B"}),
                     None)
    history = file_history(versions, "prod", PATH, use_key=False)
    assert [changes(c) for c in history.commits] == [
        [("a", "added"), ("db.user", "added"), ("db.password", "added")],
        [("db.password", "changed"), ("b", "added")],
        [("a", "removed"), ("db.password", "removed")],
        [("b", "removed"), ("db.user", "removed")],
    ]
    assert all(c.compared == BY_CIPHERTEXT for c in history.commits)
    assert history.compared == BY_CIPHERTEXT and history.current == ()


def test_a_secret_becoming_a_group() -> None:
    history = file_history(chain(text({"a": "1"}), text({"a": {"k": "1"}})), "prod", PATH,
                           use_key=False)
    assert changes(history.commits[1]) == [("a.k", "added"), ("a", "removed")]


def test_merge_reports_what_differs_from_every_parent() -> None:
    base = V("b", (), T0, text({"x": "X0", "y": "Y0", "z": "Z0"}))
    ours = V("o", ("b",), T0, text({"x": "X1", "y": "Y0", "z": "Z0"}))
    theirs = V("t", ("b",), T0, text({"x": "X0", "y": "Y1", "z": "Z0"}))
    merged = V("m", ("o", "t"), T0, text({"x": "X1", "y": "Y1", "z": "Z2", "n": "N"}))
    history = file_history([base, ours, theirs, merged], "prod", PATH, use_key=False)
    assert changes(history.commits[1]) == [("x", "changed")]
    assert changes(history.commits[2]) == [("y", "changed")]
    assert changes(history.commits[3]) == [("z", "changed"), ("n", "added")]


def test_unreadable_version_is_a_note_not_a_removal() -> None:
    versions = chain(text({"a": "1"}), "<<<<<<< ours\nnot: [valid\n", text({"a": "1"}))
    history = file_history(versions, "prod", PATH, use_key=False)
    assert history.commits[1].changes == () and history.commits[1].notes
    assert history.commits[2].changes == ()


def test_new_wrapping_is_noted_by_ciphertext() -> None:
    history = file_history(chain(text({"a": "1"}), text({"a": "2"}, wrap="k2")), "prod", PATH,
                           use_key=False)
    assert changes(history.commits[1]) == [("a", "changed")]
    assert "rotate" in history.commits[1].notes[0]


def test_only_secret_and_dates() -> None:
    versions = chain(text({"a": "1", "b": "1"}), text({"a": "2", "b": "1"}),
                     text({"a": "2", "b": "1", "c": "1"}))
    history = file_history(versions, "prod", PATH, use_key=False)
    only = only_secret(history, "a")
    assert [c.commit for c in only.commits] == ["c0", "c1"]
    dates = secret_dates(history)
    assert dates["a"].created == T0 and dates["a"].updated == T0 + _dt.timedelta(days=1)
    assert dates["b"].updated == T0 and dates["c"].created == T0 + _dt.timedelta(days=2)


def test_stale_counts_any_key_of_a_group() -> None:
    versions = chain(text({"old": "1", "db": {"user": "u", "password": "p"}}),
                     text({"old": "1", "db": {"user": "u", "password": "q"}}))
    history = file_history(versions, "prod", PATH, use_key=False)
    now = T0 + _dt.timedelta(days=100)
    found = stale_secrets([history], _dt.timedelta(days=99), now)
    assert [(s.name, s.days) for s in found] == [("old", 100)]
    assert found[0].to_dict()["compared"] == BY_CIPHERTEXT
    assert stale_secrets([history], _dt.timedelta(days=100), now) == []


@pytest.mark.parametrize(("given", "days"), [("90d", 90), ("12w", 84), ("6m", 180),
                                             ("1y", 365), (" 2W ", 14)])
def test_parse_age(given: str, days: int) -> None:
    assert parse_age(given) == _dt.timedelta(days=days)


@pytest.mark.parametrize("bad", ["", "90", "d", "0d", "-1d", "1.5w", "3h", "9999999d"])
def test_parse_age_refuses(bad: str) -> None:
    with pytest.raises(UsageError, match="duration"):
        parse_age(bad)


# -- with a key: real encrypted versions -----------------------------------------------


def _real_versions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[V]:
    from secretsfile.cli.main import main

    monkeypatch.chdir(tmp_path)
    assert main(["keygen"]) == 0
    path = tmp_path / "prod.yaml"
    path.write_text("a: PLANTED-a1\ndb:\n    password: PLANTED-p1\n")
    assert main(["encrypt", "--in-place", str(path)]) == 0
    texts = [path.read_text()]
    (tmp_path / "value").write_text("PLANTED-p2")
    assert main(["set", str(path), "db.password", "--value-file", "value"]) == 0
    texts.append(path.read_text())
    assert main(["rotate", str(path)]) == 0
    texts.append(path.read_text())
    assert main(["rotate", str(path)]) == 0
    texts.append(path.read_text())
    return chain(*texts)


def test_by_value_unwraps_once_per_data_key(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from secretsfile.ops import document

    versions = _real_versions(tmp_path, monkeypatch)
    calls: list[str] = []
    real = document.unwrap_data_key

    def counting(metadata: Any, path: str) -> bytes:
        calls.append(path)
        return real(metadata, path)

    monkeypatch.setattr(document, "unwrap_data_key", counting)
    history = file_history(versions + versions[-1:], "prod", "prod.yaml")
    assert len(calls) == 3  # three data keys, five versions
    assert [changes(c) for c in history.commits[:4]] == [
        [("a", "added"), ("db.password", "added")], [("db.password", "changed")], [], []]
    assert history.compared == BY_VALUE
    assert "rotate" in history.commits[2].notes[0]
    dumped = json.dumps([c.to_dict() for c in history.commits])
    assert "PLANTED" not in dumped and "PLANTED" not in repr(history)


def test_by_ciphertext_a_rotation_changes_everything(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    history = file_history(_real_versions(tmp_path, monkeypatch), "prod", "prod.yaml",
                           use_key=False)
    assert changes(history.commits[1]) == [("db.password", "changed")]
    assert changes(history.commits[2]) == [("a", "changed"), ("db.password", "changed")]
