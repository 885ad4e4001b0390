"""The monthly close: preview, close (once), the statements, the bank-transfer file, and
each payee's yearly totals for the tax return."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from domain.payments import (
    MONTH_PATTERN,
    MonthClose,
    MonthTotals,
    YearlyTotal,
)
from domain.types import IsoDate
from reports.payment_statements import statements_pdf
from service.api.deps import ID_TEXT, Admin, AuthenticatedRoute, Staff
from service.api.errors import responses
from service.logic import payments, state
from service.logic.bodies import RequestBody
from service.web.dependencies import DbDep
from service.web.files import XLSX, download, file_answer
from spreadsheets.payments import statements_workbook, yearly_workbook

router = APIRouter(prefix="/payments", tags=["payments"], route_class=AuthenticatedRoute)

Month = Annotated[str, Path(description="The month, YYYY-MM.", examples=["2026-07"],
                            pattern=MONTH_PATTERN)]
Year = Annotated[int, Path(description="The calendar year payments were made in.",
                           ge=2000, le=2100)]
PDF = "application/pdf"
ZENGIN = "text/plain"  # Shift_JIS text of fixed 120-byte records


class CloseRequest(RequestBody):
    """The transfer date; the sessions are the month's approved, unpaid ones, from the
    session's life (nobody lists them by hand)."""

    pay_on: IsoDate | None = Field(
        default=None, description="The transfer date (振込指定日); default: the last "
                                  "business day of the next month.")


class MonthSummary(BaseModel):
    month: str
    pay_on: dt.date
    totals: MonthTotals
    closed_at: dt.datetime
    closed_by: str


@router.get("/months", response_model=list[MonthSummary])
def list_months(_: Staff, db: DbDep) -> list[MonthSummary]:
    """The closed months, oldest first."""
    return [MonthSummary(month=row.month, pay_on=row.pay_on,
                         totals=MonthClose.model_validate(row.document).totals,
                         closed_at=row.closed_at, closed_by=row.closed_by)
            for row in payments.month_rows(db)]


@router.post("/months/{month}/preview", response_model=MonthClose,
             responses=responses(409, 422))
def preview_month(_: Staff, db: DbDep, month: Month, body: CloseRequest) -> MonthClose:
    """The month as it would close now, from its approved, unpaid sessions: per payee the
    fee, travel, adjustments, tax withheld and net; account numbers masked. Nothing is
    written."""
    return payments.preview(db, month, body.pay_on).masked()


@router.post("/months/{month}/close", response_model=MonthClose, status_code=201,
             responses=responses(409, 422))
def close_month(actor: Admin, db: DbDep, response: Response, month: Month,
                body: CloseRequest) -> MonthClose:
    """Close the month (admins only): its approved, unpaid sessions are paid and marked
    paid in the same transaction; its payments are kept as computed and cannot change; a
    session is paid once. 409 when the month is closed already, 422 naming each session or
    payee that cannot be paid (nothing is closed then)."""
    result = payments.close(db, month, actor.name, body.pay_on)
    db.commit()
    response.headers["Location"] = f"/api/v1/payments/months/{month}"
    return result.masked()


@router.get("/months/{month}", response_model=MonthClose, responses=responses(404, 422))
def read_month(_: Staff, db: DbDep, month: Month) -> MonthClose:
    """A closed month, account numbers masked."""
    return payments.closed_month(db, month).masked()


@router.get("/months/{month}/transfer", response_class=Response,
            responses={**file_answer("The Zengin 総合振込 file: 120-byte records (header, "
                                     "data, trailer, end) in Shift_JIS.", ZENGIN),
                       **responses(404, 409, 422)})
def transfer_file(_: Admin, db: DbDep, month: Month,
                  line_ending: Annotated[Literal["crlf", "none"], Query(
                      description="CR LF after each record (122 bytes a line), or none "
                                  "(records back to back), as the bank takes it.")] = "crlf",
                  ) -> Response:
    """The bank-transfer file of a closed month (admins only: it holds whole accounts)."""
    data = payments.transfer(db, month, b"\r\n" if line_ending == "crlf" else b"")
    answer = download(data, ZENGIN, f"zengin-sogo-furikomi-{month}.txt")
    answer.headers["Content-Type"] = "text/plain; charset=shift_jis"
    answer.headers["Cache-Control"] = "no-store"
    return answer


ExpertFilter = Annotated[str | None, Query(description="Only this expert's statement.",
                                           **ID_TEXT)]


@router.get("/months/{month}/statements.xlsx", response_class=Response,
            responses={**file_answer("A sheet per payee, in Japanese.", XLSX),
                       **responses(404, 409, 422)})
def statements_as_workbook(_: Staff, db: DbDep, month: Month,
                           expert_id: ExpertFilter = None) -> Response:
    """The month's payment statements (支払明細書) as an Excel workbook."""
    closed = payments.closed_month(db, month)
    data = statements_workbook(closed, state.programme(db).name,
                               [expert_id] if expert_id else None)
    return download(data, XLSX, f"statements-{month}.xlsx")


@router.get("/months/{month}/statements.pdf", response_class=Response,
            responses={**file_answer("A page per payee, in Japanese.", PDF),
                       **responses(404, 409, 422)})
def statements_as_pdf(_: Staff, db: DbDep, month: Month,
                      expert_id: ExpertFilter = None) -> Response:
    """The month's payment statements (支払明細書) as PDF."""
    closed = payments.closed_month(db, month)
    data = statements_pdf(closed, state.programme(db).name,
                          [expert_id] if expert_id else None)
    return download(data, PDF, f"statements-{month}.pdf")


# Before /years/{year}, which would take "2026.xlsx" as the year.
@router.get("/years/{year}.xlsx", response_class=Response,
            responses={**file_answer("The year's totals per payee.", XLSX),
                       **responses(422)})
def yearly_as_workbook(_: Staff, db: DbDep, year: Year) -> Response:
    """The yearly totals as an Excel workbook."""
    return download(yearly_workbook(payments.yearly(db, year), year), XLSX,
                    f"payments-{year}.xlsx")


@router.get("/years/{year}", response_model=list[YearlyTotal], responses=responses(422))
def yearly_totals(_: Staff, db: DbDep, year: Year) -> list[YearlyTotal]:
    """Each payee's totals of the months paid in the year: paid and withheld, the figures
    of the 支払調書."""
    return payments.yearly(db, year)
