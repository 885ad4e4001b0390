"""Bad input after the plan, over the API: each refused with an error naming the record
and the field, and nothing changed (the session's record, the audit log, the months
closed). Others of the issue's list live beside the code they test: another expert's
report, a second confirmation (test_session_life), an account number of the wrong length
and a holder name the bank format cannot carry (test_payments)."""

from __future__ import annotations

from typing import Any

from tests.closing_support import (
    JULY_PINS,
    approve,
    etag,
    hold_and_report,
    july_approved,
    scenario_document,
    session_id,
    set_payees,
    step,
)
from tests.service.api.routes.test_session_life import audit_count, record
from tests.service.api.routes.test_spreadsheets import publish_greedy_plan
from tests.service_support import Api


def refused(api: Api, sid: int, action: str, body: dict[str, Any], status: int) -> Any:
    before, audited = record(api, sid), audit_count(api)
    answer = api.send("POST", f"/api/v1/sessions/{sid}/{action}", body=body,
                      if_match=etag(api, sid))
    assert answer.status_code == status, answer.text
    assert record(api, sid) == before
    assert audit_count(api) == audited
    return answer.json()


def test_a_travel_claim_over_the_programmes_cap_is_refused_when_claimed(api: Api) -> None:
    assert api.send("PUT", "/api/v1/scenario", body=scenario_document()).status_code == 200
    publish_greedy_plan(api)
    pin = JULY_PINS[0]  # A1 #1, E1 leading, E2 joining; the cap is ¥5,000 a session
    sid = session_id(api, pin["association_id"], pin["number"])
    step(api, sid, "held", {"record": "第1回を実施"})
    report = {"expert_id": "E1", "work_done": "取組計画の策定", "manual_progress": "outline",
              "travel_claimed_yen": 5_001, "receipt_note": "領収書あり"}
    said = refused(api, sid, "report", report, 422)
    [problem] = said["detail"]
    assert problem["loc"] == ["body", "travel_claimed_yen"]
    assert problem["msg"] == "¥5,001 is over the programme's cap of ¥5,000 a session"
    step(api, sid, "report", {**report, "travel_claimed_yen": 5_000})  # at the cap: fine
    joiner = {"expert_id": "E2", "travel_claimed_yen": 9_000, "receipt_note": "領収書あり"}
    said = refused(api, sid, "travel", joiner, 422)
    assert "¥9,000 is over the programme's cap" in said["detail"][0]["msg"]
    assert [c["yen"] for c in record(api, sid)["travel"]] == [5_000]


def test_nothing_changes_in_a_closed_month(api: Api) -> None:
    july_approved(api)
    assert api.send("POST", "/api/v1/payments/months/2026-07/close", role="admin",
                    body={}).status_code == 201
    closed = api.get("/api/v1/payments/months/2026-07", role="staff").json()
    audited = audit_count(api)
    for action in ("close", "preview"):
        answer = api.send("POST", f"/api/v1/payments/months/2026-07/{action}", role="admin",
                          body={"pay_on": "2026-09-30"})
        assert answer.status_code == 409
        assert "2026-07 was closed by test-admin" in answer.json()["detail"]
    # A paid session's travel cannot be claimed again, nor can it be approved again.
    sid = session_id(api, "A1", 1)
    said = refused(api, sid, "travel", {"expert_id": "E1", "travel_claimed_yen": 100,
                                        "receipt_note": "追加"}, 409)
    assert f"session {sid} is paid" in said["detail"]
    assert "already paid" in refused(api, sid, "approval", {}, 409)["detail"]
    assert api.get("/api/v1/payments/months/2026-07", role="staff").json() == closed
    assert audit_count(api) == audited


def test_a_session_disputed_by_its_association_is_never_approved_nor_paid(api: Api) -> None:
    assert api.send("PUT", "/api/v1/scenario", body=scenario_document()).status_code == 200
    publish_greedy_plan(api)
    set_payees(api)
    approve(api, hold_and_report(api, JULY_PINS[0], {}))
    disputed = hold_and_report(api, JULY_PINS[1], {})
    step(api, disputed, "confirmation", {"as_reported": False, "rating": 2,
                                         "comment": "実施時間が報告と異なる"})
    said = refused(api, disputed, "approval", {}, 409)
    assert "did not take place as reported" in said["detail"]
    closed = api.send("POST", "/api/v1/payments/months/2026-07/close", role="admin", body={})
    assert closed.status_code == 201, closed.text
    paid = [(line["association_id"], line["number"]) for entry in closed.json()["entries"]
            for line in entry["sessions"]]
    assert ("A2", 1) not in paid and ("A1", 1) in paid
    assert record(api, disputed)["session"]["state"] == "confirmed"
