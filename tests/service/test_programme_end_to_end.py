"""One association through a whole programme, over the API (SQLite and PostgreSQL): its
five sessions planned (the plan checked), held, reported, confirmed and rated, the survey
after the last, approved, and paid in two monthly closes (three sessions in June, two in
July); the Zengin transfer files and the statements written and read back; the results
report, its workbook and the console's charts counting all of it."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook

from spreadsheets.zengin import read_transfer
from tests.closing_support import approve, hold_and_report, scenario_document, set_payees
from tests.service.api.routes.test_payments import pdftotext
from tests.service.api.routes.test_spreadsheets import publish_greedy_plan
from tests.service.console.test_pages_experts import sign_in
from tests.service_support import Api

DAYS = ["2026-06-08", "2026-06-15", "2026-06-22", "2026-07-06", "2026-07-13"]
PHASES = ["action_plan", "drafting", "drafting", "drafting", "finalisation"]
TRAVEL = [1_240, 1_240, 980, 1_240, 0]
RATINGS = [4, 5, 4, 5, 5]
FEE = 30_000  # E1, a sharoushi: ¥15,000 an hour, two hours a session


def programme() -> dict[str, Any]:
    """A1 asks for five two-hour onsite sessions, all E1's (pinned: their dates fixed)."""
    pins = [{"association_id": "A1", "number": n, "phase": phase, "expert_ids": ["E1"],
             "date": day, "start": "10:00", "end": "12:00", "mode": "onsite"}
            for n, (day, phase) in enumerate(zip(DAYS, PHASES, strict=True), start=1)]
    document = scenario_document(pins)
    document["associations"] = [a for a in document["associations"] if a["id"] == "A1"]
    document["associations"][0]["sessions_requested"] = 5
    return document


def withheld(gross: int) -> int:
    return gross * 1021 // 10_000  # 10.21 %, rounded down: under the ¥1,000,000 threshold


