"""Payments: a month previewed from its approved, unpaid sessions and closed (by an admin),
the closed months' statements and transfer files, the year's totals, and the payees'
accounts (masked for staff; whole, and set, only by admins)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from domain.errors import Issue
from domain.payments import MONTH_PATTERN, MonthClose
from reports.payment_statements import statements_pdf
from service.console import sessions
from service.console.toolkit import (
    Forbidden,
    SignedInDep,
    StaffForm,
    form_text,
    redirect_to,
    render,
)
from service.db.models import PayeeRow
from service.logic import payments, records, state
from service.logic.errors import Invalid, ServiceError
from service.web.dependencies import DbDep
from service.web.files import XLSX, download
from spreadsheets.payments import statements_workbook, yearly_workbook

router = APIRouter(include_in_schema=False)

MONTH = MONTH_PATTERN
Month = Annotated[str, Path(pattern=MONTH)]


def staff_reader(who: SignedInDep) -> sessions.SignedIn:
    """Payments are for staff alone, as in the API."""
    if not who.actor.may("staff"):
        raise Forbidden
    return who


def admin_reader(who: SignedInDep) -> sessions.SignedIn:
    if not who.actor.may("admin"):
        raise Forbidden
    return who


StaffReader = Annotated[sessions.SignedIn, Depends(staff_reader)]
AdminReader = Annotated[sessions.SignedIn, Depends(admin_reader)]


def _overview(db: DbDep) -> dict[str, Any]:
    by_expert: dict[str, PayeeRow] = {row.expert_id: row for row in payments.payee_rows(db)}
    payees = []
    for row in records.experts(db):
        payee = by_expert.get(row.id)
        payees.append((row.id, row.data["name"],
                       payments.as_payee(payee).account.masked() if payee else None,
                       payee.payee_type if payee else None))
    months = [(row, MonthClose.model_validate(row.document).totals)
              for row in payments.month_rows(db)]
    years = sorted({row.pay_on.year for row, _ in months}, reverse=True)
    # Each year's totals per payee (支払調書 figures), newest year first.
    yearly = [(year, payments.yearly(db, year)) for year in years]
    return {"months": months, "payees": payees, "years": years, "yearly": yearly}


def _page(request: Request, db: DbDep, who: sessions.SignedIn, *,
          preview: MonthClose | None = None,
          problems: list[str] | None = None, message: str | None = None,
          done: str | None = None, form: dict[str, str] | None = None,
          status_code: int = 200) -> HTMLResponse:
    return render(request, "payments.html", {
        **_overview(db), "preview": preview,
        "problems": problems or [], "message": message, "done": done, "form": form or {},
        "may_close": who.actor.may("admin")}, who, status_code=status_code)


@router.get("/payments")
def payments_page(request: Request, db: DbDep, who: StaffReader,
                  done: str | None = None) -> HTMLResponse:
    return _page(request, db, who, done=done)


def _read(form: FormData) -> tuple[str, dt.date | None]:
    """The month and the transfer date from the form; the sessions are the month's
    approved, unpaid ones, from the session's life."""
    month = form_text(form, "month") or ""
    pay_on_text = form_text(form, "pay_on")
    try:
        pay_on = dt.date.fromisoformat(pay_on_text) if pay_on_text else None
    except ValueError:
        raise Invalid([Issue("pay_on", f"{pay_on_text!r} is not a date YYYY-MM-DD")]) from None
    return month, pay_on


def _failed(request: Request, db: DbDep, who: sessions.SignedIn, form: FormData,
            error: Exception) -> HTMLResponse:
    db.rollback()
    entered = {"month": form_text(form, "month") or "", "pay_on": form_text(form, "pay_on") or ""}
    if isinstance(error, Invalid):
        return _page(request, db, who, problems=[str(i) for i in error.issues], form=entered,
                     status_code=422)
    assert isinstance(error, ServiceError)
    return _page(request, db, who, message=error.message, form=entered,
                 status_code=error.status_code)


@router.post("/payments/preview")
def preview_month(request: Request, db: DbDep, who: SignedInDep,
                  form: StaffForm) -> Response:
    try:
        month, pay_on = _read(form)
        result = payments.preview(db, month, pay_on)
    except ServiceError as error:
        return _failed(request, db, who, form, error)
    return _page(request, db, who, preview=result.masked(),
                 form={"month": month, "pay_on": pay_on.isoformat() if pay_on else ""})


