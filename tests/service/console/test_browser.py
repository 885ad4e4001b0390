"""The web console in a real browser: Debian's headless Chromium, driven by Selenium,
against ``haken serve`` on a loopback port. Each step saves a screenshot; a failing step
names itself and shows what was on the screen. Every page passes axe-core."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from tests.service_support import (
    Api,
    checked_plan,
    example_document,
    fresh_database,
    served_api,
)

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.select import Select  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
# axe-core's axe.min.js; .ci/run installs it with npm and sets this.
AXE_JS = os.environ.get("HAKEN_TEST_AXE_JS")
# Where the screenshots are kept for a look by eye after the run (.ci/run sets it to a
# folder of the checkout, one subfolder a test); unset, they stay in the test's tmp_path.
SCREENSHOTS = os.environ.get("HAKEN_TEST_SCREENSHOTS")
# Nothing but loopback: no updates, sync, field trials or QUIC probes.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                  "--window-size=1366,900")  # a laptop screen
# A generous bound for a page or a solve to arrive, not a timing assertion.
PATIENCE = 180

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="Debian's chromium and chromium-driver are not installed (.ci/run installs them)")


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(flag)
    # Downloads (the report) go to a folder of the test, without asking.
    options.add_experimental_option("prefs", {
        "download.default_directory": str(tmp_path / "downloads"),
        "download.prompt_for_download": False})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_script_timeout(PATIENCE)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def console(tmp_path: Path) -> Iterator[Api]:
    """``haken serve`` with its worker on a fresh SQLite database, a token per role."""
    with served_api(fresh_database("sqlite", tmp_path), tmp_path) as api:
        yield api


def screenshot_folder(fallback: Path) -> Path:
    """The running test's own folder under HAKEN_TEST_SCREENSHOTS, emptied of an earlier
    run's pictures; ``fallback`` (the test's tmp_path) when it is not set."""
    if not SCREENSHOTS:
        return fallback
    test = os.environ["PYTEST_CURRENT_TEST"].split(" ")[0]
    folder = Path(SCREENSHOTS) / "".join(c if c.isalnum() or c in "-_." else "_"
                                         for c in test.replace("::", "--"))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"screenshots in {folder}")
    return folder


class Steps:
    """Runs named steps: a screenshot after each, axe-core over each page reached."""

    def __init__(self, driver: WebDriver, base: str, folder: Path) -> None:
        self.driver, self.base, self.folder = driver, base, screenshot_folder(folder)
        self.count = 0
        self.axe_source = Path(AXE_JS).read_text(encoding="utf-8") if AXE_JS else None
        self.pages_checked: list[str] = []

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.count += 1
        shot = self.folder / f"{self.count:02d}-{name}.png"
        try:
            yield
            self.check_accessibility()
        except Exception as error:
            failed = shot.with_name(shot.stem + "-FAILED.png")
            self.driver.save_screenshot(str(failed))
            raise AssertionError(
                f"step {self.count} {name!r} failed at {self.driver.current_url}: {error}\n"
                f"screenshot: {failed}\non the screen:\n{self.visible_text()}") from error
        self.driver.save_screenshot(str(shot))

    def visible_text(self) -> str:
        text: str = self.driver.find_element(By.TAG_NAME, "body").text
        return text

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    def wait_for(self, css: str) -> Any:
        return WebDriverWait(self.driver, PATIENCE).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css)))

    def submit(self, form_css: str) -> None:
        """Click the form's button and wait until the next page has loaded."""
        self.follow(f"{form_css} button[type=submit]")

    def follow(self, css: str) -> None:
        """Click a link or button and wait until the next page has loaded."""
        self.driver.execute_script("window.hakenOldPage = true")
        self.driver.find_element(By.CSS_SELECTOR, css).click()
        # While the old page unloads, the driver may answer with errors: ask again.
        WebDriverWait(self.driver, PATIENCE, ignored_exceptions=(WebDriverException,)).until(
            lambda driver: driver.execute_script(
                "return window.hakenOldPage === undefined && document.readyState === 'complete'"))

    def check_accessibility(self) -> None:
        """No serious or critical axe-core violation on the page now shown."""
        if self.axe_source is None:
            return
        self.driver.execute_script(self.axe_source)
        found = self.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then("
            "  r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
            "    nodes: v.nodes.map(n => n.target.join(' '))}))),"
            "  e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));")
        bad = [v for v in found if v["impact"] in ("serious", "critical")]
        assert not bad, "accessibility violations:\n" + json.dumps(bad, ensure_ascii=False,
                                                                    indent=1)
        self.pages_checked.append(self.driver.current_url)


