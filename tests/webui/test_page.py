"""The secrets page in a real browser (headless Chromium): token load, sort, filter, create
with a schema through the form, see it in the table and in ``git diff``, delete it; no
planted value ever in the DOM, a response body or the browser's storage."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from secretsfile.config.project import load
from secretsfile.ops.secrets import create_secret
from secretsfile.webui.server import PageServer
from tests.webui.browser import driver_fixture, response_bodies  # noqa: F401
from tests.webui.conftest import PLANTED, git, running

TYPED = "pw-PLANTED-typed-5e4d3c"  # typed into the form's password field
LATER = "2030-01-02T03:04:05+00:00"  # a commit date after the fixture's
# Read at import: the autouse isolation fixture clears SECRETSFILE_* before each test.
ARTIFACTS = os.environ.get("SECRETSFILE_TEST_ARTIFACTS")


@pytest.fixture
def three(project: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The fixture's two secrets plus ``aaa-token`` in prod, committed later: name, env and
    created each give a different order."""
    config = load(project)
    create_secret(config, config.environment("prod"), "aaa-token", {"token": PLANTED[1]},
                  None, False)
    git(project, "add", "-A")
    monkeypatch.setenv("GIT_AUTHOR_DATE", LATER)
    monkeypatch.setenv("GIT_COMMITTER_DATE", LATER)
    git(project, "commit", "-q", "-m", "later")
    return project


METADATA = ("mac:", "lastmodified:", "secretsfile_tag:")  # rewritten on every change


def changed_values(project: Path) -> list[str]:
    """``git diff``'s changed lines outside the sops metadata, as ``+key`` / ``-key``."""
    changed = [line for line in git(project, "diff").splitlines()
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    return [line[0] + line[1:].strip().split(":")[0] for line in changed
            if not line[1:].lstrip().startswith(METADATA)]


def wait(driver: Any, condition: Any) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 15).until(condition)


def by_id(driver: Any, element_id: str) -> Any:
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, element_id)


def rows(driver: Any) -> list[tuple[str, str]]:
    """The table's (name, env) rows, read in one step (the table is redrawn as a whole)."""
    found = driver.execute_script("return Array.from(document.querySelectorAll('#rows tr'),"
                                  " (r) => [r.dataset.name, r.dataset.env])")
    return [(name, env) for name, env in found]


def open_page(driver: Any, server: PageServer) -> list[str]:
    driver.get(server.url)
    wait(driver, lambda d: d.find_element("css selector", "body").get_attribute("data-ready"))
    assert driver.current_url == server.url.split("?", 1)[0]  # the token left the address
    return response_bodies(driver)


def assert_nothing_leaked(driver: Any, bodies: list[str], *values: str) -> None:
    storage = driver.execute_script(
        "return JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")
    for value in values:
        assert value not in driver.page_source
        assert not [b for b in bodies if value in b]
        assert value not in storage
    assert bodies  # the log did capture the page's responses


def test_table_sorts_and_filters(driver: Any, server: PageServer, three: Path,
                                 tmp_path: Path) -> None:
    bodies = open_page(driver, server)
    by_name = [("aaa-token", "prod"), ("api-key", "prod"), ("app-db", "dev")]
    assert rows(driver) == by_name
    header = {column: driver.find_element("css selector", f'th [data-sort="{column}"]')
              for column in ("name", "env", "created")}
    by_env = [("app-db", "dev"), ("aaa-token", "prod"), ("api-key", "prod")]
    by_created = [("api-key", "prod"), ("app-db", "dev"), ("aaa-token", "prod")]  # ties: name
    header["env"].click()
    wait(driver, lambda d: rows(d) == by_env)
    header["created"].click()
    wait(driver, lambda d: rows(d) == by_created)
    header["name"].click()
    wait(driver, lambda d: rows(d) == by_name)
    header["name"].click()  # again: descending
    wait(driver, lambda d: rows(d) == by_name[::-1])
    header["name"].click()
    wait(driver, lambda d: rows(d) == by_name)
    cells = driver.find_elements("css selector", '#rows tr[data-name="app-db"] td')
    assert [c.text for c in cells[:3]] == ["app-db", "dev", "postgres"]
    assert "password" in cells[3].text and cells[6].text == "team"
    assert cells[4].text[:4].isdigit()  # a created date from git

    artifacts = Path(ARTIFACTS or tmp_path)
    artifacts.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(artifacts / "secrets-table.png"))

    by_id(driver, "filter").send_keys("API")
    assert rows(driver) == [("api-key", "prod")]
    by_id(driver, "filter").clear()
    by_id(driver, "filter").send_keys("password")  # a key name matches too
    assert rows(driver) == [("app-db", "dev")]
    by_id(driver, "filter").clear()
    from selenium.webdriver.support.ui import Select

    Select(by_id(driver, "env-filter")).select_by_value("prod")
    assert rows(driver) == [("aaa-token", "prod"), ("api-key", "prod")]
    by_id(driver, "filter").send_keys("aaa")
    assert rows(driver) == [("aaa-token", "prod")]
    assert by_id(driver, "count").text == "1 of 3"
    bodies += response_bodies(driver)
    assert_nothing_leaked(driver, bodies, *PLANTED)
    console = [entry["message"] for entry in driver.get_log("browser")]
    assert not [m for m in console if "Content Security Policy" in m], console


