"""Contact details, the choice of invitations or feed, and the outbox in a real browser
(Debian's headless Chromium against ``haken serve``), every page through axe-core."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.loading import parse_scenario
from tests.greedy_plans import greedy_plan
from tests.service.console.test_browser import (  # noqa: F401 (fixtures)
    CHROMEDRIVER,
    CHROMIUM,
    Steps,
    browser,
    console,
)
from tests.service.logic.test_invitations import document, publish
from tests.service_support import Api

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="Debian's chromium and chromium-driver are not installed (.ci/run installs them)")


def test_contact_details_and_the_outbox_in_the_browser(console: Api,  # noqa: F811
                                                       browser: WebDriver,  # noqa: F811
                                                       tmp_path: Path) -> None:
    steps = Steps(browser, str(console.client.base_url).rstrip("/"), tmp_path)
    assert console.send("PUT", "/api/v1/scenario", body=document()).status_code == 200

    with steps.step("sign in"):
        steps.open("/applications/A3")
        steps.wait_for("input#token")
        browser.find_element(By.ID, "token").send_keys(console.tokens["staff"])
        steps.submit("form[action='/signin']")
        steps.wait_for("#contact-link")

    with steps.step("the contact page"):
        steps.follow("#contact-link")
        steps.wait_for("#field-email")
        assert "連絡先と日程の通知" in browser.find_element(By.TAG_NAME, "h1").text
        assert "メールアドレス未登録" in browser.find_element(By.ID, "delivery-now").text

    with steps.step("a malformed address is named beside its field"):
        browser.find_element(By.ID, "field-contact_name").send_keys("高橋 次郎")
        browser.find_element(By.ID, "field-email").send_keys("takahashi at example")
        Select(browser.find_element(By.ID, "field-delivery")).select_by_value("both")
        steps.submit("form[action='/contacts/association/A3']")
        error = browser.find_element(By.ID, "email-error")
        assert "e-mail address" in error.text
        assert browser.find_element(By.ID, "field-email").get_attribute("aria-invalid") == "true"
        assert console.get("/api/v1/associations/A3").json().get("contact") is None

    with steps.step("corrected and saved"):
        field = browser.find_element(By.ID, "field-email")
        field.clear()
        field.send_keys("takahashi@example.jp")
        steps.submit("form[action='/contacts/association/A3']")
        assert browser.find_element(By.CSS_SELECTOR, "p.ok[role=status]").text == "保存しました。"
        assert "招待メールを送ります" in browser.find_element(By.ID, "delivery-now").text
        assert console.get("/api/v1/associations/A3").json()["contact"]["email"] == \
            "takahashi@example.jp"

    with steps.step("the outbox after publishing"):
        plan = greedy_plan(parse_scenario(console.get("/api/v1/scenario").json()))
        publish(console, plan)
        steps.open("/outbox")
        steps.wait_for("#messages")
        assert browser.find_element(By.ID, "not-sending").text.startswith(
            "メールは送信されていません")
        recipients = browser.find_element(By.ID, "messages").text
        assert "takahashi@example.jp" in recipients and "sato@example.jp" in recipients

    with steps.step("the outbox in English"):
        steps.open("/outbox?lang=en")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Outbox"