def test_console_from_sign_in_to_an_experts_calendar(console: Api, browser: WebDriver,
                                                     tmp_path: Path) -> None:
    steps = Steps(browser, str(console.client.base_url).rstrip("/"), tmp_path)
    print(f"screenshots in {tmp_path}")

    with steps.step("sign-in page"):
        steps.open("/applications")
        steps.wait_for("input#token")
        assert "/signin" in browser.current_url
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ja"

    with steps.step("a wrong token is refused"):
        browser.find_element(By.ID, "token").send_keys("hk_not-a-token")
        steps.submit("form[action='/signin']")
        assert "トークンが無効です" in steps.visible_text()

    with steps.step("sign in"):
        browser.find_element(By.ID, "token").send_keys(console.tokens["staff"])
        steps.submit("form[action='/signin']")
        steps.wait_for("h1")
        assert browser.find_element(By.TAG_NAME, "h1").text == "申請"
        assert "test-staff" in steps.visible_text()

    with steps.step("import the bundled example"):
        assert console.send("PUT", "/api/v1/scenario", body=example_document()).status_code \
            == 200
        steps.open("/applications")
        assert "A056" in browser.find_element(By.CSS_SELECTOR, "#calls-heading + table").text

    with steps.step("filter and search"):
        Select(browser.find_element(By.ID, "status")).select_by_value("received")
        browser.find_element(By.ID, "q").send_keys("A05")
        steps.submit("form[role=search]")
        rows = browser.find_elements(By.CSS_SELECTOR, "#applications tbody tr")
        assert [row.text.split()[0] for row in rows] == ["A056"]

    with steps.step("English"):
        steps.open("/applications?lang=en")
        assert browser.find_element(By.TAG_NAME, "h1").text == "Applications"
        steps.open("/applications")  # the choice is kept in the cookie
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        steps.open("/applications?lang=ja")

    with steps.step("screen the application"):
        steps.follow("#applications a[href='/applications/A056']")
        steps.wait_for("#eligibility")
        items = [element.get_attribute("id").removeprefix("passed-") for element in
                 browser.find_elements(By.CSS_SELECTOR, "select[id^=passed-]")]
        assert len(items) == 10
        for item in items:
            Select(browser.find_element(By.ID, f"passed-{item}")).select_by_value("yes")
            steps.submit(f"form[action$='/eligibility/{item}']")
        assert "承認の前に残っていること" not in steps.visible_text()

    with steps.step("record the call"):
        Select(browser.find_element(By.ID, "field-to")).select_by_value("interviewed")
        browser.find_element(By.ID, "field-note").send_keys("会員80社")
        steps.submit("form[action$='/transition']")
        assert browser.find_element(By.ID, "current-status").text == "ヒアリング済"

    with steps.step("accepting without a reason shows the error beside the field"):
        Select(browser.find_element(By.ID, "field-to")).select_by_value("accepted")
        steps.submit("form[action$='/transition']")
        error = browser.find_element(By.ID, "reason-error")
        assert "理由を入力してください" in error.text
        assert browser.find_element(By.ID, "field-reason").get_attribute("aria-invalid") == "true"
        assert browser.find_element(By.ID, "current-status").text == "ヒアリング済"

    with steps.step("someone else changed it first"):
        etag = console.get("/api/v1/associations/A056").headers["ETag"]
        changed = console.send("PUT", "/api/v1/associations/A056/eligibility/legal_form",
                               body={"passed": True, "note": "再確認"})
        assert changed.status_code == 200
        record = console.get("/api/v1/associations/A056").json()
        record["member_count"] = 81
        assert console.send("PUT", "/api/v1/associations/A056", body=record,
                            if_match=etag).status_code == 200
        Select(browser.find_element(By.ID, "field-to")).select_by_value("accepted")
        browser.find_element(By.ID, "field-reason").send_keys("要件をすべて満たす")
        steps.submit("form[action$='/transition']")
        assert "他の人が先に変更しました" in steps.visible_text()
        assert browser.find_element(By.ID, "current-status").text == "ヒアリング済"

    with steps.step("accept"):
        # The page now carries the current version and the values entered.
        steps.submit("form[action$='/transition']")
        assert browser.find_element(By.ID, "current-status").text == "実施決定"
        assert console.get("/api/v1/associations/A056").json()["status"] == "accepted"

    with steps.step("start a plan"):
        steps.follow("nav a[href='/planning']")
        steps.wait_for("#time_limit")
        browser.find_element(By.ID, "time_limit").clear()
        browser.find_element(By.ID, "time_limit").send_keys("5")
        steps.submit("form[action='/planning/jobs']")
        steps.wait_for("#progress")
        assert browser.current_url.endswith("#progress")

    with steps.step("watch its progress to the end"):
        # The script follows the job's event stream and opens the finished job at "end".
        WebDriverWait(browser, PATIENCE).until(
            lambda driver: not driver.current_url.endswith("#progress"))
        status = steps.wait_for("#progress [data-field=status]")
        assert status.text == "完了"  # succeeded, in the page's language
        served = browser.find_element(By.CSS_SELECTOR, "#progress [data-field=served]").text
        assert served.replace(".", "").isdigit()

    with steps.step("the draft plan"):
        steps.follow("#progress a[href^='/planning?plan=']")
        steps.wait_for("#plan-served")
        plan_id = int(browser.current_url.rsplit("=", 1)[1])
        document = checked_plan(console, plan_id)
        assert browser.find_element(By.ID, "plan-served").text.startswith(
            f"{document['stats']['served']} /")
        shown = {row.text.split()[0] for row in
                 browser.find_elements(By.CSS_SELECTOR, "#unserved tbody tr")}
        assert shown == {u["association_id"] for u in document["unserved"]}

    with steps.step("publish"):
        steps.submit(f"form[action='/planning/plans/{plan_id}/publish']")
        assert "公開しました" in steps.visible_text()
        assert console.get(f"/api/v1/plans/{plan_id}").json()["status"] == "published"

    with steps.step("an expert's week"):
        busiest = max({e for s in document["sessions"] for e in s["expert_ids"]},
                      key=lambda e: sum(e in s["expert_ids"] for s in document["sessions"]))
        steps.follow(f"a[href='/planning/calendar?plan={plan_id}&subject=expert:{busiest}"
                     "&view=week']")
        steps.wait_for("#calendar")
        first = min((s for s in document["sessions"] if busiest in s["expert_ids"]),
                    key=lambda s: (s["date"], s["start"]))
        week = browser.find_element(By.ID, "calendar").text
        assert first["association_id"] in week and first["start"] in week

    with steps.step("the experts"):
        steps.follow("nav a[href='/experts']")
        row = steps.wait_for(f"#experts a[href='/experts/{busiest}']").find_element(
            By.XPATH, "ancestor::tr")
        theirs = [s for s in document["sessions"] if busiest in s["expert_ids"]]
        assert row.find_elements(By.TAG_NAME, "td")[8].text == str(len(theirs))

    with steps.step("edit an expert's weekly availability with the keyboard"):
        steps.follow("#experts a[href='/experts/E001']")
        steps.wait_for("#weekly-grid")
        assert browser.find_element(By.ID, "slot-mon-0900").is_selected()
        assert not browser.find_element(By.ID, "slot-wed-1400").is_selected()
        # Tick Wednesday 14:00 from Tuesday 14:00 with the arrow key, and 14:30 below it.
        browser.find_element(By.ID, "slot-tue-1400").send_keys(Keys.ARROW_RIGHT, Keys.SPACE,
                                                                 Keys.ARROW_DOWN, Keys.SPACE)
        assert browser.switch_to.active_element.get_attribute("id") == "slot-wed-1430"
        browser.find_element(By.ID, "blocked").send_keys("\n2025-09-01~2025-09-05")
        steps.submit("#expert-form")
        assert "保存しました" in steps.visible_text()
        assert browser.find_element(By.ID, "slot-wed-1430").is_selected()
        saved = console.get("/api/v1/experts/E001").json()["availability"]
        assert saved["weekly"]["wed"] == [["14:00", "15:00"]]
        assert {"start": "2025-09-01", "end": "2025-09-05"} in saved["blocked"]

    with steps.step("a wrong cap is shown beside its field and nothing is saved"):
        browser.find_element(By.ID, "max_sessions_per_week").clear()
        browser.find_element(By.ID, "max_sessions_per_week").send_keys("0")
        steps.submit("#expert-form")
        assert browser.find_element(By.ID, "max_sessions_per_week").get_attribute(
            "aria-invalid") == "true"
        assert browser.find_element(By.ID, "max_sessions_per_week-error").text
        assert console.get("/api/v1/experts/E001").json()["max_sessions_per_week"] == 6

    with steps.step("a calendar feed link with its QR code"):
        steps.follow("nav a[href='/feed-links']")
        steps.submit(f"form[action='/feed-links/issue/expert/{busiest}']")
        qr = steps.wait_for("#feed-qr")
        assert browser.execute_script("return arguments[0].naturalWidth", qr) > 0
        https = browser.find_element(By.ID, "https-link").text
        assert https.startswith(f"{steps.base}/feeds/") and browser.find_element(
            By.ID, "webcal-link").text == "webcal://" + https.removeprefix("http://")
        # The test server speaks plain http on loopback; the link's path is what counts.
        feed = httpx.get(steps.base + "/feeds/" + https.rsplit("/feeds/", 1)[1])
        assert feed.status_code == 200
        assert feed.text.count("BEGIN:VEVENT") == len(theirs)

    with steps.step("the report, with charts"):
        steps.follow("nav a[href='/reports']")
        steps.wait_for("svg#chart-by_session_month")
        planned = browser.find_element(By.CSS_SELECTOR, "#total-sessions_planned td")
        assert planned.text == str(len(document["sessions"]))

    with steps.step("download the report as Excel"):
        browser.find_element(By.ID, "download-xlsx").click()
        downloaded = tmp_path / "downloads" / "haken-report.xlsx"
        WebDriverWait(browser, PATIENCE).until(lambda _: downloaded.exists())
        book = openpyxl.load_workbook(downloaded, read_only=True)
        totals = {row[0]: row[1] for row in book["合計"].iter_rows(values_only=True)}
        assert totals["派遣予定回数"] == len(document["sessions"])

    plan_views_and_replacement(steps, console, browser, plan_id, document)

    with steps.step("sign out"):
        steps.submit("form[action='/signout']")
        steps.wait_for("input#token")
        steps.open("/planning")
        steps.wait_for("input#token")  # the session is gone

    if steps.axe_source is None:
        pytest.skip("every step passed, but axe-core was not found (HAKEN_TEST_AXE_JS, set "
                    "by .ci/run): accessibility not checked")
    assert len(steps.pages_checked) == steps.count


