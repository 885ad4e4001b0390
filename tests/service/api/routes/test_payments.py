"""Payees, the monthly close and its files through the API, on SQLite and PostgreSQL.

The close pays what the session's life approved: the tests take sessions through their
life (tests.closing_support) and close months from that alone."""

from __future__ import annotations

import io
import subprocess
from typing import Any

import pytest
from openpyxl import load_workbook

from spreadsheets.zengin import read_transfer
from tests.closing_support import (
    JULY_KEYS,
    JULY_PINS,
    approve,
    hold_and_report,
    july_approved,
    scenario_document,
    set_payees,
    states,
)
from tests.paths import GOLDEN
from tests.payments_support import PAYEES
from tests.service.api.routes.test_spreadsheets import publish_greedy_plan
from tests.service_support import Api

# E1 alone in Hachioji on 5 August, two hours onsite, ¥800 of travel.
AUGUST_PIN: dict[str, Any] = {
    "association_id": "A2", "number": 2, "phase": "finalisation", "expert_ids": ["E1"],
    "date": "2026-08-05", "start": "10:00", "end": "12:00", "mode": "onsite"}
JULY = {"pay_on": "2026-08-31"}


def set_up(api: Api) -> None:
    """The scenario (July's and August's sessions pinned) and the payees; no plan yet."""
    document = scenario_document([*JULY_PINS, AUGUST_PIN])
    assert api.send("PUT", "/api/v1/scenario", body=document).status_code == 200
    set_payees(api)


def published(api: Api) -> None:
    set_up(api)
    publish_greedy_plan(api)


def close(api: Api, month: str, body: dict[str, Any] | None = None,
          role: str = "admin") -> Any:
    return api.send("POST", f"/api/v1/payments/months/{month}/close", body=body or {},
                    role=role)


def preview(api: Api, month: str, body: dict[str, Any] | None = None) -> Any:
    return api.send("POST", f"/api/v1/payments/months/{month}/preview", body=body or {})


def approve_august(api: Api, *, approved: bool = True) -> int:
    sid = hold_and_report(api, AUGUST_PIN, {"E1": 800})
    if approved:
        approve(api, sid)
    return sid


def paid_audit(api: Api) -> list[tuple[str, int]]:
    return [(e["detail"]["association_id"], e["detail"]["number"])
            for e in api.get("/api/v1/audit", role="admin", params={"limit": 1000}).json()
            if e["entity"] == "session" and e["action"] == "paid"]


def audit_count(api: Api) -> int:
    return len(api.get("/api/v1/audit", role="admin", params={"limit": 1000}).json())


def test_accounts_are_masked_for_staff_and_whole_for_admins(api: Api) -> None:
    set_up(api)
    staff = api.get("/api/v1/payees/E1", role="staff")
    assert staff.status_code == 200
    assert staff.json()["account"]["account_number"] == "****567"
    assert staff.json()["account"]["holder_name"] == "ﾔﾏﾀﾞ ﾊﾅｺ"
    assert "1234567" not in api.get("/api/v1/payees", role="staff").text
    assert api.get("/api/v1/payees/E1/account", role="staff").status_code == 403
    assert api.get("/api/v1/payees", role="viewer").status_code == 403
    whole = api.get("/api/v1/payees/E1/account", role="admin")
    assert whole.json()["account"]["account_number"] == "1234567"
    assert whole.headers["Cache-Control"] == "no-store"
    # Only admins set accounts; the audit log never holds the number whole.
    body = {"payee_type": "individual", "account": PAYEES["E1"]["account"]}
    assert api.send("PUT", "/api/v1/payees/E1", role="staff", body=body).status_code == 403
    assert "1234567" not in api.get("/api/v1/audit", role="admin").text


