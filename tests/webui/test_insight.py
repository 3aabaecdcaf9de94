"""webui.insight: the Recipients and Checks views over a real project (git, age keys)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from secretsfile.cli.history_cmd import histories, secret_dates
from secretsfile.config.project import load
from secretsfile.errors import UsageError
from secretsfile.webui import insight
from secretsfile.webui.api import Ctx
from secretsfile.webui.server import make_server
from tests.webui.conftest import PLANTED, STALE_DATE, git


def _ctx(root: Path) -> Ctx:
    return Ctx(load(root), secret_dates, lambda: histories(None, None, use_key=False))


def _clean(body: Any) -> dict[str, Any]:
    text = json.dumps(body)
    assert not any(planted in text for planted in PLANTED)
    assert isinstance(body, dict)
    return body


def test_the_matrix_has_the_config_names_and_what_you_read(project: Path, team: Path) -> None:
    status, body = insight.recipients(_ctx(project))
    assert status == 200
    body = _clean(body)
    assert body["environments"] == ["dev", "prod"]
    people = {p["name"]: p for p in body["recipients"]}
    assert set(people) == {"alice", "bob"}
    assert people["alice"]["environments"] == ["dev", "prod"] and people["alice"]["you"]
    assert people["bob"]["environments"] == ["prod"] and not people["bob"]["you"]
    assert people["bob"]["key"].startswith("age1")
    assert body["you_can_read"] == {"dev": True, "prod": True}


def test_readable_follows_your_key(project: Path, team: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """As bob (in prod's config, not yet in its file): nothing is readable."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(project.parent / "bob-home"))
    monkeypatch.setenv("SOPS_AGE_KEY_FILE", str(team))
    _, body = insight.recipients(_ctx(project))
    body = _clean(body)
    assert body["you_can_read"] == {"dev": False, "prod": False}
    assert [p["name"] for p in body["recipients"] if p["you"]] == ["bob"]


def _by_kind(body: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [p for p in body["problems"] if p["kind"] == kind]


def test_checks_show_each_problem_with_its_fix(project: Path, team: Path) -> None:
    status, body = insight.checks(_ctx(project), {"older_than": "90d"})
    assert status == 200
    body = _clean(body)
    refs = _by_kind(body, "references")
    assert {p["fix"] for p in refs} == {"secretsfile secret set sentry-dsn --env dev",
                                        "secretsfile secret set sentry-dsn --env prod"}
    assert all(p["where"].startswith("app.env.tmpl:2:") for p in refs)
    stale = _by_kind(body, "stale")
    assert [(p["where"], p["fix"]) for p in stale] == [
        ("legacy-token (dev)", "secretsfile secret set legacy-token --env dev")]
    assert "since 2020-01-15" in stale[0]["message"]
    drift = _by_kind(body, "drift")
    assert [(p["where"], p["fix"]) for p in drift] == [
        ("secrets/prod.yaml", "secretsfile updatekeys secrets/prod.yaml")]
    assert "missing recipient" in drift[0]["message"] and "(bob)" in drift[0]["message"]
    assert body["counts"] == {"references": 2, "schemas": 0, "stale": 1, "drift": 1}


def test_a_stale_group_secret_is_fixed_by_update(project: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_COMMITTER_DATE", STALE_DATE)
    git(project, "commit", "-q", "--amend", "--no-edit", f"--date={STALE_DATE}")
    body = _clean(insight.checks(_ctx(project), {"older_than": "1y"})[1])
    assert [(p["where"], p["fix"]) for p in _by_kind(body, "stale")] == [
        ("app-db (dev)", "secretsfile secret update app-db --env dev -i"),
        ("api-key (prod)", "secretsfile secret update api-key --env prod -i")]
    assert body["older_than"] == "1y"


def test_a_clean_project_has_no_problems(project: Path) -> None:
    body = _clean(insight.checks(_ctx(project), {})[1])
    assert body["problems"] == [] and body["older_than"] == "90d"


def test_without_git_history_stale_says_why(project: Path) -> None:
    _, body = insight.checks(Ctx(load(project)), {})
    assert body is not None and body["problems"] == []
    assert any("git history" in note for note in body["notes"])


def test_a_bad_duration_is_refused(project: Path) -> None:
    with pytest.raises(UsageError, match="bad duration"):
        insight.checks(_ctx(project), {"older_than": "soon"})


def test_the_routes_answer_over_http(project: Path, team: Path) -> None:
    from tests.webui.test_server import bearer, send  # the HTTP helpers of slice A

    page = make_server(_ctx(project))
    thread = threading.Thread(target=page.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        for path in ("/api/recipients", "/api/checks?older_than=90d"):
            answer = send(page, "GET", path, None, **bearer(page))
            assert answer.status == 200
            _clean(answer.json())
        assert send(page, "GET", "/api/checks?older_than=x", None, **bearer(page)).status == 400
    finally:
        page.shutdown()
        page.server_close()
        thread.join()
