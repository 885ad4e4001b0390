"""Recommendations over the API: options for an association the schedule does not
serve and for moving a session, every other session where it is; taking one makes a
checked draft that publishes like any other."""

from __future__ import annotations

from typing import Any

from domain.checker import check_plan
from domain.loading import parse_plan, parse_scenario
from domain.plan import Plan, Stats
from domain.plan import Session as PlanSession
from service.config import Settings
from service.logic.worker import Worker
from tests.scenarios import PROGRAMME, association, expert
from tests.service_support import Api, checked_plan, wait_for_job

PLAN = {"time_limit": 2, "seed": 0, "workers": 1}


def _published(api: Api) -> list[dict[str, Any]]:
    """A1 and A2 served and published; A3 (mental health) unserved: nobody covers it."""
    document = {"programme": PROGRAMME,
                "experts": [expert("E1"), expert("E2", industries=["food_service"])],
                "associations": [association("A1"), association("A2", applied_day=2),
                                 association("A3", applied_day=3, needs=["mental_health"])],
                "pinned": []}
    assert api.send("PUT", "/api/v1/scenario", body=document).status_code == 200
    job = api.send("POST", "/api/v1/jobs", body=PLAN).json()
    Worker(Settings(database_url=api.url)).run(once=True)
    plan_id = wait_for_job(api, job["id"])["plan_id"]
    checked_plan(api, plan_id)
    assert api.send("POST", f"/api/v1/plans/{plan_id}/publish").status_code == 200
    schedule: list[dict[str, Any]] = api.get("/api/v1/sessions").json()
    return schedule


def _passes_with_schedule(api: Api, option: dict[str, Any]) -> None:
    """The schedule with the option taken passes the checker against the current state."""
    scenario = parse_scenario(api.get("/api/v1/scenario").json())
    numbers = {(s["association_id"], s["number"]) for s in option["sessions"]}
    sessions = [PlanSession.model_validate({k: s[k] for k in PlanSession.model_fields})
                for s in api.get("/api/v1/sessions").json()
                if (s["association_id"], s["number"]) not in numbers]
    sessions += [PlanSession.model_validate(s) for s in option["sessions"]]
    served = {s.association_id for s in sessions}
    plan = parse_plan({"scenario_sha256": "", "sessions": [s.model_dump(mode="json")
                                                          for s in sessions],
                       "unserved": [{"association_id": a.id, "reason": "capacity"}
                                    for a in scenario.accepted if a.id not in served],
                       "stats": Stats(served=0, unserved=0, served_upper_bound=0,
                                      solver_status="", wall_seconds=0).model_dump()})
    assert isinstance(plan, Plan)
    assert check_plan(scenario, plan) == []


def test_options_for_an_unserved_association_then_take_and_publish(api: Api) -> None:
    before = _published(api)
    # Nobody covers A3's need: no option, and the reason the plan gives.
    none = api.get("/api/v1/associations/A3/recommendations", role="staff")
    assert none.status_code == 200, none.text
    assert none.json()["options"] == []
    assert none.json()["unserved_reason"]["reason"] == "no_qualified_expert"
    # A psychologist registers: now there are options, every other session held.
    added = api.send("POST", "/api/v1/experts", body=expert(
        "E3", qualifications=["psychologist"]))
    assert added.status_code == 201, added.text
    found = api.get("/api/v1/associations/A3/recommendations?k=2", role="staff")
    assert found.status_code == 200, found.text
    answer = found.json()
    assert answer["association_id"] == "A3" and answer["unserved_reason"] is None
    assert [o["rank"] for o in answer["options"]] == list(range(1, len(answer["options"]) + 1))
    for option in answer["options"]:
        assert option["sessions"][0]["expert_ids"][0] == "E3"
        assert option["reasons"]["ja"] and option["reasons"]["en"]
        _passes_with_schedule(api, option)

    taken = api.send("POST", "/api/v1/associations/A3/recommendations/take",
                     body={"sessions": answer["options"][0]["sessions"], "rank": 1})
    assert taken.status_code == 201, taken.text
    draft = taken.json()
    assert draft["status"] == "draft"
    assert draft["parameters"]["recommendation"]["association_id"] == "A3"
    assert {(a["association_id"], a["number"]) for a in draft["changes"]["added"]} == {
        ("A3", s["number"]) for s in answer["options"][0]["sessions"]}
    assert draft["changes"]["moved"] == [] and draft["changes"]["removed"] == []
    checked_plan(api, draft["id"])
    # The schedule stays until the draft is published; then it holds the option.
    assert api.get("/api/v1/sessions").json() == before
    published = api.send("POST", f"/api/v1/plans/{draft['id']}/publish")
    assert published.status_code == 200, published.text
    after = api.get("/api/v1/sessions").json()
    # Every other session exactly as it was (the plan it comes from is the new one).
    assert [{**s, "plan_id": None} for s in after if s["association_id"] != "A3"] == [
        {**s, "plan_id": None} for s in before]
    assert [s["expert_ids"] for s in after if s["association_id"] == "A3"] == [
        s["expert_ids"] for s in answer["options"][0]["sessions"]]
    audit = api.get("/api/v1/audit", role="admin").json()
    assert any(e["action"] == "take_recommendation" for e in audit)