def test_a_bad_account_is_named_and_nothing_changes(api: Api) -> None:
    set_up(api)
    etag = api.get("/api/v1/payees/E1", role="staff").headers["ETag"]
    before = audit_count(api)
    for field, value, said in [("account_number", "123456", "7 digits, got 6"),
                               ("holder_name", "山田花子", "cannot carry")]:
        body = {"payee_type": "individual",
                "account": {**PAYEES["E1"]["account"], field: value}}
        answer = api.send("PUT", "/api/v1/payees/E1", role="admin", body=body, if_match=etag)
        assert answer.status_code == 422
        [problem] = answer.json()["detail"]
        assert problem["loc"] == ["body", "account", field]
        assert said in problem["msg"]
    assert api.get("/api/v1/payees/E1/account", role="admin").json()["account"][
        "account_number"] == "1234567"
    assert audit_count(api) == before
    unknown = api.send("PUT", "/api/v1/payees/E9", role="admin",
                       body={"payee_type": "individual", "account": PAYEES["E1"]["account"]})
    assert unknown.status_code == 404


def test_a_month_closes_once_from_its_approved_sessions(api: Api) -> None:
    july_approved(api, scenario_document([*JULY_PINS, AUGUST_PIN]))
    shown = preview(api, "2026-07", JULY)
    assert shown.status_code == 200, shown.text
    assert shown.json()["totals"]["net_yen"] == 154_994
    assert shown.json()["totals"]["sessions"] == 6  # one per expert of each session
    assert {e["account"]["account_number"] for e in shown.json()["entries"]} == {
        "****567", "****345", "****777"}
    assert api.get("/api/v1/payments/months", role="staff").json() == []  # nothing written
    assert {key for key, state in states(api).items() if state == "approved"} == JULY_KEYS

    assert close(api, "2026-07", JULY, role="staff").status_code == 403
    closed = close(api, "2026-07", JULY)
    assert closed.status_code == 201, closed.text
    assert closed.json() == shown.json()
    # Each session is paid, once, in the close's transaction, and the audit log says so.
    assert {key for key, state in states(api).items() if state == "paid"} == JULY_KEYS
    assert sorted(paid_audit(api)) == sorted(JULY_KEYS)

    # The transfer file is the golden one's bytes: same close, same file.
    transfer = api.get("/api/v1/payments/months/2026-07/transfer", role="admin")
    assert transfer.status_code == 200
    assert transfer.content == (GOLDEN / "zengin_sogo_furikomi_2026-07.txt").read_bytes()
    assert read_transfer(transfer.content)[-2].number("合計金額") == 154_994
    assert api.get("/api/v1/payments/months/2026-07/transfer",
                   role="staff").status_code == 403

    # Closed is closed: again, or a later change of an account, changes nothing of it.
    again = close(api, "2026-07", JULY)
    assert again.status_code == 409
    assert "cannot change" in again.json()["detail"]
    assert preview(api, "2026-07").status_code == 409
    etag = api.get("/api/v1/payees/E1", role="staff").headers["ETag"]
    moved = {"payee_type": "individual",
             "account": {**PAYEES["E1"]["account"], "account_number": "7654321"}}
    assert api.send("PUT", "/api/v1/payees/E1", role="admin", body=moved,
                    if_match=etag).status_code == 200
    assert api.get("/api/v1/payments/months/2026-07/transfer",
                   role="admin").content == transfer.content

    # August pays August's session alone: July's, paid, are never paid again.
    approve_august(api)
    august = preview(api, "2026-08").json()
    [entry] = august["entries"]
    assert [(line["association_id"], line["number"]) for line in entry["sessions"]] == [
        ("A2", 2)]
    listed = api.get("/api/v1/payments/months", role="staff").json()
    assert [(m["month"], m["totals"]["net_yen"]) for m in listed] == [("2026-07", 154_994)]


def test_no_caller_hands_in_sessions_to_pay(api: Api) -> None:
    """The close's body is the transfer date alone: a list of sessions is refused."""
    july_approved(api, scenario_document([*JULY_PINS, AUGUST_PIN]))
    body = {"sessions": [{"association_id": "A1", "number": 1, "expert_id": "E1"}]}
    for answer in (preview(api, "2026-07", body), close(api, "2026-07", body)):
        assert answer.status_code == 422
        assert any(p["loc"] == ["body", "sessions"] for p in answer.json()["detail"])
    assert api.get("/api/v1/payments/months", role="staff").json() == []
    assert {key for key, state in states(api).items() if state == "approved"} == JULY_KEYS