def test_one_association_through_a_whole_programme(api: Api) -> None:
    document = programme()
    assert api.send("PUT", "/api/v1/scenario", body=document).status_code == 200
    publish_greedy_plan(api)  # the checker passes it (tests.greedy_plans)
    set_payees(api)
    pins = document["pinned"]

    # Held, reported with travel, confirmed and rated, approved: one session at a time.
    ids = []
    for pin, travel, rating in zip(pins, TRAVEL, RATINGS, strict=True):
        sid = hold_and_report(api, pin, {"E1": travel} if travel else {}, held={})
        approve(api, sid, rating=rating)
        ids.append(sid)
    survey = {"manual_completed": True, "completed_on": "2026-07-31",
              "distribution": ["website", "seminar"], "comment": "総会で会員に配布"}
    answered = api.send("POST", "/api/v1/associations/A1/survey", body=survey)
    assert answered.status_code == 201, answered.text

    # June closes its three sessions; July its two. Each is then paid.
    june = api.send("POST", "/api/v1/payments/months/2026-06/close", role="admin",
                    body={"pay_on": "2026-07-31"})
    assert june.status_code == 201, june.text
    [june_entry] = june.json()["entries"]
    assert [line["number"] for line in june_entry["sessions"]] == [1, 2, 3]
    june_gross = 3 * FEE + sum(TRAVEL[:3])
    assert (june_entry["gross_yen"], june_entry["withholding_yen"]) == (
        june_gross, withheld(june_gross))
    states = {s["number"]: s["state"] for s in
              api.get("/api/v1/sessions?association_id=A1").json()}
    assert states == {1: "paid", 2: "paid", 3: "paid", 4: "approved", 5: "approved"}
    july = api.send("POST", "/api/v1/payments/months/2026-07/close", role="admin",
                    body={"pay_on": "2026-08-31"})
    assert july.status_code == 201, july.text
    [july_entry] = july.json()["entries"]
    assert [line["number"] for line in july_entry["sessions"]] == [4, 5]
    july_gross = 2 * FEE + sum(TRAVEL[3:])
    assert july_entry["net_yen"] == july_gross - withheld(july_gross)
    assert {s["state"] for s in api.get("/api/v1/sessions?association_id=A1").json()} == {
        "paid"}

    # The transfer files: one data record, totals that add up to what was closed.
    for month, entry in (("2026-06", june_entry), ("2026-07", july_entry)):
        data = api.get(f"/api/v1/payments/months/{month}/transfer", role="admin").content
        records = read_transfer(data)
        assert [r.kind for r in records] == ["1", "2", "8", "9"]
        assert records[1].number("振込金額") == entry["net_yen"]
        assert records[2].number("合計件数") == 1
        assert records[2].number("合計金額") == entry["net_yen"]
    # The statements: July's PDF read back, in Japanese, the account masked.
    text = pdftotext(api.get("/api/v1/payments/months/2026-07/statements.pdf",
                             role="staff").content)
    assert "支払明細書" in text and "山田 花子 様（E1）" in text
    assert f"¥{july_entry['net_yen']:,}" in text and f"-¥{withheld(july_gross):,}" in text
    assert "****567" in text and "1234567" not in text
    workbook = load_workbook(io.BytesIO(api.get(
        "/api/v1/payments/months/2026-06/statements.xlsx", role="staff").content))
    cells = [c for row in workbook["E1"].iter_rows(values_only=True) for c in row if c]
    assert cells[cells.index("差引振込額") + 1] == june_entry["net_yen"]

    # The year's totals per payee (支払調書 figures).
    [year] = api.get("/api/v1/payments/years/2026", role="staff").json()
    assert (year["expert_id"], year["paid_yen"], year["withheld_yen"]) == (
        "E1", june_gross + july_gross, withheld(june_gross) + withheld(july_gross))

    # The results report counts it all.
    report = api.get("/api/v1/reports").json()
    totals = report["totals"]
    assert totals["sessions_held"] == 5 and totals["served"] == totals["completed"] == 1
    assert totals["ratings"] == 5 and totals["rating_average"] == 4.6
    assert totals["satisfied"] == 5 and totals["manuals_completed"] == 1
    assert totals["no_shows"] == totals["cancellations"] == 0
    assert totals["reports_late"] == 5  # filed in December for June and July
    assert totals["fees_paid"] == 5 * FEE and totals["travel_paid"] == sum(TRAVEL)
    assert totals["withholding"] == withheld(june_gross) + withheld(july_gross)
    assert totals["net_paid"] == june_entry["net_yen"] + july_entry["net_yen"]
    tables = {t["name"]: t for t in report["tables"]}
    by_month = {r["key"]: r["values"] for r in tables["payments_by_month"]["rows"]}
    assert by_month["2026-06"]["fees_paid"] == 3 * FEE
    assert by_month["2026-07"]["travel_paid"] == sum(TRAVEL[3:])
    by_industry = {r["key"]: r["values"] for r in tables["payments_by_industry"]["rows"]}
    assert by_industry["retail"]["fees_paid"] == 5 * FEE
    by_kind = {r["key"]: r["values"] for r in tables["payments_by_qualification"]["rows"]}
    assert by_kind["sharoushi"]["net_paid"] == totals["net_paid"]
    outcomes = {r["key"]: r["values"] for r in tables["outcomes_by_month"]["rows"]}
    assert outcomes["2026-06"]["ratings"] == 3 and outcomes["2026-07"]["manuals_completed"] == 1

    # The workbook has the payments' sheets; the console draws their charts.
    book = load_workbook(io.BytesIO(api.get("/api/v1/reports.xlsx").content))
    assert "支払（締め月別）" in book.sheetnames
    sheet = [row for row in book["支払（締め月別）"].iter_rows(values_only=True)]
    assert any(row[:2] == ("2026年6月", 3 * FEE) for row in sheet), sheet
    staff, _ = sign_in(api, "staff")
    page = staff.get("/reports")
    assert page.status_code == 200
    for name in ("payments_by_month", "payments_by_industry", "payments_by_qualification"):
        assert f'id="chart-{name}"' in page.text, name
    assert f"2026年6月 謝金支払額（円）: {3 * FEE}" in page.text  # a bar's tooltip
    assert f"2026年7月 源泉徴収税額（円）: {withheld(july_gross)}" in page.text
