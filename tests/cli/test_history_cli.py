"""``history`` and ``stale`` in real git repositories with backdated commits; ``secret list``
dates from the same source. No planted value may appear in any output."""

from __future__ import annotations

import datetime as _dt
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Result, Runner, init_repo

PLANTED = ("tok-PLANTED-one", "tok-PLANTED-two", "pw-PLANTED-one", "pw-PLANTED-two",
           "old-PLANTED-value")
NOW = _dt.datetime.now(_dt.timezone.utc)


def _commit(root: Path, message: str, days_ago: int, author: str = "Test") -> str:
    when = (NOW - _dt.timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when,
           "GIT_AUTHOR_NAME": author}
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=root, check=True, env=env)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, check=True, env=env,
                          capture_output=True, text=True).stdout.strip()


def _clean(result: Result) -> Result:
    for value in PLANTED:
        assert value not in result.output
    return result


def _set(run: Runner, name: str, value: str, env: str = "prod") -> None:
    assert run("secret", "set", name, "--env", env, "--value-stdin", stdin=value).code == 0


def _group(run: Runner, name: str, *pairs: str, create: bool = True) -> None:
    verb = "create" if create else "update"
    assert run("secret", verb, name, "--env", "prod", *pairs).code == 0


@pytest.fixture
def project(run: Runner, age_key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
            ) -> dict[str, str]:
    """prod: old-token (400 days, never changed), api-token (changed 10 days ago),
    app-db group (password changed 5 days ago), then a data key rotation (1 day ago)."""
    root = init_repo(run, tmp_path, monkeypatch, "prod", "dev")
    commits = {"init": _commit(root, "init", 500)}
    _set(run, "old-token", "old-PLANTED-value")
    _set(run, "api-token", "tok-PLANTED-one")
    commits["add"] = _commit(root, "add tokens", 400, author="Alice")
    _set(run, "api-token", "tok-PLANTED-two")
    commits["change"] = _commit(root, "change api token", 10, author="Bob")
    _group(run, "app-db", "--user=app", "--password=pw-PLANTED-one")
    commits["group"] = _commit(root, "add app-db", 8)
    _group(run, "app-db", "--password=pw-PLANTED-two", create=False)
    commits["password"] = _commit(root, "rotate db password", 5)
    assert run("rotate", "secrets/prod.yaml").code == 0
    commits["rotate"] = _commit(root, "new data key", 1)
    return commits


def _without_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from secretsfile.keysources.age import clear_cache

    other = tmp_path / "other-home"
    other.mkdir()
    monkeypatch.setenv("HOME", str(other))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(other / ".config"))
    clear_cache()


def _by_commit(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["subject"]: c for c in data["commits"]}


def _changes(commit: dict[str, Any]) -> set[tuple[str, str]]:
    return {(c["path"], c["change"]) for c in commit["changes"]}


def test_history_json_with_a_key(run: Runner, project: dict[str, str]) -> None:
    result = _clean(run("history", "--json"))
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert {e["env"]: e["compared"] for e in data["environments"]} == {"prod": "value",
                                                                       "dev": "value"}
    subjects = [c["subject"] for c in data["commits"]]
    assert subjects == ["new data key", "rotate db password", "add app-db",
                        "change api token", "add tokens", "init", "init"]  # newest first
    commits = _by_commit(data)
    assert _changes(commits["add tokens"]) == {("old-token", "added"), ("api-token", "added")}
    assert commits["add tokens"]["author"] == "Alice"
    assert commits["add tokens"]["commit"] == project["add"]
    assert _changes(commits["change api token"]) == {("api-token", "changed")}
    assert _changes(commits["add app-db"]) == {("app-db.user", "added"),
                                               ("app-db.password", "added")}
    assert _changes(commits["rotate db password"]) == {("app-db.password", "changed")}
    rotate = commits["new data key"]
    assert rotate["changes"] == [] and rotate["compared"] == "value"
    assert any("rotate" in note for note in rotate["notes"])
    first = commits["change api token"]
    assert set(first) == {"env", "file", "commit", "date", "author", "email", "subject",
                          "compared", "changes", "notes"}
    assert first["env"] == "prod" and first["file"] == "secrets/prod.yaml"
    assert first["changes"][0] == {"secret": "api-token", "key": None, "path": "api-token",
                                   "change": "changed"}
    assert _dt.datetime.fromisoformat(first["date"]) < NOW - _dt.timedelta(days=9)


def test_history_text_names_group_keys(run: Runner, project: dict[str, str]) -> None:
    result = _clean(run("history", "--env", "prod"))
    assert result.code == 0, result.stderr
    assert "app-db.password changed" in result.stdout
    assert "api-token changed" in result.stdout
    assert "Bob" in result.stdout and project["change"][:10] in result.stdout
    assert "compared by decrypted value" in result.stderr


def test_history_shows_what_committers_wrote_without_terminal_controls(
        run: Runner, project: dict[str, str]) -> None:
    # R3: a subject with ESC and CR drew a fake history line over the real one
    _set(run, "api-token", "tok-PLANTED-three")
    _commit(Path.cwd(), "rotate\x1b[2K\r2020-01-01  Alice  harmless\x1b[8m", 0,
            author="Eve\x1b[8m")
    result = _clean(run("history", "--env", "prod"))
    assert result.code == 0, result.stderr
    assert "\x1b" not in result.stdout and "\r" not in result.stdout
    assert "rotate\\u001b[2K\\u000d2020-01-01" in result.stdout


