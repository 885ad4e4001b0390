"""Options on the phone in a real browser: side by side on an application's page, taken
as a draft that is compared and published. Runs where Chromium is installed (CI)."""

from __future__ import annotations

from pathlib import Path

from tests.scenarios import PROGRAMME, association, expert
from tests.service.console.test_browser import (  # noqa: F401 (fixtures)
    By,
    Steps,
    WebDriver,
    browser,
    console,
    pytestmark,
)
from tests.service_support import Api, checked_plan, wait_for_job


def test_options_side_by_side_then_a_draft_that_publishes(console: Api,  # noqa: F811
                                                          browser: WebDriver,  # noqa: F811
                                                          tmp_path: Path) -> None:
    steps = Steps(browser, str(console.client.base_url).rstrip("/"), tmp_path)
    document = {"programme": PROGRAMME, "experts": [expert("E1"), expert("E3")],
                "associations": [association("A1"), association("A2", applied_day=2),
                                 association("A4", applied_day=4, needs=["mental_health"])],
                "pinned": []}
    assert console.send("PUT", "/api/v1/scenario", body=document).status_code == 200
    job = console.send("POST", "/api/v1/jobs", body={"time_limit": 2, "seed": 0,
                                                       "workers": 1}).json()
    plan_id = wait_for_job(console, job["id"])["plan_id"]
    checked_plan(console, plan_id)
    assert console.send("POST", f"/api/v1/plans/{plan_id}/publish").status_code == 200

    with steps.step("sign in"):
        steps.open("/signin")
        browser.find_element(By.ID, "token").send_keys(console.tokens["staff"])
        steps.submit("form[action='/signin']")
        steps.wait_for("h1")

    with steps.step("no option, and why"):
        steps.open("/applications/A4")
        steps.follow("#options-link")
        steps.wait_for("#no-options")
        assert "有資格者" in browser.find_element(By.ID, "unserved-reason").text or \
            "登録されていません" in browser.find_element(By.ID, "unserved-reason").text

    with steps.step("options side by side"):
        assert console.send("POST", "/api/v1/experts", body=expert(
            "E2", qualifications=["psychologist"])).status_code == 201
        steps.open("/applications/A4/options")
        cards = browser.find_elements(By.CSS_SELECTOR, "#options .option")
        assert len(cards) >= 2
        assert cards[0].location["y"] == cards[1].location["y"]  # in one row
        assert cards[0].location["x"] < cards[1].location["x"]
        assert "第1候補" in cards[0].text and "E2" in cards[0].text

    with steps.step("English"):
        steps.open("/applications/A4/options?lang=en")
        assert "first choice" in browser.find_element(By.ID, "option-card-1").text
        steps.open("/applications/A4/options?lang=ja")

    with steps.step("take the first as a draft"):
        before = console.get("/api/v1/sessions").json()
        steps.submit("#take-1")
        assert "/planning/changes?plan=" in browser.current_url
        draft = int(browser.current_url.rsplit("=", 1)[1])
        assert console.get("/api/v1/sessions").json() == before
        checked_plan(console, draft)

    with steps.step("publish it like any other"):
        assert console.send("POST", f"/api/v1/plans/{draft}/publish").status_code == 200
        after = console.get("/api/v1/sessions").json()
        assert any(s["association_id"] == "A4" for s in after)
        assert len(after) == len(before) + len(
            [s for s in after if s["association_id"] == "A4"])

    with steps.step("other dates on a session's page, taken and published in the console"):
        session = next(s for s in after if s["association_id"] == "A1" and s["number"] == 2)
        steps.open(f"/planning/replacements/{session['id']}")
        steps.follow("#other-dates")
        cards = browser.find_elements(By.CSS_SELECTOR, "#options .option")
        assert cards and "第1候補" in cards[0].text
        steps.submit("#take-1")
        assert "/planning/changes?plan=" in browser.current_url
        moved = int(browser.current_url.rsplit("=", 1)[1])
        checked_plan(console, moved)
        steps.submit("#publish")
        now = {(s["association_id"], s["number"]): s
               for s in console.get("/api/v1/sessions").json()}
        taken = console.get(f"/api/v1/plans/{moved}").json()["parameters"]["recommendation"]
        for chosen in taken["pinned"]:
            held = now[(chosen["association_id"], chosen["number"])]
            assert {k: held[k] for k in chosen} == chosen
        assert (now[("A1", 2)]["date"], now[("A1", 2)]["start"]) != (
            session["date"], session["start"])