def _replaceable(console: Api) -> tuple[dict[str, Any], str, str]:
    """A published session, an expert of it and the best expert to take over from them."""
    for session in console.get("/api/v1/sessions").json():
        for leaving in reversed(session["expert_ids"]):  # joiners first: one session each
            found = console.get(f"/api/v1/sessions/{session['id']}/replacements"
                                f"?expert_id={leaving}").json()
            if found["candidates"]:
                return session, leaving, found["candidates"][0]["expert_id"]
    raise AssertionError("no session of the published plan has a replacement")


def plan_views_and_replacement(steps: Steps, console: Api, browser: WebDriver, plan_id: int,
                               document: dict[str, Any]) -> None:
    """Calendars and the timeline of the published plan; then an expert drops out of a
    session: choose who takes over, re-plan with it pinned, compare, publish."""
    association = max(document["sessions"], key=lambda s: s["number"])["association_id"]
    theirs = sorted((s for s in document["sessions"] if s["association_id"] == association),
                    key=lambda s: s["date"])

    with steps.step("an association's month"):
        steps.follow("nav a[href='/planning/calendar']")
        steps.wait_for("#calendar-choice")
        Select(browser.find_element(By.ID, "subject")).select_by_value(
            f"association:{association}")
        Select(browser.find_element(By.ID, "view")).select_by_value("month")
        steps.submit("#calendar-choice")
        assert browser.find_element(By.ID, "session-count").text == str(len(theirs))
        month = browser.find_element(By.ID, "calendar").text
        first = theirs[0]
        assert month.count(first["start"]) >= 1 and f"#{first['number']}" in month
        caption = browser.find_element(By.CSS_SELECTOR, "#calendar caption").text
        assert caption.startswith(f"{first['date'][:4]}/{int(first['date'][5:7])}")

    with steps.step("jump to the month of the last session"):
        last = theirs[-1]
        browser.execute_script("document.getElementById('date').value = arguments[0]",
                               last["date"])
        steps.submit("#calendar-choice")
        assert f"#{last['number']}" in browser.find_element(By.ID, "calendar").text
        steps.follow("a[rel=next]")
        assert f"#{last['number']}" not in browser.find_element(By.ID, "calendar").text

    with steps.step("the timeline of the programme window"):
        steps.open(f"/planning/timeline?plan={plan_id}")
        steps.wait_for("#timeline")
        marks = browser.find_elements(By.CSS_SELECTOR, "#timeline a")
        assert len(marks) == sum(len(s["expert_ids"]) for s in document["sessions"])
        # The whole window fits a laptop screen without scrolling sideways.
        assert browser.execute_script(
            "return document.getElementById('timeline').getBoundingClientRect().right"
            " <= window.innerWidth")

    session, leaving, joining = _replaceable(console)
    key = f"{session['association_id']}-{session['number']}"

    with steps.step("who could take over"):
        steps.follow("nav a[href='/planning/replacements']")
        Select(browser.find_element(By.ID, "association")).select_by_value(
            session["association_id"])
        steps.submit("#replacement-filter")
        steps.follow(f"#session-{session['id']} a[href$='expert_id={leaving}']")
        steps.wait_for("#candidates")
        first = browser.find_element(By.CSS_SELECTOR, "#candidates > li").text
        assert first.startswith(joining) and "現在の担当" in first

    with steps.step("re-plan with the replacement pinned"):
        browser.find_element(By.ID, f"by-{joining}").click()
        browser.find_element(By.ID, "time_limit").clear()
        browser.find_element(By.ID, "time_limit").send_keys("5")
        steps.submit("#replan")
        steps.wait_for("#progress")
        WebDriverWait(browser, PATIENCE).until(
            lambda driver: not driver.current_url.endswith("#progress"))
        assert steps.wait_for("#progress [data-field=status]").text == "完了"

    with steps.step("what the re-plan would move, before publishing"):
        steps.follow("#compare-watched")
        steps.wait_for("#change-counts")
        draft_id = int(browser.current_url.rsplit("=", 1)[1])
        draft = checked_plan(console, draft_id)
        row = browser.find_element(By.CSS_SELECTOR, f"#moved tr[data-key='{key}']")
        assert leaving in row.find_element(By.CSS_SELECTOR, ".before").text
        assert joining in row.find_element(By.CSS_SELECTOR, ".after").text
        assert joining in browser.find_element(By.ID, "replacement").text
        changes = console.get(f"/api/v1/plans/{draft_id}").json()["changes"]
        assert browser.find_element(By.ID, "count-kept").text == str(changes["kept"])
        published = console.get(f"/api/v1/sessions/{session['id']}").json()
        assert published["expert_ids"] == session["expert_ids"]  # nothing moved yet

    with steps.step("publish the re-plan"):
        steps.submit("#publish")
        assert "公開しました" in steps.visible_text()
        assert console.get(f"/api/v1/plans/{draft_id}").json()["status"] == "published"

    with steps.step("the session now shows the new expert"):
        moved = next(s for s in draft["sessions"] if s["association_id"] ==
                      session["association_id"] and s["number"] == session["number"])
        assert joining in moved["expert_ids"] and leaving not in moved["expert_ids"]
        steps.open(f"/planning/calendar?plan={draft_id}&subject=association:"
                   f"{session['association_id']}&view=week&date={moved['date']}")
        steps.wait_for("#calendar")
        name = next(e["name"] for e in console.get("/api/v1/experts").json()
                    if e["id"] == joining)
        assert name in browser.find_element(By.ID, "calendar").text
        assert joining in console.get(f"/api/v1/sessions/{session['id']}").json()["expert_ids"]