@router.post("/payments/close")
def close_month(request: Request, db: DbDep, who: SignedInDep, form: StaffForm) -> Response:
    if not who.actor.may("admin"):
        raise Forbidden
    try:
        month, pay_on = _read(form)
        payments.close(db, month, who.actor.name, pay_on)
        db.commit()
    except ServiceError as error:
        return _failed(request, db, who, form, error)
    return redirect_to(f"/payments?done=closed#month-{month}")


def _programme_name(db: DbDep) -> str:
    return state.programme(db).name


@router.get("/payments/months/{month}/statements.xlsx")
def statements_xlsx(db: DbDep, who: StaffReader, month: Month) -> Response:
    closed = payments.closed_month(db, month)
    return download(statements_workbook(closed, _programme_name(db)), XLSX,
                    f"statements-{month}.xlsx")


@router.get("/payments/months/{month}/statements.pdf")
def statements_as_pdf(db: DbDep, who: StaffReader, month: Month) -> Response:
    closed = payments.closed_month(db, month)
    return download(statements_pdf(closed, _programme_name(db)), "application/pdf",
                    f"statements-{month}.pdf")


@router.get("/payments/months/{month}/zengin.txt")
def transfer_file(db: DbDep, who: AdminReader, month: Month) -> Response:
    """The transfer file holds whole account numbers: admins only, never cached."""
    answer = download(payments.transfer(db, month), "text/plain",
                      f"zengin-sogo-furikomi-{month}.txt")
    answer.headers["Content-Type"] = "text/plain; charset=shift_jis"
    answer.headers["Cache-Control"] = "no-store"
    return answer


@router.get("/payments/years/{year}.xlsx")
def yearly_xlsx(db: DbDep, who: StaffReader,
                year: Annotated[int, Path(ge=2000, le=2100)]) -> Response:
    return download(yearly_workbook(payments.yearly(db, year), year), XLSX,
                    f"payments-{year}.xlsx")


# --- a payee's account: admins only ---------------------------------------------------------


def _payee_page(request: Request, db: DbDep, who: sessions.SignedIn, expert_id: str, *,
                values: dict[str, str] | None = None, problems: list[str] | None = None,
                done: str | None = None, status_code: int = 200) -> HTMLResponse:
    expert = records.expert_row(db, expert_id)
    row = db.get(PayeeRow, expert_id)
    if values is None:
        values = {}
        if row is not None:
            payee = payments.as_payee(row)
            values = {"payee_type": payee.payee_type,
                      **{k: str(v) for k, v in payee.account.model_dump().items()}}
    response = render(request, "payee.html", {
        "expert_id": expert_id, "expert_name": expert.data["name"], "values": values,
        "problems": problems or [], "done": done,
        "etag": state.etag(row.version) if row is not None else ""}, who,
        status_code=status_code)
    response.headers["Cache-Control"] = "no-store"  # the account, whole
    return response


@router.get("/payments/payees/{expert_id}")
def payee_page(request: Request, db: DbDep, who: AdminReader, expert_id: str,
               done: str | None = None) -> HTMLResponse:
    return _payee_page(request, db, who, expert_id, done=done)


ACCOUNT_FIELDS = ("bank_code", "bank_name", "branch_code", "branch_name", "account_type",
                  "account_number", "holder_name")


@router.post("/payments/payees/{expert_id}")
def save_payee(request: Request, db: DbDep, who: SignedInDep, form: StaffForm,
               expert_id: str) -> Response:
    if not who.actor.may("admin"):
        raise Forbidden
    values = {name: form_text(form, name) or "" for name in ("payee_type", *ACCOUNT_FIELDS)}
    try:
        body = payments.PayeeBody.model_validate({
            "payee_type": values["payee_type"],
            "account": {name: values[name] for name in ACCOUNT_FIELDS}})
    except ValidationError as error:
        problems = [f"{'.'.join(str(p) for p in e['loc'][-1:])}: "
                    f"{e['msg'].removeprefix('Value error, ')}" for e in error.errors()]
        return _payee_page(request, db, who, expert_id, values=values, problems=problems,
                           status_code=422)
    try:
        payments.put_payee(db, expert_id, body, form_text(form, "etag"), who.actor.name)
        db.commit()
    except ServiceError as error:
        db.rollback()
        return _payee_page(request, db, who, expert_id, values=values,
                           problems=[error.message], status_code=error.status_code)
    return redirect_to(f"/payments/payees/{expert_id}?done=saved")
