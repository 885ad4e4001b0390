"""The self-service pages in a real browser (headless Chromium, as the console's browser
tests): an expert files a report and keeps availability, the association confirms and
rates, staff approve on the sessions page; every page reached passes axe-core."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.select import Select

from tests.service.api.routes.test_session_life import a1_sessions, programme_document, step
from tests.service.api.routes.test_spreadsheets import publish_greedy_plan, put_scenario
from tests.service.console.test_browser import (  # noqa: F401 (fixtures)
    Steps,
    browser,
    console,
    pytestmark,
)
from tests.service_support import Api


def _link(api: Api, subject: str, subject_id: str) -> str:
    made = api.send("POST", "/api/v1/self-service-links",
                    body={"subject": subject, "subject_id": subject_id})
    assert made.status_code == 201, made.text
    link: str = made.json()["link"]
    return link


def test_an_expert_and_an_association_through_their_own_pages(
        console: Api, browser: WebDriver, tmp_path: Path) -> None:  # noqa: F811
    base = str(console.client.base_url).rstrip("/")
    steps = Steps(browser, base, tmp_path)
    put_scenario(console, programme_document())
    publish_greedy_plan(console)
    session = a1_sessions(console)[0]
    sid, lead = session["id"], session["expert_ids"][0]
    step(console, sid, "held", {"record": "実施"})
    expert_link = _link(console, "expert", lead)
    association_link = _link(console, "association", "A1")
    outsider = next(e for e in ("E1", "E2", "E9") if e not in session["expert_ids"])
    outsider_link = _link(console, "expert", outsider)

    with steps.step("the expert's own page"):
        browser.get(expert_link)
        steps.wait_for("#my-sessions")
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ja"
        assert "期限超過" in browser.find_element(By.ID, "reports-due").text

    with steps.step("file the report"):
        steps.follow(f"#session-{sid} a")
        steps.wait_for("#report-form")
        browser.find_element(By.ID, "work_done").send_keys("取組計画の策定")
        Select(browser.find_element(By.ID, "manual_progress")).select_by_value("outline")
        travel = browser.find_element(By.ID, "travel_claimed_yen")
        travel.clear()
        travel.send_keys("980")
        browser.find_element(By.ID, "receipt_note").send_keys("交通系ICの利用履歴")
        steps.submit("#report-form")
        assert browser.find_element(By.ID, "session-state").text.startswith("報告済")

    with steps.step("keep availability"):
        browser.get(expert_link + "/availability")
        steps.wait_for("#weekly-grid")
        browser.find_element(By.ID, "weekly-grid-choice").click()
        browser.find_element(By.ID, "slot-mon-1000").click()
        steps.submit("#availability-form")
        assert "保存しました" in steps.visible_text()

    with steps.step("another expert's link shows nothing of it"):
        browser.get(f"{outsider_link}/sessions/{sid}")
        steps.wait_for("h1")
        assert "取組計画の策定" not in steps.visible_text()

    with steps.step("the association confirms and rates"):
        browser.get(f"{association_link}/sessions/{sid}")
        steps.wait_for("#confirmation-form")
        assert "取組計画の策定" in steps.visible_text()
        browser.find_element(By.CSS_SELECTOR, "input[name=rating][value='5']").click()
        browser.find_element(By.ID, "comment").send_keys("大変参考になった")
        steps.submit("#confirmation-form")
        assert browser.find_element(By.ID, "session-state").text.startswith("団体確認済")

    with steps.step("in English"):
        browser.get(f"{association_link}?lang=en")
        steps.wait_for("#my-sessions")
        assert browser.find_element(By.TAG_NAME, "h2").text == "Your sessions"
        browser.get(f"{association_link}?lang=ja")

    with steps.step("staff approve on the sessions page"):
        steps.open("/signin")
        steps.wait_for("input#token")
        browser.find_element(By.ID, "token").send_keys(console.tokens["staff"])
        steps.submit("form[action='/signin']")
        steps.open("/sessions")
        steps.wait_for(f"#approve-{sid}")
        steps.submit(f"#approve-{sid}")
        assert "保存しました" in steps.visible_text()
    assert console.get(f"/api/v1/sessions/{sid}").json()["state"] == "approved"
