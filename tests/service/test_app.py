"""The programme's whole flow against a real server process (uvicorn and its worker):
import the bundled example, screen and accept, plan, publish, change, re-plan."""

from __future__ import annotations

import json
from typing import Any

from domain.checker import check_plan
from domain.loading import parse_plan, parse_scenario
from service.logic.applications import ELIGIBILITY
from tests.service_support import Api, checked_plan, example_document, wait_for_job

PLAN_REQUEST = {"time_limit": 2, "seed": 1, "workers": 1}


def key(session: dict[str, Any]) -> tuple[str, int]:
    return session["association_id"], session["number"]


def shown(session: dict[str, Any]) -> dict[str, Any]:
    return {name: session[name] for name in
            ("association_id", "number", "phase", "expert_ids", "date", "start", "end", "mode")}


def screen_and_accept(api: Api, association_id: str) -> None:
    url = f"/api/v1/associations/{association_id}"
    for item in ELIGIBILITY:
        response = api.send("PUT", f"{url}/eligibility/{item}", body={"passed": True})
        assert response.status_code == 200, response.text
    application = api.get(f"{url}/application").json()
    assert application["open_items"] == []
    assert {c["checked_by"] for c in application["eligibility"]} == {"test-staff"}
    etag = api.get(url).headers["ETag"]
    early = api.send("POST", f"{url}/transitions", if_match=etag,
                     body={"to": "completed", "reason": "x"})
    assert early.status_code == 409  # no jump from received to completed
    called = api.send("POST", f"{url}/transitions", if_match=etag,
                      body={"to": "interviewed", "note": "会員80社、既存マニュアルなし"})
    assert called.status_code == 200, called.text
    accepted = api.send("POST", f"{url}/transitions", if_match=called.headers["ETag"],
                        body={"to": "accepted", "reason": "要件をすべて満たす",
                              "decided_on": "2026-01-08"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    trail = api.get(f"/api/v1/audit?entity=association&entity_id={association_id}",
                    role="staff").json()
    steps = [(e["detail"]["from"], e["detail"]["to"], e["actor"])
             for e in trail if e["action"] == "transition"]
    assert steps == [("interviewed", "accepted", "test-staff"),
                     ("received", "interviewed", "test-staff")]


def plan_and_wait(api: Api) -> dict[str, Any]:
    response = api.send("POST", "/api/v1/jobs", body=PLAN_REQUEST)
    assert response.status_code == 202, response.text
    job = wait_for_job(api, response.json()["id"])
    assert job["status"] == "succeeded", job
    assert job["progress"] is not None and job["progress"]["served"] is not None
    return job


def stream_events(api: Api, job_id: int) -> list[tuple[str, Any]]:
    events: list[tuple[str, Any]] = []
    with api.client.stream("GET", f"/api/v1/jobs/{job_id}/events",
                           headers=api.headers("viewer")) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        name = "message"
        for line in response.iter_lines():
            if line.startswith("event:"):
                name = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                events.append((name, json.loads(line.split(":", 1)[1])))
    return events


def test_whole_flow(server: Api) -> None:
    api = server
    assert "/api/v1/jobs" in api.client.get("/openapi.json").json()["paths"]
    assert api.send("PUT", "/api/v1/scenario", body=example_document()).status_code == 200

    due = api.get("/api/v1/applications/calls-due?as_of=2026-01-07").json()
    assert [(c["association_id"], c["due_on"], c["late"]) for c in due] == [
        ("A056", "2026-01-06", True)]
    screen_and_accept(api, "A056")
    assert api.get("/api/v1/applications/calls-due").json() == []

    first = plan_and_wait(api)
    events = stream_events(api, first["id"])  # a finished job: its state, then the end
    assert events[-1] == ("end", {"status": "succeeded"})
    assert events[-2][1]["plan_id"] == first["plan_id"]
    plan = checked_plan(api, first["plan_id"])
    assert api.get(f"/api/v1/plans/{first['plan_id']}/violations").json() == {"violations": []}
    published = api.send("POST", f"/api/v1/plans/{first['plan_id']}/publish")
    assert published.status_code == 200, published.text
    assert len(published.json()["changes"]["added"]) + published.json()["changes"]["kept"] == len(
        plan["sessions"])
    before = {key(s): s for s in api.get("/api/v1/sessions").json()}

    # Changes: one session is held, an association withdraws, an expert drops out.
    pinned_experts = {e for s in before.values() if s["state"] == "pinned"
                      for e in s["expert_ids"]}
    held = next(s for s in before.values() if s["state"] == "scheduled")
    dropped = next(e for s in before.values() if s["state"] == "scheduled"
                   and s["association_id"] != held["association_id"]
                   for e in s["expert_ids"]
                   if e not in pinned_experts and e not in held["expert_ids"])
    withdrawing = next(s["association_id"] for s in before.values()
                       if s["state"] == "scheduled"
                       and s["association_id"] != held["association_id"]
                       and dropped not in s["expert_ids"])
    session_url = f"/api/v1/sessions/{held['id']}"
    marked = api.send("POST", f"{session_url}/held", body={"record": "取組計画を策定"},
                      if_match=api.get(session_url).headers["ETag"])
    assert marked.status_code == 200, marked.text
    association_url = f"/api/v1/associations/{withdrawing}"
    withdrawn = api.send("POST", f"{association_url}/transitions",
                         body={"to": "withdrawn", "reason": "団体の都合により辞退"},
                         if_match=api.get(association_url).headers["ETag"])
    assert withdrawn.status_code == 200, withdrawn.text
    expert_response = api.get(f"/api/v1/experts/{dropped}")
    expert = expert_response.json()
    period = example_document()["programme"]["implementation_period"]
    availability = expert.get("availability") or {}
    expert["availability"] = {**availability,
                              "blocked": [*availability.get("blocked", []), period]}
    blocked = api.send("PUT", f"/api/v1/experts/{dropped}", body=expert,
                       if_match=expert_response.headers["ETag"])
    assert blocked.status_code == 200, blocked.text

    # The draft from before the changes may no longer be published.
    stale = api.send("POST", f"/api/v1/plans/{first['plan_id']}/publish")
    assert stale.status_code == 409

    second = plan_and_wait(api)
    replan = checked_plan(api, second["plan_id"])
    assert all(dropped not in s["expert_ids"] for s in replan["sessions"])
    assert all(s["association_id"] != withdrawing for s in replan["sessions"])
    preview = api.get(f"/api/v1/plans/{second['plan_id']}").json()["changes"]
    republished = api.send("POST", f"/api/v1/plans/{second['plan_id']}/publish")
    assert republished.status_code == 200, republished.text
    changes = republished.json()["changes"]
    assert preview == changes  # a draft shows what publishing it would change
    after = {key(s): s for s in api.get("/api/v1/sessions").json()}

    # Exactly what moved: the answer agrees with the schedule before and after.
    moved = {(m["association_id"], m["number"]) for m in changes["moved"]}
    assert moved == {k for k in before.keys() & after.keys()
                     if shown(before[k]) != shown(after[k])}
    assert {key(s) for s in changes["removed"]} == before.keys() - after.keys()
    assert {key(s) for s in changes["added"]} == after.keys() - before.keys()
    assert changes["kept"] == len(before.keys() & after.keys()) - len(moved)
    assert changes["kept"] > len(moved)  # objective 6: published sessions mostly stay
    assert {k for k in before if k[0] == withdrawing} <= {key(s) for s in changes["removed"]}
    assert all(key(s) in moved or key(s) not in after for s in before.values()
               if dropped in s["expert_ids"])
    assert shown(after[key(held)]) == shown(held) and after[key(held)]["state"] == "held"

    # The state exports as a scenario whose pinned sessions are the held and pinned ones.
    exported = parse_scenario(api.get("/api/v1/scenario").json())
    assert {(p.association_id, p.number) for p in exported.pinned} == {
        k for k, s in after.items() if s["state"] in ("held", "pinned")}
    assert check_plan(exported, parse_plan(replan)) == []

    # The expert's calendar feed, through uvicorn: served, and its secret never logged.
    lead = after[key(held)]["expert_ids"][0]
    link = api.send("POST", "/api/v1/feeds", body={"subject": "expert", "subject_id": lead})
    secret = link.json()["https"].rsplit("/", 1)[1].removesuffix(".ics")
    feed = api.client.get(f"/feeds/{secret}.ics")
    assert feed.status_code == 200 and b"BEGIN:VEVENT" in feed.content
    assert api.client.get("/feeds/wrong.ics").status_code == 404
    assert api.server_log is not None
    log = api.server_log.read_text()
    assert "GET /feeds/[redacted]" in log and secret not in log


