"""Sessions taken through their life over the API to approval, for the monthly close's
tests: the close pays only what the session's life approved, so the tests make that
approval as the secretariat would (held, reported, confirmed, approved)."""

from __future__ import annotations

import copy
from typing import Any

from tests.payments_support import PAYEES, PAYMENTS
from tests.scenarios import PROGRAMME, association, expert
from tests.service.api.routes.test_spreadsheets import publish_greedy_plan
from tests.service_support import Api

SESSIONS = "/api/v1/sessions"

# July 2026 as tests.payments_support.july_sessions() has it (the golden transfer file's
# month): the sessions as pins of the plan (two-hour onsite sessions, as the associations
# ask), what was held where it differs from the plan, and each expert's travel claimed.
JULY_PINS: list[dict[str, Any]] = [
    {"association_id": "A1", "number": 1, "phase": "action_plan", "expert_ids": ["E1", "E2"],
     "date": "2026-07-06", "start": "10:00", "end": "12:00", "mode": "onsite"},
    {"association_id": "A2", "number": 1, "phase": "action_plan", "expert_ids": ["E1", "E3"],
     "date": "2026-07-14", "start": "10:00", "end": "12:00", "mode": "onsite"},
    {"association_id": "A1", "number": 2, "phase": "finalisation",
     "expert_ids": ["E1", "E2"], "date": "2026-07-27", "start": "14:00", "end": "16:00",
     "mode": "onsite"},
]
JULY_KEYS = {(pin["association_id"], pin["number"]) for pin in JULY_PINS}
# A1 #2 was held online and ended half an hour early.
JULY_HELD: dict[tuple[str, int], dict[str, Any]] = {
    ("A1", 2): {"end": "15:30", "mode": "online"}}
JULY_TRAVEL: dict[tuple[str, int], dict[str, int]] = {
    ("A1", 1): {"E1": 1_240, "E2": 980}, ("A2", 1): {"E1": 5_000, "E3": 3_100}}


TWO_HOURS_ONSITE: dict[str, Any] = {"session_minutes": 120, "mode": "onsite",
                                    "address": "東京都千代田区丸の内1-1-1"}


def scenario_document(pinned: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Three experts (E2 a corporate payee paid per session), two associations (A2 in
    Hachioji), the programme's payment rules and the secretariat's account."""
    programme = {**copy.deepcopy(PROGRAMME), "name": "カスハラ対策マニュアル作成支援",
                 "implementation_period": {"start": "2026-06-01", "end": "2027-02-26"},
                 "payments": copy.deepcopy(PAYMENTS)}
    return {"programme": programme,
            "experts": [expert("E1", name="山田 花子"),
                        expert("E2", name="佐藤 一郎", qualifications=["sme_consultant"]),
                        expert("E3", name="鈴木 純", qualifications=["industrial_counselor"])],
            "associations": [association("A1", applied_day=1, **TWO_HOURS_ONSITE),
                             association("A2", applied_day=2, city="八王子市",
                                         **TWO_HOURS_ONSITE)],
            "pinned": copy.deepcopy(pinned if pinned is not None else JULY_PINS)}


def set_payees(api: Api) -> None:
    for expert_id, payee in PAYEES.items():
        body = {key: value for key, value in payee.items() if key != "expert_id"}
        answer = api.send("PUT", f"/api/v1/payees/{expert_id}", role="admin", body=body)
        assert answer.status_code == 201, answer.text


def session_id(api: Api, association_id: str, number: int) -> int:
    found = api.get(f"{SESSIONS}?association_id={association_id}").json()
    [match] = [s["id"] for s in found if s["number"] == number]
    return int(match)


def etag(api: Api, sid: int) -> str:
    return api.get(f"{SESSIONS}/{sid}").headers["ETag"]


def step(api: Api, sid: int, action: str, body: dict[str, Any] | None = None,
         role: str = "staff") -> dict[str, Any]:
    answer = api.send("POST", f"{SESSIONS}/{sid}/{action}", role=role, body=body,
                      if_match=etag(api, sid))
    assert answer.status_code == 200, f"{action}: {answer.text}"
    result: dict[str, Any] = answer.json()
    return result


def hold_and_report(api: Api, pin: dict[str, Any], travel: dict[str, int],
                    held: dict[str, Any] | None = None) -> int:
    """Held (as planned, or as ``held`` says), the lead's report with their travel, the
    joiners' claims."""
    key = (pin["association_id"], pin["number"])
    sid = session_id(api, *key)
    step(api, sid, "held", {"record": f"第{pin['number']}回を実施", "attendees": ["事務局長"],
                            **(held if held is not None else JULY_HELD.get(key, {}))})
    lead = pin["expert_ids"][0]
    receipt = {"receipt_note": "交通系ICの利用履歴"}
    step(api, sid, "report", {"expert_id": lead, "work_done": f"第{pin['number']}回の支援",
                              "manual_progress": "draft", "next_tasks": "章立ての確認",
                              "travel_claimed_yen": travel.get(lead, 0),
                              **(receipt if travel.get(lead) else {})})
    for joiner in pin["expert_ids"][1:]:
        if travel.get(joiner):
            step(api, sid, "travel", {"expert_id": joiner,
                                      "travel_claimed_yen": travel[joiner], **receipt})
    return sid


def approve(api: Api, sid: int, rating: int = 4) -> None:
    step(api, sid, "confirmation", {"as_reported": True, "rating": rating,
                                    "comment": "分かりやすかった"})
    step(api, sid, "approval")


def july_approved(api: Api, document: dict[str, Any] | None = None,
                  payees: bool = True) -> list[int]:
    """The July scenario (or ``document``) put, its plan published (checked), the payees
    set (unless told not to) and the three July sessions approved; their ids."""
    answer = api.send("PUT", "/api/v1/scenario", body=document or scenario_document())
    assert answer.status_code == 200, answer.text
    publish_greedy_plan(api)
    if payees:
        set_payees(api)
    ids = []
    for pin in JULY_PINS:
        sid = hold_and_report(api, pin, JULY_TRAVEL.get(
            (pin["association_id"], pin["number"]), {}))
        approve(api, sid)
        ids.append(sid)
    return ids


def states(api: Api) -> dict[tuple[str, int], str]:
    return {(s["association_id"], s["number"]): s["state"]
            for s in api.get(SESSIONS).json()}
