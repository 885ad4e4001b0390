"""Re-planning with a replacement pinned: the schedule stays until the draft is published,
the draft says what would move, and publishing it puts the chosen expert in place."""

from __future__ import annotations

from service.config import Settings
from service.logic.worker import Worker
from tests.scenarios import PROGRAMME, association, expert
from tests.service_support import Api, checked_plan, wait_for_job

PLAN = {"time_limit": 2, "seed": 0, "workers": 1}


def _published_plan(api: Api, worker: Worker) -> dict[str, object]:
    document = {"programme": PROGRAMME,
                "experts": [expert("E1"), expert("E2"), expert("E3", industries=["food_service"])],
                "associations": [association("A1"), association("A2", applied_day=2)],
                "pinned": []}
    assert api.send("PUT", "/api/v1/scenario", body=document).status_code == 200
    job = api.send("POST", "/api/v1/jobs", body=PLAN).json()
    worker.run(once=True)
    plan_id = wait_for_job(api, job["id"])["plan_id"]
    plan = checked_plan(api, plan_id)
    assert api.send("POST", f"/api/v1/plans/{plan_id}/publish").status_code == 200
    return plan


def test_a_replan_with_the_replacement_pinned_moves_only_when_published(api: Api) -> None:
    worker = Worker(Settings(database_url=api.url))
    _published_plan(api, worker)
    before = api.get("/api/v1/sessions").json()
    session = next(s for s in before if s["association_id"] == "A1" and s["number"] == 1)
    leaving = session["expert_ids"][0]
    found = api.get(f"/api/v1/sessions/{session['id']}/replacements?expert_id={leaving}").json()
    joining = found["candidates"][0]["expert_id"]
    outsider = next(e for e in ("E1", "E2", "E3")
                    if e not in {c["expert_id"] for c in found["candidates"]})

    # Someone who may not take over is refused, and no job is queued.
    jobs_before = len(api.get("/api/v1/jobs").json())
    refused = api.send("POST", f"/api/v1/sessions/{session['id']}/replacement/replan",
                       body={**PLAN, "expert_id": leaving, "by": outsider})
    assert refused.status_code == 409, refused.text
    assert len(api.get("/api/v1/jobs").json()) == jobs_before

    asked = api.send("POST", f"/api/v1/sessions/{session['id']}/replacement/replan",
                     body={**PLAN, "expert_id": leaving, "by": joining})
    assert asked.status_code == 202, asked.text
    assert asked.json()["options"]["replacement"]["joining"] == joining
    worker.run(once=True)
    plan_id = wait_for_job(api, asked.json()["id"])["plan_id"]
    draft = checked_plan(api, plan_id)
    replaced = [s for s in draft["sessions"] if s["association_id"] == "A1"]
    assert replaced and all(s["expert_ids"][0] == joining for s in replaced)

    # Nothing has changed in the schedule yet; the draft says what would move.
    assert api.get("/api/v1/sessions").json() == before
    changes = api.get(f"/api/v1/plans/{plan_id}").json()["changes"]
    moved = {(m["association_id"], m["number"]): m for m in changes["moved"]}
    for s in before:
        if s["association_id"] == "A1":
            move = moved[("A1", s["number"])]
            assert "expert_ids" in move["fields"]
            assert move["before"]["expert_ids"][0] == leaving
            assert move["after"]["expert_ids"][0] == joining
    counted = len(changes["moved"]) + len(changes["removed"]) + changes["kept"]
    assert counted == len(before)

    # Its replay is solved with the same pin, and could be published in its place.
    replay = api.send("POST", f"/api/v1/plans/{plan_id}/replay")
    assert replay.status_code == 202
    worker.run(once=True)
    replayed_id = wait_for_job(api, replay.json()["id"])["plan_id"]
    assert checked_plan(api, replayed_id)["sessions"] == draft["sessions"]
    assert api.get(f"/api/v1/plans/{replayed_id}").json()["parameters"]["replacement"] \
        == asked.json()["options"]["replacement"]

    # Publishing the draft (solved with the pin) is allowed, and the schedule follows it.
    published = api.send("POST", f"/api/v1/plans/{plan_id}/publish")
    assert published.status_code == 200, published.text
    after = api.get("/api/v1/sessions?association_id=A1").json()
    assert all(s["expert_ids"][0] == joining for s in after)
    audit = api.get("/api/v1/audit", role="admin").json()
    assert any(e["action"] == "replan_with_replacement" for e in audit)


def test_a_replan_draft_is_refused_when_the_data_changed_since(api: Api) -> None:
    worker = Worker(Settings(database_url=api.url))
    _published_plan(api, worker)
    session = next(s for s in api.get("/api/v1/sessions").json()
                   if s["association_id"] == "A2")
    leaving = session["expert_ids"][0]
    found = api.get(f"/api/v1/sessions/{session['id']}/replacements?expert_id={leaving}").json()
    asked = api.send("POST", f"/api/v1/sessions/{session['id']}/replacement/replan",
                     body={**PLAN, "expert_id": leaving,
                           "by": found["candidates"][0]["expert_id"]})
    worker.run(once=True)
    plan_id = wait_for_job(api, asked.json()["id"])["plan_id"]
    checked_plan(api, plan_id)
    record = api.get("/api/v1/experts/E3")
    changed = {**record.json(), "max_sessions_per_week": 4}
    assert api.send("PUT", "/api/v1/experts/E3", body=changed,
                    if_match=record.headers["ETag"]).status_code == 200
    stale = api.send("POST", f"/api/v1/plans/{plan_id}/publish")
    assert stale.status_code == 409 and "changed" in stale.json()["detail"]
