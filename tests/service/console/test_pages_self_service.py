"""The self-service pages of experts and associations, in process: each person sees and
changes only their own records (another's link, a guessed id, a revoked link are all the
same 404), forms change nothing when refused, and the answers stay out of caches."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.service.api.routes.test_session_life import (
    a1_sessions,
    etag,
    programme_document,
    step,
)
from tests.service.api.routes.test_spreadsheets import publish_greedy_plan, put_scenario
from tests.service.console.test_pages_experts import ORIGIN, sign_in
from tests.service_support import Api

LINK = re.compile(r"http://testserver(/my/[A-Za-z0-9_-]+)")


def link_of(api: Api, subject: str, subject_id: str) -> str:
    made = api.send("POST", "/api/v1/self-service-links",
                    body={"subject": subject, "subject_id": subject_id})
    assert made.status_code == 201, made.text
    found = LINK.fullmatch(made.json()["link"])
    assert found is not None, made.json()
    return found[1]


def browser(api: Api) -> TestClient:
    assert isinstance(api.client, TestClient)
    return TestClient(api.client.app, headers={"Origin": ORIGIN}, follow_redirects=False)


def two_associations(api: Api) -> dict[str, Any]:
    document = programme_document()
    document["associations"].append({**document["associations"][0], "id": "A2",
                                     "name": "東京都テスト協同組合 A2", "sessions_requested": 2})
    put_scenario(api, document)
    publish_greedy_plan(api)
    return document


def test_each_person_sees_only_their_own_sessions(api: Api) -> None:
    two_associations(api)
    sessions = a1_sessions(api)
    others = api.get("/api/v1/sessions?association_id=A2").json()
    lead = sessions[0]["expert_ids"][0]
    outsider = next(e for e in ("E1", "E2", "E9")
                    if all(e not in s["expert_ids"] for s in sessions))
    page = browser(api)
    mine = link_of(api, "expert", lead)
    theirs = link_of(api, "expert", outsider)
    a1 = link_of(api, "association", "A1")

    home = page.get(mine)
    assert home.status_code == 200, home.text
    assert home.headers["Cache-Control"] == "no-store"
    assert home.headers["Referrer-Policy"] == "same-origin"
    assert "Content-Security-Policy" in home.headers
    assert '<html lang="ja">' in home.text and "あなたの回" in home.text
    for session in sessions:
        assert f'id="session-{session["id"]}"' in home.text
    assert "Your sessions" in page.get(f"{mine}?lang=en").text

    # The association's page lists its own sessions and none of A2's.
    association_home = page.get(a1).text
    assert all(f'id="session-{s["id"]}"' in association_home for s in sessions)
    assert all(f'id="session-{s["id"]}"' not in association_home for s in others)
    # Another's session, a guessed id, a wrong or revoked link: the same 404.
    assert page.get(f"{theirs}/sessions/{sessions[0]['id']}").status_code == 404
    assert page.get(f"{a1}/sessions/{others[0]['id']}").status_code == 404
    assert page.get(f"{mine}/sessions/999999").status_code == 404
    assert page.get("/my/not-a-secret").status_code == 404
    old = mine
    mine = link_of(api, "expert", lead)  # a new link revokes the old one
    assert page.get(old).status_code == 404
    assert page.get(mine).status_code == 200
    # An association cannot keep availability or file reports; an expert cannot confirm.
    assert page.get(f"{a1}/availability").status_code == 404
    before = api.get(f"/api/v1/sessions/{sessions[0]['id']}/record").json()
    assert page.post(f"{a1}/sessions/{sessions[0]['id']}/report",
                     data={"work_done": "x"}).status_code == 404
    assert page.post(f"{theirs}/sessions/{sessions[0]['id']}/travel",
                     data={"travel_claimed_yen": "100"}).status_code == 404
    assert api.get(f"/api/v1/sessions/{sessions[0]['id']}/record").json() == before


def test_an_expert_reports_and_the_association_confirms_through_their_pages(api: Api) -> None:
    put_scenario(api, programme_document())
    publish_greedy_plan(api)
    session = a1_sessions(api)[0]
    sid, lead = session["id"], session["expert_ids"][0]
    page = browser(api)
    expert_link, association_link = link_of(api, "expert", lead), link_of(api, "association", "A1")

    # Not held yet: no report form, and a forged post is refused with nothing saved.
    assert 'id="report-form"' not in page.get(f"{expert_link}/sessions/{sid}").text
    forged = page.post(f"{expert_link}/sessions/{sid}/report", data={
        "version": etag(api, sid).strip('"'), "work_done": "x", "manual_progress": "draft"})
    assert forged.status_code == 409 and "not recorded as held" in forged.text
    step(api, sid, "held", {"record": "実施"})

    shown = page.get(f"{expert_link}/sessions/{sid}").text
    assert 'id="report-form"' in shown
    version = re.search(r'name="version" value="(\d+)"', shown)
    assert version is not None
    report = {"version": version[1], "phase": "action_plan", "work_done": "取組計画の策定",
              "manual_progress": "outline", "progress_note": "", "next_tasks": "素案の作成",
              "travel_claimed_yen": "980", "receipt_note": ""}
    # Travel without receipts: named, nothing saved, what was typed kept.
    missing = page.post(f"{expert_link}/sessions/{sid}/report", data=report)
    assert missing.status_code == 422 and "receipt_note" in missing.text
    assert "取組計画の策定" in missing.text
    assert api.get(f"/api/v1/sessions/{sid}/record").json()["report"] is None
    # A form from another site is refused.
    foreign = page.post(f"{expert_link}/sessions/{sid}/report",
                        data={**report, "receipt_note": "IC"},
                        headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403
    filed = page.post(f"{expert_link}/sessions/{sid}/report",
                      data={**report, "receipt_note": "交通系IC"})
    assert filed.status_code == 303, filed.text
    record = api.get(f"/api/v1/sessions/{sid}/record").json()
    assert record["session"]["state"] == "reported"
    assert record["report"]["work_done"] == "取組計画の策定"
    assert record["travel"][0]["yen"] == 980
    audit = api.get("/api/v1/audit?entity=session", role="staff").json()
    assert audit[0]["action"] == "report" and audit[0]["actor"].startswith(f"expert:{lead}")

    confirm_page = page.get(f"{association_link}/sessions/{sid}").text
    assert 'id="confirmation-form"' in confirm_page and "取組計画の策定" in confirm_page
    version = re.search(r'name="version" value="(\d+)"', confirm_page)
    assert version is not None
    bad = page.post(f"{association_link}/sessions/{sid}/confirmation",
                    data={"version": version[1], "as_reported": "yes", "rating": "9"})
    assert bad.status_code == 422 and "rating" in bad.text
    done = page.post(f"{association_link}/sessions/{sid}/confirmation",
                     data={"version": version[1], "as_reported": "yes", "rating": "5",
                           "comment": "大変参考になった"})
    assert done.status_code == 303, done.text
    confirmed = api.get(f"/api/v1/sessions/{sid}/record").json()
    assert confirmed["confirmation"]["rating"] == 5
    again = page.post(f"{association_link}/sessions/{sid}/confirmation",
                      data={"version": etag(api, sid).strip('"'), "as_reported": "yes",
                            "rating": "1"})
    assert again.status_code == 409 and "already confirmed" in again.text
    assert api.get(f"/api/v1/sessions/{sid}/record").json() == confirmed


def test_an_expert_keeps_availability_and_nothing_published_moves(api: Api) -> None:
    put_scenario(api, programme_document())
    publish_greedy_plan(api)
    before = api.get("/api/v1/sessions").json()
    lead = before[0]["expert_ids"][0]
    page = browser(api)
    link = link_of(api, "expert", lead)
    saved_before = api.get(f"/api/v1/experts/{lead}").json()
    shown = page.get(f"{link}/availability")
    assert shown.status_code == 200 and 'id="weekly-grid"' in shown.text
    version = re.search(r'name="version" value="(\d+)"', shown.text)
    assert version is not None
    form = {"version": version[1], "weekly": "grid",
            "slot": ["mon-0900", "mon-0930", "wed-1300"],
            "dates": "", "blocked": "2025-12-24..2025-12-26"}
    bad = page.post(f"{link}/availability", data={**form, "blocked": "いつか"})
    assert bad.status_code == 422
    assert api.get(f"/api/v1/experts/{lead}").json() == saved_before
    saved = page.post(f"{link}/availability", data=form)
    assert saved.status_code == 303, saved.text
    expert = api.get(f"/api/v1/experts/{lead}").json()
    weekly = {day: windows for day, windows in expert["availability"]["weekly"].items()
              if windows}
    assert weekly == {"mon": [["09:00", "10:00"]], "wed": [["13:00", "13:30"]]}
    assert expert["availability"]["blocked"] == [{"start": "2025-12-24", "end": "2025-12-26"}]
    # Nothing published moved; the secretariat sees the change.
    assert api.get("/api/v1/sessions").json() == before
    changes = api.get("/api/v1/availability-changes").json()
    assert changes[0]["expert_id"] == lead
    staff, _ = sign_in(api, "staff")
    listed = re.search(r'<ul id="availability-changes">(.*?)</ul>',
                       staff.get("/sessions").text, re.S)
    assert listed is not None and lead in listed[1]
    # The next plan's input is the changed availability.
    scenario = api.get("/api/v1/scenario").json()
    [planned_with] = [e for e in scenario["experts"] if e["id"] == lead]
    assert planned_with["availability"]["blocked"] == [
        {"start": "2025-12-24", "end": "2025-12-26"}]
    # A stale form is refused and keeps the record as it is.
    stale = page.post(f"{link}/availability", data={**form, "slot": ["tue-0900"]})
    assert stale.status_code == 412
    assert api.get(f"/api/v1/experts/{lead}").json() == expert


def test_staff_record_and_approve_on_the_sessions_page(api: Api) -> None:
    put_scenario(api, programme_document())
    publish_greedy_plan(api)
    session = a1_sessions(api)[0]
    sid, lead = session["id"], session["expert_ids"][0]
    client, token = sign_in(api, "staff")
    page = client.get("/sessions")
    assert page.status_code == 200 and f'id="held-{sid}"' in page.text
    version = etag(api, sid).strip('"')
    empty = client.post(f"/sessions/{sid}/held", data={"csrf_token": token, "version": version,
                                                      "record": ""})
    assert empty.status_code == 422
    assert api.get(f"/api/v1/sessions/{sid}").json()["state"] == "scheduled"
    held = client.post(f"/sessions/{sid}/held", data={
        "csrf_token": token, "version": version, "record": "実施", "date": session["date"],
        "start": session["start"], "end": session["end"], "mode": "onsite",
        "attendees": "山田\n佐藤"})
    assert held.status_code == 303, held.text
    assert api.get(f"/api/v1/sessions/{sid}").json()["attendees"] == ["山田", "佐藤"]
    assert "期限超過" in client.get("/sessions").text  # its report is late (2025)
    step(api, sid, "report", {"expert_id": lead, "work_done": "x", "manual_progress": "draft"})
    step(api, sid, "confirmation", {"as_reported": True, "rating": 3})
    assert f'id="approve-{sid}"' in client.get("/sessions").text
    viewer, viewer_token = sign_in(api, "viewer")
    refused = viewer.post(f"/sessions/{sid}/approve", data={
        "csrf_token": viewer_token, "version": etag(api, sid).strip('"')})
    assert refused.status_code == 403
    approved = client.post(f"/sessions/{sid}/approve", data={
        "csrf_token": token, "version": etag(api, sid).strip('"')})
    assert approved.status_code == 303
    assert api.get(f"/api/v1/sessions/{sid}").json()["state"] == "approved"
    # A link issued on the page is shown once and signs the person in.
    issued = client.post(f"/sessions/links/expert/{lead}", data={"csrf_token": token})
    assert issued.status_code == 200 and issued.headers["Cache-Control"] == "no-store"
    found = LINK.search(issued.text)
    assert found is not None
    assert browser(api).get(found[1]).status_code == 200
