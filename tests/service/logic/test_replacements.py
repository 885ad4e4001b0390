"""Replacements: who may take over from an expert who drops out, best first, and why."""

from __future__ import annotations

from domain.checker import check_plan
from domain.loading import parse_plan, parse_scenario
from tests.service_support import Api, pinned_session, small_document


def test_candidates_are_qualified_free_and_ranked_with_reasons(api: Api) -> None:
    assert api.send("PUT", "/api/v1/scenario", body=small_document()).status_code == 200
    in_use = api.send("DELETE", "/api/v1/experts/E1",
                      if_match=api.get("/api/v1/experts/E1").headers["ETag"])
    assert in_use.status_code == 409 and "re-plan" in in_use.json()["detail"]
    answer = api.get("/api/v1/associations/A1/replacements?expert_id=E1").json()
    assert [c["expert_id"] for c in answer["candidates"]] == ["E2", "E3"]
    best = answer["candidates"][0]
    assert best["reasons"][0] == "主たるニーズ「法令遵守・就業規則」に対応"
    assert "副次ニーズにも対応：メンタルケア・心理的安全性" in best["reasons"]
    assert "based in the same area (千代田区)" in best["reasons_en"]
    assert "knows the industry (retail)" not in answer["candidates"][1]["reasons_en"]

    # The lead of one session is replaced in every session not held (one lead for all).
    sessions = api.get("/api/v1/sessions").json()
    first = next(s for s in sessions if s["number"] == 1)
    by_session = api.get(f"/api/v1/sessions/{first['id']}/replacements?expert_id=E1").json()
    assert sorted(by_session["session_ids"]) == sorted(s["id"] for s in sessions)
    assert by_session["candidates"] == answer["candidates"]
    # E9 has no part in the session: the thing asked for does not exist.
    absent = api.get(f"/api/v1/sessions/{first['id']}/replacements?expert_id=E9")
    assert absent.status_code == 404 and "E9" in absent.json()["detail"]
    assert api.get("/api/v1/associations/A1/replacements?expert_id=E9").status_code == 404

    refused = api.send("POST", "/api/v1/associations/A1/replacement",
                       body={"expert_id": "E1", "by": "E4"})
    assert refused.status_code == 409
    applied = api.send("POST", "/api/v1/associations/A1/replacement",
                       body={"expert_id": "E1", "by": "E3"})
    assert applied.status_code == 200, applied.text
    assert [s["expert_ids"] for s in applied.json()] == [["E3"], ["E3"]]
    scenario = parse_scenario(api.get("/api/v1/scenario").json())
    schedule = [{k: v for k, v in s.items() if k in pinned_session(1, "", [])}
                for s in api.get("/api/v1/sessions").json()]
    plan = parse_plan({"scenario_sha256": "", "sessions": schedule, "unserved": [],
                       "stats": {"served": 1, "unserved": 0, "served_upper_bound": 1,
                                 "solver_status": "manual", "wall_seconds": 0}})
    assert check_plan(scenario, plan) == []