def fill_form(driver: Any) -> None:
    from selenium.webdriver.support.ui import Select

    by_id(driver, "new-secret").click()
    name = by_id(driver, "f-name")
    name.send_keys("Web DB")
    wait(driver, lambda d: "web_db" in by_id(d, "naming").text.replace("-", "_").lower())
    assert "bad" in by_id(driver, "naming").get_attribute("class")
    name.clear()
    name.send_keys("web-db")
    wait(driver, lambda d: "valid" in by_id(d, "naming").text)
    Select(by_id(driver, "f-env")).select_by_value("dev")
    Select(by_id(driver, "f-schema")).select_by_value("postgres")
    field = {n.get_attribute("data-key"): n
             for n in driver.find_elements("css selector", "#fields [data-key]")}
    assert field["password"].get_attribute("type") == "password"
    assert field["port"].get_attribute("type") == "number"
    assert field["port"].get_attribute("value") == "5432"  # the schema's default
    assert field["sslkey"].tag_name == "textarea"
    field["user"].send_keys("web")
    field["password"].send_keys(TYPED)
    field["host"].send_keys("web.internal")
    field["database"].send_keys("web")


def test_create_and_delete_through_the_form(driver: Any, server: PageServer,
                                            project: Path) -> None:
    bodies = open_page(driver, server)
    fill_form(driver)
    by_id(driver, "save").click()
    wait(driver, lambda d: ("web-db", "dev") in rows(d))
    assert "Created web-db" in by_id(driver, "banner").text
    assert by_id(driver, "editor-backdrop").get_attribute("hidden") is not None
    added = changed_values(project)
    assert added[0] == "+web-db" and all(line.startswith("+") for line in added), added
    bodies += response_bodies(driver)
    assert_nothing_leaked(driver, bodies, TYPED, *PLANTED)

    driver.find_element("css selector", '#rows tr[data-name="web-db"] .delete').click()
    alert = wait(driver, lambda d: d.switch_to.alert)
    assert "web-db" in alert.text
    alert.accept()
    wait(driver, lambda d: ("web-db", "dev") not in rows(d))
    config = load(project)
    assert "web-db" not in config.env_path(config.environment("dev")).read_text()
    assert changed_values(project) == []  # back to the committed secrets
    bodies += response_bodies(driver)
    assert_nothing_leaked(driver, bodies, TYPED, *PLANTED)


def test_an_error_shows_in_the_banner(driver: Any, server: PageServer, project: Path) -> None:
    open_page(driver, server)
    by_id(driver, "new-secret").click()
    by_id(driver, "f-name").send_keys("app-db")  # exists in dev already
    from selenium.webdriver.support.ui import Select

    Select(by_id(driver, "f-env")).select_by_value("dev")
    driver.find_element("css selector", "#fields .free-key").send_keys("password")
    driver.find_element("css selector", "#fields .free-value").send_keys(TYPED)
    by_id(driver, "save").click()
    wait(driver, lambda d: by_id(d, "banner").is_displayed())
    assert "app-db" in by_id(driver, "banner").text
    assert TYPED not in by_id(driver, "banner").text


