"""The secretariat's working day in a real browser (headless Chromium, against ``haken
serve``): sign in to the home page, record a late call as it happened, decide several
applications at once, sort the list, close the application window, and print the week
through Chromium's own print (the PDF read back with pdftotext). Each step saves a
screenshot and passes axe-core, as in test_browser.py."""

from __future__ import annotations

import base64
import datetime as dt
import subprocess
from pathlib import Path

import pytest

from tests.service.console.test_browser import (  # noqa: F401 (fixtures, the skip mark)
    Steps,
    browser,
    console,
    pytestmark,
)
from tests.service.working_day_support import (
    business_day_this_week,
    tokyo_today,
    working_day_document,
)
from tests.service_support import Api, checked_plan, wait_for_job

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.print_page_options import PrintOptions  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402

from domain.vocabulary import STATUS_LABELS  # noqa: E402
from service.logic.applications import ELIGIBILITY  # noqa: E402


def _prepared(api: Api) -> int:
    """The working-day state, A4 screened, and a published plan; its id."""
    assert api.send("PUT", "/api/v1/scenario", body=working_day_document()).status_code == 200
    for item in ELIGIBILITY:
        assert api.send("PUT", f"/api/v1/associations/A4/eligibility/{item}",
                        body={"passed": True}).status_code == 200
    job = api.send("POST", "/api/v1/jobs", body={"time_limit": 2, "seed": 0, "workers": 1})
    plan_id: int = wait_for_job(api, job.json()["id"])["plan_id"]
    checked_plan(api, plan_id)
    assert api.send("POST", f"/api/v1/plans/{plan_id}/publish").status_code == 200
    return plan_id