def test_a_session_not_approved_is_never_paid(api: Api) -> None:
    published(api)
    sid = approve_august(api, approved=False)  # held and reported
    assert preview(api, "2026-08").json()["entries"] == []
    nothing = close(api, "2026-08")
    assert nothing.status_code == 422
    assert "nothing to pay in 2026-08" in nothing.text
    api.send("POST", f"/api/v1/sessions/{sid}/confirmation", body={
        "as_reported": True, "rating": 5}, if_match=api.get(
        f"/api/v1/sessions/{sid}").headers["ETag"])
    assert states(api)[("A2", 2)] == "confirmed"
    assert close(api, "2026-08").status_code == 422  # confirmed is not approved
    assert api.get("/api/v1/payments/months", role="staff").json() == []
    assert states(api)[("A2", 2)] == "confirmed"
    assert paid_audit(api) == []


def test_a_session_approved_after_its_month_closed_is_paid_in_a_later_month(
        api: Api) -> None:
    published(api)
    for pin in JULY_PINS[:2]:
        approve(api, hold_and_report(api, pin, {}))
    late = hold_and_report(api, JULY_PINS[2], {})  # A1 #2: reported, not yet confirmed
    july = close(api, "2026-07")
    assert july.status_code == 201, july.text
    assert states(api)[("A1", 2)] == "reported"
    approve(api, late)
    august = close(api, "2026-08", {"pay_on": "2026-09-30"})
    assert august.status_code == 201, august.text
    assert [(line["association_id"], line["number"], line["date"])
            for entry in august.json()["entries"] for line in entry["sessions"]] == [
        ("A1", 2, "2026-07-27"), ("A1", 2, "2026-07-27")]  # E1 and E2
    assert states(api)[("A1", 2)] == "paid"


