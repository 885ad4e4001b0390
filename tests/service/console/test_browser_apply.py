"""The public application form in Debian's headless Chromium against ``haken serve``: a
complete application arrives, an incomplete one shows each error and stores nothing,
outside the window the form is closed; axe-core finds no violation on any of its pages."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select

from service.logic.applications import ELIGIBILITY
from tests.service.console.test_browser import (  # noqa: F401 (fixtures)
    CHROMEDRIVER,
    CHROMIUM,
    Steps,
    browser,
    console,
)
from tests.service.console.test_pages_apply import stored, today, with_window
from tests.service_support import Api

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="Debian's chromium and chromium-driver are not installed (.ci/run installs them)")


def test_an_association_applies_online(console: Api, browser: WebDriver,  # noqa: F811
                                       tmp_path: Path) -> None:
    steps = Steps(browser, str(console.client.base_url).rstrip("/"), tmp_path)
    print(f"screenshots in {tmp_path}")
    with_window(console, today() - dt.timedelta(days=5), today() + dt.timedelta(days=20))
    before = stored(console)

    with steps.step("the form, in Japanese"):
        steps.open("/apply")
        steps.wait_for("form#apply-form")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ja"
        assert browser.find_element(By.TAG_NAME, "h1").text == "専門家派遣のお申込み"

    with steps.step("an incomplete application shows every error"):
        browser.find_element(By.ID, "name").send_keys("東京都ブラウザ試験協同組合")
        steps.submit("form#apply-form")
        summary = steps.wait_for("#error-summary")
        for field in ("legal_form", "city", "address", "industry", "member_count", "needs",
                      "contact_email"):
            assert browser.find_element(By.ID, f"{field}-error").is_displayed(), field
        for item in ELIGIBILITY:
            assert browser.find_element(By.ID, f"declaration-{item}-error").is_displayed()
        assert "入力内容に誤りがあります" in summary.text
        assert browser.find_element(By.ID, "name").get_attribute("value") == \
            "東京都ブラウザ試験協同組合"
        assert stored(console) == before

    with steps.step("a summary link goes to its field"):
        summary.find_element(By.CSS_SELECTOR, "a[href='#contact_email']").click()
        assert browser.switch_to.active_element.get_attribute("id") == "contact_email"

    with steps.step("a complete application arrives"):
        for field, value in (("city", "中央区"), ("address", "日本橋1-2-3"),
                             ("member_count", "120"), ("contact_name", "鈴木 花子"),
                             ("contact_email", "suzuki@example.jp"),
                             ("contact_phone", "03-9876-5432")):
            element = browser.find_element(By.ID, field)
            element.clear()
            element.send_keys(value)
        for radio in ("legal_form-general_incorporated", "mode-online", "has_manual-yes",
                      "availability-grid", "slot-wed-10", "slot-wed-11", "other_needs-training"):
            browser.find_element(By.ID, radio).click()
        Select(browser.find_element(By.ID, "industry")).select_by_value("food_service")
        Select(browser.find_element(By.ID, "primary_need")).select_by_value("management")
        Select(browser.find_element(By.ID, "sessions_requested")).select_by_value("3")
        Select(browser.find_element(By.ID, "session_minutes")).select_by_value("120")
        for item in ELIGIBILITY:
            browser.find_element(By.ID, f"declaration-{item}").click()
        steps.submit("form#apply-form")
        number = steps.wait_for("#receipt-number").text
        assert number.startswith("HK-")
        assert "お申込みを受け付けました" in steps.visible_text()

    record = console.get("/api/v1/associations/A061").json()
    assert record["status"] == "received" and record["name"] == "東京都ブラウザ試験協同組合"
    assert record["needs"] == ["management", "training"]
    assert record["availability"]["weekly"]["wed"] == [["10:00", "12:00"]]
    assert stored(console) == (before[0] + 1, before[1] + 1)

    with steps.step("outside the window the form is closed"):
        with_window(console, today() - dt.timedelta(days=30), today() - dt.timedelta(days=1))
        steps.open("/apply")
        notice = steps.wait_for("#window-state")
        assert notice.text == "お申込みの受付は終了しました。"
        assert not browser.find_elements(By.ID, "apply-form")

    with steps.step("before the window opens, in English"):
        with_window(console, today() + dt.timedelta(days=2), today() + dt.timedelta(days=30))
        steps.open("/apply?lang=en")
        assert steps.wait_for("#window-state").text == "Applications are not open yet."