def test_other_dates_for_a_session_and_refusals(api: Api) -> None:
    before = _published(api)
    session = next(s for s in before if s["association_id"] == "A1" and s["number"] == 2)
    found = api.get(f"/api/v1/sessions/{session['id']}/recommendations", role="staff")
    assert found.status_code == 200, found.text
    answer = found.json()
    assert answer["session_number"] == 2 and answer["options"]
    for option in answer["options"]:
        first = option["sessions"][0]
        assert first["number"] == 2
        assert (first["date"], first["start"]) != (session["date"], session["start"])
        _passes_with_schedule(api, option)

    # Viewers may not ask; a served association is asked about its sessions instead.
    assert api.get("/api/v1/associations/A3/recommendations").status_code == 403
    served = api.get("/api/v1/associations/A1/recommendations", role="staff")
    assert served.status_code == 409
    assert api.get("/api/v1/associations/A9/recommendations",
                   role="staff").status_code == 404
    assert api.get("/api/v1/sessions/999999/recommendations", role="staff").status_code == 404
    assert api.get(f"/api/v1/sessions/{session['id']}/recommendations?k=0",
                   role="staff").status_code == 422
    # An option that breaks a rule (on session 1's date: two sessions of A1 that day)
    # is refused, and no draft is made.
    drafts = len(api.get("/api/v1/plans").json())
    clash = {**answer["options"][0]["sessions"][0], "date": before[0]["date"],
             "start": before[0]["start"], "end": before[0]["end"]}
    refused = api.send("POST", "/api/v1/associations/A1/recommendations/take",
                       body={"sessions": [clash]})
    assert refused.status_code == 409, refused.text
    wrong = api.send("POST", "/api/v1/associations/A2/recommendations/take",
                     body={"sessions": [answer["options"][0]["sessions"][0]]})
    assert wrong.status_code == 422
    assert len(api.get("/api/v1/plans").json()) == drafts
    assert api.get("/api/v1/sessions").json() == before


def test_a_taken_option_stays_as_taken_through_a_replay_and_a_publish(api: Api) -> None:
    before = _published(api)
    session = next(s for s in before if s["association_id"] == "A1" and s["number"] == 2)
    answer = api.get(f"/api/v1/sessions/{session['id']}/recommendations",
                     role="staff").json()
    option = answer["options"][0]["sessions"]
    taken = api.send("POST", "/api/v1/associations/A1/recommendations/take",
                     body={"sessions": option, "rank": 1})
    assert taken.status_code == 201, taken.text
    draft = taken.json()

    # Re-planning the draft solves its stored scenario, the option pinned in it.
    replay = api.send("POST", f"/api/v1/plans/{draft['id']}/replay")
    assert replay.status_code == 202, replay.text
    assert replay.json()["options"]["recommendation"] == draft["parameters"]["recommendation"]
    Worker(Settings(database_url=api.url)).run(once=True)
    replayed_id = wait_for_job(api, replay.json()["id"])["plan_id"]
    replayed = checked_plan(api, replayed_id)
    by_key = {(s["association_id"], s["number"]): s for s in replayed["sessions"]}
    for chosen in option:
        assert by_key[("A1", chosen["number"])] == chosen  # exactly as taken
    parameters = api.get(f"/api/v1/plans/{replayed_id}").json()["parameters"]
    assert parameters["recommendation"] == draft["parameters"]["recommendation"]

    # The replayed plan publishes (the state it was made from is the option pinned), and
    # the schedule then holds the option as it was taken.
    published = api.send("POST", f"/api/v1/plans/{replayed_id}/publish")
    assert published.status_code == 200, published.text
    after = {(s["association_id"], s["number"]): s for s in api.get("/api/v1/sessions").json()}
    for chosen in option:
        held = after[("A1", chosen["number"])]
        assert {k: held[k] for k in chosen} == chosen