def test_a_correction_is_an_adjustment_paid_in_a_later_month(api: Api) -> None:
    july_approved(api, scenario_document([*JULY_PINS, AUGUST_PIN]))
    assert close(api, "2026-07", JULY).status_code == 201
    added = api.send("POST", "/api/v1/payments/adjustments", role="admin", body={
        "expert_id": "E1", "amount_yen": 7_500, "reason": "7月第2回の謝金の不足分"})
    assert added.status_code == 201, added.text
    approve_august(api)
    closed = close(api, "2026-08", {"pay_on": "2026-09-30"}).json()
    [entry] = closed["entries"]
    assert entry["adjustment_yen"] == 7_500
    assert entry["gross_yen"] == 30_000 + 800 + 7_500
    assert api.get("/api/v1/payments/adjustments", role="staff").json()[0]["paid_in"] == \
        "2026-08"

    years = api.get("/api/v1/payments/years/2026", role="staff").json()
    e1 = next(t for t in years if t["expert_id"] == "E1")
    assert e1["months"] == ["2026-07", "2026-08"]
    assert e1["paid_yen"] == 88_740 + 38_300
    assert e1["withheld_yen"] == 9_060 + 38_300 * 1021 // 10_000
    workbook = load_workbook(io.BytesIO(api.get("/api/v1/payments/years/2026.xlsx",
                                                role="staff").content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[1][:3] == ("専門家ID", "氏名・名称", "区分")
    assert rows[2][0] == "E1" and rows[2][9] == e1["withheld_yen"]


def test_a_close_that_cannot_pay_everyone_is_named_and_closes_nothing(api: Api) -> None:
    document = scenario_document([*JULY_PINS, AUGUST_PIN])
    assert api.send("PUT", "/api/v1/scenario", body=document).status_code == 200
    publish_greedy_plan(api)
    for expert_id in ("E1", "E2"):  # E3 has no payee record
        payee = PAYEES[expert_id]
        body = {key: value for key, value in payee.items() if key != "expert_id"}
        assert api.send("PUT", f"/api/v1/payees/{expert_id}", role="admin",
                        body=body).status_code == 201
    for pin in JULY_PINS[:2]:
        approve(api, hold_and_report(api, pin, {}))
    answer = close(api, "2026-07")
    assert answer.status_code == 422
    said = {tuple(p["loc"]): p["msg"] for p in answer.json()["detail"]}
    assert "no payee record" in said[("sessions", "payees (E3)")]
    assert api.get("/api/v1/payments/months/2026-07", role="staff").status_code == 404
    assert states(api)[("A1", 1)] == states(api)[("A2", 1)] == "approved"
    assert paid_audit(api) == []
    bad_month = close(api, "2026-13")
    assert bad_month.status_code == 422 and "2026-13" in bad_month.text


def test_statements_as_excel_and_as_pdf_in_japanese(api: Api) -> None:
    july_approved(api, scenario_document([*JULY_PINS, AUGUST_PIN]))
    close(api, "2026-07", JULY)
    workbook = load_workbook(io.BytesIO(api.get(
        "/api/v1/payments/months/2026-07/statements.xlsx", role="staff").content))
    assert workbook.sheetnames == ["E1", "E2", "E3"]
    cells = [c for row in workbook["E1"].iter_rows(values_only=True) for c in row if c]
    assert "支払明細書　2026年7月分" in cells
    assert "山田 花子 様（E1）" in cells
    assert cells[cells.index("源泉徴収税額") + 1] == -9_060
    assert cells[cells.index("差引振込額") + 1] == 79_680
    assert not any("1234567" in str(c) for c in cells)

    pdf = api.get("/api/v1/payments/months/2026-07/statements.pdf?expert_id=E3", role="staff")
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    text = pdftotext(pdf.content)
    assert "支払明細書" in text and "鈴木 純 様（E3）" in text
    assert "¥24,334" in text and "-¥2,766" in text
    assert "****777" in text and "7777777" not in text


def pdftotext(data: bytes) -> str:
    try:
        result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data,
                                capture_output=True, check=True, timeout=60)
    except FileNotFoundError:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return result.stdout.decode("utf-8")


def test_the_transfer_file_needs_the_remitter(api: Api) -> None:
    document = scenario_document()
    del document["programme"]["payments"]["remitter"]
    assert api.send("PUT", "/api/v1/scenario", body=document).status_code == 200
    publish_greedy_plan(api)
    set_payees(api)
    approve(api, hold_and_report(api, JULY_PINS[0], {}))
    assert close(api, "2026-07", JULY).status_code == 201
    answer = api.get("/api/v1/payments/months/2026-07/transfer", role="admin")
    assert answer.status_code == 409
    assert "remitter" in answer.json()["detail"]


def test_the_database_itself_refuses_to_change_a_closed_month(api: Api) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from service.db.engine import engine_for

    published(api)
    approve(api, hold_and_report(api, JULY_PINS[0], {"E1": 1_240}))
    api.send("POST", "/api/v1/payments/adjustments", role="admin", body={
        "expert_id": "E1", "amount_yen": 500, "reason": "6月分の不足"})
    assert close(api, "2026-07", JULY).status_code == 201
    waiting = api.send("POST", "/api/v1/payments/adjustments", role="admin", body={
        "expert_id": "E2", "amount_yen": 700, "reason": "8月に払う分"}).json()
    engine = engine_for(api.url)
    for statement in ("UPDATE payment_months SET net_yen = 0",
                      "DELETE FROM payment_months",
                      "UPDATE payment_entries SET net_yen = net_yen + 1",
                      "DELETE FROM paid_sessions",
                      "UPDATE payment_adjustments SET amount_yen = 1 WHERE paid_in IS NOT NULL"):
        with pytest.raises(DBAPIError, match="a closed month cannot change"), \
                engine.begin() as connection:
            connection.execute(text(statement))
    # An adjustment still waiting may be corrected.
    with engine.begin() as connection:
        connection.execute(text("UPDATE payment_adjustments SET amount_yen = 800 "
                                f"WHERE id = {waiting['id']}"))
    assert api.get("/api/v1/payments/months/2026-07", role="staff").json()["totals"][
        "net_yen"] > 0
