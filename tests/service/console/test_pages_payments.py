"""The console's payments page, in process: a month previewed from its approved, unpaid
sessions and closed by an admin (each session then paid), the downloads, accounts masked
for staff and set only by admins."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from spreadsheets.zengin import read_transfer
from tests.closing_support import JULY_KEYS, july_approved, scenario_document, states
from tests.payments_support import PAYEES
from tests.service.console.test_pages_experts import sign_in
from tests.service_support import Api


def preview(client: object, token: str, month: str = "2026-07") -> object:
    return client.post("/payments/preview",  # type: ignore[attr-defined]
                       data={"csrf_token": token, "month": month, "pay_on": "2026-08-31"})


def test_staff_preview_an_admin_closes_and_the_files_download(api: Api) -> None:
    july_approved(api)
    staff, staff_token = sign_in(api, "staff")
    page = staff.get("/payments")
    assert page.status_code == 200
    assert "****567" in page.text and "1234567" not in page.text
    assert "/payments/payees/E1" not in page.text  # no account editing for staff
    assert 'type="file"' not in page.text  # nobody hands in sessions to pay

    shown = preview(staff, staff_token)
    assert shown.status_code == 200, shown.text
    assert 'id="preview-E1"' in shown.text and "¥79,680" in shown.text
    assert "¥154,994" in shown.text
    assert shown.text.count("<li>2026-07-") == 6  # the sessions paid, one per expert
    assert 'id="close-form"' not in shown.text  # staff preview; an admin closes
    refused = staff.post("/payments/close", data={"csrf_token": staff_token,
                                                  "month": "2026-07"})
    assert refused.status_code == 403
    assert {states(api)[key] for key in JULY_KEYS} == {"approved"}

    admin, admin_token = sign_in(api, "admin")
    shown = preview(admin, admin_token)
    assert 'id="close-form"' in shown.text
    closed = admin.post("/payments/close", data={
        "csrf_token": admin_token, "month": "2026-07", "pay_on": "2026-08-31"})
    assert closed.status_code == 303, closed.text
    listed = admin.get(closed.headers["location"])
    assert 'id="month-2026-07"' in listed.text
    # The year's totals per payee (支払調書 figures) on the page.
    e1_year = re.search(r'<tr id="yearly-2026-E1">(.*?)</tr>', listed.text, re.S)
    assert e1_year is not None and "¥88,740" in e1_year[1] and "¥9,060" in e1_year[1]
    assert {states(api)[key] for key in JULY_KEYS} == {"paid"}

    transfer = admin.get("/payments/months/2026-07/zengin.txt")
    assert transfer.status_code == 200
    assert read_transfer(transfer.content)[-2].number("合計金額") == 154_994
    assert staff.get("/payments/months/2026-07/zengin.txt").status_code == 403
    workbook = load_workbook(io.BytesIO(staff.get(
        "/payments/months/2026-07/statements.xlsx").content))
    assert workbook.sheetnames == ["E1", "E2", "E3"]
    assert staff.get("/payments/months/2026-07/statements.pdf").content.startswith(b"%PDF")
    assert staff.get("/payments/years/2026.xlsx").status_code == 200

    again = preview(admin, admin_token)
    assert again.status_code == 409
    assert "cannot change" in again.text
    twice = admin.post("/payments/close", data={"csrf_token": admin_token,
                                                "month": "2026-07"})
    assert twice.status_code == 409


def test_a_month_with_nothing_approved_is_shown_and_nothing_closes(api: Api) -> None:
    assert api.send("PUT", "/api/v1/scenario", body=scenario_document()).status_code == 200
    admin, token = sign_in(api, "admin")
    answer = admin.post("/payments/close", data={"csrf_token": token, "month": "2026-07"})
    assert answer.status_code == 422
    assert "nothing to pay in 2026-07" in answer.text
    bad_date = admin.post("/payments/preview", data={"csrf_token": token, "month": "2026-07",
                                                     "pay_on": "31/08/2026"})
    assert bad_date.status_code == 422 and "pay_on" in bad_date.text
    assert api.get("/api/v1/payments/months", role="staff").json() == []


def test_only_admins_see_and_set_accounts(api: Api) -> None:
    assert api.send("PUT", "/api/v1/scenario", body=scenario_document()).status_code == 200
    staff, staff_token = sign_in(api, "staff")
    assert staff.get("/payments/payees/E1").status_code == 403
    admin, token = sign_in(api, "admin")
    page = admin.get("/payments/payees/E1")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    account = PAYEES["E1"]["account"]
    form = {"csrf_token": token, "payee_type": "individual", "etag": "",
            **{k: str(v) for k, v in account.items()}}
    bad = admin.post("/payments/payees/E1", data={**form, "holder_name": "山田花子"})
    assert bad.status_code == 422
    assert "holder_name: the bank transfer format cannot carry" in bad.text
    assert api.get("/api/v1/payees/E1", role="staff").status_code == 404  # nothing stored
    saved = admin.post("/payments/payees/E1", data=form)
    assert saved.status_code == 303, saved.text
    assert 'value="1234567"' in admin.get("/payments/payees/E1").text
    assert "****567" in staff.get("/payments").text
    assert staff.post("/payments/payees/E1", data={**form, "csrf_token": staff_token}
                      ).status_code == 403
