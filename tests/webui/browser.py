"""A headless Chromium for the page tests: Debian's ``chromium`` and ``chromium-driver``
driven by Selenium, one browser per test module.

Without a browser the tests skip with the command that installs one, except under
``CI=true``, where they fail: CI must not pass without having run them (``.ci/run``
installs both packages)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

INSTALL = "no Chromium: apt-get install chromium chromium-driver (see .ci/run)"


def _missing() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "no selenium: pip install -e '.[dev]'"
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        return INSTALL
    return None


def _new_driver() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,800", "--no-first-run", "--disable-extensions"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    # The driver's own path: Selenium Manager never downloads anything.
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


@pytest.fixture(scope="module", name="driver")
def driver_fixture() -> Iterator[Any]:
    """The module's browser (skipped without one, failed under CI=true)."""
    missing = _missing()
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing}; CI must run the browser tests")
        pytest.skip(missing)
    browser = _new_driver()
    try:
        yield browser
    finally:
        browser.quit()


def response_bodies(driver: Any) -> list[str]:
    """The bodies of the responses received since the last call (the performance log is
    drained by reading it)."""
    from selenium.common.exceptions import WebDriverException

    bodies = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") != "Network.responseReceived":
            continue
        request_id = message["params"]["requestId"]
        try:
            found = driver.execute_cdp_cmd("Network.getResponseBody", {"requestId": request_id})
        except WebDriverException:  # no body (a 204, a redirect): nothing to look at
            continue
        bodies.append(found.get("body", ""))
    return bodies
