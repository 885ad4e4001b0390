"""A session's life over the API: one association's five sessions held, reported,
confirmed and approved over two months; every refused step named and changing nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from calendar_feeds import read_feed
from domain.loading import parse_scenario
from service.db.engine import transaction
from service.logic import session_life
from service.logic.errors import Conflict
from tests.scenarios import PROGRAMME, association, expert
from tests.service.api.routes.test_spreadsheets import publish_greedy_plan, put_scenario
from tests.service_support import Api

SESSIONS = "/api/v1/sessions"


def programme_document() -> dict[str, Any]:
    """A1 asks for five onsite sessions in September and October 2025; E9 is someone else."""
    return {
        "programme": PROGRAMME,
        "experts": [expert("E1"), expert("E2", qualifications=["industrial_counselor"]),
                    expert("E9")],
        "associations": [association("A1", sessions_requested=5, mode="onsite",
                                     address="東京都千代田区丸の内1-1-1",
                                     needs=["labour_law", "mental_health"])],
        "pinned": [],
    }


def a1_sessions(api: Api) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = api.get(f"{SESSIONS}?association_id=A1").json()
    return sorted(found, key=lambda s: s["number"])


def etag(api: Api, session_id: int) -> str:
    return api.get(f"{SESSIONS}/{session_id}").headers["ETag"]


def record(api: Api, session_id: int) -> dict[str, Any]:
    response = api.get(f"{SESSIONS}/{session_id}/record")
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def audit_entries(api: Api) -> list[dict[str, Any]]:
    response = api.get("/api/v1/audit?limit=1000", role="staff")
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()
    return entries


def audit_count(api: Api) -> int:
    return len(audit_entries(api))


def step(api: Api, session_id: int, action: str, body: dict[str, Any] | None = None,
         expected: int = 200) -> dict[str, Any]:
    response = api.send("POST", f"{SESSIONS}/{session_id}/{action}", body=body,
                        if_match=etag(api, session_id))
    assert response.status_code == expected, response.text
    answer: dict[str, Any] = response.json()
    return answer


def refused(api: Api, session_id: int, action: str, body: dict[str, Any] | None,
            status: int, words: str) -> None:
    """The step is refused with a message naming what is wrong, and nothing changes."""
    before, audited = record(api, session_id), audit_count(api)
    answer = step(api, session_id, action, body, expected=status)
    assert words in str(answer), answer
    assert record(api, session_id) == before
    assert audit_count(api) == audited


def report_body(expert_id: str, number: int, yen: int = 1240) -> dict[str, Any]:
    return {"expert_id": expert_id, "work_done": f"第{number}回：マニュアル案の検討",
            "manual_progress": "final" if number == 5 else "draft",
            "progress_note": "章立てが固まった", "next_tasks": "事例集の追記",
            "travel_claimed_yen": yen, "receipt_note": "交通系ICの利用履歴"}


def test_five_sessions_held_reported_confirmed_approved_over_two_months(api: Api) -> None:
    put_scenario(api, programme_document())
    publish_greedy_plan(api)
    sessions = a1_sessions(api)
    assert [s["number"] for s in sessions] == [1, 2, 3, 4, 5]
    assert {s["date"][:7] for s in sessions} == {"2025-09", "2025-10"}
    first = sessions[0]
    lead = first["expert_ids"][0]

    # Before it is held: no report, no confirmation, no approval.
    refused(api, first["id"], "report", report_body(lead, 1), 409, "not recorded as held")
    refused(api, first["id"], "confirmation", {"as_reported": True, "rating": 5}, 409,
            "is scheduled")
    refused(api, first["id"], "approval", None, 409, "only a session its association")
    # An unknown session is named.
    missing = api.send("POST", f"{SESSIONS}/99999/held", body={"record": "x"}, if_match='"1"')
    assert missing.status_code == 404 and "99999" in missing.text
    # A stale version is refused.
    stale = api.send("POST", f"{SESSIONS}/{first['id']}/held", body={"record": "x"},
                     if_match='"999"')
    assert stale.status_code == 412
    bad_times = api.send("POST", f"{SESSIONS}/{first['id']}/held", if_match=etag(
        api, first["id"]), body={"record": "x", "start": "11:00", "end": "10:00"})
    assert bad_times.status_code == 422 and "end" in bad_times.text

    for session in sessions:
        sid, number = session["id"], session["number"]
        lead = session["expert_ids"][0]
        held = step(api, sid, "held", {"record": f"第{number}回を実施",
                                       "attendees": ["山田 太郎", "佐藤 花子"]})
        assert held["state"] == "held" and held["held_on"] == session["date"]
        assert held["held_mode"] == "onsite" and held["attendees"] == ["山田 太郎", "佐藤 花子"]
        due = dt.date.fromisoformat(held["report_due_on"])
        assert due > dt.date.fromisoformat(session["date"])
        if number == 1:
            # Due five business days later (2025-09 has holidays on the 15th and 23rd).
            assert (due - dt.date.fromisoformat(session["date"])).days >= 7
            refused(api, sid, "held", {"record": "again"}, 409, "already recorded as held")
            # A report for another expert's session names the expert.
            refused(api, sid, "report", report_body("E9", number), 422, "E9 is not an expert")
            # A claim of travel without saying which receipts.
            refused(api, sid, "report", {**report_body(lead, number), "receipt_note": ""},
                    422, "receipt_note")
            refused(api, sid, "confirmation", {"as_reported": True, "rating": 4}, 409,
                    "once the expert's report is filed")
        if len(session["expert_ids"]) > 1 and number == 1:
            joiner = session["expert_ids"][1]
            refused(api, sid, "report", report_body(joiner, number), 409, "files the report")
        reported = step(api, sid, "report", report_body(lead, number))
        assert reported["session"]["state"] == "reported"
        assert reported["report"]["late"] is True  # 2025 is long past
        assert reported["travel"] == [{**reported["travel"][0], "expert_id": lead, "yen": 1240}]
        if number == 1:
            refused(api, sid, "report", report_body(lead, number), 409, "already reported")
            refused(api, sid, "confirmation", {"as_reported": True, "rating": 6}, 422,
                    "rating")
        confirmed = step(api, sid, "confirmation",
                         {"as_reported": True, "rating": 4 if number < 5 else 5,
                          "comment": "分かりやすかった"})
        assert confirmed["session"]["state"] == "confirmed"
        assert confirmed["confirmation"]["rating"] in (4, 5)
        if number == 1:
            refused(api, sid, "confirmation", {"as_reported": True, "rating": 5}, 409,
                    "already confirmed")
        approved = step(api, sid, "approval")
        assert approved["session"]["state"] == "approved"
        assert approved["session"]["approved_by"] == "test-staff"
        if number == 1:
            refused(api, sid, "approval", None, 409, "already approved")

    # The survey after the last session, once.
    survey = {"manual_completed": True, "completed_on": "2025-10-31",
              "distribution": ["website", "seminar"], "comment": "総会で配布予定"}
    answered = api.send("POST", "/api/v1/associations/A1/survey", body=survey)
    assert answered.status_code == 201, answered.text
    again = api.send("POST", "/api/v1/associations/A1/survey", body=survey)
    assert again.status_code == 409 and "already" in again.text
    assert api.get("/api/v1/associations/A1/survey").json()["manual_completed"] is True

    # Every held session is a pin of the next plan's scenario, exactly as planned.
    scenario = parse_scenario(api.get("/api/v1/scenario").json())
    assert sorted((p.association_id, p.number) for p in scenario.pinned) == [
        ("A1", n) for n in range(1, 6)]
    for pin, session in zip(sorted(scenario.pinned, key=lambda p: p.number), sessions,
                            strict=True):
        shown = pin.model_dump(mode="json", exclude_none=True)
        assert shown == {key: session[key] for key in shown}

    # What the payments' close reads: the approved, unpaid sessions of each month.
    with transaction(api.url) as db:
        september = session_life.approved_unpaid(db, 2025, 9)
        october = session_life.approved_unpaid(db, 2025, 10)
        assert {(e.association_id, e.number) for e in september + october} == {
            ("A1", n) for n in range(1, 6)}
        assert all(e.date.month == 9 for e in september) and september
        assert all(e.date.month == 10 for e in october) and october
        leads = [e for e in september + october if e.lead]
        assert len(leads) == 5 and all(e.travel_claimed_yen == 1240 for e in leads)
        assert all(e.travel_claimed_yen == 0 for e in september + october if not e.lead)
        session_life.mark_paid(db, "A1", 1, "payments")
        assert session_life.approved_unpaid(db, 2025, 9)[0].number == 2
    with transaction(api.url) as db:
        try:
            session_life.mark_paid(db, "A1", 1, "payments")
        except Conflict as error:
            assert "paid" in error.message
        else:
            raise AssertionError("a paid session was paid again")
    assert a1_sessions(api)[0]["state"] == "paid"

    actions = [e["action"] for e in audit_entries(api) if e["entity"] == "session"]
    for action in ("held", "report", "confirm", "approve", "paid"):
        assert actions.count(action) == (1 if action == "paid" else 5), action

    # The results report counts it: five held, all reported late (2025), rated 4,4,4,4,5,
    # one manual completed (in October), by month, industry and qualification.
    report = api.get("/api/v1/reports").json()
    totals = report["totals"]
    assert report["has_outcomes"] is True
    assert (totals["sessions_held"], totals["served"], totals["completed"]) == (5, 1, 1)
    assert (totals["no_shows"], totals["cancellations"], totals["reports_late"]) == (0, 0, 5)
    assert (totals["ratings"], totals["rating_average"], totals["satisfied"]) == (5, 4.2, 5)
    assert totals["manuals_completed"] == 1
    tables = {t["name"]: t for t in report["tables"]}
    by_month = {r["key"]: r["values"] for r in tables["outcomes_by_month"]["rows"]}
    assert sum(v["ratings"] for v in by_month.values()) == 5
    assert by_month["2025-10"]["manuals_completed"] == 1
    assert by_month["2025-09"]["manuals_completed"] == 0
    retail = next(r for r in tables["outcomes_by_industry"]["rows"] if r["key"] == "retail")
    assert retail["values"]["ratings"] == 5 and retail["values"]["manuals_completed"] == 1
    sharoushi = next(r for r in tables["outcomes_by_qualification"]["rows"]
                     if r["key"] == "sharoushi")
    assert sharoushi["values"]["ratings"] == 5  # the lead E1 is a sharoushi
    figures = api.get("/api/v1/reports.csv").content.decode("utf-8-sig")
    assert "マニュアル完成団体数 (Manuals completed),1" in figures
    assert "平均評価（5段階） (Average rating (of 5)),4.2" in figures
    outcomes = api.get("/api/v1/reports/outcomes").json()
    assert len(outcomes["sessions"]) == 5 and outcomes["manuals"][0]["completed"] is True

    # Replacing the whole state would wipe that record: refused, nothing changed.
    exported = api.get("/api/v1/scenario")
    replaced = api.send("PUT", "/api/v1/scenario", body=programme_document(),
                        if_match=exported.headers["ETag"])
    assert replaced.status_code == 409 and "session_reports: 5" in replaced.text
    assert api.get("/api/v1/scenario").headers["ETag"] == exported.headers["ETag"]


def test_a_cancelled_session_leaves_the_pins_and_is_planned_again(api: Api) -> None:
    put_scenario(api, programme_document())
    publish_greedy_plan(api)
    sessions = a1_sessions(api)
    third = sessions[2]
    feed = api.send("POST", "/api/v1/feeds", body={"subject": "association", "subject_id": "A1"})
    feed_path = "/feeds/" + feed.json()["https"].rsplit("/", 1)[1]
    assert len(read_feed(api.client.get(feed_path).content)) == 5
    refused(api, third["id"], "call-off", {"kind": "cancelled", "reason": " "}, 422, "reason")
    called = step(api, third["id"], "call-off", {"kind": "cancelled",
                                                 "reason": "団体側の都合により中止"})
    assert called["session"]["state"] == "cancelled"
    assert called["cancellations"][0]["reason"] == "団体側の都合により中止"
    # The association's calendar shows it called off.
    shown = {(e.number, e.status) for e in read_feed(api.client.get(feed_path).content)}
    assert (3, "CANCELLED") in shown and (1, "CONFIRMED") in shown
    refused(api, third["id"], "held", {"record": "x"}, 409, "was not held")
    refused(api, third["id"], "call-off", {"kind": "no_show", "reason": "x"}, 409,
            "already recorded as cancelled")
    step(api, sessions[3]["id"], "call-off", {"kind": "no_show", "reason": "講師が来なかった"})
    scenario = parse_scenario(api.get("/api/v1/scenario").json())
    assert scenario.pinned == []
    listed = api.get("/api/v1/session-cancellations?association_id=A1").json()
    assert [(c["number"], c["kind"]) for c in listed] == [(3, "cancelled"), (4, "no_show")]
    assert [s["id"] for s in api.get(f"{SESSIONS}?state=cancelled&state=no_show").json()] == [
        third["id"], sessions[3]["id"]]

    # The next plan schedules them again; the cancellations stay on record.
    publish_greedy_plan(api)
    again = {s["number"]: s for s in a1_sessions(api)}
    assert again[3]["state"] == again[4]["state"] == "scheduled"
    assert again[3]["id"] == third["id"]
    assert len(record(api, third["id"])["cancellations"]) == 1
    totals = api.get("/api/v1/reports").json()["totals"]
    assert (totals["cancellations"], totals["no_shows"], totals["sessions_held"]) == (1, 1, 0)
    assert totals["sessions_planned"] == 5


def test_reports_due_and_late_and_travel_online(api: Api) -> None:
    document = programme_document()
    document["associations"][0]["mode"] = "online"
    put_scenario(api, document)
    publish_greedy_plan(api)
    sessions = a1_sessions(api)
    lead = sessions[0]["expert_ids"][0]
    # Held long ago: late. Held today (the actual date differs from the plan): not yet due.
    step(api, sessions[0]["id"], "held", {"record": "実施"})
    today = dt.datetime.now(dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=9))).date()
    step(api, sessions[1]["id"], "held", {"record": "実施", "date": today.isoformat()})
    due = api.get(f"/api/v1/session-reports/due?expert_id={lead}").json()
    assert [(d["number"], d["late"]) for d in due] == [(1, True), (2, False)]
    assert [d["number"] for d in api.get("/api/v1/session-reports/due?late=true").json()] == [1]
    assert api.get("/api/v1/session-reports/due?expert_id=E9").json() == []
    # Online: no travel.
    refused(api, sessions[1]["id"], "report", report_body(lead, 2), 422, "onsite sessions only")
    filed = step(api, sessions[1]["id"], "report", report_body(lead, 2, yen=0))
    assert filed["report"]["late"] is False
    assert [d["number"] for d in api.get("/api/v1/session-reports/due").json()] == [1]
    # A disputed confirmation blocks approval until the report is returned and filed anew.
    step(api, sessions[1]["id"], "confirmation",
         {"as_reported": False, "rating": 2, "comment": "実施時間が異なる"})
    refused(api, sessions[1]["id"], "approval", None, 409, "did not take place as reported")
    returned = step(api, sessions[1]["id"], "report/return", {"reason": "時間の訂正"})
    assert returned["session"]["state"] == "held" and returned["report"] is None
    assert returned["confirmation"] is None
