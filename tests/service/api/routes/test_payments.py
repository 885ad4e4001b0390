"""Payees, the monthly close and its files through the API, on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import io
import subprocess
from typing import Any

import pytest
from openpyxl import load_workbook

from spreadsheets.zengin import read_transfer
from tests.paths import GOLDEN
from tests.payments_support import PAYEES, PAYMENTS, july_sessions, session
from tests.scenarios import PROGRAMME, association, expert
from tests.service_support import Api


def scenario_document() -> dict[str, Any]:
    programme = {**copy.deepcopy(PROGRAMME), "name": "カスハラ対策マニュアル作成支援",
                 "implementation_period": {"start": "2026-06-01", "end": "2027-02-26"},
                 "payments": copy.deepcopy(PAYMENTS)}
    return {"programme": programme,
            "experts": [expert("E1", name="山田 花子"),
                        expert("E2", name="佐藤 一郎", qualifications=["sme_consultant"]),
                        expert("E3", name="鈴木 純", qualifications=["industrial_counselor"])],
            "associations": [association("A1", applied_day=1),
                             association("A2", applied_day=2, city="八王子市")],
            "pinned": []}


def record(s: Any) -> dict[str, Any]:
    return {"association_id": s.association_id, "number": s.number, "expert_id": s.expert_id,
            "date": s.date.isoformat(), "start": f"{s.start // 60:02d}:{s.start % 60:02d}",
            "end": f"{s.end // 60:02d}:{s.end % 60:02d}", "mode": s.mode,
            "travel_claimed_yen": s.travel_claimed_yen, "approved_at": s.approved_at.isoformat()}


JULY = {"sessions": [record(s) for s in july_sessions()], "pay_on": "2026-08-31"}


def set_up(api: Api) -> None:
    assert api.send("PUT", "/api/v1/scenario", body=scenario_document()).status_code == 200
    for expert_id, payee in PAYEES.items():
        body = {key: value for key, value in payee.items() if key != "expert_id"}
        answer = api.send("PUT", f"/api/v1/payees/{expert_id}", role="admin", body=body)
        assert answer.status_code == 201, answer.text


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


def test_a_month_closes_once_through_the_api(api: Api) -> None:
    set_up(api)
    preview = api.send("POST", "/api/v1/payments/months/2026-07/preview", body=JULY)
    assert preview.status_code == 200, preview.text
    assert preview.json()["totals"]["net_yen"] == 154_994
    assert {e["account"]["account_number"] for e in preview.json()["entries"]} == {
        "****567", "****345", "****777"}
    assert api.get("/api/v1/payments/months", role="staff").json() == []  # nothing written

    assert api.send("POST", "/api/v1/payments/months/2026-07/close", body=JULY,
                    role="staff").status_code == 403
    closed = api.send("POST", "/api/v1/payments/months/2026-07/close", body=JULY, role="admin")
    assert closed.status_code == 201, closed.text
    assert closed.json() == preview.json()

    # The transfer file is the golden one's bytes: same close, same file.
    transfer = api.get("/api/v1/payments/months/2026-07/transfer", role="admin")
    assert transfer.status_code == 200
    assert transfer.content == (GOLDEN / "zengin_sogo_furikomi_2026-07.txt").read_bytes()
    assert read_transfer(transfer.content)[-2].number("合計金額") == 154_994
    assert api.get("/api/v1/payments/months/2026-07/transfer",
                   role="staff").status_code == 403

    # Closed is closed: again, or a later change of an account, changes nothing of it.
    again = api.send("POST", "/api/v1/payments/months/2026-07/close", body=JULY, role="admin")
    assert again.status_code == 409
    assert "cannot change" in again.json()["detail"]
    etag = api.get("/api/v1/payees/E1", role="staff").headers["ETag"]
    moved = {"payee_type": "individual",
             "account": {**PAYEES["E1"]["account"], "account_number": "7654321"}}
    assert api.send("PUT", "/api/v1/payees/E1", role="admin", body=moved,
                    if_match=etag).status_code == 200
    assert api.get("/api/v1/payments/months/2026-07/transfer",
                   role="admin").content == transfer.content

    # A session paid in July cannot be paid again in August.
    august = {"sessions": [record(session("A1", 1, "E1", 6))]}
    august["sessions"][0]["date"] = "2026-08-06"
    paid_twice = api.send("POST", "/api/v1/payments/months/2026-08/preview", body=august)
    assert paid_twice.status_code == 409
    assert "A1 #1 E1 (2026-07)" in paid_twice.json()["detail"]

    listed = api.get("/api/v1/payments/months", role="staff").json()
    assert [(m["month"], m["totals"]["net_yen"]) for m in listed] == [("2026-07", 154_994)]


def test_a_correction_is_an_adjustment_paid_in_a_later_month(api: Api) -> None:
    set_up(api)
    assert api.send("POST", "/api/v1/payments/months/2026-07/close", body=JULY,
                    role="admin").status_code == 201
    added = api.send("POST", "/api/v1/payments/adjustments", role="admin", body={
        "expert_id": "E1", "amount_yen": 7_500, "reason": "7月第2回の謝金の不足分"})
    assert added.status_code == 201, added.text
    august = {"sessions": [{**record(session("A1", 3, "E1", 5, month=8, travel=800))}],
              "pay_on": "2026-09-30"}
    closed = api.send("POST", "/api/v1/payments/months/2026-08/close", body=august,
                      role="admin").json()
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


def test_bad_sessions_are_named_and_nothing_is_closed(api: Api) -> None:
    set_up(api)
    over = copy.deepcopy(JULY)
    over["sessions"][0]["travel_claimed_yen"] = 5_001
    over["sessions"][3]["date"] = "2026-08-01"
    answer = api.send("POST", "/api/v1/payments/months/2026-07/close", body=over, role="admin")
    assert answer.status_code == 422
    said = {tuple(p["loc"]): p["msg"] for p in answer.json()["detail"]}
    assert said[("body", "sessions", "[0] (A1 #1 E1).travel_claimed_yen")] == (
        "¥5,001 is over the programme's cap of ¥5,000 a session")
    assert said[("body", "sessions", "[3] (A1 #2 E1).date")] == "2026-08-01 is not in 2026-07"
    floats = copy.deepcopy(JULY)
    floats["sessions"][0]["travel_claimed_yen"] = 1240.0
    assert api.send("POST", "/api/v1/payments/months/2026-07/close", body=floats,
                    role="admin").status_code == 422
    assert api.get("/api/v1/payments/months", role="staff").json() == []
    assert api.get("/api/v1/payments/months/2026-07", role="staff").status_code == 404


def test_statements_as_excel_and_as_pdf_in_japanese(api: Api) -> None:
    set_up(api)
    api.send("POST", "/api/v1/payments/months/2026-07/close", body=JULY, role="admin")
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
    for expert_id, payee in PAYEES.items():
        body = {key: value for key, value in payee.items() if key != "expert_id"}
        api.send("PUT", f"/api/v1/payees/{expert_id}", role="admin", body=body)
    api.send("POST", "/api/v1/payments/months/2026-07/close", body=JULY, role="admin")
    answer = api.get("/api/v1/payments/months/2026-07/transfer", role="admin")
    assert answer.status_code == 409
    assert "remitter" in answer.json()["detail"]


def test_the_database_itself_refuses_to_change_a_closed_month(api: Api) -> None:
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from service.db.engine import engine_for

    set_up(api)
    api.send("POST", "/api/v1/payments/adjustments", role="admin", body={
        "expert_id": "E1", "amount_yen": 500, "reason": "6月分の不足"})
    assert api.send("POST", "/api/v1/payments/months/2026-07/close",
                    body={**JULY, "sessions": JULY["sessions"][:3]},
                    role="admin").status_code == 201
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