def test_history_without_a_key_compares_ciphertext(run: Runner, project: dict[str, str],
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    _without_key(monkeypatch, tmp_path)
    result = _clean(run("history", "--env", "prod", "--json"))
    assert result.code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["environments"][0]["compared"] == "ciphertext"
    commits = _by_commit(data)
    assert all(c["compared"] == "ciphertext" for c in data["commits"])
    # the same changes as by value, except the rotation: every key looks changed
    assert _changes(commits["rotate db password"]) == {("app-db.password", "changed")}
    assert _changes(commits["change api token"]) == {("api-token", "changed")}
    assert _changes(commits["new data key"]) == {
        ("old-token", "changed"), ("api-token", "changed"), ("app-db.user", "changed"),
        ("app-db.password", "changed")}
    text = _clean(run("history", "--env", "prod"))
    assert "compared by ciphertext" in text.stderr and "[by ciphertext]" in text.stdout


def test_history_one_secret(run: Runner, project: dict[str, str]) -> None:
    data = json.loads(_clean(run("history", "app-db", "--env", "prod", "--json")).stdout)
    assert [c["subject"] for c in data["commits"]] == ["rotate db password", "add app-db"]
    assert all(c["changes"] for c in data["commits"])
    assert all(ch["secret"] == "app-db" for c in data["commits"] for ch in c["changes"])
    assert run("history", "nope", "--json").code == 2  # an unknown name is said, not empty


def test_history_outside_git_history(run: Runner, age_key: str, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    init_repo(run, tmp_path, monkeypatch, "prod")
    _set(run, "api-token", "tok-PLANTED-one")  # never committed
    result = _clean(run("history"))
    assert result.code == 0 and result.stdout == ""
    assert "no committed history" in result.stderr


def test_stale_finds_the_old_secret(run: Runner, project: dict[str, str]) -> None:
    result = _clean(run("stale", "--env", "prod", "--older-than", "90d"))
    assert result.code == 1, result.stderr
    assert "old-token" in result.stdout and "api-token" not in result.stdout
    assert "compared by decrypted value" in result.stderr
    data = json.loads(_clean(run("stale", "--older-than", "12w", "--json")).stdout)
    assert [(s["env"], s["secret"]) for s in data["stale"]] == [("prod", "old-token")]
    found = data["stale"][0]
    assert found["commit"] == project["add"] and found["age_days"] >= 399
    assert found["compared"] == "value" and data["older_than_days"] == 84
    assert run("stale", "--older-than", "2y").code == 0
    older = _clean(run("stale", "--env", "prod", "--older-than", "7d"))
    assert older.code == 1 and "api-token" in older.stdout and "app-db" not in older.stdout


def test_stale_without_a_key_counts_the_rotation(run: Runner, project: dict[str, str],
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    _without_key(monkeypatch, tmp_path)
    result = _clean(run("stale", "--env", "prod", "--older-than", "90d"))
    assert result.code == 0, result.stderr  # the rotation re-encrypted every value
    assert "compared by ciphertext" in result.stderr
    data = json.loads(run("stale", "--env", "prod", "--older-than", "90d", "--json").stdout)
    assert data["environments"][0]["compared"] == "ciphertext" and data["stale"] == []


@pytest.mark.parametrize("bad", ["90", "d", "90x", "-5d", "0d", "1.5w", ""])
def test_stale_bad_duration_is_usage(run: Runner, project: dict[str, str], bad: str) -> None:
    result = run("stale", "--older-than", bad)
    assert result.code == 2 and "duration" in result.stderr


def test_secret_list_dates_from_history(run: Runner, project: dict[str, str]) -> None:
    entries = {e["name"]: e for e in json.loads(run("secret", "list", "--json").stdout)}
    created = _dt.datetime.fromisoformat(entries["old-token"]["created"])
    assert created < NOW - _dt.timedelta(days=399)
    # secret list needs no key: by ciphertext, the rotation counts as a change
    updated = _dt.datetime.fromisoformat(entries["app-db"]["updated"])
    assert updated > NOW - _dt.timedelta(days=2)


def test_history_follows_a_merge(run: Runner, age_key: str, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """A merge whose result takes one key from each side reports no change itself; each
    branch commit reports its own key."""
    root = init_repo(run, tmp_path, monkeypatch, "prod")
    _set(run, "api-token", "tok-PLANTED-one")
    _set(run, "db-password", "pw-PLANTED-one")
    _commit(root, "base", 30)
    subprocess.run(["git", "checkout", "-q", "-b", "side"], check=True)
    _set(run, "api-token", "tok-PLANTED-two")
    _commit(root, "side token", 20)
    subprocess.run(["git", "checkout", "-q", "-"], check=True)
    _set(run, "db-password", "pw-PLANTED-two")
    _commit(root, "main password", 15)
    subprocess.run(["git", "merge", "-q", "--no-commit", "-s", "ours", "side"], check=True)
    _set(run, "api-token", "tok-PLANTED-two")  # what the key-level merge would give
    _commit(root, "merge side", 10)
    data = json.loads(_clean(run("history", "--json")).stdout)
    commits = _by_commit(data)
    assert _changes(commits["side token"]) == {("api-token", "changed")}
    assert _changes(commits["main password"]) == {("db-password", "changed")}
    assert commits["merge side"]["changes"] == []
    assert data["commits"][0]["subject"] == "merge side"


def test_history_of_an_unknown_secret_says_so(run: Runner, project: dict[str, str]) -> None:
    result = run("history", "--env", "prod", "no-such-secret")
    assert result.code == 2 and "no secret named 'no-such-secret'" in result.stderr