def test_update_changes_only_the_fields_filled_in(driver: Any, server: PageServer,
                                                  project: Path) -> None:
    bodies = open_page(driver, server)
    driver.find_element("css selector", '#rows tr[data-name="app-db"] .edit').click()
    field = {n.get_attribute("data-key"): n
             for n in driver.find_elements("css selector", "#fields [data-key]")}
    assert field["password"].get_attribute("value") == ""  # write-only: never shown
    assert "unchanged" in field["password"].get_attribute("placeholder")
    assert by_id(driver, "f-name").get_attribute("disabled") is not None
    field["host"].send_keys("db2.internal")
    by_id(driver, "save").click()
    wait(driver, lambda d: "Updated app-db" in by_id(d, "banner").text)
    assert changed_values(project) == ["-host", "+host"]  # the password kept its ciphertext
    bodies += response_bodies(driver)
    assert_nothing_leaked(driver, bodies, *PLANTED)


@pytest.fixture
def team_server(project: Path, team: Path) -> Iterator[PageServer]:
    """A server over ``team`` with the git readers ``secretsfile ui`` hands in."""
    from secretsfile.cli.history_cmd import histories, secret_dates
    from secretsfile.webui.api import Ctx
    from secretsfile.webui.server import make_server

    with running(make_server(Ctx(load(project), secret_dates,
                                 lambda: histories(None, None, use_key=False)))) as page:
        yield page


def test_recipients_and_checks_views(driver: Any, team_server: PageServer,
                                     tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    bodies = open_page(driver, team_server)
    artifacts = Path(ARTIFACTS or tmp_path)
    artifacts.mkdir(parents=True, exist_ok=True)
    driver.find_element(By.CSS_SELECTOR, '.tab[data-view="recipients"]').click()
    matrix = wait(driver, lambda d: d.find_elements(By.ID, "recipient-matrix"))[0]
    head = [th.text.lower() for th in matrix.find_elements(By.CSS_SELECTOR, "thead th")]
    assert head == ["recipient", "dev", "prod"]
    cells = [[td.text for td in tr.find_elements(By.CSS_SELECTOR, ".person, .you-row .badge, "
                                                 ".cell")]
             for tr in matrix.find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert cells == [["alice", "✓", "✓"], ["bob", "–", "✓"], ["you can read", "✓", "✓"]]
    assert matrix.find_elements(By.CSS_SELECTOR, "tbody tr:first-child .badge.you")
    assert driver.save_screenshot(str(artifacts / "recipients.png"))

    driver.find_element(By.CSS_SELECTOR, '.tab[data-view="checks"]').click()
    wait(driver, lambda d: d.execute_script(
        "return document.querySelectorAll('#checks-drift li.problem').length"))
    fixes = {kind: [c.text for c in driver.find_elements(
        By.CSS_SELECTOR, f"#checks-{kind} li.problem code")]
        for kind in ("references", "stale", "drift")}
    assert fixes == {
        "references": ["secretsfile secret set sentry-dsn --env dev",
                       "secretsfile secret set sentry-dsn --env prod"],
        "stale": ["secretsfile secret set legacy-token --env dev"],
        "drift": ["secretsfile updatekeys secrets/prod.yaml"]}
    assert "bob" in by_id(driver, "checks-drift").text
    size = driver.get_window_size()
    driver.set_window_size(size["width"], 1000)  # the four groups in one screenshot
    try:
        assert driver.save_screenshot(str(artifacts / "checks.png"))
    finally:
        driver.set_window_size(size["width"], size["height"])
    age = by_id(driver, "older-than")
    age.clear()
    age.send_keys("10y\n")  # legacy-token is younger than that
    wait(driver, lambda d: d.execute_script(  # read in one step: the view is redrawn
        "const v = document.getElementById('older-than');"
        "const s = document.getElementById('checks-stale');"
        "return v && s && v.value === '10y' && s.textContent.includes('nothing found')"))
    age = by_id(driver, "older-than")
    age.clear()
    age.send_keys("soon\n")
    wait(driver, lambda d: "bad duration" in by_id(d, "banner").text)
    bodies += response_bodies(driver)
    assert any('"drift"' in body for body in bodies)
    assert_nothing_leaked(driver, bodies, *PLANTED)
    console = [entry["message"] for entry in driver.get_log("browser")]
    assert not [m for m in console if "Content Security Policy" in m], console
