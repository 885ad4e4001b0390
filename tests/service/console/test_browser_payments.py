"""The payments page in a real browser (Debian's headless Chromium, as test_browser.py):
an admin signs in, previews July from its approved sessions, closes, and downloads;
every page passes axe-core."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.closing_support import july_approved
from tests.service.console.test_browser import (  # the fixtures, the step runner, the skip
    Steps,
    browser,
    console,
    pytestmark,
)
from tests.service_support import Api

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402

__all__ = ["browser", "console", "pytestmark"]  # pytest finds them by these names


def test_an_admin_closes_july_in_the_browser(console: Api, browser: WebDriver,
                                             tmp_path: Path) -> None:
    steps = Steps(browser, str(console.client.base_url).rstrip("/"), tmp_path)
    july_approved(console)

    with steps.step("sign in as admin"):
        steps.open("/payments")
        steps.wait_for("input#token")
        browser.find_element(By.ID, "token").send_keys(console.tokens["admin"])
        steps.submit("form[action='/signin']")
        steps.wait_for("#preview-form")
        assert browser.find_element(By.TAG_NAME, "h1").text == "支払"
        assert "****567" in browser.find_element(By.ID, "payees").text

    with steps.step("preview July from its approved sessions"):
        browser.execute_script("document.getElementById('month').value = '2026-07'")
        browser.execute_script("document.getElementById('pay_on').value = '2026-08-31'")
        steps.submit("#preview-form")
        steps.wait_for("#preview-entries")
        assert "¥79,680" in browser.find_element(By.ID, "preview-E1").text
        assert "¥154,994" in browser.find_element(By.ID, "preview-total").text

    with steps.step("close it"):
        steps.submit("#close-form")
        steps.wait_for("#month-2026-07")
        assert "締めました" in steps.visible_text()
        links = browser.find_elements(By.CSS_SELECTOR, "#month-2026-07 a")
        assert {link.get_attribute("href").rsplit("/", 1)[-1] for link in links} == {
            "statements.xlsx", "statements.pdf", "zengin.txt"}

    with steps.step("English"):
        steps.open("/payments?lang=en")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Payments"
        steps.open("/payments?lang=ja")