def test_a_working_day_from_the_home_page(console: Api, browser: WebDriver,  # noqa: F811
                                          tmp_path: Path) -> None:
    steps = Steps(browser, str(console.client.base_url).rstrip("/"), tmp_path)
    print(f"screenshots in {tmp_path}")
    _prepared(console)
    today = tokyo_today()

    with steps.step("sign in opens the home page"):
        steps.open("/")
        steps.wait_for("input#token")
        browser.find_element(By.ID, "token").send_keys(console.tokens["staff"])
        steps.submit("form[action='/signin']")
        assert browser.find_element(By.TAG_NAME, "h1").text == "ホーム"
        calls = browser.find_element(By.ID, "home-calls").text
        assert "A3" in calls and "期限超過" in calls
        assert "A8" in browser.find_element(By.ID, "home-unserved").text
        sessions = browser.find_element(By.ID, "home-sessions").text
        assert business_day_this_week(today).isoformat() in sessions
        assert "受付中" in browser.find_element(By.ID, "window-state").text

    with steps.step("the late call, recorded as it happened"):
        steps.follow("#home-calls a[href='/applications/A3#call']")
        steps.wait_for("#call")
        when = today - dt.timedelta(days=1)
        # Date and time inputs take their value as the browser's own pickers set it.
        browser.execute_script("document.getElementById('call-date').value = arguments[0];"
                               "document.getElementById('call-time').value = '15:10';",
                               when.isoformat())
        browser.find_element(By.ID, "called-by").clear()
        browser.find_element(By.ID, "called-by").send_keys("佐藤")
        browser.find_element(By.ID, "call-note").send_keys("会員80社、マニュアルなし")
        steps.submit("form[action='/applications/A3/call']")
        assert browser.find_element(By.ID, "current-status").text == "ヒアリング済"
        assert f"{when.isoformat()} 15:10 佐藤" in browser.find_element(By.ID,
                                                                        "call-facts").text

    with steps.step("decide several at once"):
        steps.open("/")
        steps.follow("#home-decisions a[href='/applications?status=interviewed']")
        steps.wait_for("#bulk")
        for association_id in ("A4", "A5"):
            browser.find_element(By.ID, f"choose-{association_id}").click()
        Select(browser.find_element(By.ID, "bulk-to")).select_by_value("accepted")
        browser.find_element(By.ID, "bulk-reason").send_keys("要件をすべて満たす")
        steps.submit("#bulk")
        outcomes = browser.find_element(By.ID, "bulk-outcomes")
        assert "変更しました" in outcomes.find_element(By.ID, "outcome-A4").text
        assert "要件の確認が終わっていません" in outcomes.find_element(By.ID, "outcome-A5").text
        assert console.get("/api/v1/associations/A4").json()["status"] == "accepted"
        assert console.get("/api/v1/associations/A5").json()["status"] == "interviewed"

    with steps.step("reject several at once, with the reason"):
        steps.open("/applications?status=interviewed")
        steps.wait_for("#bulk")
        browser.find_element(By.ID, "choose-A5").click()
        Select(browser.find_element(By.ID, "bulk-to")).select_by_value("rejected")
        browser.find_element(By.ID, "bulk-reason").send_keys("対象となる業種ではない")
        steps.submit("#bulk")
        outcome = browser.find_element(By.CSS_SELECTOR, "#bulk-outcomes #outcome-A5").text
        assert "変更しました" in outcome and STATUS_LABELS["rejected"].ja in outcome, outcome
        assert console.get("/api/v1/associations/A5").json()["status"] == "rejected"
        steps.follow("#outcome-A5 a[href='/applications/A5']")
        assert "対象となる業種ではない" in steps.visible_text()  # the decision's reason

    with steps.step("sort the list by the next session"):
        steps.open("/applications")
        steps.follow("#applications thead a[href*='sort=next_session']")
        shown = [row.find_elements(By.TAG_NAME, "td")[-1].text for row in
                 browser.find_elements(By.CSS_SELECTOR, "#applications tbody tr")]
        dates = [cell for cell in shown if cell != "—"]
        assert dates and dates == sorted(dates)  # earliest first
        assert shown == dates + ["—"] * (len(shown) - len(dates))  # none: last
        header = browser.find_element(By.CSS_SELECTOR, "#applications th[aria-sort]")
        assert header.get_attribute("aria-sort") == "ascending"

    with steps.step("close the application window early"):
        steps.open("/#window")
        steps.wait_for("#window-closes-on")
        browser.execute_script("document.getElementById('window-closes-on').value = "
                               "arguments[0]", (today - dt.timedelta(days=1)).isoformat())
        browser.find_element(By.ID, "window-reason").send_keys("予算の上限に到達")
        steps.submit("form[action='/window']")
        assert "受付終了" in browser.find_element(By.ID, "window-state").text
        assert "予算の上限に到達" in browser.find_element(By.ID, "window-override").text

    with steps.step("record this week's session as held"):
        session = console.get("/api/v1/sessions?association_id=A1").json()[0]
        steps.open("/sessions")
        form = steps.wait_for(f"#held-{session['id']}")
        form.find_element(By.NAME, "record").send_keys("取組計画の骨子を確認")
        form.find_element(By.NAME, "attendees").send_keys("山田\n佐藤")
        steps.submit(f"#held-{session['id']}")
        held = console.get(f"/api/v1/sessions/{session['id']}").json()
        assert held["state"] == "held" and held["attendees"] == ["山田", "佐藤"], held
        steps.open("/")
        assert "実施済" in steps.wait_for("#home-sessions").text

    with steps.step("print the week through the browser's own print"):
        steps.open("/")
        steps.follow("#home-sessions a[href^='/print/week']")
        steps.wait_for("#print-sessions")
        options = PrintOptions()
        options.page_width, options.page_height = 21.0, 29.7  # A4 landscape, as print.css
        options.orientation = "landscape"
        pdf = tmp_path / "week.pdf"
        pdf.write_bytes(base64.b64decode(browser.print_page(options)))
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        joined = "".join(text.split())  # a cell's words may wrap onto two lines
        assert "週間派遣予定" in joined and "取組計画の策定" in joined, text
        assert business_day_this_week(today).isoformat() in joined, text
        assert "印刷する" not in text  # the screen's controls stay off the paper
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True,
                              check=True).stdout
        size = next(line for line in info.splitlines() if line.startswith("Page size:"))
        width, _, height = size.split()[2:5]
        assert "(A4)" in size and float(width) > float(height), size  # A4 across

    with steps.step("an expert's and an association's schedule"):
        steps.open("/print/expert/E1")
        assert "A1" in steps.wait_for("#print-sessions").text
        steps.open("/print/association/A1")
        assert "千代田区" in steps.visible_text()

    with steps.step("the home page in English"):  # last: the language stays chosen
        steps.open("/?lang=en")
        assert steps.wait_for("html").get_attribute("lang") == "en"
        assert "Closed" in browser.find_element(By.ID, "window-state").text
        assert "held" in browser.find_element(By.ID, "home-sessions").text

    if steps.axe_source is None:
        pytest.skip("every step passed, but axe-core was not found (HAKEN_TEST_AXE_JS, set "
                    "by .ci/run): accessibility not checked")
    assert len(steps.pages_checked) == steps.count
